"""KZG polynomial commitments: commit to a polynomial with one point, open it anywhere.

Lesson. Kate, Zaverucha and Goldberg ("Constant-size commitments to polynomials and their
applications", ASIACRYPT 2010, §3.2 "PolyCommit_DL") commit to f(X) = sum c_j X^j with a
*structured reference string* (SRS) built from a secret tau that nobody knows:

    SRS = ([1]_1, [tau]_1, [tau^2]_1, ..., [tau^d]_1;  [1]_2, [tau]_2)

where [x]_1 = x * G1 and [x]_2 = x * G2 (additive notation for the generators' multiples).

- **commit**: C = [f(tau)]_1 = sum c_j [tau^j]_1, one multi-scalar multiplication (MSM).
  Nobody can evaluate f at tau, but everybody can evaluate it "in the exponent".
- **open at z**: f(X) - f(z) vanishes at z, so it is divisible by (X - z): the quotient
  q(X) = (f(X) - f(z)) / (X - z) exists exactly when the claimed value is right. The proof
  is pi = [q(tau)]_1.
- **verify**: f(tau) - y = q(tau)(tau - z) is checked with the pairing e (bilinear:
  e([a]_1, [b]_2) = e(G1, G2)^(ab)) as  e(C - [y]_1 + z pi, [1]_2) = e(pi, [tau]_2),
  one ``pairing_check`` of two pairs. ``docs/kzg.md`` derives it step by step.

Batching (Gabizon–Williamson–Ciobotaru, PLONK, eprint 2019/953, §3 — the "GWC19" batched
KZG): t polynomials opened at the *same* point z share one proof for the random linear
combination sum v^i f_i (v chosen after the values are fixed); openings at *different*
points are verified together with a second random scalar u, still with one pairing check.
PLONK's verifier (round 5) needs exactly this at zeta and zeta*omega.

Trust and input rules: the SRS comes from a ceremony (``ceremony.py``) or a snarkjs file
(``ptau.py``), which validate it; ``verify_srs`` re-checks that it is a power sequence.
Verifiers treat commitments, proofs, points and scalars as untrusted: a malformed one
raises ``MalformedInput``; a well-formed false claim returns ``False``; nothing else escapes.
``SRS.insecure_from_tau`` knows tau and exists only for tests and demos.

Read next: ``ceremony.py`` (making an SRS nobody knows tau of), then ``ptau.py``.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from zkpot_ref.curve import G1, G2, msm, pairing_check
from zkpot_ref.curve.msm_batch_affine import fixed_base_multiples
from zkpot_ref.errors import MalformedInput, SetupError
from zkpot_ref.field import R_MODULUS
from zkpot_ref.poly import Polynomial
from zkpot_ref.transcript import Transcript

R = R_MODULUS

#: bits of the random coefficients that batch many pairing equations into one; a false
#: equation survives the random combination with probability <= 2^-128 (Schwartz–Zippel).
BATCH_BITS = 128


# --------------------------------------------------------------------------------------
# The structured reference string
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SRS:
    """Powers of a secret tau: ``g1_powers[i] = [tau^i]_1`` for i <= d, ``[1]_2``, ``[tau]_2``."""

    g1_powers: list[G1]
    g2_one: G2
    g2_tau: G2

    def __post_init__(self) -> None:
        if not self.g1_powers:
            raise SetupError("an SRS needs at least [1]_1")
        if not all(type(p) is G1 for p in self.g1_powers):
            raise SetupError("SRS.g1_powers must hold G1 points")
        if type(self.g2_one) is not G2 or type(self.g2_tau) is not G2:
            raise SetupError("SRS.g2_one and SRS.g2_tau must be G2 points")

    @property
    def max_degree(self) -> int:
        """The largest degree this SRS can commit to (d)."""
        return len(self.g1_powers) - 1

    @classmethod
    def insecure_from_tau(cls, tau: int, degree: int) -> SRS:
        """FOR TESTS AND DEMOS ONLY: an SRS whose secret ``tau`` the caller knows.

        Whoever knows tau can open a commitment to any value (pick the value, then
        pi = (C - [y]_1) / (tau - z)), so a real system must use a ceremony's output.
        """
        if degree < 0:
            raise SetupError(f"degree must be >= 0, got {degree}")
        if not 1 < tau % R:
            raise SetupError("tau must not be 0 or 1 mod r")
        exponents, t = [], 1
        for _ in range(degree + 1):
            exponents.append(t)
            t = t * tau % R
        powers = fixed_base_multiples(G1.generator(), exponents)  # [tau^i] G, one table
        return cls(powers, G2.generator(), G2.generator() * (tau % R))

    def truncated(self, degree: int) -> SRS:
        """The same SRS limited to ``degree`` (a prefix of the G1 powers)."""
        if not 0 <= degree <= self.max_degree:
            raise SetupError(f"cannot truncate an SRS of degree {self.max_degree} to {degree}")
        return SRS(self.g1_powers[: degree + 1], self.g2_one, self.g2_tau)


def srs_power_pairs(srs: SRS) -> list[tuple[G1, G2]]:
    """Pairing pairs whose product is 1 iff (w.p. 1 - 2^-128) the G1 powers share one tau.

    For every i < d the SRS must satisfy e([tau^(i+1)]_1, [1]_2) = e([tau^i]_1, [tau]_2).
    With random rho_i those d equations collapse into one (two MSMs, two pairings):

        e(sum rho_i [tau^(i+1)]_1, [1]_2) * e(-sum rho_i [tau^i]_1, [tau]_2) = 1.

    The i = 0 term also ties [tau]_1 to [tau]_2. ``ceremony.py`` merges these pairs with
    its own equations into one bigger check.
    """
    d = srs.max_degree
    if d == 0:  # only [1]_1: tie [tau]_2 to nothing, nothing to check
        return []
    rho = [secrets.randbits(BATCH_BITS) for _ in range(d)]
    shifted = msm(srs.g1_powers[1:], rho)
    base = msm(srs.g1_powers[:-1], rho)
    return [(shifted, srs.g2_one), (-base, srs.g2_tau)]


def verify_srs(srs: SRS) -> bool:
    """True iff the SRS is well formed: generators first, tau not 0/1, one common tau."""
    if srs.g1_powers[0] != G1.generator() or srs.g2_one != G2.generator():
        return False
    if srs.g2_tau.is_identity() or srs.g2_tau == srs.g2_one:
        return False  # tau = 0 or tau = 1: everybody knows it
    if not all(p.is_on_curve() for p in srs.g1_powers):
        return False
    if not srs.g2_tau.is_on_curve() or not srs.g2_tau.is_in_subgroup():
        return False
    pairs = srs_power_pairs(srs)
    return pairing_check(pairs) if pairs else True


# --------------------------------------------------------------------------------------
# Input validation for verifiers
# --------------------------------------------------------------------------------------


def _g1(point: G1 | bytes, what: str) -> G1:
    """A G1 point from untrusted input: a G1 object on the curve, or 64 encoded bytes."""
    if isinstance(point, (bytes, bytearray, memoryview)):
        return G1.from_bytes(point)
    if type(point) is not G1 or not point.is_on_curve():
        raise MalformedInput(f"{what} must be a G1 point on the curve")
    return point


def _scalar(value: int, what: str, nonzero: bool = False) -> int:
    """A scalar from untrusted input: an int in [0, r) (no silent reduction).

    Batching challenges must be non-zero: with v = 0 or u = 0 every claim but the first
    would be multiplied by 0, i.e. not checked at all.
    """
    if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value < R:
        raise MalformedInput(f"{what} must be an integer in [0, r)")
    if nonzero and value == 0:
        raise MalformedInput(f"the batching challenge {what} must be non-zero")
    return value


def _coefficients(srs: SRS, coeffs: Sequence[int]) -> list[int]:
    """Coefficients reduced mod r, refusing polynomials the SRS is too short for."""
    if not all(isinstance(c, int) and not isinstance(c, bool) for c in coeffs):
        raise MalformedInput("polynomial coefficients must be integers")
    c = [x % R for x in coeffs]
    while c and c[-1] == 0:
        c.pop()
    if len(c) - 1 > srs.max_degree:
        raise SetupError(
            f"polynomial of degree {len(c) - 1} exceeds the SRS's max degree {srs.max_degree}"
        )
    return c


# --------------------------------------------------------------------------------------
# Commit, open, verify — one polynomial, one point
# --------------------------------------------------------------------------------------


#: How a commitment's MSM is computed: ``curve.msm`` here; a prover passes its backend's.
MSM = Callable[[Sequence[G1], Sequence[int]], G1]


# --8<-- [start:commit_open]
def commit(srs: SRS, coeffs: Sequence[int], msm: MSM = msm) -> G1:
    """C = [f(tau)]_1 = sum_j c_j [tau^j]_1 for f given by its coefficients (low first)."""
    c = _coefficients(srs, coeffs)
    return msm(srs.g1_powers[: len(c)], c)


def open_at(srs: SRS, coeffs: Sequence[int], z: int, msm: MSM = msm) -> tuple[int, G1]:
    """(f(z), pi) with pi = [q(tau)]_1 and q = (f - f(z)) / (X - z), by synthetic division."""
    c = _coefficients(srs, coeffs)
    # BEGIN TASK 3.1: open_at: commit to the quotient (f - f(z)) / (X - z)
    quotient, value = Polynomial(c).divide_by_linear(_scalar(z, "z"))
    return value, commit(srs, quotient.coeffs, msm)
    # END TASK 3.1

# --8<-- [end:commit_open]

def verify_opening(srs: SRS, commitment: G1 | bytes, z: int, value: int, proof: G1 | bytes) -> bool:
    """Check that ``commitment`` opens to ``value`` at ``z``: one pairing check.

        e(C - [y]_1 + z pi, [1]_2) = e(pi, [tau]_2)

    Raises MalformedInput for malformed points or scalars; returns False for a false claim.
    """
    return verify_batch(srs, [commitment], z, [value], proof, v=1)


# --------------------------------------------------------------------------------------
# Batches (GWC19): many polynomials at one point; claims at several points
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class BatchClaim:
    """"The polynomials committed in ``commitments`` take ``values`` at ``z``", proven by
    ``proof`` for the combination sum v^i f_i (``v``: the batching challenge)."""

    commitments: Sequence[G1 | bytes]
    z: int
    values: Sequence[int]
    proof: G1 | bytes
    v: int


def batch_challenge(commitments: Sequence[G1], z: int, values: Sequence[int]) -> int:
    """A Fiat–Shamir v for callers without a transcript of their own: hash of everything
    v must depend on (commitments, z, values), so the prover cannot tune the values to v."""
    transcript = Transcript()
    for c in commitments:
        transcript.absorb(_g1(c, "commitment").to_bytes())
    transcript.absorb_scalar(_scalar(z, "z"))
    for y in values:
        transcript.absorb_scalar(_scalar(y, "value"))
    return transcript.challenge()


def open_batch(
    srs: SRS, polys: Sequence[Sequence[int]], z: int, v: int, msm: MSM = msm
) -> tuple[list[int], G1]:
    """Values f_i(z) and ONE proof for all ``polys`` at ``z``: the opening of sum v^i f_i.

    Dividing is linear, so the quotient of the combination is the combination of the
    quotients; one MSM instead of t.
    """
    z, v = _scalar(z, "z"), _scalar(v, "v", nonzero=True)
    combined: list[int] = []
    values, weight = [], 1
    for coeffs in polys:
        c = _coefficients(srs, coeffs)
        values.append(Polynomial(c)(z))
        combined.extend([0] * (len(c) - len(combined)))
        for j, x in enumerate(c):
            combined[j] = (combined[j] + weight * x) % R
        weight = weight * v % R
    _, proof = open_at(srs, combined, z, msm)
    return values, proof


def verify_batch(
    srs: SRS, commitments: Sequence[G1 | bytes], z: int, values: Sequence[int],
    proof: G1 | bytes, v: int,
) -> bool:
    """Check a batch opening at one point: F = sum v^i C_i must open to E = sum v^i y_i."""
    return verify_batches(srs, [BatchClaim(commitments, z, values, proof, v)], u=1)


# --8<-- [start:verify_batches]
def verify_batches(srs: SRS, claims: Sequence[BatchClaim], u: int | None = None) -> bool:
    """Verify batch claims at several points (PLONK: zeta and zeta*omega) with one check.

    Claim j says F_j - [E_j]_1 = (tau - z_j) W_j, i.e. F_j - [E_j]_1 + z_j W_j = tau W_j,
    where F_j = sum_i v_j^i C_ji, E_j = sum_i v_j^i y_ji and W_j is its proof. Weighting
    claim j by u^j and adding (GWC19 §3, PLONK round 5 verifier step 12):

        e(sum_j u^j (F_j - [E_j]_1 + z_j W_j), [1]_2) = e(sum_j u^j W_j, [tau]_2).

    ``u`` should be unpredictable to the prover: the verifier's own randomness (the
    default) or a transcript challenge taken after the proofs.
    """
    if u is None:
        u = 1 + secrets.randbelow(R - 1)
    u = _scalar(u, "u", nonzero=True)
    if not claims:
        raise MalformedInput("verify_batches needs at least one claim")
    lhs_points: list[G1] = []
    lhs_scalars: list[int] = []
    proofs: list[G1] = []
    weight_u = 1
    for claim in claims:
        if not isinstance(claim, BatchClaim) or not all(
            isinstance(s, (list, tuple)) for s in (claim.commitments, claim.values)
        ):
            raise MalformedInput("claims must be BatchClaim objects holding lists")
        if len(claim.commitments) != len(claim.values) or not claim.commitments:
            raise MalformedInput("a claim needs one value per commitment (and at least one)")
        z, v = _scalar(claim.z, "z"), _scalar(claim.v, "v", nonzero=True)
        w = _g1(claim.proof, "proof")
        # BEGIN TASK 3.2: the batched pairing equation of GWC19
        combined_value, weight = 0, weight_u
        for c, y in zip(claim.commitments, claim.values):
            lhs_points.append(_g1(c, "commitment"))
            lhs_scalars.append(weight)
            combined_value = (combined_value + weight * _scalar(y, "value")) % R
            weight = weight * v % R
        lhs_points += [G1.generator(), w]
        lhs_scalars += [(-combined_value) % R, weight_u * z % R]
        proofs.append(w)
        weight_u = weight_u * u % R
        # END TASK 3.2
    lhs = msm(lhs_points, lhs_scalars)
    rhs = msm(proofs, [pow(u, j, R) for j in range(len(proofs))])
    return pairing_check([(lhs, srs.g2_one), (-rhs, srs.g2_tau)])

# --8<-- [end:verify_batches]
