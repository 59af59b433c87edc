"""G1 (y^2 = x^3 + 3 over Fq): cross-checked against py_ecc; EIP-196 encoding and its failures."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from py_ecc import optimized_bn128 as ob

from zkpot_ref.curve.g1 import G1
from zkpot_ref.errors import MalformedInput
from zkpot_ref.field import P_MODULUS as P
from zkpot_ref.field import R_MODULUS as R


def to_py(pt: G1) -> tuple:
    aff = pt.to_affine()
    return ob.Z1 if aff is None else (ob.FQ(aff[0]), ob.FQ(aff[1]), ob.FQ(1))


def from_py(pt: tuple) -> G1:
    if ob.is_inf(pt):
        return G1.identity()
    x, y = ob.normalize(pt)
    return G1.from_affine(x.n, y.n)


def test_generator_matches_py_ecc() -> None:
    assert G1.generator().to_affine() == (1, 2)
    assert from_py(ob.G1) == G1.generator()


def test_group_law_matches_py_ecc(rng) -> None:
    g = G1.generator()
    for _ in range(8):
        a, b = rng.randrange(R), rng.randrange(R)
        p, q = g * a, g * b
        assert from_py(ob.multiply(ob.G1, a)) == p  # scalar multiplication
        assert from_py(ob.add(to_py(p), to_py(q))) == p + q
        assert from_py(ob.double(to_py(p))) == p.double()
        assert from_py(ob.neg(to_py(p))) == -p
        k = rng.randrange(2**256)
        assert from_py(ob.multiply(to_py(p), k % R)) == p * k


def test_to_affine_identity_and_hash() -> None:
    assert G1.identity().to_affine() is None and G1.identity().is_identity()
    g = G1.generator()
    assert len({g * 3, g + g + g, g * 4}) == 2


def test_from_affine_validates() -> None:
    assert G1.from_affine(1, 2) == G1.generator()
    for x, y in [(1, 3), (0, 0), (1, P + 2), (-1, 2), (1.0, 2), (True, 2)]:
        with pytest.raises(MalformedInput):
            G1.from_affine(x, y)


def test_encoding_roundtrip(rng) -> None:
    g = G1.generator()
    assert g.to_bytes() == (1).to_bytes(32, "big") + (2).to_bytes(32, "big")
    assert G1.identity().to_bytes() == bytes(64) and G1.from_bytes(bytes(64)).is_identity()
    for _ in range(5):
        p = g * rng.randrange(R)
        data = p.to_bytes()
        assert len(data) == 64 and G1.from_bytes(data) == p
        assert G1.from_bytes(bytearray(data)) == p and G1.from_bytes(memoryview(data)) == p


def encode(x: int, y: int) -> bytes:
    return x.to_bytes(32, "big") + y.to_bytes(32, "big")


@pytest.mark.parametrize(
    "data",
    [
        encode(1, 3),  # off the curve
        encode(0, 1),  # off the curve (0^3 + 3 = 3 is not 1)
        encode(1 + P, 2),  # x >= p (x = 1 + p would be the generator if reduced)
        encode(1, 2 + P),  # y >= p
        encode(1, P - 2 + P),  # y >= p (-2 + 2p)
        encode(P, 0),  # "zero" written as p: non-canonical infinity
        bytes(63),  # wrong lengths
        bytes(65),
        b"",
        encode(1, 2) + b"\x00",
    ],
    ids=["off-curve", "off-curve-0-1", "x>=p", "y>=p", "y>=p-neg", "x=p", "63", "65", "0", "+1"],
)
def test_decoding_rejects_invalid(data: bytes) -> None:
    with pytest.raises(MalformedInput):
        G1.from_bytes(data)


def test_decoding_rejects_non_bytes() -> None:
    with pytest.raises(MalformedInput):
        G1.from_bytes("00" * 64)  # type: ignore[arg-type]


@settings(max_examples=200, deadline=None)
@given(st.binary(min_size=0, max_size=80) | st.binary(min_size=64, max_size=64))
def test_decoding_garbage_raises_only_malformed_input(data: bytes) -> None:
    try:
        p = G1.from_bytes(data)
    except MalformedInput:
        return
    assert p.is_on_curve() and p.to_bytes() == data


@settings(max_examples=30, deadline=None)
@given(st.integers(0, P - 1))
def test_decoding_points_built_from_x(x: int) -> None:
    """Valid points found from random x (when x^3 + 3 is a square) decode; others do not."""
    rhs = (x**3 + 3) % P
    y = pow(rhs, (P + 1) // 4, P)  # p = 3 mod 4: the square root if one exists
    data = encode(x, y)
    if y * y % P == rhs:
        assert G1.from_bytes(data).to_bytes() == data
    else:
        with pytest.raises(MalformedInput):
            G1.from_bytes(data)
