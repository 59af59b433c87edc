"""A lookup argument inside PLONK: logUp (Haböck, eprint 2022/1530).

Lesson. A lookup row asserts "the value a on this row is in the table t". Writing
f_i = q_K(omega^i)·a(omega^i) (0 on rows that look nothing up — 0 is in every range
table), all lookups hold iff, as rational functions of X,

    sum_i 1/(X - f_i)  ==  sum_j m_j/(X - t_j),                                   (*)

where m_j counts how often t_j is looked up. (*) is the logarithmic derivative of
prod_i (X - f_i) = prod_j (X - t_j)^m_j: both sides have a pole exactly at each value
that occurs, with the multiplicity as residue — a value f_i outside the table is a pole
on the left only. Checking (*) at a random delta is sound by Schwartz–Zippel.

Why logUp and not plookup (eprint 2020/315, the issue's other option)? plookup sorts
f ∪ t, splits the sorted vector into two halves h1, h2 and runs a grand product over
adjacent pairs; logUp needs one *multiplicity* column m and one running *sum*
phi — no sorting, no split, and the identity reads like the definition. Cost is the
same order: two extra commitments, four extra evaluations.

The running sum (domain H, n rows):

    phi(omega^0) = 0,   phi(omega^{i+1}) = phi(omega^i) + 1/(delta - f_i) - m_i/(delta - t_i)

wraps back to 0 after n rows exactly when (*) holds at delta. As polynomial identities
(cleared of denominators), added to PLONK's quotient with alpha³ and alpha⁴:

    (phi(X omega) - phi(X))·(delta - q_K a)(delta - t)  =  (delta - t) - m·(delta - q_K a)
    L_1(X)·phi(X) = 0

Transcript (ours; circuits without lookups keep snarkjs' vanilla transcript): [m] is
absorbed after [a], [b], [c] (before beta), delta = H(gamma), [phi] after [z] (before
alpha); the evaluations q_K(xi), t(xi), m(xi), phi(xi·omega) follow the vanilla six.
Blinding: m gets (b12 X + b13)·Z_H, phi gets (b14 X² + b15 X + b16)·Z_H.

Read next: ``checks.py`` (range checks and comparisons built on lookup rows).
"""

from __future__ import annotations

from collections.abc import Sequence

from zkpot_ref.errors import SetupError
from zkpot_ref.field import R_MODULUS, batch_inverse_ints

R = R_MODULUS
NUM_LOOKUP_BLINDERS = 5


def table_column(bits: int, n: int) -> list[int]:
    """The range table [0, 2^bits) as a column of n rows, padded with 0s."""
    size = 1 << bits
    if size > n:
        raise SetupError(f"a 2^{bits}-row table does not fit a domain of {n} rows")
    return list(range(size)) + [0] * (n - size)


def lookup_values(q_k: Sequence[int], a: Sequence[int]) -> list[int]:
    """f_i = q_K_i · a_i: the looked-up value, or 0 on other rows."""
    return [q * x % R for q, x in zip(q_k, a)]


def multiplicities(f: Sequence[int], table: Sequence[int]) -> list[int]:
    """m_j = how many f_i equal t_j, counted on the first row holding that table value.

    A value outside the table is simply not counted; (*) then fails, and so does the proof.
    """
    first_row: dict[int, int] = {}
    for j, t in enumerate(table):
        first_row.setdefault(t, j)
    m = [0] * len(table)
    for value in f:
        if value in first_row:
            m[first_row[value]] += 1
    return m


def running_sum(f: Sequence[int], table: Sequence[int], m: Sequence[int],
                delta: int) -> list[int]:
    """phi on H: phi_0 = 0, phi_{i+1} = phi_i + 1/(delta - f_i) - m_i/(delta - t_i)."""
    n = len(f)
    inverses = batch_inverse_ints([delta - x for x in f] + [delta - t for t in table], R)
    phi = [0] * n
    for i in range(n - 1):
        phi[i + 1] = (phi[i] + inverses[i] - m[i] * inverses[n + i]) % R
    return phi


def quotient_terms(phi: int, phi_next: int, q_k: int, a: int, t: int, m: int, l1: int,
                   delta: int) -> tuple[int, int]:
    """The two lookup constraints at one point (weights alpha³ and alpha⁴ come outside)."""
    f = q_k * a % R
    step = ((phi_next - phi) * (delta - f) % R * (delta - t) - (delta - t) + m * (delta - f)) % R
    return step, l1 * phi % R


def linearisation(alpha: int, delta: int, l1: int, eval_a: int, eval_qk: int, eval_t: int,
                  eval_m: int, eval_phiw: int) -> tuple[int, int]:
    """(coefficient of phi(X) in r(X), contribution to r0) at xi.

    Keeping phi(X) as the one polynomial, the step constraint at xi is
        K1·phi_w - K1·phi(X) - (delta - t) + m·K2,   K1 = (delta - q_K a)(delta - t),
                                                     K2 = (delta - q_K a),
    so phi's coefficient is -alpha³ K1 + alpha⁴ L_1(xi) and the constant
    alpha³ (K1 phi_w - (delta - t) + m K2) joins r0.
    """
    k2 = (delta - eval_qk * eval_a) % R
    k1 = k2 * (delta - eval_t) % R
    alpha3 = pow(alpha, 3, R)
    phi_coefficient = (-alpha3 * k1 + alpha3 * alpha % R * l1) % R
    constant = alpha3 * (k1 * eval_phiw - (delta - eval_t) + eval_m * k2) % R
    return phi_coefficient, constant
