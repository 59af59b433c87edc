"""Tests for gadgets/nn_limbs.py: chains of lookup rows that range-check and add."""

from __future__ import annotations

import pytest

from zkpot_ref.errors import CircuitError, MalformedInput
from zkpot_ref.gadgets.nn_limbs import chain_total, limb_values, limbs, narrow, sum_to_zero
from zkpot_ref.gadgets.poseidon_circuit import LinearForm
from zkpot_ref.plonk.circuit import Circuit
from zkpot_ref.plonk.preprocess import setup
from zkpot_ref.plonk.prover import prove
from zkpot_ref.plonk.verifier import verify


def circuit(bits: int = 8) -> Circuit:
    c = Circuit()
    c.use_range_table(bits)
    return c


def test_limb_values() -> None:
    assert limb_values(0x1234, 16, 8) == [0x34, 0x12]
    assert limb_values(5, 20, 8) == [5, 0, 0]
    assert limb_values(None, 9, 8) == [None, None]
    with pytest.raises(CircuitError, match="does not fit"):
        limb_values(256, 8, 8)


@pytest.mark.parametrize(("value", "bits", "rows"), [(0xABCDEF, 24, 3), (1000, 10, 3)])
def test_a_chain_rebuilds_the_value_one_row_a_limb(value: int, bits: int, rows: int) -> None:
    c = circuit()
    terms = limbs(c, value, bits, "x")
    total = chain_total(c, terms)
    assert c.value(total) == value and len(c.gates) == rows  # 10 bits: 2 limbs + 1 narrowing
    c.check_witness()


def test_a_narrow_top_limb_is_enforced() -> None:
    c = circuit()
    x = c.private_input(3)
    narrow(c, x, 2, "x")  # 3 + 256 - 4 = 255: in the table
    c.check_witness()
    c = circuit()
    x = c.private_input(4)
    narrow(c, x, 2, "x")
    with pytest.raises(CircuitError, match="not in the table"):
        c.check_witness()
    with pytest.raises(MalformedInput):
        narrow(circuit(), x, 8, "x")


@pytest.mark.parametrize("others", [0, 1, 2, 3])
def test_sum_to_zero_closes_without_an_extra_row(others: int) -> None:
    """5·x + 7·y + w_1 + ... + w_m - total = 0, x and y looked up: the last w closes the
    chain on the last lookup row, so the rows are 2 + (m - 2) for the other wires' sum."""
    c = circuit()
    x, y = c.private_input(11), c.private_input(200)
    wires = [c.private_input(3 + j) for j in range(others)]
    total = 5 * 11 + 7 * 200 + sum(3 + j for j in range(others))
    form = LinearForm.const(-total)
    for w in wires:
        form = form + LinearForm.of(w)
    before = len(c.gates)
    sum_to_zero(c, [(x, 5), (y, 7)], form, "eq")
    c.check_witness()
    zero_wire = 1 if not others else 0  # closing on the circuit's shared zero costs its row
    assert len(c.gates) - before == 2 + max(others - 2, 0) + zero_wire
    c.values[x.index] = 12
    with pytest.raises(CircuitError):
        c.check_witness()


def test_a_wrong_total_or_an_out_of_table_limb_is_caught_and_a_proof_fails() -> None:
    from zkpot_ref.kzg import SRS

    def build(limb: int, total: int) -> Circuit:
        c = circuit()
        out = c.public_input(total)
        x = c.private_input(limb)
        chain_total(c, [(x, 3)], LinearForm.const(1), out=out)
        return c

    pk, vk = setup(build(0, 1), SRS.insecure_from_tau(99, 256 + 8))  # tests only
    good = build(200, 601)
    assert verify(vk, [601], prove(pk, good))
    for bad in (build(200, 602), build(300, 901)):  # wrong sum; 300 is not a byte
        with pytest.raises(CircuitError):
            bad.check_witness()
        assert not verify(vk, bad.public_values(), prove(pk, bad, check=False))


def test_limb_value_and_bit_count_edges() -> None:
    """0 and 2^bits - 1 fit, 2^bits and -1 do not; 1 and 252 bits are the accepted widths
    (252 < log2 r: a wider value could wrap around the field)."""
    assert limb_values(0, 16, 8) == [0, 0] and limb_values(2**16 - 1, 16, 8) == [255, 255]
    for bad in (-1, 2**16):
        with pytest.raises(CircuitError, match="does not fit 16 bits"):
            limb_values(bad, 16, 8)
    c = Circuit()
    c.use_range_table(8)
    assert len(limbs(c, 2**252 - 1, 252, "widest")) == 32
    assert len(limbs(c, 1, 1, "narrowest")) == 1
    for bad in (0, 253):
        with pytest.raises(MalformedInput, match="1..252 bits"):
            limbs(c, 0, bad, "x")


def test_an_empty_chain_is_refused() -> None:
    """sum_to_zero over no looked-up wires would lay no row at all: assert nothing."""
    c = Circuit()
    c.use_range_table(8)
    x = c.private_input(5)
    with pytest.raises(MalformedInput, match="at least one looked-up wire"):
        sum_to_zero(c, [], LinearForm.of(x))
    with pytest.raises(MalformedInput, match="at least one looked-up wire"):
        chain_total(c, [])
