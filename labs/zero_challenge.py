"""Lab 10.2 — a KZG batch verifier that accepts a zero batching challenge.

A batch opening (GWC19 §3, ``kzg.verify_batch``) checks ONE combination
F = sum_i v^i C_i against E = sum_i v^i y_i. The combination stands for all the claims only
because v is unpredictable and non-zero: with v = 0 every claim but the first is multiplied
by 0, i.e. not checked at all. ``kzg._scalar(v, "v", nonzero=True)`` refuses v = 0;
``weak_verify_batch`` is the same pairing equation without that refusal (a verifier that
lets the prover name v, or that reads v from a hash it forgot to check, fails the same way).

Exercise (Task 10.2): ``forge_batch`` — given polynomials and a point z, return values of
which at least one is WRONG, a proof and a v, that ``weak_verify_batch`` accepts.
"""

from __future__ import annotations

from collections.abc import Sequence

from zkpot_ref.curve import G1, pairing_check
from zkpot_ref.field import R_MODULUS as R
from zkpot_ref.kzg import SRS, commit, open_at
from zkpot_ref.poly import Polynomial


def weak_verify_batch(srs: SRS, commitments: Sequence[G1], z: int, values: Sequence[int],
                      proof: G1, v: int) -> bool:
    """e(F - [E]_1 + z W, [1]_2) = e(W, [tau]_2) with F, E combined by powers of v —
    for ANY v, zero included (the bug)."""
    f, e, weight = G1.identity(), 0, 1
    for c, y in zip(commitments, values, strict=True):
        f = f + c * weight
        e = (e + weight * y) % R
        weight = weight * v % R
    lhs = f - G1.generator() * e + proof * z
    return pairing_check([(lhs, srs.g2_one), (-proof, srs.g2_tau)])


def true_values(polys: Sequence[Sequence[int]], z: int) -> list[int]:
    return [Polynomial(list(f))(z) for f in polys]


def forge_batch(srs: SRS, polys: Sequence[Sequence[int]], z: int) -> tuple[list[int], G1, int]:
    """(values, proof, v): values wrong somewhere, accepted by ``weak_verify_batch``."""
    # BEGIN TASK 10.2: v = 0 checks only the first claim
    values = true_values(polys, z)
    values[-1] = (values[-1] + 1) % R  # a lie about the last polynomial
    _, proof = open_at(srs, list(polys[0]), z)
    return values, proof, 0
    # END TASK 10.2


def commitments_of(srs: SRS, polys: Sequence[Sequence[int]]) -> list[G1]:
    return [commit(srs, list(f)) for f in polys]
