"""Tests for zkpot_ref/plonk/checks.py: range checks, comparisons, is_zero, select."""

from __future__ import annotations

import pytest

from zkpot_ref.errors import CircuitError
from zkpot_ref.field import R_MODULUS as R
from zkpot_ref.plonk.checks import is_zero, less_than, limbs_of, range_check, select
from zkpot_ref.plonk.circuit import Circuit


def rows_for_range_check(bits: int, table_bits: int = 8) -> tuple[int, int]:
    c = Circuit()
    c.use_range_table(table_bits)
    x = c.private_input((1 << bits) - 1)
    before = len(c.gates)
    range_check(c, x, bits)
    c.check_witness()
    rows = c.gates[before:]
    return len(rows), sum(g.q_K for g in rows)


def test_rows_per_range_check() -> None:
    # one lookup row per 8-bit limb, plus one row per limb to rebuild x
    assert rows_for_range_check(8) == (1, 1)
    assert rows_for_range_check(16) == (3, 2)
    assert rows_for_range_check(32) == (7, 4)
    # a 12-bit check: a full limb and a 4-bit limb (two lookups for the short one)
    assert rows_for_range_check(12) == (5, 3)  # + a shift row and a 2nd lookup


@pytest.mark.parametrize("bits", [1, 4, 8, 12, 16, 33])
def test_range_check_accepts_in_range_and_rejects_out_of_range(bits: int) -> None:
    for value in (0, 1 % (1 << bits), (1 << bits) - 1):
        c = Circuit()
        range_check(c, c.private_input(value), bits)
        c.check_witness()
    for bad in (1 << bits, (1 << bits) + 5, R - 1):
        c = Circuit()
        range_check(c, c.private_input(bad), bits)
        with pytest.raises(CircuitError):
            c.check_witness()


def test_range_check_defaults_to_an_8_bit_table_and_validates_bits() -> None:
    c = Circuit()
    range_check(c, c.private_input(3), 2)
    assert c.table_bits == 8
    with pytest.raises(CircuitError):
        range_check(c, c.private_input(3), 0)
    with pytest.raises(CircuitError, match="already uses"):
        c.use_range_table(10)
    with pytest.raises(CircuitError, match="use_range_table"):
        Circuit().lookup(Circuit().private_input(1))


def test_limbs() -> None:
    assert limbs_of(0x1234, 16, 8) == [0x34, 0x12]
    assert limbs_of(5, 3, 8) == [5]


@pytest.mark.parametrize(("x", "y"), [(3, 5), (5, 3), (4, 4), (0, 255), (255, 0)])
def test_less_than(x: int, y: int) -> None:
    c = Circuit()
    b = less_than(c, c.private_input(x), c.private_input(y), 8)
    c.check_witness()
    assert c.value(b) == int(x < y)
    c.values[b.index] = 1 - int(x < y)  # the wrong answer cannot satisfy the circuit
    with pytest.raises(CircuitError):
        c.check_witness()


@pytest.mark.parametrize("x", [0, 1, 7, R - 1])
def test_is_zero(x: int) -> None:
    c = Circuit()
    b = is_zero(c, c.private_input(x))
    c.check_witness()
    assert c.value(b) == int(x == 0)
    c.values[b.index] = 1 - int(x == 0)
    with pytest.raises(CircuitError):
        c.check_witness()


def test_select() -> None:
    for bit, expected in ((1, 10), (0, 20)):
        c = Circuit()
        cond = c.private_input(bit)
        c.assert_bool(cond)
        out = select(c, cond, c.private_input(10), c.private_input(20))
        c.check_witness()
        assert c.value(out) == expected
