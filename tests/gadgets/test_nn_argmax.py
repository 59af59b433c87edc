"""Tests for gadgets/nn_argmax.py: lowest-index argmax, and nothing else, satisfies it."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from zkpot_ref import quant
from zkpot_ref.errors import CircuitError
from zkpot_ref.field import R_MODULUS as R
from zkpot_ref.gadgets import nn_argmax
from zkpot_ref.gadgets.nn_argmax import argmax_hint, argmax_onehot, argmax_rows
from zkpot_ref.plonk.circuit import Circuit


def onehot(values: list[int], table_bits: int = 8) -> tuple[Circuit, list[int], int]:
    c = Circuit()
    c.use_range_table(table_bits)
    accs = [c.private_input(v % R) for v in values]
    before = len(c.gates)
    s = argmax_onehot(c, accs, "argmax")
    return c, [c.value(x) for x in s], len(c.gates) - before


@pytest.mark.parametrize("values", [
    [3, 9, 9, 1],                       # tie: the first 9 wins
    [5, 5, 5, 5, 5, 5, 5, 5, 5, 5],     # all equal: class 0
    [-7, -3, -3, -100],                 # negatives
    [2**31 - 1, -(2**31), 0],           # the int32 extremes
    [0, 1],
])
@pytest.mark.task6_1
def test_lowest_index_argmax_like_numpy(values: list[int]) -> None:
    c, s, _ = onehot(values)
    assert s.index(1) == int(quant.argmax_lowest(np.array(values))) and sum(s) == 1
    c.check_witness()


@settings(max_examples=30, deadline=None)
@given(st.lists(st.integers(-(2**31), 2**31 - 1), min_size=2, max_size=12),
       st.sampled_from([8, 16]))
def test_argmax_agrees_with_numpy(values: list[int], table_bits: int) -> None:
    c, s, rows = onehot(values, table_bits)
    assert s.index(1) == int(np.argmax(values))
    c.check_witness()
    assert rows == argmax_rows(len(values), table_bits) + 1  # + the shared zero wire, once


@pytest.mark.task6_1
@pytest.mark.parametrize("claimed", [0, 2, 3])
def test_any_other_answer_is_caught(claimed: int, monkeypatch: pytest.MonkeyPatch) -> None:
    """[3, 9, 9, 1]: only index 1 satisfies the gadget — not the later tie, not a smaller."""
    monkeypatch.setattr(nn_argmax, "argmax_hint", lambda values: claimed)
    with pytest.raises(CircuitError):
        c, _, _ = onehot([3, 9, 9, 1])
        c.check_witness()


def test_helpers() -> None:
    assert argmax_hint([1, 4, 4]) == 1 and argmax_rows(10, 8) == 79 and argmax_rows(10, 16) == 59
    with pytest.raises(CircuitError, match="2 classes"):
        onehot([5])


def test_without_a_witness_every_hint_is_unknown() -> None:
    """Key generation lays the circuit without values: no hint may be computed then."""
    c = Circuit()
    c.use_range_table(8)
    s = argmax_onehot(c, [c.private_input(None) for _ in range(3)], "argmax")
    assert [c.value(bit) for bit in s] == [None, None, None]
