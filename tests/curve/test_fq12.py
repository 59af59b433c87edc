"""Fq12 = Fq6[w]/(w^2 - v): cross-checked against py_ecc's FQ12 through an explicit basis map.

The map (``refs.to_py_ecc_fq12``, derivation in ``refs.py``) is itself tested first: it must
be a ring homomorphism and send our w to py_ecc's w.
"""

from __future__ import annotations

import pytest
from py_ecc import optimized_bn128 as ob

from zkpot_ref.curve.fq2 import Fq2
from zkpot_ref.curve.fq6 import Fq6
from zkpot_ref.curve.fq12 import Fq12
from zkpot_ref.field import P_MODULUS as P

from .refs import random_fq2, random_fq12, to_py_ecc_fq12

ZERO2 = Fq2.zero()


def w_power(k: int) -> Fq12:
    coeffs = [ZERO2] * 6
    coeffs[k] = Fq2.one()
    return Fq12.from_w_coefficients(coeffs)


def test_basis_map_is_a_ring_homomorphism(rng) -> None:
    w_py = ob.FQ12([0, 1] + [0] * 10)
    assert to_py_ecc_fq12(w_power(1)) == w_py
    assert to_py_ecc_fq12(w_power(1)) ** 6 == to_py_ecc_fq12(Fq12.from_w_coefficients(
        [Fq2(9, 1)] + [ZERO2] * 5))  # w^6 = xi on both sides
    a, b = random_fq12(rng), random_fq12(rng)
    assert to_py_ecc_fq12(a + b) == to_py_ecc_fq12(a) + to_py_ecc_fq12(b)
    assert to_py_ecc_fq12(Fq12.one()) == ob.FQ12.one()


def test_arithmetic_matches_py_ecc(rng) -> None:
    for _ in range(3):
        a, b = random_fq12(rng), random_fq12(rng)
        pa, pb = to_py_ecc_fq12(a), to_py_ecc_fq12(b)
        assert to_py_ecc_fq12(a * b) == pa * pb
        assert to_py_ecc_fq12(a.square()) == pa * pa
        assert to_py_ecc_fq12(a.inverse()) == pa.inv()
        assert to_py_ecc_fq12(a - b) == pa - pb and to_py_ecc_fq12(-a) == -pa
        assert to_py_ecc_fq12(a**1000003) == pa**1000003


def test_frobenius_and_conjugate(rng) -> None:
    a = random_fq12(rng)
    assert to_py_ecc_fq12(a.frobenius(1)) == to_py_ecc_fq12(a) ** P
    assert a.frobenius(2) == a.frobenius(1).frobenius(1)
    assert a.frobenius(3) == a.frobenius(2).frobenius(1)
    assert a.frobenius(12) == a
    assert a.conjugate() == a.frobenius(6)


def test_mul_by_line_is_the_sparse_product(rng) -> None:
    a = random_fq12(rng)
    l0, l1, l3 = rng.randrange(P), random_fq2(rng), random_fq2(rng)
    line = Fq12.from_w_coefficients([Fq2(l0), l1, ZERO2, l3, ZERO2, ZERO2])
    assert a.mul_by_line(l0, l1, l3) == a * line


def test_cyclotomic_square_and_pow(rng) -> None:
    a = random_fq12(rng)
    m = a.conjugate() * a.inverse()
    m = m.frobenius(2) * m  # now in the cyclotomic subgroup
    assert m.conjugate() * m == Fq12.one()
    assert m.cyclotomic_square() == m.square()
    assert m.cyclotomic_pow(987654321) == m**987654321
    assert m.cyclotomic_pow(-5) == m ** -5 == (m**5).inverse()
    # outside the subgroup the shortcut is wrong (so the test above can fail)
    assert a.cyclotomic_square() != a.square()


def test_constructors_and_misc(rng) -> None:
    a = random_fq12(rng)
    assert Fq12.from_w_coefficients(a.to_w_coefficients()) == a
    assert Fq12.one().is_one() and not a.is_one() and (a - a) == Fq12.zero()
    assert a**0 == Fq12.one() and a ** -1 == a.inverse()
    assert len({a, Fq12(a.c0, a.c1), Fq12.one()}) == 2 and "Fq12(" in repr(a)
    assert Fq12(Fq6.one(), Fq6.zero()) == Fq12.one()
    with pytest.raises(ValueError):
        Fq12.from_w_coefficients([ZERO2] * 5)
