"""Canonical encoding helpers (zkpot_ref/ledger/encoding.py)."""

from __future__ import annotations

import pytest

from zkpot_ref.errors import MalformedInput
from zkpot_ref.field import R_MODULUS
from zkpot_ref.ledger import encoding as enc


def test_fixed_width_integers() -> None:
    assert enc.u8(255) == b"\xff"
    assert enc.u16(258) == b"\x01\x02"
    assert enc.u32(1) == b"\x00\x00\x00\x01"
    assert enc.u64(2**64 - 1) == b"\xff" * 8
    for bad in (-1, 256, True, 1.0, "1"):
        with pytest.raises(MalformedInput):
            enc.u8(bad)  # type: ignore[arg-type]


def test_field_elements_are_canonical() -> None:
    assert enc.field_element(R_MODULUS - 1) == (R_MODULUS - 1).to_bytes(32, "big")
    for bad in (R_MODULUS, -1, None):
        with pytest.raises(MalformedInput):
            enc.field_element(bad)  # type: ignore[arg-type]
    assert enc.Reader(enc.field_element(5), "x").field_element() == 5
    with pytest.raises(MalformedInput, match="non-canonical"):
        enc.Reader(R_MODULUS.to_bytes(32, "big"), "x").field_element()


def test_reader_is_strict() -> None:
    data = enc.u16(7) + enc.var_bytes(b"abc", 10) + b"!"
    reader = enc.Reader(data, "thing")
    assert reader.uint(2) == 7 and reader.var_bytes(10) == b"abc"
    with pytest.raises(MalformedInput, match="thing: 1 trailing"):
        reader.finish()
    assert reader.take(1) == b"!"
    reader.finish()
    with pytest.raises(MalformedInput, match="truncated"):
        reader.take(1)
    with pytest.raises(MalformedInput, match="maximum"):
        enc.Reader(enc.var_bytes(b"abc", 10), "x").var_bytes(2)
    with pytest.raises(MalformedInput, match="maximum"):
        enc.var_bytes(b"abc", 2)
    with pytest.raises(MalformedInput, match="expected bytes"):
        enc.Reader("text", "x")  # type: ignore[arg-type]
