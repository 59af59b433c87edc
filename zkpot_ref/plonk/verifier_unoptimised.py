"""The PLONK verifier without the batching tricks, for reading.

Lesson. ``verifier.py`` folds everything into one multi-scalar multiplication and one
pairing equation. Here the same proof is checked the long way, one named step at a time,
so each identity can be seen on its own:

1. the linearisation commitment [D] = [r] + r0·[1] ("r minus its constant term"), built
   from the verification key and the proof;
2. opening 1, at xi: the polynomial P = r + v a + v² b + v³ c + v⁴ s1 + v⁵ s2 has
   commitment [F] = [D] + v[A] + ... + v⁵[S2] and must evaluate to
   y1 = -r0 + v a + v² b + v³ c + v⁴ s1 + v⁵ s2; the KZG check is
   e(W_xi, [tau]_2) = e([F] - y1 [1] + xi W_xi, [1]_2);
3. opening 2, at xi·omega: z evaluates to zw;
   e(W_xiw, [tau]_2) = e([Z] - zw [1] + xi omega W_xiw, [1]_2).

With lookups (``lookup.py``) r(X) gains a phi(X) term and r0 a constant, opening 1 also
covers q_K, t and m (v^6..v^8), and opening 2 covers z + v·phi.

Why step 2 proves the gate and permutation identities: r(xi) = -r0 *is* the statement
"gate + alpha·perm + alpha²·start - Z_H(xi)·t(xi) = 0" evaluated at the random point xi
(see ``prover.round_5``), so a valid opening of r at xi proves the identity at xi, and by
Schwartz–Zippel on all of H. The fast verifier merges both openings with the random u.

Read next: ``snarkjs.py`` (the same keys and proofs as snarkjs' JSON files).
"""

from __future__ import annotations

from collections.abc import Sequence

from zkpot_ref.curve import G1, G2, pairing_check
from zkpot_ref.field import R_MODULUS
from zkpot_ref.plonk import lookup
from zkpot_ref.plonk.preprocess import VerificationKey
from zkpot_ref.plonk.proof import Proof
from zkpot_ref.plonk.verifier import (
    Challenges,
    constant_term,
    public_input_at,
    validated_challenges,
)
from zkpot_ref.poly import Domain

R = R_MODULUS


def linearisation_commitment(vk: VerificationKey, proof: Proof, ch: Challenges,
                             l1: int) -> G1:
    """[D]: the linearisation polynomial r(X) committed, without its constant r0."""
    a, b, c = proof.eval_a, proof.eval_b, proof.eval_c
    beta, gamma, alpha, xi = ch.beta, ch.gamma, ch.alpha, ch.xi
    gate = vk.Q_M * (a * b) + vk.Q_L * a + vk.Q_R * b + vk.Q_O * c + vk.Q_C
    z_scalar = (alpha * (a + beta * xi + gamma) * (b + beta * vk.k1 * xi + gamma)
                * (c + beta * vk.k2 * xi + gamma) + alpha * alpha * l1) % R
    s3_scalar = (alpha * beta * proof.eval_zw * (a + beta * proof.eval_s1 + gamma)
                 * (b + beta * proof.eval_s2 + gamma)) % R
    zh = Domain(vk.n).vanishing_at(xi)
    xn = pow(xi, vk.n, R)
    quotient = proof.T1 + proof.T2 * xn + proof.T3 * (xn * xn % R)
    d = gate + proof.Z * z_scalar - vk.S_3 * s3_scalar - quotient * zh
    if vk.has_lookups:  # lookup.py: phi(X) stays a polynomial in r(X)
        phi_coefficient, _ = lookup.linearisation(alpha, ch.delta, l1, a, proof.eval_qk,
                                                  proof.eval_t, proof.eval_m, proof.eval_phiw)
        d = d + proof.Phi * phi_coefficient
    return d


def kzg_opening_holds(commitment: G1, point: int, value: int, witness: G1, x_2: G2) -> bool:
    """e(W, [tau]_2) == e(C - value·[1] + point·W, [1]_2): C opens to value at point."""
    right = commitment - G1.generator() * value + witness * point
    return pairing_check([(-witness, x_2), (right, G2.generator())])


def verify_step_by_step(vk: VerificationKey, public: Sequence[int], proof: Proof) -> bool:
    """The same verdict as ``verifier.verify``, with two separate KZG checks."""
    public, ch = validated_challenges(vk, public, proof)
    pi, l1 = public_input_at(Domain(vk.n), public, ch.xi)
    r0 = constant_term(proof, ch, pi, l1)
    d = linearisation_commitment(vk, proof, ch, l1)
    # opening 1: everything at xi, combined with powers of v
    opened = [(proof.A, proof.eval_a), (proof.B, proof.eval_b), (proof.C, proof.eval_c),
              (vk.S_1, proof.eval_s1), (vk.S_2, proof.eval_s2)]
    # opening 2: z at xi·omega (and phi, combined with v, with lookups)
    f2, y2 = proof.Z, proof.eval_zw
    if vk.has_lookups:
        opened += [(vk.Q_K, proof.eval_qk), (vk.T, proof.eval_t), (proof.M, proof.eval_m)]
        f2, y2 = f2 + proof.Phi * ch.v, (y2 + ch.v * proof.eval_phiw) % R
    f, y1 = d, -r0 % R
    for k, (commitment, value) in enumerate(opened, start=1):
        v_k = pow(ch.v, k, R)
        f, y1 = f + commitment * v_k, (y1 + v_k * value) % R
    opening_at_xi = kzg_opening_holds(f, ch.xi, y1, proof.Wxi, vk.X_2)
    xi_omega = ch.xi * vk.omega % R
    opening_at_xi_omega = kzg_opening_holds(f2, xi_omega, y2, proof.Wxiw, vk.X_2)
    return opening_at_xi and opening_at_xi_omega
