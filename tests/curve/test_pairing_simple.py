"""Tests for zkpot_ref/curve/pairing_simple.py: the textbook pairing equals the fast one."""

from __future__ import annotations

import random

from zkpot_ref.curve import G1, G2, pairing
from zkpot_ref.curve import pairing_simple as simple
from zkpot_ref.curve.fq12 import Fq12
from zkpot_ref.field import R_MODULUS as R


def test_the_twin_equals_the_optimized_pairing() -> None:
    rng = random.Random(7)
    for _ in range(2):
        p = G1.generator() * rng.randrange(1, R)
        q = G2.generator() * rng.randrange(1, R)
        assert simple.pairing(p, q) == pairing(p, q)


def test_the_twin_is_bilinear_and_non_degenerate() -> None:
    g1, g2 = G1.generator(), G2.generator()
    e = simple.pairing(g1, g2)
    assert e != Fq12.one()
    assert e ** R == Fq12.one()                        # a value in GT, of order r
    assert simple.pairing(g1 * 2, g2) == e * e == simple.pairing(g1, g2 * 2)


def test_identity_pairs_to_one() -> None:
    assert simple.pairing(G1.identity(), G2.generator()) == Fq12.one()
    assert simple.pairing(G1.generator(), G2.identity()) == Fq12.one()


def test_untwisted_points_lie_on_the_curve_over_fq12() -> None:
    x, y = simple.untwist(G2.generator() * 5)
    assert y.square() == x.square() * x + simple.THREE
    x, y = simple.embed(G1.generator() * 5)
    assert y.square() == x.square() * x + simple.THREE


def test_the_affine_group_law() -> None:
    p = simple.untwist(G2.generator())
    minus_p = (p[0], -p[1])
    assert simple.add(p, minus_p) is None
    assert simple.add(None, p) == p == simple.add(p, None)
    assert simple.add(p, p) == simple.untwist(G2.generator() * 2)
    assert simple.add(simple.add(p, p), p) == simple.untwist(G2.generator() * 3)
