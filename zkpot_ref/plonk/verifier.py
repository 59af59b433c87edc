"""The PLONK verifier (eprint 2019/953, §8.4), exactly as snarkjs 0.7 verifies.

Lesson. The verifier never sees a polynomial. From the verification key (commitments
to the circuit), the public inputs and the proof (commitments and six evaluations) it:

1. validates everything: public inputs below r and as many as the key says; proof
   points on the curve and scalars below r (``Proof.validate``);
2. recomputes the challenges beta, gamma, alpha, xi, v, u by replaying the prover's
   Fiat–Shamir schedule (``fiat_shamir.py``) over the proof's five messages;
3. computes Z_H(xi), L_1(xi) and PI(xi) = -sum_i public_i L_i(xi);
4. computes the constant part of the linearisation,
   r0 = PI(xi) - alpha² L_1(xi) - alpha (a + beta s1 + gamma)(b + beta s2 + gamma)(c + gamma) zw;
5. builds the commitment [D] to the linearisation minus r0 from the key's and the
   proof's commitments (the linearisation trick: only *linear* in commitments),
   then [F] = [D] + v[a] + v²[b] + v³[c] + v⁴[s1] + v⁵[s2] and the group element
   [E] = (-r0 + v a + v² b + v³ c + v⁴ s1 + v⁵ s2 + u zw)·[1]_1;
6. checks both KZG openings at once with one pairing equation:

       e(W_xi + u W_xiw, [tau]_2) = e(xi W_xi + u xi omega W_xiw + F - E, [1]_2).

``verify`` returns True or False for a well-formed proof and raises MalformedInput for
malformed input; it never raises anything else.
Read next: ``verifier_unoptimised.py`` (the same checks, step by step) and ``snarkjs.py``.
"""

from __future__ import annotations

from collections.abc import Sequence

from zkpot_ref.curve import G1, G2, msm, pairing_check
from zkpot_ref.errors import MalformedInput
from zkpot_ref.field import R_MODULUS
from zkpot_ref.plonk import lookup
from zkpot_ref.plonk.fiat_shamir import Challenges, FiatShamir
from zkpot_ref.plonk.preprocess import VerificationKey
from zkpot_ref.plonk.proof import Proof
from zkpot_ref.poly import Domain

R = R_MODULUS


def validate_public(vk: VerificationKey, public: Sequence[int]) -> list[int]:
    """Public inputs as ints in [0, r), exactly vk.num_public of them (a list or tuple)."""
    if not isinstance(public, Sequence) or isinstance(public, str | bytes | bytearray):
        raise MalformedInput(f"public inputs must be a sequence of integers, not "
                             f"{type(public).__name__}")  # fmt: skip
    if len(public) != vk.num_public:
        raise MalformedInput(f"expected {vk.num_public} public inputs, got {len(public)}")
    out = []
    for i, value in enumerate(public):
        if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value < R:
            raise MalformedInput(f"public input {i} is not an integer in [0, r)")
        out.append(value)
    return out


def compute_challenges(vk: VerificationKey, public: Sequence[int], proof: Proof) -> Challenges:
    """Replay the prover's Fiat–Shamir schedule (``fiat_shamir.py``) over the proof."""
    return FiatShamir(vk, public).replay(proof.messages())


def public_input_at(domain: Domain, public: Sequence[int], xi: int) -> tuple[int, int]:
    """(PI(xi), L_1(xi)) with PI(xi) = -sum_i public_i L_i(xi)."""
    # BEGIN TASK 4.8: the verifier's PI(xi)
    lagrange = domain.lagrange_all_at(xi, count=max(1, len(public)))
    pi = -sum(p * l for p, l in zip(public, lagrange)) % R
    return pi, lagrange[0]
    # END TASK 4.8


def validated_challenges(vk: VerificationKey, public: Sequence[int],
                         proof: Proof) -> tuple[list[int], Challenges]:
    """Steps 1 and 2: validate the inputs (MalformedInput if malformed), replay the transcript."""
    if not isinstance(vk, VerificationKey) or not isinstance(proof, Proof):
        raise MalformedInput("verify expects a VerificationKey and a Proof")
    public = validate_public(vk, public)
    proof.validate()
    return public, compute_challenges(vk, public, proof)


def constant_term(proof: Proof, ch: Challenges, pi: int, l1: int) -> int:
    """Step 4: r0 = PI(xi) - alpha² L_1(xi) - alpha (a + b s1 + g)(b + b s2 + g)(c + g) zw.

    (b = beta, g = gamma.) With lookups, the lookup argument's constant joins it.
    """
    a, b, c, zw = proof.eval_a, proof.eval_b, proof.eval_c, proof.eval_zw
    # BEGIN TASK 4.9: the verifier's constant term r0
    perm_sigma = (a + ch.beta * proof.eval_s1 + ch.gamma) * (b + ch.beta * proof.eval_s2
                                                             + ch.gamma) % R
    r0 = (pi - l1 * ch.alpha * ch.alpha - ch.alpha * perm_sigma % R * (c + ch.gamma) % R * zw)
    # END TASK 4.9
    if proof.has_lookups:
        _, constant = lookup.linearisation(ch.alpha, ch.delta, l1, a, proof.eval_qk,
                                           proof.eval_t, proof.eval_m, proof.eval_phiw)
        r0 += constant
    return r0 % R


def verify(vk: VerificationKey, public: Sequence[int], proof: Proof) -> bool:
    """True iff ``proof`` proves the circuit of ``vk`` for ``public``."""
    public, ch = validated_challenges(vk, public, proof)
    beta, gamma, alpha, xi, v, u = ch.beta, ch.gamma, ch.alpha, ch.xi, ch.v, ch.u
    domain = Domain(vk.n)
    zh = domain.vanishing_at(xi)
    pi, l1 = public_input_at(domain, public, xi)
    a, b, c = proof.eval_a, proof.eval_b, proof.eval_c
    s1, s2, zw = proof.eval_s1, proof.eval_s2, proof.eval_zw

    r0 = constant_term(proof, ch, pi, l1)
    perm_sigma = (a + beta * s1 + gamma) * (b + beta * s2 + gamma) % R

    # step 5: [D], [F], [E] as one multi-scalar multiplication
    z_scalar = (alpha * (a + beta * xi + gamma) % R * (b + beta * vk.k1 * xi + gamma) % R
                * (c + beta * vk.k2 * xi + gamma) + alpha * alpha % R * l1 + u) % R
    s3_scalar = -alpha * beta * zw % R * perm_sigma % R
    xn = pow(xi, vk.n, R)
    v_powers = [pow(v, k, R) for k in range(1, 6)]
    e_scalar = (-r0 + v_powers[0] * a + v_powers[1] * b + v_powers[2] * c + v_powers[3] * s1
                + v_powers[4] * s2 + u * zw) % R
    omega = vk.omega
    # F - E + xi W_xi + u xi omega W_xiw, with F = D + v[a] + ... + v^5 [s2]
    points = [vk.Q_M, vk.Q_L, vk.Q_R, vk.Q_O, vk.Q_C, proof.Z, vk.S_3,
              proof.T1, proof.T2, proof.T3,
              proof.A, proof.B, proof.C, vk.S_1, vk.S_2,
              G1.generator(), proof.Wxi, proof.Wxiw]
    scalars = [a * b % R, a, b, c, 1, z_scalar, s3_scalar,
               -zh, -zh * xn, -zh * xn % R * xn,
               *v_powers,
               -e_scalar, xi, u * xi % R * omega]
    if vk.has_lookups:
        points, scalars = _add_lookup_terms(vk, proof, ch, l1, points, scalars)
    right = msm(points, [s % R for s in scalars])
    left = proof.Wxi + proof.Wxiw * u
    # step 6: e(-(W_xi + u W_xiw), [tau]_2) · e(right, [1]_2) == 1
    return pairing_check([(-left, vk.X_2), (right, G2.generator())])


def _add_lookup_terms(vk: VerificationKey, proof: Proof, ch: Challenges, l1: int,
                      points: list, scalars: list) -> tuple[list, list]:
    """The lookup argument's share of [F] - [E] (lookup.py).

    [D] gains (phi coefficient + u·v)·[phi] (the u·v: phi is opened at xi·omega together
    with z); [F] gains v^6 [q_K] + v^7 [t] + v^8 [m]; [E]'s scalar gains the v^6..v^8
    evaluations and u·v·phi_w (the lookup constant is already in r0).
    """
    v = ch.v
    phi_coefficient, _ = lookup.linearisation(
        ch.alpha, ch.delta, l1, proof.eval_a, proof.eval_qk, proof.eval_t, proof.eval_m,
        proof.eval_phiw)
    v6, v7, v8 = (pow(v, k, R) for k in (6, 7, 8))
    extra_e = (v6 * proof.eval_qk + v7 * proof.eval_t + v8 * proof.eval_m
               + ch.u * v % R * proof.eval_phiw) % R
    points = points + [proof.Phi, vk.Q_K, vk.T, proof.M, G1.generator()]
    scalars = scalars + [phi_coefficient + ch.u * v, v6, v7, v8, -extra_e]
    return points, scalars
