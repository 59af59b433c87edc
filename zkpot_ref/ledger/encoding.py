"""Canonical binary encoding for ledger objects: one object, exactly one byte string.

Lesson: a hash or a signature commits to *bytes*, not to objects. If one transaction had
two valid encodings, it would have two ids; if a decoder accepted trailing garbage, two
different messages would look like the same block. So every ledger object is encoded by
a fixed recipe and decoded strictly:

- integers are fixed-width big-endian (``u8``, ``u16``, ``u32``, ``u64``);
- byte strings of variable length are prefixed by their length, with a hard maximum;
- field elements are 32 bytes big-endian and must be < r (BN254 scalar field), as in the
  rest of zkpot (conventions: "canonical, reject values >= p");
- the decoder refuses truncation, over-long lengths, and bytes left over at the end.

A ``Reader`` walks the input; every problem is ``MalformedInput`` naming what was being
read, so a node can log one line and drop the message. Part of ``tx.py`` / ``block.py``;
the consensus messages of ``bft.py`` reuse it.

Read next: ``tx.py``.
"""

from __future__ import annotations

from zkpot_ref.errors import MalformedInput
from zkpot_ref.field import ELEMENT_BYTES, R_MODULUS


def u8(value: int) -> bytes:
    """One byte, 0..255."""
    return _uint(value, 1)


def u16(value: int) -> bytes:
    """Two bytes big-endian."""
    return _uint(value, 2)


def u32(value: int) -> bytes:
    """Four bytes big-endian."""
    return _uint(value, 4)


def u64(value: int) -> bytes:
    """Eight bytes big-endian."""
    return _uint(value, 8)


def _uint(value: int, width: int) -> bytes:
    if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value < 1 << (8 * width):
        raise MalformedInput(f"{value!r} does not fit an unsigned {8 * width}-bit integer")
    return value.to_bytes(width, "big")


def field_element(value: int) -> bytes:
    """A BN254 scalar-field element as 32 big-endian bytes (0 <= value < r)."""
    if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value < R_MODULUS:
        raise MalformedInput(f"{value!r} is not a canonical BN254 scalar-field element")
    return value.to_bytes(ELEMENT_BYTES, "big")


def var_bytes(data: bytes, max_length: int) -> bytes:
    """``u32(len(data)) || data``, refusing anything longer than ``max_length``."""
    if len(data) > max_length:
        raise MalformedInput(f"{len(data)} bytes is more than the maximum {max_length}")
    return u32(len(data)) + bytes(data)


class Reader:
    """Strict cursor over ``data``; ``what`` names the object in error messages."""

    def __init__(self, data: bytes, what: str) -> None:
        if not isinstance(data, bytes | bytearray | memoryview):
            raise MalformedInput(f"{what}: expected bytes, got {type(data).__name__}")
        self.data = bytes(data)
        self.offset = 0
        self.what = what

    def take(self, n: int) -> bytes:
        """The next ``n`` bytes, or ``MalformedInput`` if the input ends first."""
        if n > len(self.data) - self.offset:
            raise MalformedInput(
                f"{self.what}: truncated at byte {self.offset} (needed {n} more bytes, "
                f"{len(self.data) - self.offset} left)"
            )
        chunk = self.data[self.offset : self.offset + n]
        self.offset += n
        return chunk

    def uint(self, width: int) -> int:
        """A ``width``-byte big-endian unsigned integer."""
        return int.from_bytes(self.take(width), "big")

    def field_element(self) -> int:
        """32 bytes, big-endian, strictly below r."""
        value = int.from_bytes(self.take(ELEMENT_BYTES), "big")
        if value >= R_MODULUS:
            raise MalformedInput(f"{self.what}: field element >= r (non-canonical)")
        return value

    def var_bytes(self, max_length: int) -> bytes:
        """A ``u32`` length then that many bytes; the length may not exceed ``max_length``."""
        length = self.uint(4)
        if length > max_length:
            raise MalformedInput(
                f"{self.what}: length {length} is more than the maximum {max_length}"
            )
        return self.take(length)

    def finish(self) -> None:
        """Refuse bytes left over after the object: an encoding has exactly one length."""
        if self.offset != len(self.data):
            raise MalformedInput(
                f"{self.what}: {len(self.data) - self.offset} trailing bytes after the object"
            )
