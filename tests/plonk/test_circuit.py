"""Tests for zkpot_ref/plonk/circuit.py: gates, helpers, witness checking with labels."""

from __future__ import annotations

import pytest
from plonk_helpers import random_circuit

from zkpot_ref.errors import CircuitError, MalformedInput
from zkpot_ref.field import R_MODULUS as R
from zkpot_ref.plonk.circuit import Circuit, pad_columns


def test_helpers_compute_values_and_satisfy_their_gates() -> None:
    c = Circuit()
    pub = c.public_input(12)
    x, y = c.private_input(3), c.private_input(4)
    assert c.value(c.add(x, y)) == 7
    assert c.value(c.sub(x, y)) == R - 1
    assert c.value(c.mul(x, y)) == 12
    assert c.value(c.linear_combination(x, y, 2, 5, 1)) == 27
    assert c.value(c.constant(9)) == 9
    assert c.value(c.zero()) == 0 and c.zero() == c.zero()
    c.assert_equal(c.mul(x, y), pub)
    c.assert_boolean(c.constant(1))
    c.check_witness()
    assert c.public_values() == [12] and c.num_public == 1
    a, b, cc = c.wire_values()
    assert len(a) == len(b) == len(cc) == len(c.gates)


def test_public_inputs_come_first_in_snarkjs_layout() -> None:
    c = Circuit()
    p = c.public_input(5)
    gate = c.gates[0]
    assert (gate.q_L, gate.q_R, gate.q_O, gate.q_M, gate.q_C) == (1, 0, 0, 0, 0)
    assert gate.a == p.index
    c.add(p, p)
    with pytest.raises(CircuitError, match="before the first gate"):
        c.public_input(1)


def test_unsatisfied_gate_is_named() -> None:
    c = Circuit()
    x = c.private_input(3)
    y = c.private_input(4)
    z = c.mul(x, y, label="the product")
    c.values[z.index] = 13  # a wrong witness value
    with pytest.raises(CircuitError, match=r"gate 0 \('the product'\)"):
        c.check_witness()


def test_unsatisfied_copy_constraint_is_named() -> None:
    c = Circuit()
    x, y = c.private_input(3), c.private_input(4)
    c.assert_equal(x, y, label="x equals y")
    with pytest.raises(CircuitError, match="'x equals y'"):
        c.check_witness()


def test_boolean_and_constant_gates_reject_wrong_values() -> None:
    c = Circuit()
    c.assert_boolean(c.private_input(2), label="bit")
    with pytest.raises(CircuitError, match="bit"):
        c.check_witness()
    c = Circuit()
    k = c.constant(5, label="five")
    c.values[k.index] = 6
    with pytest.raises(CircuitError, match="five"):
        c.check_witness()


def test_public_input_value_enters_the_gate_check() -> None:
    c = Circuit()
    p = c.public_input(7)
    c.assert_equal(p, c.constant(7))
    c.check_witness()
    c.values[p.index] = 8  # the public value and the copy no longer agree
    with pytest.raises(CircuitError):
        c.check_witness()


def test_structure_digest_ignores_the_witness() -> None:
    a = random_circuit(3, 40, 2)
    b = random_circuit(3, 40, 2, with_values=False)
    assert a.structure_digest() == b.structure_digest()
    assert random_circuit(4, 40, 2).structure_digest() != a.structure_digest()
    with pytest.raises(CircuitError, match="without a witness"):
        b.check_witness()


def test_random_circuits_are_satisfied() -> None:
    for seed in range(5):
        random_circuit(seed, 60, seed % 4).check_witness()


def test_pad_columns() -> None:
    assert pad_columns([[1, 2], [3]], 4) == [[1, 2, 0, 0], [3, 0, 0, 0]]
    with pytest.raises(MalformedInput):
        pad_columns([[1, 2, 3]], 2)
