"""The ZKPoT task: what every client's proof is about, fixed and public before training.

Lesson: the public half of the statement (Fu et al., arXiv 2503.13255, §4: the task
publisher fixes the test set and the model structure; the rest of this design is ours).

A :class:`Task` holds

- the architecture: layer widths (64, 32, 10) and ``pixel_max``, the input scale;
- the public quantization choices: one requantization **shift** n per hidden layer (the
  circuit needs 2^n as a constant; everything else about quantization — zero points,
  multipliers M0, scales — stays private in the model). What a public n reveals: only
  that each hidden layer's real multiplier M = M0·2^-n is below 2^(31-n), the same bound
  for every client;
- the public **test set**: quantized images and labels. They become constants of the
  circuit, so the verification key binds them and verification time does not grow with
  the number of images n;
- the range-table width (8 or 16 bits), a proving-cost choice (``statement.py``).

``task_id`` is a field element: SHA-256 of the canonical encoding (with a domain tag),
cut to 253 bits. It is a public input of every proof, so a proof made for one task never
counts for another, even one with the same circuit.

File format (ours): magic "ZKPOTASK", version u8 = 1, the encoding below, SHA-256 of all
that. Encoding: name (u8 length, UTF-8), layers u8, widths u32 each, pixel_max u8, shifts
u8 each, table bits u8, n u32, images n·width bytes, labels n·u16 (big-endian).

Read next: ``commit.py``.
"""

from __future__ import annotations

import hashlib
import struct
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import numpy as np

from zkpot_ref import quant
from zkpot_ref.errors import MalformedInput

MAGIC = b"ZKPOTASK"
VERSION = 1
ID_DOMAIN = b"zkpot/task/v1\x00"
DEFAULT_SHIFT = 32
MAX_WIDTH = 4096
MAX_IMAGES = 1 << 16
TABLE_BITS = (8, 16)


@dataclass(frozen=True, eq=False)
class Task:
    """The public task (module docstring). Compare tasks by ``task_id``."""

    name: str
    sizes: tuple[int, ...]
    pixel_max: int
    shifts: tuple[int, ...]
    images: np.ndarray
    labels: np.ndarray
    table_bits: int = 8

    def __post_init__(self) -> None:
        name = self.name.encode("utf-8") if isinstance(self.name, str) else b""
        if not 1 <= len(name) <= 255:
            raise MalformedInput("task name: 1..255 bytes of UTF-8")
        sizes = tuple(self.sizes)
        if not 2 <= len(sizes) <= 16 or not all(
            type(w) is int and 1 <= w <= MAX_WIDTH for w in sizes
        ):
            raise MalformedInput(f"task widths {sizes}: need 2..16 layers of 1..{MAX_WIDTH}")
        if sizes[-1] < 2:
            raise MalformedInput("a classifier needs at least 2 classes")
        if type(self.pixel_max) is not int or not 1 <= self.pixel_max <= quant.QMAX:
            raise MalformedInput(f"pixel_max must be in 1..255, not {self.pixel_max!r}")
        shifts = tuple(self.shifts)
        if len(shifts) != len(sizes) - 2 or not all(
            type(n) is int and 1 <= n <= quant.MAX_SHIFT for n in shifts
        ):
            raise MalformedInput(
                f"need one shift in 1..{quant.MAX_SHIFT} per hidden layer ({len(sizes) - 2})")
        if self.table_bits not in TABLE_BITS:
            raise MalformedInput(f"table bits must be one of {TABLE_BITS}")
        images, labels = np.asarray(self.images), np.asarray(self.labels)
        if images.ndim != 2 or images.shape[1] != sizes[0] or not 1 <= len(images) <= MAX_IMAGES:
            raise MalformedInput(f"test images must have shape (1..{MAX_IMAGES}, {sizes[0]})")
        if not np.issubdtype(images.dtype, np.integer) or images.min() < 0 or (
            images.max() > self.pixel_max
        ):
            raise MalformedInput(f"test pixels must be integers in 0..{self.pixel_max}")
        if labels.shape != (len(images),) or not np.issubdtype(labels.dtype, np.integer) or (
            labels.min() < 0 or labels.max() >= sizes[-1]
        ):
            raise MalformedInput(f"need one label in 0..{sizes[-1] - 1} per test image")
        object.__setattr__(self, "sizes", sizes)
        object.__setattr__(self, "shifts", shifts)
        object.__setattr__(self, "images", images.astype(np.int64))
        object.__setattr__(self, "labels", labels.astype(np.int64))

    @property
    def n(self) -> int:
        """The number of public test images."""
        return len(self.labels)

    def encode(self) -> bytes:
        """The canonical encoding (module docstring)."""
        name = self.name.encode("utf-8")
        out = [bytes([len(name)]), name, bytes([len(self.sizes)])]
        out += [struct.pack(">I", w) for w in self.sizes]
        out += [bytes([self.pixel_max, *self.shifts, self.table_bits])]
        out += [struct.pack(">I", self.n), self.images.astype(np.uint8).tobytes(),
                self.labels.astype(">u2").tobytes()]
        return b"".join(out)

    @classmethod
    def decode(cls, data: bytes) -> Task:
        """Strict inverse of :meth:`encode`."""
        try:
            length = data[0]
            name = data[1 : 1 + length].decode("utf-8")
            at = 1 + length
            layers = data[at]
            sizes = struct.unpack_from(f">{layers}I", data, at + 1)
            at += 1 + 4 * layers
            pixel_max = data[at]
            shifts = tuple(data[at + 1 : at + layers - 1])
            table_bits = data[at + layers - 1]
            (n,) = struct.unpack_from(">I", data, at + layers)
            at += layers + 4
            if not 1 <= n <= MAX_IMAGES or not 1 <= sizes[0] <= MAX_WIDTH:
                raise MalformedInput(f"task: {n} images of width {sizes[0]} is out of range")
            images = np.frombuffer(data, np.uint8, n * sizes[0], at).reshape(n, sizes[0])
            labels = np.frombuffer(data, ">u2", n, at + n * sizes[0])
            at += n * sizes[0] + 2 * n
        except (IndexError, struct.error, ValueError, UnicodeDecodeError) as exc:
            raise MalformedInput(f"task: truncated or garbled encoding ({exc})") from None
        if at != len(data):
            raise MalformedInput(f"task: {len(data) - at} unexpected trailing bytes")
        return cls(name, tuple(sizes), pixel_max, shifts, images, labels, table_bits)

    @cached_property
    def task_id(self) -> int:
        """SHA-256 of the domain-tagged encoding, cut to 253 bits: a field element."""
        return int.from_bytes(hashlib.sha256(ID_DOMAIN + self.encode()).digest(), "big") >> 3

    def check_model(self, model: quant.IntModel) -> None:
        """MalformedInput naming the first way ``model`` does not fit this task."""
        if not isinstance(model, quant.IntModel):
            raise MalformedInput("expected a quantized model (quant.IntModel)")
        if model.sizes != self.sizes:
            raise MalformedInput(f"model widths {model.sizes} differ from the task's {self.sizes}")
        if model.pixel_max != self.pixel_max:
            raise MalformedInput(f"model pixel_max {model.pixel_max} != task's {self.pixel_max}")
        if model.layers[0].input_zero != 0:
            raise MalformedInput("the first layer's input zero point must be 0 (raw pixels)")
        for index, (layer, shift) in enumerate(zip(model.layers, self.shifts)):
            if layer.shift != shift or not layer.relu:
                raise MalformedInput(
                    f"hidden layer {index} must use the task's shift n = {shift} and ReLU "
                    f"(has n = {layer.shift}); quantize with quant.quantize_model(..., "
                    "shifts=task.shifts)")

    def file_bytes(self) -> bytes:
        """The task file (module docstring): magic, version, encoding, SHA-256."""
        body = MAGIC + bytes([VERSION]) + self.encode()
        return body + hashlib.sha256(body).digest()

    @classmethod
    def from_file_bytes(cls, data: bytes, what: str = "task file") -> Task:
        """Parse and validate a task file's bytes; MalformedInput says what is wrong."""
        if len(data) < len(MAGIC) + 33 or data[: len(MAGIC)] != MAGIC:
            raise MalformedInput(f"{what} is not a zkpot task file")
        body, checksum = data[:-32], data[-32:]
        if hashlib.sha256(body).digest() != checksum:
            raise MalformedInput(f"{what}: checksum mismatch (the file is damaged)")
        if body[len(MAGIC)] != VERSION:
            raise MalformedInput(f"{what}: unknown task file version {body[len(MAGIC)]}")
        return cls.decode(body[len(MAGIC) + 1 :])

    def save(self, path: str | Path) -> None:
        """Write the task file atomically (temporary file, then rename)."""
        write_atomic(Path(path), self.file_bytes())

    @classmethod
    def load(cls, path: str | Path) -> Task:
        """Read and validate a task file."""
        try:
            data = Path(path).read_bytes()
        except OSError as exc:
            raise MalformedInput(f"cannot read task file {path}: {exc.strerror}") from None
        return cls.from_file_bytes(data, str(path))


def write_atomic(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` via a temporary file and a rename (no half files)."""
    tmp = path.with_name(path.name + ".tmp")
    try:
        tmp.write_bytes(data)
        tmp.replace(path)
    except OSError as exc:
        raise MalformedInput(f"cannot write {path}: {exc.strerror}") from None
