"""The model's private bytes and their salted Poseidon commitment.

Lesson: what exactly a client commits to, so that the proof and the later reveal talk
about the same model. Everything in ``quant.IntModel`` that the task does not fix is
private and committed, as bytes (values 0..255), layer by layer:

    Z_w                                  the weight zero point
    Z_out, M0 (4 bytes, little-endian)   hidden layers only: requantization
    b_j + 2^31 (4 bytes LE each)         the int32 biases, offset to be non-negative
    w_jk (row-major)                     the uint8 weights
    S_w, S_in, S_out (8 bytes each)      the float64 scales, IEEE 754 big-endian

The scales are never used by integer inference, so the circuit does not read them; they
are committed anyway because the revealed leader model is dequantized (r = S(q - Z)) to
start the next round, and an unbound scale would let the leader change that model after
proving. The architecture, pixel_max and the shifts are the task's (public).

The commitment is ``gadgets.commitment.commit(bytes, bits=8, salt)``: 31 bytes packed per
field element, a width-3 Poseidon sponge whose capacity tags the byte count, and a
uniformly random salt absorbed first — binding by Poseidon's collision resistance, hiding
by the salt (see ``docs/commitment.md``). Two commitments of one model with different
salts are unlinkable.

Model files (``save_model`` / ``load_model``, used by ``zkpot prove``, and the global models
on the chain): magic "ZKPOTMDL", ``IntModel.to_bytes()`` (its own version byte first),
SHA-256 of both. A reveal (``reveal_bytes``, what a round's leader publishes): magic
"ZKPOTRVL", the salt, the model file.

Read next: ``statement.py``.
"""

from __future__ import annotations

import hashlib
import struct
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from zkpot_ref import quant
from zkpot_ref.errors import MalformedInput
from zkpot_ref.gadgets import commitment
from zkpot_ref.pot.task import Task, write_atomic

BITS = 8
BIAS_OFFSET = 1 << 31


@dataclass(frozen=True)
class LayerBytes:
    """One layer's slice of the committed sequence (ints or circuit wires alike)."""

    weight_zero: object
    output_zero: object | None
    multiplier: Sequence[object]  # 4 bytes LE, hidden layers only (else empty)
    biases: Sequence[Sequence[object]]  # per neuron, 4 bytes LE of b + 2^31
    weights: Sequence[Sequence[object]]  # [j][k]
    scales: Sequence[object]  # 24 bytes


def byte_count(sizes: Sequence[int]) -> int:
    """How many bytes a model of these widths commits to."""
    total = 0
    for index, (cols, rows) in enumerate(zip(sizes, sizes[1:])):
        hidden = index < len(sizes) - 2
        total += 1 + (5 if hidden else 0) + 4 * rows + rows * cols + 24
    return total


def split(sequence: Sequence[object], sizes: Sequence[int]) -> list[LayerBytes]:
    """Cut the committed sequence into layers (the module docstring's order)."""
    if len(sequence) != byte_count(sizes):
        raise MalformedInput(f"expected {byte_count(sizes)} committed bytes, got {len(sequence)}")
    layers, at = [], 0

    def take(count: int) -> list[object]:
        nonlocal at
        at += count
        return list(sequence[at - count : at])

    for index, (cols, rows) in enumerate(zip(sizes, sizes[1:])):
        hidden = index < len(sizes) - 2
        weight_zero = take(1)[0]
        output_zero = take(1)[0] if hidden else None
        multiplier = take(4) if hidden else []
        biases = [take(4) for _ in range(rows)]
        weights = [take(cols) for _ in range(rows)]
        layers.append(LayerBytes(weight_zero, output_zero, multiplier, biases, weights,
                                 take(24)))
    return layers


def model_bytes(model: quant.IntModel) -> list[int]:
    """The committed byte sequence of ``model`` (each value 0..255)."""
    out: list[int] = []
    for index, layer in enumerate(model.layers):
        hidden = index < len(model.layers) - 1
        out.append(layer.weight_zero)
        if hidden:
            out.append(layer.output_zero)
            out += list(struct.pack("<I", layer.multiplier))
        for b in layer.bias:
            out += list(struct.pack("<I", int(b) + BIAS_OFFSET))
        out += [int(w) for w in np.asarray(layer.weight).reshape(-1)]
        out += list(struct.pack(">ddd", layer.weight_scale, layer.input_scale,
                                layer.output_scale))
    return out


def commit_model(model: quant.IntModel, salt: int | None = None) -> tuple[int, int]:
    """(commitment, salt): the salted Poseidon commitment to ``model_bytes(model)``."""
    return commitment.commit(model_bytes(model), BITS, salt)


def open_model(commitment_value: int, model: quant.IntModel, salt: int,
               task: Task | None = None) -> bool:
    """True iff (model, salt) opens ``commitment_value`` (what validators check when a
    leader reveals its model). Give the ``task`` to check the parts the commitment does
    not cover — widths, pixel_max, shifts, ReLU — against it too: a reveal that differs
    there would be another model with the same bytes."""
    if not isinstance(model, quant.IntModel):
        raise MalformedInput("opening a model commitment needs a quant.IntModel")
    if task is not None:
        try:
            task.check_model(model)
        except MalformedInput:
            return False
    return commitment.open_commitment(commitment_value, model_bytes(model), BITS, salt)


# -- model files and reveals ---------------------------------------------------------

MODEL_MAGIC = b"ZKPOTMDL"
REVEAL_MAGIC = b"ZKPOTRVL"


def model_file_bytes(model: quant.IntModel) -> bytes:
    """A model file: magic "ZKPOTMDL", ``IntModel.to_bytes()`` (versioned), SHA-256."""
    body = MODEL_MAGIC + model.to_bytes()
    return body + hashlib.sha256(body).digest()


def parse_model_file(data: bytes, what: str = "model file") -> quant.IntModel:
    """The model in a model file; MalformedInput says what is wrong."""
    if len(data) < 40 or not data.startswith(MODEL_MAGIC):
        raise MalformedInput(f"{what} is not a zkpot model file")
    if hashlib.sha256(data[:-32]).digest() != data[-32:]:
        raise MalformedInput(f"{what}: checksum mismatch (the file is damaged)")
    return quant.IntModel.from_bytes(data[len(MODEL_MAGIC) : -32])


def save_model(model: quant.IntModel, path: str | Path) -> None:
    """Write a model file atomically."""
    write_atomic(Path(path), model_file_bytes(model))


def load_model(path: str | Path) -> quant.IntModel:
    """Read and validate a model file."""
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise MalformedInput(f"cannot read model file {path}: {exc.strerror}") from None
    return parse_model_file(data, str(path))


def reveal_bytes(model: quant.IntModel, salt: int) -> bytes:
    """What a leader publishes to open its commitment: "ZKPOTRVL", the salt (32 bytes),
    then the model file."""
    return REVEAL_MAGIC + salt.to_bytes(32, "big") + model_file_bytes(model)


def parse_reveal(data: bytes) -> tuple[quant.IntModel, int]:
    """(model, salt) from ``reveal_bytes``' output."""
    if not isinstance(data, bytes | bytearray) or not bytes(data).startswith(REVEAL_MAGIC):
        raise MalformedInput("not a zkpot model reveal")
    salt = int.from_bytes(data[8:40], "big")
    return parse_model_file(bytes(data[40:]), "revealed model"), salt
