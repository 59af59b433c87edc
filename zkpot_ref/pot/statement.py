"""The ZKPoT statement as one PLONK circuit.

Lesson: the heart of Zero-Knowledge Proof of Training (Fu et al., arXiv 2503.13255).
The circuit says

    "the model inside ``commitment`` classifies exactly ``count`` of the task's public
     test images correctly"

with five public inputs, in this order:

    task_id     which task (test set, architecture, shifts): ``task.py``
    round       the FL round the claim is for (a proof for round 3 is no proof for round 4)
    client_id   who claims it: ``client_id_of(Ed25519 public key)`` (no one else can
                submit the proof as theirs)
    commitment  the salted Poseidon commitment to the model's private bytes (``commit.py``)
    count       k, the number of correct answers

The round and the client id are not used by any gate: being public inputs is enough. The
verifier hashes them into every challenge (``plonk/fiat_shamir.py``) and the public-input
polynomial pins them to their rows, so a proof verifies for exactly these values.

The private witness: the salt and the committed bytes. The circuit (in this order)

1. range-checks every byte and packs 31 bytes per field element on the same lookup rows
   (``nn_limbs.chain_total``), absorbs [salt, elements] into the Poseidon sponge and
   copies the result onto the public commitment (``commitment_circuit.sponge_gadget``);
2. rebuilds the parameters from their bytes: biases B_j = b_j + 2^31 and M0 (M0's top
   byte < 128 so M0 < 2^31), and w - Z_w for layers with private inputs;
3. runs integer inference on every test image (``nn_layers``, ``nn_argmax``): the image
   and its label are constants, so the verification key binds the test set;
4. adds up the "correct" wires and copies the sum onto the public count.

The structure depends only on the task: ``build(task)`` (no witness) is what the keys
are made from, and ``build(task, witness)`` lays the same gates with values; ``Built``
also carries the rows spent per category (``RowBudget``) and the count's wire.

The witness of step 3 is integers first. :func:`inference_trace` runs the integer
inference on the whole test set and keeps every intermediate the gadgets' hints are made
of (accumulators, products acc·M0, quotients, remainders, clamps, argmax and its
differences, the correct bits, the count) — image by image, in Python ints, from the
gadgets' own hint functions: the definition. ``build`` asks the backend for it
(``backend.kernel(inference_trace)``), so a fast path may compute the same numbers for all
images at once (``fastpath/witness.py``); the gadgets then write them into their wires,
where they become field elements. Values the rows derive themselves (partial sums, limbs,
running sums) are still computed as the rows are laid.

Read next: ``keys.py``.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from zkpot_ref import quant
from zkpot_ref.backend import Backend, current
from zkpot_ref.errors import MalformedInput
from zkpot_ref.field import R_MODULUS
from zkpot_ref.gadgets.commitment import domain_tag, values_per_element
from zkpot_ref.gadgets.commitment_circuit import sponge_gadget
from zkpot_ref.gadgets.nn_argmax import argmax_hints, argmax_onehot
from zkpot_ref.gadgets.nn_layers import (
    LayerWires,
    dense_private,
    dense_public,
    requantize,
    requantize_hints,
    shift_weights,
)
from zkpot_ref.gadgets.nn_limbs import chain_total, narrow
from zkpot_ref.gadgets.poseidon_circuit import LinearForm, as_variable
from zkpot_ref.gadgets.poseidon_sparse import permute_forms_sparse
from zkpot_ref.plonk.circuit import Circuit, Variable
from zkpot_ref.plonk.preprocess import domain_size_for
from zkpot_ref.pot import commit
from zkpot_ref.pot.task import TABLE_BITS, Task

R = R_MODULUS
CLIENT_DOMAIN = b"zkpot/client/v1\x00"


def client_id_of(public_key: bytes) -> int:
    """A client's id in proofs: SHA-256 of its Ed25519 public key, cut to 253 bits."""
    if not isinstance(public_key, bytes) or len(public_key) != 32:
        raise MalformedInput("a client id is made from a 32-byte Ed25519 public key")
    return int.from_bytes(hashlib.sha256(CLIENT_DOMAIN + public_key).digest(), "big") >> 3


@dataclass(frozen=True)
class PublicInputs:
    """The statement's five public inputs (module docstring)."""

    task_id: int
    round: int
    client_id: int
    commitment: int
    count: int

    def as_list(self) -> list[int]:
        """In circuit order; MalformedInput unless each is an integer in [0, r)."""
        values = [self.task_id, self.round, self.client_id, self.commitment, self.count]
        for name, value in zip(("task_id", "round", "client_id", "commitment", "count"), values):
            if type(value) is not int or not 0 <= value < R:
                raise MalformedInput(f"public input {name} = {value!r} is not in [0, r)")
        return values


@dataclass(frozen=True)
class Witness:
    """The private inputs: the model and its salt (the public ones ride along)."""

    model: quant.IntModel
    salt: int
    public: PublicInputs


class RowBudget(Counter):
    """Rows per category, e.g. ``budget["layer 1"]``; ``per_image()`` divides by n."""

    ONCE = ("public inputs", "commitment: bytes", "commitment: Poseidon", "model parameters")

    def per_image(self, n: int) -> dict[str, float]:
        """The categories that grow with the test set, per image."""
        return {k: v / n for k, v in self.items() if k not in self.ONCE}


#: the names of ``requantize_hints`` (one array each per hidden layer in a ``Trace``)
REQUANTIZE = ("prod", "y", "rem", "r", "u", "s", "v", "d")


@dataclass(frozen=True)
class Trace:
    """Every integer of the circuit's inference on the test set (signed Python ints).

    ``accumulators[l][i][j]``: acc_j of layer l on image i (quant.py eq. 7).
    ``requantized[l][name][i][j]``: hidden layer l's ``requantize_hints`` for neuron j,
    by hint name (``REQUANTIZE``); r is the next layer's input q - Z_out.
    ``prediction[i]``, ``maximum[i]``, ``differences[i][j]``: ``argmax_hints`` (p, m, d).
    ``correct[i]``: 1 iff p is image i's label; ``count``: their sum.
    """

    accumulators: list[list[list[int]]]
    requantized: list[dict[str, list[list[int]]]]
    prediction: list[int]
    maximum: list[int]
    differences: list[list[int]]
    correct: list[int]
    count: int

    def requantize_hints(self, layer: int, image: int, neuron: int) -> dict[str, int]:
        """One neuron's hints, as ``requantize_hints`` returns them."""
        return {name: values[image][neuron] for name, values in self.requantized[layer].items()}

    def argmax_hints(self, image: int) -> dict[str, Any]:
        """One image's hints, as ``argmax_hints`` returns them."""
        return {"p": self.prediction[image], "m": self.maximum[image],
                "d": self.differences[image]}


def inference_trace(model: quant.IntModel, images: np.ndarray, labels: np.ndarray) -> Trace:
    """The trace of the circuit's integer inference (the definition a backend must match).

    Layer 1 reads the pixels, later layers r = q - Z_in; acc_j = b_j + sum_k (w_jk - Z_w) x_k
    (quant.py eq. 7), exactly as ``nn_layers.dense_*`` lay it out, then each gadget's own
    hint function. ``quant.forward_int`` computes the same numbers with numpy (the tests
    check they agree).
    """
    def dense(layer: quant.IntLayer, inputs: list[list[int]]) -> list[list[int]]:
        rows = [[int(w) - layer.weight_zero for w in row] for row in layer.weight]
        return [[int(b) + sum(w * x for w, x in zip(row, image))
                 for row, b in zip(rows, layer.bias)] for image in inputs]

    inputs = [[int(x) for x in image] for image in images]  # raw pixels: Z_in = 0
    accumulators, requantized = [], []
    for layer in model.layers[:-1]:
        accumulators.append(dense(layer, inputs))
        hints = [[requantize_hints(acc, layer.multiplier, layer.shift, layer.output_zero)
                  for acc in image] for image in accumulators[-1]]
        requantized.append({name: [[h[name] for h in image] for image in hints]
                            for name in REQUANTIZE})
        inputs = requantized[-1]["r"]
    accumulators.append(dense(model.layers[-1], inputs))
    argmax = [argmax_hints(logits) for logits in accumulators[-1]]
    correct = [int(h["p"] == int(label)) for h, label in zip(argmax, labels)]
    return Trace(accumulators, requantized, [h["p"] for h in argmax], [h["m"] for h in argmax],
                 [h["d"] for h in argmax], correct, sum(correct))


@dataclass
class Built:
    """The statement's circuit, its row budget, and the wire holding the in-circuit count."""

    circuit: Circuit
    budget: RowBudget
    count: Variable


def build(task: Task, witness: Witness | None = None, backend: Backend | None = None) -> Built:
    """The statement's circuit for ``task`` (with values when ``witness`` is given).

    ``backend``: whose ``inference_trace`` computes the witness of the inference (default:
    the backend in use, ``backend.current()``).
    """
    trace = None
    if witness is not None:
        kernel = (backend or current()).kernel(inference_trace)
        trace = kernel(witness.model, task.images, task.labels)
    circuit, budget = Circuit(), RowBudget()
    public = witness.public.as_list() if witness else [None] * 5
    task_id, round_, client, commitment_var, count = (
        circuit.public_input(v, label=name) for v, name in zip(
            public, ("task_id", "round", "client_id", "commitment", "count")))
    del task_id, round_, client  # bound by being public inputs (module docstring)
    circuit.use_range_table(task.table_bits)
    budget["public inputs"] = len(circuit.gates)

    def charge(category: str, start: int) -> None:
        budget[category] += len(circuit.gates) - start

    start = len(circuit.gates)
    values = commit.model_bytes(witness.model) if witness else [None] * commit.byte_count(
        task.sizes)
    byte_wires = [circuit.private_input(v) for v in values]
    elements = _pack(circuit, byte_wires)
    charge("commitment: bytes", start)
    start = len(circuit.gates)
    salt = circuit.private_input(witness.salt if witness else None)
    tag = domain_tag(len(byte_wires), commit.BITS)
    out = sponge_gadget(circuit, [LinearForm.of(salt), *elements], tag, "commitment",
                        permute=permute_forms_sparse)
    circuit.assert_equal(out, commitment_var, label="commitment = public input")
    charge("commitment: Poseidon", start)

    start = len(circuit.gates)
    layers = _parameters(circuit, task, commit.split(byte_wires, task.sizes))
    charge("model parameters", start)

    corrects = []
    for i, (image, label) in enumerate(zip(task.images, task.labels)):
        corrects.append(_infer(circuit, layers, image, int(label), f"image {i}", charge,
                               trace, i))
    start = len(circuit.gates)
    total = as_variable(circuit, sum((LinearForm.of(c) for c in corrects[1:]),
                                     LinearForm.of(corrects[0])), "count")
    circuit.assert_equal(total, count, label="count = public input k")
    charge("count", start)
    return Built(circuit, budget, total)


def _pack(circuit: Circuit, byte_wires: Sequence[Variable]) -> list[LinearForm]:
    """Range-check every byte and pack 31 per element, on the same lookup rows."""
    per = values_per_element(commit.BITS)
    elements = []
    for start in range(0, len(byte_wires), per):
        terms = []
        for j, wire in enumerate(byte_wires[start : start + per]):
            if commit.BITS < circuit.table_bits:  # a 16-bit table: one more lookup a byte
                narrow(circuit, wire, commit.BITS, f"byte {start + j}")
            terms.append((wire, 1 << (commit.BITS * j)))
        elements.append(LinearForm.of(chain_total(circuit, terms, label="pack")))
    return elements


def _parameters(circuit: Circuit, task: Task,
                layers: Sequence[commit.LayerBytes]) -> list[LayerWires]:
    """Biases and M0 from their bytes (little-endian), w - Z_w where needed."""
    def word(byte_list: Sequence[Variable], label: str) -> Variable:
        form = LinearForm()
        for j, b in enumerate(byte_list):
            form = form + LinearForm.of(b).scale(1 << (8 * j))  # type: ignore[arg-type]
        return as_variable(circuit, form, label)

    wires = []
    for index, layer in enumerate(layers):
        hidden = index < len(layers) - 1
        multiplier = None
        if hidden:  # M0 < 2^31, i.e. its top byte < 2^7
            narrow(circuit, layer.multiplier[3], 7, f"layer {index}: M0's top byte")  # type: ignore[arg-type]
            multiplier = word(layer.multiplier, f"layer {index}: M0")  # type: ignore[arg-type]
        wires.append(LayerWires(
            weights=[list(row) for row in layer.weights],  # type: ignore[misc]
            weight_zero=layer.weight_zero,  # type: ignore[arg-type]
            biases=[word(b, f"layer {index}: bias {j}")  # type: ignore[arg-type]
                    for j, b in enumerate(layer.biases)],
            multiplier=multiplier,
            output_zero=layer.output_zero,  # type: ignore[arg-type]
            shift=task.shifts[index] if hidden else 0,
        ))
        if index > 0:
            shift_weights(circuit, wires[-1], f"layer {index}")
    return wires


def _infer(circuit: Circuit, layers: Sequence[LayerWires], image, label: int, tag: str,
           charge, trace: Trace | None, i: int) -> Variable:
    """Image i through every layer; returns the wire "prediction == label".

    ``trace``: the hints, from ``inference_trace`` (None while building keys)."""
    inputs: list[Variable] = []
    for index, layer in enumerate(layers):
        start = len(circuit.gates)
        if index == 0:
            accs = dense_public(circuit, layer, [int(x) for x in image], f"{tag} layer 1")
        else:
            accs = dense_private(circuit, layer, inputs, f"{tag} layer {index + 1}")
        charge(f"layer {index + 1}", start)
        start = len(circuit.gates)
        if index < len(layers) - 1:
            inputs = [requantize(circuit, acc, layer, f"{tag} layer {index + 1} neuron {j}",
                                 None if trace is None else trace.requantize_hints(index, i, j))
                      for j, acc in enumerate(accs)]
            charge("requantization", start)
        else:
            onehot = argmax_onehot(circuit, accs, f"{tag} argmax",
                                   None if trace is None else trace.argmax_hints(i))
            charge("argmax", start)
            return onehot[label]
    raise AssertionError("unreachable: a task has at least one layer")


def smallest_table(task: Task) -> tuple[Task, Built]:
    """``task`` with the range-table width (8 or 16 bits) whose circuit has the smaller
    domain — ties go to 16 bits, which needs fewer rows per image — and its circuit."""
    options = [replace(task, table_bits=bits) for bits in TABLE_BITS]
    built = [build(option) for option in options]
    best = min(range(len(options)),
               key=lambda i: (domain_size_for(built[i].circuit), -options[i].table_bits))
    return options[best], built[best]
