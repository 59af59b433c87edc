"""The edwards25519 group (zkpot_ref/ledger/edwards25519.py): laws, encodings, fast paths.

The fast layer (comb tables, Straus double-scalar multiplication, NAF recoding) is checked
against the readable double-and-add; the constants against RFC 8032 section 5.1.
"""

from __future__ import annotations

import random

from zkpot_ref.ledger.edwards25519 import (
    BASE,
    BASE_ODD,
    IDENTITY,
    SQRT_M1,
    D,
    L,
    P,
    base_mult,
    comb_mult,
    comb_table,
    double_scalar_mult,
    odd_multiples,
    point_add,
    point_decode,
    point_double,
    point_encode,
    point_equal,
    point_neg,
    scalar_mult,
    wnaf,
)

RNG = random.Random(25519)


def _on_curve(point: tuple[int, int, int, int]) -> bool:
    X, Y, Z, T = point
    z_inv = pow(Z, -1, P)
    x, y = X * z_inv % P, Y * z_inv % P
    return (-x * x + y * y - 1 - D * x * x * y * y) % P == 0 and T * z_inv % P == x * y % P


def test_constants_and_base_point() -> None:
    assert P == 2**255 - 19 and (D * 121666 + 121665) % P == 0
    assert SQRT_M1 * SQRT_M1 % P == P - 1
    assert point_encode(BASE) == bytes.fromhex(
        "5866666666666666666666666666666666666666666666666666666666666666"
    )  # RFC 8032 5.1: y = 4/5, x even
    assert _on_curve(BASE) and BASE[0] % 2 == 0
    assert point_equal(scalar_mult(L, BASE), IDENTITY)
    assert not point_equal(scalar_mult(L - 1, BASE), IDENTITY)


def test_group_laws() -> None:
    p1, p2, p3 = (scalar_mult(RNG.randrange(L), BASE) for _ in range(3))
    assert point_equal(point_add(p1, p2), point_add(p2, p1))
    assert point_equal(point_add(point_add(p1, p2), p3), point_add(p1, point_add(p2, p3)))
    assert point_equal(point_add(p1, IDENTITY), p1)
    assert point_equal(point_add(p1, point_neg(p1)), IDENTITY)
    assert point_equal(point_double(p1), point_add(p1, p1))  # complete: add doubles too
    assert all(_on_curve(q) for q in (point_add(p1, p2), point_double(p3), point_neg(p2)))
    assert not point_equal(p1, p2)


def test_encoding_roundtrip_and_strict_decoding() -> None:
    for k in (1, 2, RNG.randrange(L)):
        point = scalar_mult(k, BASE)
        data = point_encode(point)
        decoded = point_decode(data)
        assert decoded is not None and point_equal(decoded, point)
        assert point_encode(decoded) == data
    assert point_encode(IDENTITY) == (1).to_bytes(32, "little")
    assert point_decode((1 + P).to_bytes(32, "little")) is None  # y >= p
    assert point_decode((1 | 1 << 255).to_bytes(32, "little")) is None  # "-0"
    assert point_decode(bytes(31)) is None
    assert any(point_decode(y.to_bytes(32, "little")) is None for y in range(2, 20))


def test_comb_and_base_mult_match_double_and_add() -> None:
    other = scalar_mult(RNG.randrange(L), BASE)
    table = comb_table(other)
    for k in (0, 1, 15, 16, 255, L - 1, 2**256 - 1, RNG.randrange(L)):
        assert point_equal(base_mult(k), scalar_mult(k, BASE))
        assert point_equal(comb_mult(table, k), scalar_mult(k, other))


def test_wnaf_and_odd_multiples() -> None:
    for w in (5, 8):
        for k in (0, 1, 2**253 - 1, RNG.randrange(L)):
            digits = wnaf(k, w)
            assert sum(d << i for i, d in enumerate(digits)) == k
            nonzero = [i for i, d in enumerate(digits) if d]
            assert all(digits[i] % 2 == 1 and abs(digits[i]) < 1 << (w - 1) for i in nonzero)
            assert all(b - a >= w for a, b in zip(nonzero, nonzero[1:], strict=False))
    assert len(BASE_ODD) == 64
    odd = odd_multiples(BASE, 8)
    assert odd == BASE_ODD[:8]
    y, x = (odd[2][0] + odd[2][1]) * pow(2, -1, P) % P, (odd[2][0] - odd[2][1]) * pow(2, -1, P) % P
    assert point_equal((x, y, 1, x * y % P), scalar_mult(5, BASE))


def test_double_scalar_mult_matches_the_readable_form() -> None:
    order_two = (0, P - 1, 1, 0)  # (0, -1): a small-order component must not matter
    for q in (scalar_mult(RNG.randrange(L), BASE), point_add(BASE, order_two)):
        q_odd = odd_multiples(q, 8)
        for s, k in ((0, 0), (1, 0), (0, 1), (RNG.randrange(L), RNG.randrange(L))):
            expected = point_add(scalar_mult(s, BASE), scalar_mult(k, q))
            assert point_equal(double_scalar_mult(s, k, q_odd), expected)
            assert point_equal(point_add(base_mult(s), comb_mult(comb_table(q), k)), expected)
