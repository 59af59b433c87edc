"""Tests for gadgets/nn_layers.py: dense layers and requantization, bit for bit quant.py."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from zkpot_ref import quant
from zkpot_ref.errors import CircuitError
from zkpot_ref.field import R_MODULUS as R
from zkpot_ref.gadgets.nn_layers import (
    LayerWires,
    dense_private,
    dense_public,
    requantize,
    requantize_hints,
    requantize_rows,
    shift_weights,
    signed,
)
from zkpot_ref.plonk.circuit import Circuit


def layer_on(circuit: Circuit, weight, weight_zero, bias, m0=0, zero=None, shift=0):
    wire = circuit.private_input
    return LayerWires(
        weights=[[wire(int(w)) for w in row] for row in weight],
        weight_zero=wire(weight_zero),
        biases=[wire(int(b) + (1 << 31)) for b in bias],
        multiplier=None if not m0 else wire(m0),
        output_zero=None if zero is None else wire(zero),
        shift=shift,
    )


def test_dense_public_matches_numpy_and_skips_zero_pixels() -> None:
    rng = np.random.default_rng(1)
    weight, bias = rng.integers(0, 256, (3, 6)), rng.integers(-1000, 1000, 3)
    image = [0, 5, 0, 16, 1, 0]
    c = Circuit()
    layer = layer_on(c, weight, 77, bias)
    before = len(c.gates)
    accs = dense_public(c, layer, image, "l1")
    expected = (np.array(image) @ (weight - 77).T) + bias
    assert [signed(c.value(a)) for a in accs] == list(expected)
    assert len(c.gates) - before == 3 * (3 + 1)  # nnz + 1 rows a neuron
    c.check_witness()


def test_dense_private_matches_numpy() -> None:
    rng = np.random.default_rng(2)
    weight, bias = rng.integers(0, 256, (2, 4)), rng.integers(-1000, 1000, 2)
    inputs = [3, 0, 255, 17]
    c = Circuit()
    layer = layer_on(c, weight, 9, bias)
    shift_weights(c, layer, "l2")
    accs = dense_private(c, layer, [c.private_input(x) for x in inputs], "l2")
    assert [signed(c.value(a)) for a in accs] == list((weight - 9) @ inputs + bias)
    c.check_witness()
    with pytest.raises(CircuitError, match="shift_weights"):
        dense_private(c, layer_on(c, weight, 9, bias), [], "x")


def requantized(acc: int, m0: int, zero: int, shift: int = 32, table_bits: int = 8):
    c = Circuit()
    c.use_range_table(table_bits)
    layer = LayerWires([], c.private_input(0), [], c.private_input(m0), c.private_input(zero),
                       shift)
    before = len(c.gates)
    r = requantize(c, c.private_input(acc % R), layer, "neuron")
    return c, r, len(c.gates) - before


@pytest.mark.parametrize("table_bits", [8, 16])
@pytest.mark.parametrize(("acc", "m0", "zero"), [
    (0, 1 << 30, 0), (12345, 1 << 30, 3), (-12345, 1 << 30, 3),     # inside, and clamped low
    (2_000_000_000, (1 << 31) - 1, 100),                            # far above: clamped high
    (-(2**31), (1 << 31) - 1, 255),                                 # U = 0: only r = 0 fits
    (2 * 2**31 // 3, 1 << 31 - 1, 0),
    (511, 1 << 31 >> 1, 0),                                         # y exactly 128 (ties up)
    (-1, 1 << 31 - 1, 7),                                           # y = -0.5 rounds to 0
])
def test_requantize_matches_quant(acc: int, m0: int, zero: int, table_bits: int) -> None:
    c, r, rows = requantized(acc, m0, zero, table_bits=table_bits)
    expected = int(quant.requantize(acc, m0, 32, zero, lower=zero)) - zero
    assert c.value(r) == expected
    c.check_witness()
    assert rows == requantize_rows(32, table_bits)


@settings(max_examples=40, deadline=None)
@given(st.integers(-(2**31), 2**31 - 1), st.integers(0, 2**31 - 1), st.integers(0, 255),
       st.sampled_from([16, 24, 32, 40]))
def test_requantize_agrees_with_quant_everywhere(acc: int, m0: int, zero: int,
                                                 shift: int) -> None:
    c, r, _ = requantized(acc, m0, zero, shift)
    assert c.value(r) == int(quant.requantize(acc, m0, shift, zero, lower=zero)) - zero
    c.check_witness()


def cheat(acc: int, m0: int, zero: int, **changes: int) -> None:
    """Lay the requantization with some hints replaced; the circuit must object."""
    honest = requantize_hints(acc, m0, 32, zero)

    def fake(acc_, m0_, shift_, zero_):
        return {**honest, **changes}

    import zkpot_ref.gadgets.nn_layers as module

    original = module.requantize_hints
    module.requantize_hints = fake
    try:  # a hint that cannot even be split into limbs is refused while laying the rows
        with pytest.raises(CircuitError):
            c, _, _ = requantized(acc, m0, zero)
            c.check_witness()
    finally:
        module.requantize_hints = original


def test_every_wrong_hint_is_caught() -> None:
    acc, m0, zero = 3_000_000, 1 << 30, 10  # y = 750000 >> 2 ... clamps high
    h = requantize_hints(acc, m0, 32, zero)
    assert h["r"] == 245 and h["s"] == 1
    cheat(acc, m0, zero, r=h["r"] - 1, d=h["d"] + 1, u=h["u"] + 1, v=h["v"] + 1)  # not clamped
    cheat(acc, m0, zero, s=0)                                  # sign bit lies
    cheat(acc, m0, zero, rem=h["rem"] + (1 << 32), v=h["v"] - 1)  # remainder too big
    low = requantize_hints(-3_000_000, m0, 32, zero)
    assert low["r"] == 0 and low["s"] == 0
    cheat(-3_000_000, m0, zero, r=1, d=low["d"] - 1, u=low["u"] - 1, v=low["v"] - 1)
    cheat(-3_000_000, m0, zero, s=1, v=low["v"] - (1 << 32))    # v out of range


def test_signed_reads_above_half_r_as_negative() -> None:
    assert signed(R // 2) == R // 2 and signed(R // 2 + 1) == R // 2 + 1 - R
    assert signed(R - 1) == -1 and signed(0) == 0


@pytest.mark.parametrize("shift", [1, 62])
def test_requantize_extreme_shifts(shift: int) -> None:
    c, r, _ = requantized(1000, 1 << 30, 3, shift)
    assert c.value(r) == int(quant.requantize(1000, 1 << 30, shift, 3, lower=3)) - 3
    c.check_witness()


def test_requantize_refuses_bad_parameters() -> None:
    for shift in (0, 63):
        with pytest.raises(CircuitError, match="shift in 1..62"):
            requantized(1000, 1 << 30, 3, shift)
    c = Circuit()
    layer = LayerWires([], c.private_input(0), [], None, c.private_input(3), 32)
    with pytest.raises(CircuitError, match="needs M0"):
        requantize(c, c.private_input(5), layer, "neuron")
    layer = LayerWires([], c.private_input(0), [], c.private_input(1 << 30), None, 32)
    with pytest.raises(CircuitError, match="Z_out"):
        requantize(c, c.private_input(5), layer, "neuron")


def test_requantize_without_a_witness() -> None:
    """Key generation: every value unknown, no hint computed, the rows laid all the same."""
    c = Circuit()
    c.use_range_table(8)
    unknown = c.private_input(None)
    layer = LayerWires([], unknown, [], c.private_input(None), c.private_input(None), 32)
    before = len(c.gates)
    r = requantize(c, c.private_input(None), layer, "neuron")
    assert c.value(r) is None and len(c.gates) - before == requantize_rows(32, 8)


def test_d_is_range_checked() -> None:
    """y = U + 1 exactly (acc 984, M = 1/4, Z_out = 10, U = 245): r = U + 1, d = -1, v = 0
    satisfies every gate but d's lookup (d = U - r must lie in the table)."""
    h = requantize_hints(984, 1 << 30, 32, 10)
    assert (h["r"], h["d"], h["u"], h["v"], h["s"]) == (245, 0, 1, 1, 1)
    cheat(984, 1 << 30, 10, r=246, d=R - 1, u=0, v=0)
