"""Preprocessing: from a circuit and an SRS to a proving key and a verification key.

Lesson. Everything about a circuit that does not depend on the witness is computed once:
the selector polynomials q_M, q_L, q_R, q_O, q_C and the permutation polynomials
sigma_1..sigma_3, interpolated over the domain H of size n = 2^power and committed with
KZG. The commitments form the verification key, "the circuit" as the verifier knows it
(PLONK, eprint 2019/953, §8.1, "preprocessed input"). The proving key keeps the
polynomials themselves plus their evaluations on the extended coset used in round 3.

Domain size: the smallest power of two holding all gates (at least 8). The quotient
t(X) has degree 3n+5 after blinding, below 4n for n >= 8, so round 3 works on a coset
of size 4n (``EXTENSION``, see ``quotient.py``), where the proving key keeps every
selector's and sigma's values; the SRS needs n+6 G1 powers for the last third of t.

The verification key has a versioned byte format of ours (``to_bytes``/``from_bytes``)
and exports to snarkjs' ``verification_key.json`` (``plonk/snarkjs.py``).

Read next: ``proof.py`` (the five messages a proof is made of).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from zkpot_ref.backend import Backend, current
from zkpot_ref.curve import G1, G2
from zkpot_ref.errors import MalformedInput, SetupError
from zkpot_ref.field import R_MODULUS, Fr, batch_inverse_ints
from zkpot_ref.kzg import SRS
from zkpot_ref.plonk.circuit import Circuit, pad_columns
from zkpot_ref.plonk.lookup import table_column
from zkpot_ref.plonk.permutation import K1, K2, build_sigmas
from zkpot_ref.poly import COSET_SHIFT, Domain

R = R_MODULUS
#: the round-3 coset is EXTENSION times larger than H (deg t = 3n + 5 < 4n for n >= 8)
EXTENSION = 4
#: the smallest domain: below 8 rows, 3n + 5 >= 4n and the 4n coset would not suffice
MIN_DOMAIN = 8
#: version byte of our verification-key format
VK_VERSION = 1
SELECTORS = ("q_M", "q_L", "q_R", "q_O", "q_C")


@dataclass(frozen=True)
class VerificationKey:
    """What the verifier knows of the circuit: sizes and commitments (snarkjs' fields)."""

    power: int
    num_public: int
    Q_M: G1
    Q_L: G1
    Q_R: G1
    Q_O: G1
    Q_C: G1
    S_1: G1
    S_2: G1
    S_3: G1
    X_2: G2
    k1: int = K1
    k2: int = K2
    #: lookups (plonk/lookup.py): the range table's size and the commitments to the
    #: lookup selector q_K and the table column t; 0 / None when the circuit has none
    table_bits: int = 0
    Q_K: G1 | None = None
    T: G1 | None = None

    @property
    def n(self) -> int:
        return 1 << self.power

    @property
    def omega(self) -> int:
        return int(Fr.root_of_unity(self.power))

    @property
    def has_lookups(self) -> bool:
        return self.table_bits > 0

    def commitments(self) -> list[G1]:
        """In transcript order: Qm, Ql, Qr, Qo, Qc, S1, S2, S3 (then Qk, T with lookups)."""
        vanilla = [self.Q_M, self.Q_L, self.Q_R, self.Q_O, self.Q_C, self.S_1, self.S_2, self.S_3]
        return vanilla + ([self.Q_K, self.T] if self.has_lookups else [])

    def to_bytes(self) -> bytes:
        """version ‖ power ‖ num_public (4 bytes) ‖ k1 ‖ k2 ‖ 8 G1 ‖ X_2 [‖ bits ‖ Qk ‖ T].

        Version 1 without lookups, version 2 with them.
        """
        version = VK_VERSION + self.has_lookups
        out = bytes([version, self.power]) + self.num_public.to_bytes(4, "big")
        out += self.k1.to_bytes(32, "big") + self.k2.to_bytes(32, "big")
        out += b"".join(p.to_bytes() for p in self.commitments()[:8])
        out += self.X_2.to_bytes()
        if self.has_lookups:
            out += bytes([self.table_bits]) + self.Q_K.to_bytes() + self.T.to_bytes()
        return out

    @classmethod
    def from_bytes(cls, data: bytes) -> VerificationKey:
        """Strict decoding: version, length, and every point validated."""
        if not isinstance(data, (bytes, bytearray)) or not data:
            raise MalformedInput("verification key: expected non-empty bytes")
        if data[0] not in (VK_VERSION, VK_VERSION + 1):
            raise MalformedInput(f"verification key: unknown version {data[0]}")
        lookups = data[0] == VK_VERSION + 1
        expected = 2 + 4 + 64 + 8 * 64 + 128 + (1 + 128 if lookups else 0)
        if len(data) != expected:
            raise MalformedInput(f"verification key: expected {expected} bytes, got {len(data)}")
        power = data[1]
        if not 0 < power <= Fr.TWO_ADICITY - 3:
            raise MalformedInput(f"verification key: domain power {power} out of range")
        num_public = int.from_bytes(data[2:6], "big")
        if num_public > 1 << power:  # each public input has a row; all rows may be
            raise MalformedInput("verification key: more public inputs than rows")
        k1 = Fr.from_bytes(data[6:38]).value
        k2 = Fr.from_bytes(data[38:70]).value
        points = [G1.from_bytes(data[70 + 64 * i : 134 + 64 * i]) for i in range(8)]
        x_2 = G2.from_bytes(data[582:710])
        if not lookups:
            return cls(power, num_public, *points, X_2=x_2, k1=k1, k2=k2)
        table_bits = data[710]
        if not 1 <= table_bits <= power:
            raise MalformedInput(f"verification key: bad table size 2^{table_bits}")
        q_k, t = G1.from_bytes(data[711:775]), G1.from_bytes(data[775:839])
        return cls(power, num_public, *points, X_2=x_2, k1=k1, k2=k2,
                   table_bits=table_bits, Q_K=q_k, T=t)


@dataclass
class ProvingKey:
    """The verification key plus what the prover needs to compute quickly."""

    vk: VerificationKey
    domain: Domain
    srs: SRS  # the n + 6 powers the prover commits with
    structure_digest: bytes
    selectors: dict[str, list[int]]  # name -> coefficients
    sigma_evals: list[list[int]]  # on H, for the accumulator
    sigma_coeffs: list[list[int]]
    lookup_evals: dict[str, list[int]] = field(default_factory=dict)  # q_K, t on H
    coset: dict[str, list[int]] = field(default_factory=dict)  # on the 8n coset

    @property
    def extended(self) -> Domain:
        return Domain(EXTENSION * self.domain.size)


def domain_size_for(circuit: Circuit) -> int:
    """Smallest power of two >= number of gates and >= the lookup table, at least 8."""
    rows = max(len(circuit.gates), MIN_DOMAIN,
               1 << circuit.table_bits if circuit.table_bits else 0)
    return 1 << (rows - 1).bit_length()


def setup(
    circuit: Circuit, srs: SRS, backend: Backend | None = None,
    progress: Callable[[str], None] | None = None,
) -> tuple[ProvingKey, VerificationKey]:
    """Preprocess ``circuit`` with the SRS ([tau^i]_1, [tau]_2) into (pk, vk).

    ``progress`` is told each step as it starts (interpolation, commitments, the coset).
    """
    backend = backend or current()
    say = progress or (lambda message: None)
    if not circuit.gates:
        raise SetupError("the circuit has no gates")
    domain = Domain(domain_size_for(circuit))
    n = domain.size
    if len(srs.g1_powers) < n + 6:
        raise SetupError(
            f"the SRS has {len(srs.g1_powers)} G1 powers; a circuit of {len(circuit.gates)} "
            f"gates (domain 2^{domain.log_size}) needs at least {n + 6}: use a larger ceremony"
        )
    srs = srs.truncated(n + 5)
    say(f"interpolating selectors and permutation (2^{domain.log_size} rows)")
    columns = pad_columns(
        [[getattr(g, name) for g in circuit.gates] for name in SELECTORS], n
    )
    selectors = {
        name: backend.intt(col, domain.omega) for name, col in zip(SELECTORS, columns)
    }
    sigma_evals = build_sigmas(circuit, domain)
    sigma_coeffs = [backend.intt(s, domain.omega) for s in sigma_evals]

    def commit(srs: SRS, coeffs: list[int]) -> G1:
        say(f"committing (an MSM of 2^{domain.log_size} points)")
        return backend.commit(srs, coeffs)

    lookup_evals, lookup_coeffs, lookup_commitments = {}, {}, {}
    if circuit.table_bits:
        lookup_evals = {"q_K": pad_columns([[g.q_K for g in circuit.gates]], n)[0],
                        "t": table_column(circuit.table_bits, n)}
        for name, evals in lookup_evals.items():
            lookup_coeffs[name] = backend.intt(evals, domain.omega)
        lookup_commitments = {"table_bits": circuit.table_bits,
                              "Q_K": commit(srs, lookup_coeffs["q_K"]),
                              "T": commit(srs, lookup_coeffs["t"])}
    vk = VerificationKey(
        power=domain.log_size,
        num_public=circuit.num_public,
        Q_M=commit(srs, selectors["q_M"]),
        Q_L=commit(srs, selectors["q_L"]),
        Q_R=commit(srs, selectors["q_R"]),
        Q_O=commit(srs, selectors["q_O"]),
        Q_C=commit(srs, selectors["q_C"]),
        S_1=commit(srs, sigma_coeffs[0]),
        S_2=commit(srs, sigma_coeffs[1]),
        S_3=commit(srs, sigma_coeffs[2]),
        X_2=srs.g2_tau,
        **lookup_commitments,
    )
    pk = ProvingKey(
        vk=vk,
        domain=domain,
        srs=srs,
        structure_digest=circuit.structure_digest(),
        selectors=selectors,
        sigma_evals=sigma_evals,
        sigma_coeffs=sigma_coeffs,
        lookup_evals=lookup_evals,
    )
    pk.selectors.update(lookup_coeffs)
    big = pk.extended
    say(f"evaluating on the 2^{big.log_size}-point coset")
    for name, coeffs in pk.selectors.items():
        pk.coset[name] = backend.coset_ntt(coeffs, big.omega, big.size, COSET_SHIFT)
    for j, coeffs in enumerate(sigma_coeffs):
        pk.coset[f"sigma_{j + 1}"] = backend.coset_ntt(coeffs, big.omega, big.size, COSET_SHIFT)
    pk.coset["L_1"] = first_lagrange_on_coset(n, big, COSET_SHIFT)
    return pk, vk


def first_lagrange_on_coset(n: int, big: Domain, shift: int) -> list[int]:
    """L_1(X) = (X^n - 1) / (n (X - 1)) at every point x_m = shift·big.omega^m.

    The same values as interpolating [1, 0, ..., 0] on H and evaluating it on the coset
    (two transforms), for one batch inversion: X^n takes only big.size / n values on the
    coset (shift^n times a root of unity of that order), and x_m - 1 is never 0 there
    (the shift is outside H).
    """
    ratio, root = big.size // n, pow(big.omega, n, R)
    shift_n = pow(shift, n, R)
    numerators = [(shift_n * pow(root, m, R) - 1) % R for m in range(ratio)]
    denominators, x = [], shift
    for _ in range(big.size):
        denominators.append(n * (x - 1) % R)
        x = x * big.omega % R
    inverses = batch_inverse_ints(denominators, R)
    return [numerators[m % ratio] * inv % R for m, inv in enumerate(inverses)]
