"""Round 3's arithmetic, point by point: the quotient t(X) on a coset.

Lesson. Every constraint of the circuit is a polynomial that must vanish on H. Round 3
combines them with powers of alpha (PLONK, eprint 2019/953, §8.3, round 3):

    t(X) Z_H(X) = a b q_M + a q_L + b q_R + c q_O + PI + q_C                       (gates)
                + alpha [(a + beta X + gamma)(b + beta k1 X + gamma)(c + beta k2 X + gamma) z(X)
                       - (a + beta s1 + gamma)(b + beta s2 + gamma)(c + beta s3 + gamma) z(X omega)]
                + alpha² (z(X) - 1) L_1(X)                                       (z starts at 1)

and, with lookups (``lookup.quotient_terms``), alpha³ · (the running-sum step) +
alpha⁴ · L_1(X) phi(X).

How it is computed: not by polynomial long division. Every polynomial on the right is
evaluated on a coset g·H' of a bigger domain H' (|H'| = 4n, g = ``COSET_SHIFT``), the
right side is combined *pointwise*, and each value is divided by Z_H at that point —
on the coset Z_H(g w'^i) = g^n w'^(n i) - 1 takes 4 values and is never 0, which is why a
coset and not H' itself. Why 4n points suffice: when the witness is right, t has degree
3n + 5 < 4n (blinding included, n >= 8), and 4n values determine such a polynomial. The
numerator itself has degree 4n + 5, but it is never interpolated.

``z(X omega)`` on the coset is free: omega = w'^4, so its value at point i is z's value
at point i + 4.

This function is the prover's hottest pure-Python loop and one of the kernels a backend
may replace (``backend.kernel``); this version is the definition it must match.

Read next: ``prover.py``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from zkpot_ref.field import R_MODULUS
from zkpot_ref.plonk import lookup
from zkpot_ref.plonk.permutation import K1, K2
from zkpot_ref.plonk.preprocess import EXTENSION
from zkpot_ref.poly import COSET_SHIFT, Domain

R = R_MODULUS
#: the coset columns the gate and permutation constraints read (lookups add LOOKUP_COLUMNS)
COLUMNS = ("a", "b", "c", "z", "pi", "q_M", "q_L", "q_R", "q_O", "q_C",
           "sigma_1", "sigma_2", "sigma_3", "L_1")
LOOKUP_COLUMNS = ("phi", "m", "q_K", "t")


@dataclass(frozen=True)
class QuotientInputs:
    """Round 3's inputs: columns on the coset g·H' (4n values each) and the challenges."""

    n: int
    columns: dict[str, Sequence[int]]
    beta: int
    gamma: int
    alpha: int
    delta: int = 0  # the lookup challenge; used when columns hold LOOKUP_COLUMNS
    shift: int = field(default=COSET_SHIFT)

    @property
    def has_lookups(self) -> bool:
        return "phi" in self.columns


def numerator_on_coset(inputs: QuotientInputs) -> list[int]:
    """The right-hand side of the module docstring's identity at every coset point."""
    col, beta, gamma, alpha = inputs.columns, inputs.beta, inputs.gamma, inputs.alpha
    a, b, c, z, pi = col["a"], col["b"], col["c"], col["z"], col["pi"]
    q_M, q_L, q_R, q_O, q_C = col["q_M"], col["q_L"], col["q_R"], col["q_O"], col["q_C"]
    s1, s2, s3, l1 = col["sigma_1"], col["sigma_2"], col["sigma_3"], col["L_1"]
    size = EXTENSION * inputs.n
    omega_big = Domain(size).omega
    alpha2, alpha3 = alpha * alpha % R, pow(alpha, 3, R)
    numerator = [0] * size
    x = inputs.shift
    for i in range(size):
        z_next = z[(i + EXTENSION) % size]  # z(X omega) at this point
        gate = a[i] * b[i] % R * q_M[i] + a[i] * q_L[i] + b[i] * q_R[i] + c[i] * q_O[i] \
            + pi[i] + q_C[i]
        bx = beta * x
        perm = ((a[i] + bx + gamma) * (b[i] + K1 * bx + gamma) % R * (c[i] + K2 * bx + gamma)
                % R * z[i]
                - (a[i] + beta * s1[i] + gamma) * (b[i] + beta * s2[i] + gamma) % R
                * (c[i] + beta * s3[i] + gamma) % R * z_next)
        start = (z[i] - 1) * l1[i]
        numerator[i] = (gate + alpha * (perm % R) + alpha2 * start) % R
        x = x * omega_big % R
    if inputs.has_lookups:
        phi, m, q_K, t = (col[name] for name in LOOKUP_COLUMNS)
        for i in range(size):
            step, phi_start = lookup.quotient_terms(
                phi[i], phi[(i + EXTENSION) % size], q_K[i], a[i], t[i], m[i], l1[i],
                inputs.delta)
            numerator[i] = (numerator[i] + alpha3 * step + alpha3 * alpha % R * phi_start) % R
    return numerator


def quotient_on_coset(inputs: QuotientInputs) -> list[int]:
    """t(x) = numerator(x) / Z_H(x) at every point x of the coset (the kernel's contract)."""
    domain = Domain(inputs.n)
    extended = Domain(EXTENSION * inputs.n)
    return domain.divide_by_vanishing_on_coset(numerator_on_coset(inputs), extended,
                                               inputs.shift)
