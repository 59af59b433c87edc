"""The optimal ate pairing: py_ecc agreement, bilinearity, non-degeneracy, e^r = 1, checks."""

from __future__ import annotations

import pytest
from py_ecc import optimized_bn128 as ob

from zkpot_ref.curve import G1, G2, Fq12, miller_loop, multi_pairing, pairing, pairing_check
from zkpot_ref.curve.pairing import ATE_LOOP_COUNT, ATE_LOOP_NAF, _line_step
from zkpot_ref.errors import MalformedInput
from zkpot_ref.field import R_MODULUS as R

from .refs import to_py_ecc_fq12


@pytest.fixture(scope="module")
def e_gen() -> Fq12:
    """e(g1, g2), computed once for the module."""
    return pairing(G1.generator(), G2.generator())


def test_loop_digits() -> None:
    assert sum(d * 2**i for i, d in enumerate(reversed(ATE_LOOP_NAF))) == ATE_LOOP_COUNT
    assert ATE_LOOP_NAF[0] == 1 and set(ATE_LOOP_NAF) <= {-1, 0, 1}


def test_generator_pairing_matches_py_ecc(e_gen: Fq12) -> None:
    """py_ecc's value of e(g1, g2), mapped through the explicit Fq12 basis map (refs.py)."""
    assert to_py_ecc_fq12(e_gen) == ob.pairing(ob.G2, ob.G1)


@pytest.mark.slow
def test_random_pairing_matches_py_ecc(rng) -> None:
    a, b = rng.randrange(1, R), rng.randrange(1, R)
    ours = pairing(G1.generator() * a, G2.generator() * b)
    theirs = ob.pairing(ob.multiply(ob.G2, b), ob.multiply(ob.G1, a))
    assert to_py_ecc_fq12(ours) == theirs


@pytest.mark.task2_3
def test_non_degenerate_and_order_r(e_gen: Fq12) -> None:
    assert not e_gen.is_one()
    assert (e_gen**R).is_one()


@pytest.mark.task2_3
def test_bilinearity(e_gen: Fq12, rng) -> None:
    a, b = rng.randrange(1, R), rng.randrange(1, R)
    assert pairing(G1.generator() * a, G2.generator() * b) == e_gen ** (a * b % R)


def test_multi_pairing_is_the_product(e_gen: Fq12, rng) -> None:
    a, b = rng.randrange(1, R), rng.randrange(1, R)
    pairs = [(G1.generator() * a, G2.generator()), (G1.generator(), G2.generator() * b)]
    assert multi_pairing(pairs) == e_gen ** ((a + b) % R)


@pytest.mark.task2_3
def test_pairing_check(rng) -> None:
    g1, g2 = G1.generator(), G2.generator()
    a, b = rng.randrange(1, R), rng.randrange(1, R)
    # e(aP, bQ) * e(-abP, Q) = 1: the shape of a KZG verification
    assert pairing_check([(g1 * a, g2 * b), (-(g1 * (a * b)), g2)])
    assert not pairing_check([(g1 * a, g2 * b), (-(g1 * (a * b + 1)), g2)])
    assert not pairing_check([(g1, g2)])
    assert pairing_check([])


def test_identity_contributes_one() -> None:
    g1, g2 = G1.generator(), G2.generator()
    assert pairing(G1.identity(), g2).is_one() and pairing(g1, G2.identity()).is_one()
    assert miller_loop([]).is_one() and multi_pairing([(G1.identity(), G2.identity())]).is_one()
    assert pairing_check([(G1.identity(), g2), (g1, G2.identity())])


def test_bad_arguments_raise_malformed_input() -> None:
    g1, g2 = G1.generator(), G2.generator()
    for bad in ([(g2, g1)], [(g1,)], [g1], [(g1, g2, g2)], [(1, 2)]):
        with pytest.raises(MalformedInput):
            pairing_check(bad)  # type: ignore[arg-type]



def test_vertical_line_is_refused() -> None:
    """A chord through T and T (or T and -T) is vertical; it cannot occur for points of G2,
    so meeting one means Q was never validated: MalformedInput, not ZeroDivisionError."""
    t = G2.generator().to_affine()
    neg_t = (-G2.generator()).to_affine()
    for q in (t, neg_t):
        with pytest.raises(MalformedInput, match="vertical"):
            _line_step(Fq12.one(), t, q, 1, 2)
    f, doubled = _line_step(Fq12.one(), t, None, 1, 2)  # the tangent is fine
    assert doubled == G2.generator().double().to_affine() and not f.is_one()
