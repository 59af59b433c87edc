"""fastpath/witness.py against the reference: the ZKPoT inference witness, number for number.

One table of backends (the minitorch pattern): every backend's ``inference_trace`` kernel
must return the reference's ``Trace`` exactly, and ``statement.build`` with it must fill
every wire with the reference's value.
"""

from __future__ import annotations

import importlib
import sys
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fastpath import JaxAllBackend, JaxBackend, witness
from zkpot_ref import backend, quant
from zkpot_ref.pot.prove import claim
from zkpot_ref.pot.statement import REQUANTIZE, Witness, build, inference_trace

BACKENDS = {"reference": backend.Backend(), "jax": JaxBackend(), "jax-all": JaxAllBackend()}
FAST = sorted(set(BACKENDS) - {"reference"})
ARCHITECTURES = [(4, 3), (5, 4, 3), (6, 4, 3, 2), (3, 5, 4)]
POT = str(Path(__file__).resolve().parent.parent / "pot")
if POT not in sys.path:
    sys.path.insert(0, POT)
pot = importlib.import_module("pot_helpers")


def case(sizes: tuple[int, ...], n: int, seed: int, *, tie: bool = False, shift: int = 32):
    task = pot.random_task(sizes, n, seed=seed, shift=shift)
    return task, pot.random_model(sizes, seed + 100, tie=tie, shift=shift)


def traces(task, model) -> dict[str, object]:
    return {name: chosen.kernel(inference_trace)(model, task.images, task.labels)
            for name, chosen in BACKENDS.items()}


def test_the_fast_backends_register_the_witness_kernel() -> None:
    assert BACKENDS["reference"].kernel(inference_trace) is inference_trace
    for name in FAST:
        assert BACKENDS[name].kernel(inference_trace) is witness.inference_trace


@pytest.mark.parametrize("n", range(1, 17))
def test_every_intermediate_equals_the_reference(n: int) -> None:
    sizes = ARCHITECTURES[n % len(ARCHITECTURES)]
    task, model = case(sizes, n, seed=n, tie=n % 3 == 0)
    got = traces(task, model)
    ref = got.pop("reference")
    for name, trace in got.items():
        assert trace == ref, name
    # ... and the definition is quant.py's integer semantics (an outside check for both)
    outputs = quant.forward_int(model, task.images)
    for layer, hints, q in zip(model.layers, ref.requantized, outputs):  # type: ignore[attr-defined]
        assert (np.array(hints["r"]) + layer.output_zero == q).all()
    assert (np.array(ref.accumulators[-1]) == outputs[-1]).all()  # type: ignore[attr-defined]
    assert ref.prediction == quant.predict_int(model, task.images).tolist()  # type: ignore[attr-defined]
    assert ref.count == quant.count_correct(model, task.images, task.labels)  # type: ignore[attr-defined]


@pytest.mark.parametrize("shift", [1, 2, 31, 61, 62])
def test_extreme_shifts(shift: int) -> None:
    """n = 1: v reaches 2^63 (uint64 on the fast path); n = 62: 2^(n-1) nearly overflows."""
    task, model = case((5, 4, 3), 16, seed=shift, shift=shift)
    got = traces(task, model)
    for name in FAST:
        assert got[name] == got["reference"], name
    v = np.array(got["reference"].requantized[0]["v"], dtype=object)  # type: ignore[attr-defined]
    if shift == 1:
        assert max(v.flat) >= 1 << 62  # a negative excess, lifted by 2^63


def test_the_cases_exercise_clamps_ties_and_zero_points() -> None:
    """Not all easy: both clamps, non-zero zero points, and argmax ties in the traces above."""
    task, model = case((6, 4, 3, 2), 16, seed=7, tie=True)
    trace = witness.inference_trace(model, task.images, task.labels)
    assert trace == inference_trace(model, task.images, task.labels)
    for layer, hints in zip(model.layers, trace.requantized):
        r, upper = np.array(hints["r"]), 255 - layer.output_zero
        assert layer.output_zero != 0 and (r == 0).any() and (r == upper).any()
        assert 0 in np.array(hints["s"]) and (np.array(hints["u"]) > 0).any()
    logits = np.array(trace.accumulators[-1])
    assert (logits[:, 0] == logits[:, 1]).all() and 1 not in trace.prediction


@settings(max_examples=12, deadline=None)
@given(st.integers(0, 2**32 - 1), st.integers(1, 16), st.booleans())
def test_random_models_equal_the_reference(seed: int, n: int, tie: bool) -> None:
    task, model = case((5, 4, 3), n, seed=seed % 10_000, tie=tie)
    assert (witness.inference_trace(model, task.images, task.labels)
            == inference_trace(model, task.images, task.labels))


@pytest.mark.parametrize("name", FAST)
@pytest.mark.parametrize("n", [1, 3, 16])
def test_the_circuit_wires_equal_the_reference(name: str, n: int,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    """build(task, witness, backend): the kernel is called, and every wire is the same."""
    sizes = ARCHITECTURES[n % len(ARCHITECTURES)]
    task, model = case(sizes, n, seed=40 + n, tie=True)
    public = claim(task, model, 555, 42, 7)
    calls = []

    def spy(*args):
        calls.append(len(args[1]))
        return witness.inference_trace(*args)

    chosen = BACKENDS[name]
    monkeypatch.setitem(chosen.kernels, backend.kernel_name(inference_trace), spy)
    fast = build(task, Witness(model, 555, public), chosen)
    ref = build(task, Witness(model, 555, public), BACKENDS["reference"])
    assert calls == [n]
    assert fast.circuit.values == ref.circuit.values
    assert fast.circuit.wire_values() == ref.circuit.wire_values()
    assert fast.circuit.structure_digest() == ref.circuit.structure_digest()
    fast.circuit.check_witness()


def test_the_trace_feeds_the_circuit() -> None:
    """A wrong trace is a wrong witness: one flipped hint breaks a gate (not ignored)."""
    from zkpot_ref.errors import CircuitError

    task, model = case((5, 4, 3), 2, seed=3)
    public = claim(task, model, 5, 4, 2)
    honest = inference_trace(model, task.images, task.labels)
    bad = honest.requantized[0]["s"][1]
    bad[2] = 1 - bad[2]

    class Lying(backend.Backend):
        kernels = {backend.kernel_name(inference_trace): lambda *args: honest}

    with pytest.raises(CircuitError):
        build(task, Witness(model, 5, public), Lying()).circuit.check_witness()
    assert set(honest.requantized[0]) == set(REQUANTIZE)
