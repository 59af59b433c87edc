"""Helpers for the curve tests: random tower elements and the map to py_ecc's Fq12 basis.

py_ecc (test-only outside reference) represents Fq12 as Fq[w]/(w^12 - 18 w^6 + 82) with
Fq2 elements a + b u embedded as a + b (w^6 - 9), i.e. u = w^6 - 9, so its w also satisfies
w^6 = 9 + u = xi, exactly like ours (w^2 = v, v^3 = xi). The two fields are therefore the
same field with the same generator w, and an element sum_k a_k w^k (a_k = re + im u in Fq2)
maps to py_ecc's coefficients  coeffs[k] = re - 9 im,  coeffs[k + 6] = im.
"""

from __future__ import annotations

import random

from py_ecc import optimized_bn128 as ob

from zkpot_ref.curve import Fq2, Fq12
from zkpot_ref.field import P_MODULUS, sqrt_mod

P = P_MODULUS


def to_py_ecc_fq12(x: Fq12) -> ob.FQ12:
    """Our tower element as py_ecc's FQ12 (basis map in the module docstring)."""
    coeffs = [0] * 12
    for k, a in enumerate(x.to_w_coefficients()):
        coeffs[k] = (a.c0 - 9 * a.c1) % P
        coeffs[k + 6] = a.c1
    return ob.FQ12(coeffs)


def random_fq2(rng: random.Random) -> Fq2:
    return Fq2(rng.randrange(P), rng.randrange(P))


def random_fq12(rng: random.Random) -> Fq12:
    return Fq12.from_w_coefficients([random_fq2(rng) for _ in range(6)])


def fq2_sqrt(a: Fq2) -> Fq2 | None:
    """A square root in Fq2 via the norm (test helper): if x = x0 + x1 u squares to a, then
    x0^2 = (a0 + sqrt(norm a)) / 2 for one choice of the root, and x1 = a1 / (2 x0)."""
    s = sqrt_mod(a.norm(), P)
    if s is None:
        return None
    half = pow(2, -1, P)
    for t in (s, -s % P):
        x0 = sqrt_mod((a.c0 + t) * half % P, P)
        if x0:
            cand = Fq2(x0, a.c1 * pow(2 * x0, -1, P) % P)
            if cand.square() == a:
                return cand
    if a.c1 == 0:  # a in Fq: a root is either in Fq or a multiple of u
        for cand in (Fq2(sqrt_mod(a.c0, P) or 0), Fq2(0, sqrt_mod(-a.c0 % P, P) or 0)):
            if cand.square() == a:
                return cand
    return None
