"""The PLONK prover, round by round (Gabizon–Williamson–Ciobotaru, eprint 2019/953, §8.3).

Lesson. Five rounds; after each, the prover's messages go into the Fiat–Shamir
transcript and the next challenge comes out (``transcript.py``; the order is snarkjs',
so snarkjs can verify our proofs):

1. commit to the blinded wire polynomials a, b, c            -> beta, gamma
2. commit to the blinded permutation accumulator z            -> alpha
3. commit to the quotient t = (gate + alpha·perm + alpha²·start) / Z_H, in three parts
                                                               -> xi
4. evaluate a, b, c, sigma_1, sigma_2 at xi and z at xi·omega  -> v
5. open the linearisation polynomial and those evaluations at xi, and z at xi·omega

**Statement binding** (the Frozen-Heart fix): beta hashes the verification key's eight
commitments and the public inputs *before* the prover's first message, so a proof is
tied to one circuit and one statement.

**Zero knowledge**: the wires get random multiples of Z_H added, (b1 X + b2)·Z_H etc., z
gets (b7 X² + b8 X + b9)·Z_H — invisible on H, so the constraints still hold, but the few
evaluations the verifier sees are uniformly random. b10, b11 re-split t so that t_lo and
t_mid's commitments reveal nothing about the unsplit quotient.

All NTTs and MSMs go through ``backend`` so the fast path can replace them.
Read next: ``verifier.py``.
"""

from __future__ import annotations

from collections.abc import Sequence

from zkpot_ref.backend import Backend, current
from zkpot_ref.errors import CircuitError, MalformedInput
from zkpot_ref.field import R_MODULUS, Fr
from zkpot_ref.plonk import lookup
from zkpot_ref.plonk.circuit import Circuit, pad_columns
from zkpot_ref.plonk.permutation import K1, K2, accumulator
from zkpot_ref.plonk.preprocess import EXTENSION, ProvingKey
from zkpot_ref.plonk.proof import Proof
from zkpot_ref.poly import COSET_SHIFT, Polynomial
from zkpot_ref.transcript import Transcript

R = R_MODULUS
NUM_BLINDERS = 11


def add_blinding(coeffs: list[int], blinders: Sequence[int], n: int) -> list[int]:
    """coeffs + (sum_k blinders[k]·X^k)·Z_H with Z_H = X^n - 1 (low degree first)."""
    out = list(coeffs) + [0] * (n + len(blinders) - len(coeffs))
    for k, b in enumerate(blinders):
        out[k] = (out[k] - b) % R
        out[n + k] = (out[n + k] + b) % R
    return out


def evaluate(coeffs: Sequence[int], x: int) -> int:
    """Horner's rule."""
    acc = 0
    for c in reversed(coeffs):
        acc = (acc * x + c) % R
    return acc


def begin_transcript(pk_vk_commitments: list, public: Sequence[int]) -> Transcript:
    """The statement goes in first: VK commitments, then public inputs (snarkjs order)."""
    transcript = Transcript()
    for point in pk_vk_commitments:
        transcript.absorb(point.to_bytes())
    for value in public:
        transcript.absorb_scalar(value)
    return transcript


class _Prover:
    """Holds the state passed between rounds; one method per round."""

    def __init__(self, pk: ProvingKey, circuit: Circuit, blinders: Sequence[int],
                 backend: Backend) -> None:
        self.pk, self.backend, self.b = pk, backend, [0, *blinders]  # b[1]..b[11] as the paper
        self.n, self.omega = pk.domain.size, pk.domain.omega
        self.big = pk.extended
        self.public = circuit.public_values()
        self.wire_evals = pad_columns(list(circuit.wire_values()), self.n)
        self.transcript = begin_transcript(pk.vk.commitments(), self.public)
        self.lookups = pk.vk.has_lookups

    def commit(self, coeffs: Sequence[int]):
        return self.backend.commit(self.pk.g1_powers, coeffs)

    def on_coset(self, coeffs: Sequence[int]) -> list[int]:
        return self.backend.coset_ntt(coeffs, self.big.omega, self.big.size, COSET_SHIFT)

    def round_1(self) -> None:
        """Round 1: a(X) = (b1 X + b2) Z_H + sum a_i L_i, likewise b (b3, b4), c (b5, b6)."""
        b, n = self.b, self.n
        self.wires = [
            add_blinding(self.backend.intt(col, self.omega), blinders, n)
            for col, blinders in zip(self.wire_evals, ((b[2], b[1]), (b[4], b[3]), (b[6], b[5])))
        ]
        self.A, self.B, self.C = (self.commit(w) for w in self.wires)
        for point in (self.A, self.B, self.C):
            self.transcript.absorb(point.to_bytes())
        if self.lookups:  # lookup.py: the multiplicities m, blinded with (b12 X + b13) Z_H
            table = self.pk.lookup_evals["t"]
            self.f = lookup.lookup_values(self.pk.lookup_evals["q_K"], self.wire_evals[0])
            self.m_evals = lookup.multiplicities(self.f, table)
            self.m = add_blinding(self.backend.intt(self.m_evals, self.omega), (b[13], b[12]), n)
            self.M = self.commit(self.m)
            self.transcript.absorb(self.M.to_bytes())
        self.beta = self.transcript.challenge()
        self.transcript.absorb_scalar(self.beta)
        self.gamma = self.transcript.challenge()
        if self.lookups:
            self.transcript.absorb_scalar(self.gamma)
            self.delta = self.transcript.challenge()

    def round_2(self) -> None:
        """Round 2: z(X) = (b7 X² + b8 X + b9) Z_H + sum z_i L_i (permutation.accumulator)."""
        z_evals = accumulator(self.wire_evals, self.pk.sigma_evals, self.pk.domain,
                              self.beta, self.gamma)
        b = self.b
        self.z = add_blinding(self.backend.intt(z_evals, self.omega), (b[9], b[8], b[7]), self.n)
        self.Z = self.commit(self.z)
        for value in (self.beta, self.gamma):
            self.transcript.absorb_scalar(value)
        self.transcript.absorb(self.Z.to_bytes())
        if self.lookups:  # the running sum phi, blinded with (b14 X² + b15 X + b16) Z_H
            phi = lookup.running_sum(self.f, self.pk.lookup_evals["t"], self.m_evals, self.delta)
            self.phi = add_blinding(self.backend.intt(phi, self.omega), (b[16], b[15], b[14]),
                                    self.n)
            self.Phi = self.commit(self.phi)
            self.transcript.absorb(self.Phi.to_bytes())
        self.alpha = self.transcript.challenge()

    def round_3(self) -> None:
        """Round 3: t(X) = [gate(X) + alpha·perm(X) + alpha²·(z(X) - 1) L_1(X)] / Z_H(X).

        gate = a b q_M + a q_L + b q_R + c q_O + PI + q_C
        perm = (a + beta X + gamma)(b + beta k1 X + gamma)(c + beta k2 X + gamma) z(X)
             - (a + beta s1 + gamma)(b + beta s2 + gamma)(c + beta s3 + gamma) z(X omega)
        Computed pointwise on the coset g·H' (|H'| = 8n), where Z_H has no zeros.
        """
        pk, big, n = self.pk, self.big, self.n
        beta, gamma, alpha = self.beta, self.gamma, self.alpha
        a, b, c, z = (self.on_coset(p) for p in (*self.wires, self.z))
        pi_evals = [(-v) % R for v in self.public] + [0] * (n - len(self.public))
        pi = self.on_coset(self.backend.intt(pi_evals, self.omega))
        q, s1, s2, s3 = pk.coset, pk.coset["sigma_1"], pk.coset["sigma_2"], pk.coset["sigma_3"]
        l1 = pk.coset["L_1"]
        if self.lookups:
            phi, m = self.on_coset(self.phi), self.on_coset(self.m)
            alpha3 = pow(alpha, 3, R)
        size, x = big.size, COSET_SHIFT
        numerator = [0] * size
        for i in range(size):
            # z(X·omega) on the coset: omega = omega'^8, so it is z's value 8 points on
            z_next = z[(i + EXTENSION) % size]
            gate = (a[i] * b[i] % R * q["q_M"][i] + a[i] * q["q_L"][i] + b[i] * q["q_R"][i]
                    + c[i] * q["q_O"][i] + pi[i] + q["q_C"][i])
            bx = beta * x
            perm = ((a[i] + bx + gamma) * (b[i] + K1 * bx + gamma) % R * (c[i] + K2 * bx + gamma)
                    % R * z[i]
                    - (a[i] + beta * s1[i] + gamma) * (b[i] + beta * s2[i] + gamma) % R
                    * (c[i] + beta * s3[i] + gamma) % R * z_next)
            start = (z[i] - 1) * l1[i]
            numerator[i] = (gate + alpha * (perm % R) + alpha * alpha % R * start) % R
            if self.lookups:
                step, phi_start = lookup.quotient_terms(
                    phi[i], phi[(i + EXTENSION) % size], q["q_K"][i], a[i], q["t"][i], m[i],
                    l1[i], self.delta)
                numerator[i] = (numerator[i] + alpha3 * step + alpha3 * alpha % R * phi_start) % R
            x = x * big.omega % R
        t_evals = pk.domain.divide_by_vanishing_on_coset(numerator, big)
        t = self.backend.coset_intt(t_evals, big.omega, COSET_SHIFT)
        # t has degree 3n+5 when the witness satisfies the circuit; higher coefficients
        # can only come from a bad witness, and truncating them makes the proof fail.
        b10, b11 = self.b[10], self.b[11]
        self.t_lo = t[:n] + [b10]
        self.t_mid = [(t[n] - b10) % R] + t[n + 1 : 2 * n] + [b11]
        self.t_hi = [(t[2 * n] - b11) % R] + t[2 * n + 1 : 3 * n + 6]
        self.T1, self.T2, self.T3 = (self.commit(p) for p in (self.t_lo, self.t_mid, self.t_hi))
        self.transcript.absorb_scalar(alpha)
        for point in (self.T1, self.T2, self.T3):
            self.transcript.absorb(point.to_bytes())
        self.xi = self.transcript.challenge()

    def round_4(self) -> None:
        """Round 4: a(xi), b(xi), c(xi), sigma_1(xi), sigma_2(xi), z(xi·omega)."""
        xi = self.xi
        self.eval_a, self.eval_b, self.eval_c = (evaluate(w, xi) for w in self.wires)
        self.eval_s1 = evaluate(self.pk.sigma_coeffs[0], xi)
        self.eval_s2 = evaluate(self.pk.sigma_coeffs[1], xi)
        self.eval_zw = evaluate(self.z, xi * self.omega % R)
        self.lookup_evals: list[int] = []
        if self.lookups:  # q_K(xi), t(xi), m(xi), phi(xi omega)
            self.lookup_evals = [evaluate(self.pk.selectors["q_K"], xi),
                                 evaluate(self.pk.selectors["t"], xi), evaluate(self.m, xi),
                                 evaluate(self.phi, xi * self.omega % R)]
        self.transcript.absorb_scalar(xi)
        for value in (self.eval_a, self.eval_b, self.eval_c, self.eval_s1, self.eval_s2,
                      self.eval_zw, *self.lookup_evals):
            self.transcript.absorb_scalar(value)
        self.v = self.transcript.challenge()

    def round_5(self) -> None:
        """Round 5: the linearisation r(X) and the two KZG openings.

        r(X) = ab q_M + a q_L + b q_R + c q_O + q_C
             + (alpha (a + beta xi + gamma)(b + beta k1 xi + gamma)(c + beta k2 xi + gamma)
                + alpha² L_1(xi)) z(X)
             - alpha beta zw (a + beta s1 + gamma)(b + beta s2 + gamma) sigma_3(X)
             - Z_H(xi) (t_lo + xi^n t_mid + xi^2n t_hi)          (evaluations barred)
        It satisfies r(xi) = -r0, the constant the verifier computes itself, so
        W_xi = (r + r0 + v (a - a(xi)) + ... + v^5 (sigma_2 - sigma_2(xi))) / (X - xi)
        and W_xiw = (z - z(xi omega)) / (X - xi omega).
        """
        pk, xi, n = self.pk, self.xi, self.n
        beta, gamma, alpha = self.beta, self.gamma, self.alpha
        ea, eb, ec = self.eval_a, self.eval_b, self.eval_c
        zh = pk.domain.vanishing_at(xi)
        l1 = pk.domain.lagrange_at(0, xi)
        z_coef = (alpha * (ea + beta * xi + gamma) % R * (eb + beta * K1 * xi + gamma) % R
                  * (ec + beta * K2 * xi + gamma) + alpha * alpha % R * l1) % R
        s3_coef = (-alpha * beta * self.eval_zw % R * (ea + beta * self.eval_s1 + gamma) % R
                   * (eb + beta * self.eval_s2 + gamma)) % R
        xn = pow(xi, n, R)
        terms = [
            (ea * eb, pk.selectors["q_M"]), (ea, pk.selectors["q_L"]),
            (eb, pk.selectors["q_R"]), (ec, pk.selectors["q_O"]), (1, pk.selectors["q_C"]),
            (z_coef, self.z), (s3_coef, pk.sigma_coeffs[2]),
            (-zh, self.t_lo), (-zh * xn, self.t_mid), (-zh * xn * xn, self.t_hi),
        ]
        v = self.v
        opened = [(self.wires[0], ea), (self.wires[1], eb), (self.wires[2], ec),
                  (pk.sigma_coeffs[0], self.eval_s1), (pk.sigma_coeffs[1], self.eval_s2)]
        at_xi_omega = [(1, self.z)]
        if self.lookups:
            e_qk, e_t, e_m, e_phiw = self.lookup_evals
            phi_coefficient, _ = lookup.linearisation(alpha, self.delta, l1, ea, e_qk, e_t, e_m,
                                                      e_phiw)
            terms.append((phi_coefficient, self.phi))
            opened += [(pk.selectors["q_K"], e_qk), (pk.selectors["t"], e_t), (self.m, e_m)]
            at_xi_omega.append((v, self.phi))
        power = 1
        for coeffs, value in opened:
            power = power * v % R
            terms.append((power, coeffs))
            terms.append((-power * value, [1]))
        combined = Polynomial(_linear_combination(terms))
        w_xi, _ = combined.divide_by_linear(xi)  # remainder r(xi) + r0 + ... = 0 by design
        w_xiw, _ = Polynomial(_linear_combination(at_xi_omega)).divide_by_linear(
            xi * self.omega % R)
        self.Wxi, self.Wxiw = self.commit(w_xi.coeffs), self.commit(w_xiw.coeffs)


def _linear_combination(terms: Sequence[tuple[int, Sequence[int]]]) -> list[int]:
    """sum_k scalar_k · poly_k, coefficient-wise."""
    out = [0] * max(len(p) for _, p in terms)
    for scalar, coeffs in terms:
        scalar %= R
        for j, c in enumerate(coeffs):
            out[j] += scalar * c
    return [c % R for c in out]


def prove(
    pk: ProvingKey,
    circuit: Circuit,
    *,
    blinders: Sequence[int] | None = None,
    backend: Backend | None = None,
    check: bool = True,
) -> Proof:
    """A proof that ``circuit``'s witness satisfies the circuit preprocessed into ``pk``.

    ``blinders``: the 11 blinding scalars b1..b11, 16 with lookups (b12..b16 for m and
    phi); fresh secure randomness by default. Fix them only in tests, e.g. to compare two
    backends byte for byte. ``check=False``
    skips the witness check — only for tests that show a bad proof is rejected.
    """
    if circuit.structure_digest() != pk.structure_digest:
        raise CircuitError("this circuit's structure differs from the one the key was made for")
    if check:
        circuit.check_witness()
    count = NUM_BLINDERS + (lookup.NUM_LOOKUP_BLINDERS if pk.vk.has_lookups else 0)
    if blinders is None:
        blinders = [Fr.random().value for _ in range(count)]
    if len(blinders) != count:
        raise MalformedInput(f"expected {count} blinding scalars, got {len(blinders)}")
    prover = _Prover(pk, circuit, [int(b) % R for b in blinders], backend or current())
    prover.round_1()
    prover.round_2()
    prover.round_3()
    prover.round_4()
    prover.round_5()
    p = prover
    extra = {}
    if p.lookups:
        extra = dict(zip(("eval_qk", "eval_t", "eval_m", "eval_phiw"), p.lookup_evals),
                     M=p.M, Phi=p.Phi)
    return Proof(p.A, p.B, p.C, p.Z, p.T1, p.T2, p.T3, p.Wxi, p.Wxiw,
                 p.eval_a, p.eval_b, p.eval_c, p.eval_s1, p.eval_s2, p.eval_zw, **extra)
