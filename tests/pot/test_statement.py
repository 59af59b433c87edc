"""Tests for zkpot_ref/pot/statement.py: the in-circuit count is quant.count_correct."""

from __future__ import annotations

import pytest
from pot_helpers import random_model, random_task

from zkpot_ref import quant
from zkpot_ref.errors import CircuitError, MalformedInput
from zkpot_ref.pot.commit import byte_count, commit_model
from zkpot_ref.pot.statement import PublicInputs, Witness, build, client_id_of

ARCHITECTURES = [(4, 3), (5, 4, 3), (6, 4, 3, 2), (3, 5, 4)]


def witness_for(task, model, count=None, salt=77):
    commitment, _ = commit_model(model, salt)
    true = quant.count_correct(model, task.images, task.labels)
    public = PublicInputs(task.task_id, 3, 11, commitment, true if count is None else count)
    return Witness(model, salt, public), true


@pytest.mark.parametrize("n", range(1, 17))
def test_the_in_circuit_count_is_the_integer_models(n: int) -> None:
    sizes = ARCHITECTURES[n % len(ARCHITECTURES)]
    task = random_task(sizes, n, seed=n)
    model = random_model(sizes, seed=100 + n, tie=n % 3 == 0)
    witness, true = witness_for(task, model)
    built = build(task, witness)
    assert built.circuit.value(built.count) == true
    built.circuit.check_witness()
    assert built.circuit.structure_digest() == build(task).circuit.structure_digest()
    for wrong in (true + 1, true - 1):
        if 0 <= wrong <= n:
            claimed = build(task, witness_for(task, model, wrong)[0]).circuit
            with pytest.raises(CircuitError, match="count = public input k"):
                claimed.check_witness()


def test_the_models_really_exercise_ties_saturation_and_zero_points() -> None:
    """The random models above are not all-easy: hidden neurons clamp on both sides,
    zero points are non-zero, and a tied last layer hits argmax's tie rule."""
    sizes = (6, 4, 3, 2)
    model = random_model(sizes, 7, tie=True)
    task = random_task(sizes, 16, seed=7)
    hidden = quant.forward_int(model, task.images)[:-1]
    zeros = [layer.output_zero for layer in model.layers[:-1]]
    assert all(z != 0 for z in zeros)
    low = sum(int((h == z).sum()) for h, z in zip(hidden, zeros))
    high = sum(int((h == 255).sum()) for h in hidden)
    assert low > 0 and high > 0
    logits = quant.forward_int(model, task.images)[-1]
    assert (logits[:, 0] == logits[:, 1]).all()
    witness, true = witness_for(task, model)
    built = build(task, witness)
    assert built.circuit.value(built.count) == true
    built.circuit.check_witness()


def test_sixteen_bit_table_gives_the_same_count_in_fewer_rows_per_image() -> None:
    from dataclasses import replace

    task8 = random_task((5, 4, 3), 4, seed=2)
    task16 = replace(task8, table_bits=16)
    model = random_model((5, 4, 3), 9)
    w8, true = witness_for(task8, model)
    w16, _ = witness_for(task16, model)
    b8, b16 = build(task8, w8), build(task16, replace(w16, public=replace(
        w16.public, task_id=task16.task_id)))
    assert b8.circuit.value(b8.count) == b16.circuit.value(b16.count) == true
    b16.circuit.check_witness()
    assert sum(b16.budget.per_image(4).values()) < sum(b8.budget.per_image(4).values())


def test_the_row_budget_adds_up() -> None:
    task = random_task((5, 4, 3), 3, seed=4)
    built = build(task)
    assert sum(built.budget.values()) == len(built.circuit.gates)
    assert built.budget["commitment: bytes"] == byte_count((5, 4, 3))
    assert set(built.budget.per_image(3)) == {"layer 1", "requantization", "layer 2",
                                              "argmax", "count"}


def test_a_witness_for_another_task_or_with_a_wrong_salt_fails() -> None:
    task = random_task((5, 4, 3), 3, seed=4)
    model = random_model((5, 4, 3), 9)
    witness, _ = witness_for(task, model)
    from dataclasses import replace

    wrong_salt = build(task, replace(witness, salt=witness.salt + 1)).circuit
    with pytest.raises(CircuitError, match="commitment"):
        wrong_salt.check_witness()


def test_public_inputs_and_client_ids() -> None:
    assert PublicInputs(1, 2, 3, 4, 5).as_list() == [1, 2, 3, 4, 5]
    with pytest.raises(MalformedInput, match="count"):
        PublicInputs(1, 2, 3, 4, -1).as_list()
    key = bytes(range(32))
    assert client_id_of(key) != client_id_of(bytes(32)) and client_id_of(key) < 2**253
    with pytest.raises(MalformedInput):
        client_id_of(b"short")


def test_public_inputs_and_client_keys_are_checked_exactly() -> None:
    """Each public input lies in [0, r) and is an int (not a bool); a client key is exactly
    32 bytes of type bytes (a 32-character str or a bytearray is refused too)."""
    from zkpot_ref.field import R_MODULUS as R

    assert PublicInputs(0, 0, 0, R - 1, 0).as_list() == [0, 0, 0, R - 1, 0]
    for bad in (R, -1, True, 1.0):
        with pytest.raises(MalformedInput, match="commitment"):
            PublicInputs(1, 2, 3, bad, 5).as_list()  # type: ignore[arg-type]
    for key in ("k" * 32, bytearray(32), bytes(31), bytes(33)):
        with pytest.raises(MalformedInput, match="32-byte"):
            client_id_of(key)  # type: ignore[arg-type]


def test_first_layer_weights_cost_no_parameter_rows() -> None:
    """Layer 1 multiplies public pixels, so its weights are used as committed; only later
    layers (private inputs) get their w - Z_w rows. Widening the input leaves the
    "model parameters" rows unchanged."""
    narrow_input = build(random_task((4, 3, 2), 1, 0)).budget["model parameters"]
    wide_input = build(random_task((8, 3, 2), 1, 0)).budget["model parameters"]
    assert narrow_input == wide_input



@pytest.mark.parametrize("sizes", ARCHITECTURES)
def test_the_inference_trace_is_the_integer_model_and_feeds_the_circuit(sizes) -> None:
    """inference_trace (the witness of the inference) is quant.py's semantics, step by step,
    and build writes its numbers into the wires."""
    import numpy as np

    from zkpot_ref.field import R_MODULUS
    from zkpot_ref.gadgets.nn_layers import requantize_hints
    from zkpot_ref.pot.statement import REQUANTIZE, inference_trace

    task, model = random_task(sizes, 6, seed=5), random_model(sizes, seed=6, tie=True)
    trace = inference_trace(model, task.images, task.labels)
    outputs = quant.forward_int(model, task.images)
    for layer, hints, q in zip(model.layers, trace.requantized, outputs):
        assert set(hints) == set(REQUANTIZE)
        assert (np.array(hints["r"]) + layer.output_zero == q).all()
    first = model.layers[0]
    if len(sizes) > 2:
        assert trace.requantize_hints(0, 1, 0) == requantize_hints(
            trace.accumulators[0][1][0], first.multiplier, first.shift, first.output_zero)
    assert (np.array(trace.accumulators[-1]) == outputs[-1]).all()
    assert trace.prediction == quant.predict_int(model, task.images).tolist()
    assert 1 not in trace.prediction  # the tied class never wins: the lowest index does
    assert trace.count == sum(trace.correct) == quant.count_correct(model, task.images,
                                                                    task.labels)
    witness, _ = witness_for(task, model)
    built = build(task, witness)
    assert built.circuit.value(built.count) == trace.count
    wires = set(built.circuit.values)
    for hints in trace.requantized:
        for name in ("r", "s", "v", "d"):
            assert {x % R_MODULUS for row in hints[name] for x in row} <= wires, name
    assert {m % R_MODULUS for m in trace.maximum} <= wires
