"""G2 (order-r subgroup of the twist over Fq2): py_ecc cross-checks, subgroup, EIP-197 bytes."""

from __future__ import annotations

import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from py_ecc import optimized_bn128 as ob

from zkpot_ref.curve.fq2 import Fq2
from zkpot_ref.curve.g2 import B2, G2
from zkpot_ref.errors import MalformedInput
from zkpot_ref.field import P_MODULUS as P
from zkpot_ref.field import R_MODULUS as R

from .refs import fq2_sqrt

#: #E'(Fq2) = r * (2p - r): the cofactor of G2
COFACTOR = 2 * P - R


def from_py(pt: tuple) -> G2:
    if ob.is_inf(pt):
        return G2.identity()
    x, y = ob.normalize(pt)
    return G2.from_affine(Fq2(*x.coeffs), Fq2(*y.coeffs), check_subgroup=False)


def to_py(pt: G2) -> tuple:
    aff = pt.to_affine()
    if aff is None:
        return ob.Z2
    x, y = aff
    return (ob.FQ2([x.c0, x.c1]), ob.FQ2([y.c0, y.c1]), ob.FQ2.one())


def twist_point(rng: random.Random) -> G2:
    """A random point of E'(Fq2): almost surely NOT in G2 (the cofactor is ~2^254)."""
    while True:
        x = Fq2(rng.randrange(P), rng.randrange(P))
        y = fq2_sqrt(x * x * x + B2)
        if y is not None:
            return G2(x, y, Fq2.one())


def encode(x: Fq2, y: Fq2) -> bytes:
    return b"".join(c.to_bytes(32, "big") for c in (x.c1, x.c0, y.c1, y.c0))


def test_generator_matches_py_ecc() -> None:
    assert from_py(ob.G2) == G2.generator()
    assert G2.generator().is_on_curve() and G2.generator().is_in_subgroup()
    assert B2 * Fq2(9, 1) == Fq2(3)


@pytest.mark.task2_2
def test_group_law_matches_py_ecc(rng) -> None:
    g = G2.generator()
    for _ in range(3):
        a, b = rng.randrange(R), rng.randrange(R)
        p, q = g * a, g * b
        assert from_py(ob.multiply(ob.G2, a)) == p
        assert from_py(ob.add(to_py(p), to_py(q))) == p + q
        assert from_py(ob.double(to_py(p))) == p.double()
        assert from_py(ob.neg(to_py(p))) == -p


def test_frobenius_acts_as_multiplication_by_p(rng) -> None:
    q = G2.generator() * rng.randrange(R)
    assert q.frobenius() == q * P
    assert q.frobenius().is_on_curve() and G2.identity().frobenius().is_identity()


def test_subgroup_check(rng) -> None:
    t = twist_point(rng)
    assert t.is_on_curve() and not t.is_in_subgroup()
    cleared = t._mul_unreduced(COFACTOR)  # multiplying by the cofactor lands in G2
    assert cleared.is_in_subgroup() and not cleared.is_identity()
    x, y = t.to_affine()
    with pytest.raises(MalformedInput, match="subgroup"):
        G2.from_affine(x, y)
    assert G2.from_affine(x, y, check_subgroup=False) == t
    with pytest.raises(MalformedInput, match="subgroup"):
        G2.from_bytes(encode(x, y))
    cx, cy = cleared.to_affine()
    assert G2.from_bytes(encode(cx, cy)) == cleared


def test_from_affine_validates() -> None:
    x, y = G2.generator().to_affine()
    assert G2.from_affine(x, y) == G2.generator()
    with pytest.raises(MalformedInput, match="not on the twist"):
        G2.from_affine(x, y + 1)
    with pytest.raises(MalformedInput):
        G2.from_affine(1, 2)  # type: ignore[arg-type]


def test_encoding_roundtrip_and_layout(rng) -> None:
    g = G2.generator()
    x, y = g.to_affine()
    data = g.to_bytes()
    # EIP-197: imaginary part first
    assert data[:32] == x.c1.to_bytes(32, "big") and data[32:64] == x.c0.to_bytes(32, "big")
    assert data[64:96] == y.c1.to_bytes(32, "big") and data[96:] == y.c0.to_bytes(32, "big")
    assert G2.from_bytes(data) == g
    q = g * rng.randrange(R)
    assert G2.from_bytes(q.to_bytes()) == q
    assert G2.identity().to_bytes() == bytes(128) and G2.from_bytes(bytes(128)).is_identity()


def failure_vectors() -> list[tuple[str, bytes]]:
    x, y = G2.generator().to_affine()
    good = encode(x, y)
    out = [(f"len-{n}", bytes(n)) for n in (0, 64, 127, 129, 192)]
    out.append(("off-twist", encode(x, y + 1)))
    out.append(("swapped-re-im", b"".join(x.to_bytes(32, "big") for x in (x.c0, x.c1, y.c0, y.c1))))
    for i, name in enumerate(["x_im", "x_re", "y_im", "y_re"]):  # each coordinate + p
        v = int.from_bytes(good[32 * i : 32 * i + 32], "big") + P
        out.append((f"{name}>=p", good[: 32 * i] + v.to_bytes(32, "big") + good[32 * i + 32 :]))
    out.append(("all-p", P.to_bytes(32, "big") * 4))
    return out


@pytest.mark.parametrize("name,data", failure_vectors(), ids=[n for n, _ in failure_vectors()])
def test_decoding_rejects_invalid(name: str, data: bytes) -> None:
    with pytest.raises(MalformedInput):
        G2.from_bytes(data)
    with pytest.raises(MalformedInput):
        G2.from_bytes(name)  # type: ignore[arg-type]


@settings(max_examples=100, deadline=None)
@given(st.binary(min_size=0, max_size=140) | st.binary(min_size=128, max_size=128))
def test_decoding_garbage_raises_only_malformed_input(data: bytes) -> None:
    try:
        q = G2.from_bytes(data)
    except MalformedInput:
        return
    assert q.is_in_subgroup() and q.to_bytes() == data


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_random_twist_points_are_rejected(seed: int) -> None:
    """On the twist and canonical, but outside G2: only the subgroup check stands in the way."""
    x, y = twist_point(random.Random(seed)).to_affine()
    with pytest.raises(MalformedInput, match="subgroup"):
        G2.from_bytes(encode(x, y))
