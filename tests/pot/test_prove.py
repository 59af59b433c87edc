"""Tests for zkpot_ref/pot/prove.py: real proofs of the statement, and every binding."""

from __future__ import annotations

import functools
from dataclasses import replace

import pytest
from pot_helpers import random_model, random_task, shared_srs

from zkpot_ref import quant
from zkpot_ref.errors import CircuitError, MalformedInput
from zkpot_ref.gadgets.commitment import pack
from zkpot_ref.plonk.prover import prove
from zkpot_ref.pot.commit import model_bytes
from zkpot_ref.pot.keys import build_keys
from zkpot_ref.pot.prove import AccuracyProof, claim, prove_accuracy, verify_accuracy
from zkpot_ref.pot.statement import Witness, build

SIZES = (4, 3, 2)


@functools.cache
def setting():
    task = random_task(SIZES, 3, seed=21)
    model = random_model(SIZES, 22)
    keys = build_keys(task, shared_srs())
    proof = prove_accuracy(task, model, 555, 42, 7, keys)
    return task, model, keys, proof, claim(task, model, 555, 42, 7)


def test_an_honest_proof_verifies() -> None:
    task, model, keys, proof, public = setting()
    assert keys.vk.n == 2048 and proof.has_lookups
    assert public.count == quant.count_correct(model, task.images, task.labels)
    assert verify_accuracy(keys.vk, public, proof)


@pytest.mark.parametrize("field", ["commitment", "client_id", "round", "task_id", "count"])
def test_each_public_input_is_bound(field: str) -> None:
    _, _, keys, proof, public = setting()
    other = replace(public, **{field: (getattr(public, field) + 1) % 2**253})
    assert not verify_accuracy(keys.vk, other, proof)


def test_a_proof_for_one_task_fails_under_another_tasks_key() -> None:
    task, _, _, proof, public = setting()
    other_task = random_task(SIZES, 3, seed=99)  # same shape, other test set: other circuit
    other_keys = build_keys(other_task, shared_srs())
    assert other_keys.vk.to_bytes() != setting()[2].vk.to_bytes()
    assert not verify_accuracy(other_keys.vk, replace(public, task_id=other_task.task_id),
                               proof)


def test_the_prover_refuses_a_false_count_naming_the_true_one() -> None:
    task, model, keys, _, public = setting()
    for wrong in (public.count + 1, public.count - 1):
        with pytest.raises(CircuitError, match=f"classifies {public.count} of"):
            prove_accuracy(task, model, 555, 42, 7, keys, count=wrong)
    with pytest.raises(MalformedInput, match="another task"):
        prove_accuracy(random_task(SIZES, 3, seed=5), model, 555, 42, 7, keys)


def test_a_forced_proof_of_a_false_count_does_not_verify() -> None:
    task, model, keys, _, public = setting()
    for wrong in (public.count + 1, public.count - 1):
        lie = replace(public, count=wrong % 4)
        circuit = build(task, Witness(model, 555, lie)).circuit
        forced = prove(keys.pk, circuit, check=False)
        assert not verify_accuracy(keys.vk, lie, forced)


def test_a_proof_reveals_no_weight() -> None:
    _, model, _, proof, public = setting()
    data = AccuracyProof(public, proof).to_bytes()
    secret = model_bytes(model)
    for element in pack(secret, 8):
        assert element.to_bytes(32, "big") not in data
    weights = bytes(int(w) for w in model.layers[0].weight.reshape(-1))
    for start in range(0, len(weights) - 4):
        assert weights[start : start + 4] not in data[169:]  # no run of weights in the proof


def test_the_proof_file_round_trips_and_refuses_garbage(tmp_path) -> None:
    _, _, keys, proof, public = setting()
    packaged = AccuracyProof(public, proof)
    assert AccuracyProof.from_bytes(packaged.to_bytes()) == packaged
    packaged.save(tmp_path / "p.proof")
    loaded = AccuracyProof.load(tmp_path / "p.proof")
    assert verify_accuracy(keys.vk, loaded.public, loaded.proof)
    data = packaged.to_bytes()
    for bad in (b"", data[:100], data[:-1], data + b"\0", b"ZKPOTPRF\x02" + data[9:],
                data[:9] + b"\xff" * 32 + data[41:]):
        with pytest.raises(MalformedInput):
            AccuracyProof.from_bytes(bad)
    with pytest.raises(MalformedInput, match="cannot read"):
        AccuracyProof.load(tmp_path / "missing.proof")
    with pytest.raises(MalformedInput):
        verify_accuracy(keys.vk, [1, 2, 3, 4, 5], proof)  # type: ignore[arg-type]
