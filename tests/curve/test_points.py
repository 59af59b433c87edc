"""The shared group law (points.py): generic formulas, edge cases, NAF digits, scalar mult."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from zkpot_ref.curve.g1 import G1, g1_add, g1_double
from zkpot_ref.curve.g2 import G2
from zkpot_ref.curve.points import jacobian_add, jacobian_double, wnaf_digits
from zkpot_ref.field import R_MODULUS as R
from zkpot_ref.field import Fq


def as_fq(pt: G1) -> tuple[Fq, Fq, Fq]:
    return (Fq(pt.x), Fq(pt.y), Fq(pt.z))


def same_point(jac: tuple, pt: G1) -> bool:
    return G1(*(int(c) for c in jac)) == pt


def test_generic_formulas_agree_with_plain_int_copies(rng) -> None:
    g = G1.generator()
    for _ in range(5):
        p, q = g * rng.randrange(1, R), g * rng.randrange(1, R)
        p = G1(*g1_add((p.x, p.y, p.z), (q.x, q.y, q.z)))  # a point with Z != 1
        assert same_point(jacobian_double(as_fq(p)), p.double())
        assert same_point(jacobian_add(as_fq(p), as_fq(q)), p + q)
        assert same_point(g1_double((p.x, p.y, p.z)), p + p)


@pytest.mark.task2_2
def test_addition_edge_cases() -> None:
    for group in (G1, G2):
        g, o = group.generator(), group.identity()
        p = g * 12345
        assert p + o == p and o + p == p and o + o == o
        assert (p + (-p)).is_identity() and (p - p).is_identity()
        assert p + p == p.double() == p * 2
        assert (p + p * 2) == p * 3 and p * 2 + p == 3 * p
        assert o.double().is_identity() and (-o).is_identity()
        assert p * 0 == o and o * 5 == o and p * R == o and p * (R + 1) == p
        assert p * -1 == -p and p * -7 == -(p * 7)


def test_equality_ignores_representation() -> None:
    for group in (G1, G2):
        g = group.generator()
        p = g * 5
        q = (g * 2) + (g * 3)  # same point, different Z
        assert p.z != q.z and p == q and hash(p) == hash(q)
        assert p != g and p != group.identity() and group.identity() == group.identity()
        assert p.__eq__(object()) is NotImplemented
        assert p.__add__(3) is NotImplemented and p.__sub__(3) is NotImplemented
        assert p.__mul__(1.5) is NotImplemented and p.__mul__(True) is NotImplemented


def test_on_curve_and_repr() -> None:
    for group in (G1, G2):
        p = group.generator() * 99
        assert p.is_on_curve() and group.identity().is_on_curve()
        assert not group(p.x, p.y + p.y, p.z).is_on_curve()
        assert repr(group.identity()) == f"{group.__name__}(identity)"
        assert repr(p).startswith(group.__name__ + "(")


def test_scalar_mult_matches_repeated_addition() -> None:
    for group in (G1, G2):
        g = group.generator()
        acc = group.identity()
        for k in range(40):
            assert g * k == acc
            acc = acc + g


@settings(max_examples=200, deadline=None)
@given(st.integers(0, 2**300), st.integers(2, 6))
def test_wnaf_digits(k: int, width: int) -> None:
    digits = wnaf_digits(k, width)
    assert sum(d << i for i, d in enumerate(digits)) == k
    for i, d in enumerate(digits):
        if d:
            assert d % 2 == 1 and abs(d) < 1 << (width - 1)
            assert all(e == 0 for e in digits[i + 1 : i + width])  # non-adjacency
