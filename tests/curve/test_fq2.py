"""Fq2 = Fq[u]/(u^2 + 1): cross-checked against py_ecc's FQ2 (same basis, u^2 = -1)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from py_ecc import optimized_bn128 as ob

from zkpot_ref.curve.fq2 import XI, Fq2
from zkpot_ref.errors import MalformedInput
from zkpot_ref.field import P_MODULUS as P

from .refs import random_fq2

elements = st.builds(Fq2, st.integers(0, P - 1), st.integers(0, P - 1))


def as_py(x: Fq2) -> ob.FQ2:
    return ob.FQ2([x.c0, x.c1])


@pytest.mark.task2_1
def test_arithmetic_matches_py_ecc(rng) -> None:
    for _ in range(20):
        a, b = random_fq2(rng), random_fq2(rng)
        for ours, theirs in [
            (a + b, as_py(a) + as_py(b)),
            (a - b, as_py(a) - as_py(b)),
            (a * b, as_py(a) * as_py(b)),
            (a.square(), as_py(a) ** 2),
            (a.inverse(), as_py(a).inv()),
            (a / b, as_py(a) / as_py(b)),
            (a**12345, as_py(a) ** 12345),
            (-a, -as_py(a)),
        ]:
            assert ours.to_tuple() == tuple(c.n if hasattr(c, "n") else c for c in theirs.coeffs)


def test_mixed_int_arithmetic(rng) -> None:
    a = random_fq2(rng)
    assert a + 5 == 5 + a == a + Fq2(5)
    assert a - 5 == a - Fq2(5) and 5 - a == Fq2(5) - a
    assert a * 7 == 7 * a == a * Fq2(7)
    assert a / 7 == a * Fq2(7).inverse()
    assert Fq2(3) == 3 and Fq2(3, 1) != 3 and Fq2(P + 3) == Fq2(3)


def test_conjugate_is_frobenius(rng) -> None:
    a = random_fq2(rng)
    assert a.conjugate() == a**P == a.frobenius(1) == a.frobenius(3)
    assert a.frobenius(2) == a
    assert (a * a.conjugate()).to_tuple() == (a.norm(), 0)


def test_nonresidue_and_inverse(rng) -> None:
    a = random_fq2(rng)
    assert a.mul_by_nonresidue() == a * XI == a * Fq2(9, 1)
    assert a * a.inverse() == Fq2.one()
    assert a ** -3 == (a**3).inverse()
    with pytest.raises(ZeroDivisionError):
        Fq2.zero().inverse()
    # xi is neither a square nor a cube in Fq2 (so v^3 - xi is irreducible): x^((p^2-1)/k) != 1
    assert XI ** ((P * P - 1) // 2) != Fq2.one()
    assert XI ** ((P * P - 1) // 3) != Fq2.one()


def test_from_canonical_rejects_out_of_range() -> None:
    assert Fq2.from_canonical(1, P - 1) == Fq2(1, -1)
    for bad in [(P, 0), (0, P), (-1, 0), (0, True), ("1", 0)]:
        with pytest.raises(MalformedInput):
            Fq2.from_canonical(*bad)


def test_hash_repr_bool() -> None:
    assert len({Fq2(1, 2), Fq2(1, 2 + P), Fq2(2, 1)}) == 2
    assert repr(Fq2(1, 2)) == "Fq2(1, 2)"
    assert not Fq2.zero() and Fq2(0, 1) and Fq2.zero().is_zero()


@pytest.mark.task2_1
@settings(max_examples=30, deadline=None)
@given(elements, elements, elements)
def test_field_laws(a: Fq2, b: Fq2, c: Fq2) -> None:
    assert a * (b + c) == a * b + a * c
    assert a * b == b * a and (a * b) * c == a * (b * c)
    assert a.square() == a * a
    if not a.is_zero():
        assert (b / a) * a == b
