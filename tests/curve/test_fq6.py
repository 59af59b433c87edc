"""Fq6 = Fq2[v]/(v^3 - xi): checked against schoolbook multiplication and x^p."""

from __future__ import annotations

import random

import pytest

from zkpot_ref.curve.fq2 import XI, Fq2
from zkpot_ref.curve.fq6 import Fq6, frobenius_gamma
from zkpot_ref.field import P_MODULUS as P

from .refs import random_fq2


def random_fq6(rng: random.Random) -> Fq6:
    return Fq6(random_fq2(rng), random_fq2(rng), random_fq2(rng))


def schoolbook(a: Fq6, b: Fq6) -> Fq6:
    """Multiply as polynomials in v (nine products), then fold v^3 = xi, v^4 = xi v."""
    x, y = [a.c0, a.c1, a.c2], [b.c0, b.c1, b.c2]
    prod = [Fq2.zero()] * 5
    for i in range(3):
        for j in range(3):
            prod[i + j] = prod[i + j] + x[i] * y[j]
    return Fq6(prod[0] + XI * prod[3], prod[1] + XI * prod[4], prod[2])


def test_mul_and_square_match_schoolbook(rng) -> None:
    for _ in range(10):
        a, b = random_fq6(rng), random_fq6(rng)
        assert a * b == schoolbook(a, b)
        assert a.square() == schoolbook(a, a)


def test_sparse_and_scalar_products(rng) -> None:
    a = random_fq6(rng)
    b0, b1 = random_fq2(rng), random_fq2(rng)
    z = Fq2.zero()
    assert a.mul_by_01(b0, b1) == a * Fq6(b0, b1, z)
    assert a.mul_by_v() == a * Fq6(z, Fq2.one(), z)
    assert a * b0 == a * Fq6(b0, z, z) and a * 5 == a * Fq6(Fq2(5), z, z)


def test_inverse_and_ring_ops(rng) -> None:
    a, b = random_fq6(rng), random_fq6(rng)
    assert a * a.inverse() == Fq6.one()
    assert (a + b) - b == a and a + (-a) == Fq6.zero() and Fq6.zero().is_zero()
    with pytest.raises(ZeroDivisionError):
        Fq6.zero().inverse()
    assert len({a, Fq6(a.c0, a.c1, a.c2), b}) == 2 and "Fq6(" in repr(a)


def test_frobenius_is_pth_power(rng) -> None:
    a = random_fq6(rng)
    apow = Fq6.one()
    for bit in bin(P)[2:]:  # a^p by square-and-multiply
        apow = apow.square()
        if bit == "1":
            apow = apow * a
    assert a.frobenius(1) == apow
    assert a.frobenius(2) == apow.frobenius(1)
    assert a.frobenius(6) == a and a.frobenius(0) == a
    # gamma_n is the constant w^(p^n) / w, a 6th root of xi^(p^n - 1)
    assert frobenius_gamma(1) ** 6 == XI ** (P - 1)
