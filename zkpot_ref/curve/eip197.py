"""The Ethereum BN254 precompiles ECADD, ECMUL (EIP-196) and ECPAIRING (EIP-197) on bytes.

Lesson. Ethereum exposes this curve to smart contracts as three precompiled contracts,
and their test vectors are the best-known outside reference for BN254. Implementing their
exact byte conventions lets us run go-ethereum's vectors unchanged
(``tests/curve/test_eip197.py``, vectors in ``shared/vectors/eip196_197/``).

- ``ecadd`` (address 0x06): input P1 (64) || P2 (64); output P1 + P2 (64 bytes).
- ``ecmul`` (0x07): input P (64) || s (32, big-endian, *any* 256-bit value, not reduced or
  rejected when s >= r); output s * P. Because G1 has cofactor 1, every point on the curve
  has order r (or 1), so s * P = (s mod r) * P.
- ``ecpairing`` (0x08): input k >= 0 pairs G1 (64) || G2 (128), 192 k bytes; output the
  32-byte word 1 if prod e(P_i, Q_i) = 1 and 0 otherwise (``pairing_check`` returns the
  bool). The empty input gives 1.

For ECADD and ECMUL the EVM pads short input with zero bytes on the right and ignores bytes
beyond 128 / 96, so *no length is an error* there; for ECPAIRING a length that is not a
multiple of 192 is. Points are decoded with ``G1.from_bytes`` / ``G2.from_bytes`` (EIP-196
layout x || y, EIP-197 layout x_im || x_re || y_im || y_re, infinity = all zeros): any
coordinate >= p, point off the curve, or G2 point outside the order-r subgroup makes the
call fail, which here means ``MalformedInput``.

Read next: ``../kzg.py`` (part 3: polynomial commitments on this curve).
"""

from __future__ import annotations

from zkpot_ref.curve.g1 import G1
from zkpot_ref.curve.g2 import G2
from zkpot_ref.curve.pairing import pairing_check as _pairing_check
from zkpot_ref.errors import MalformedInput

G1_BYTES = 64
G2_BYTES = 128
PAIR_BYTES = G1_BYTES + G2_BYTES


def _padded(data: bytes, size: int, name: str) -> bytes:
    """The EVM's view of call data: right-padded with zeros / truncated to ``size`` bytes."""
    if not isinstance(data, (bytes, bytearray, memoryview)):
        raise MalformedInput(f"{name}: expected bytes, got {type(data).__name__}")
    data = bytes(data)[:size]
    return data + bytes(size - len(data))


def ecadd(data: bytes) -> bytes:
    """Precompile 0x06: the sum of two G1 points, 64-byte encodings in and out."""
    data = _padded(data, 2 * G1_BYTES, "ecadd")
    p1 = G1.from_bytes(data[:G1_BYTES])
    p2 = G1.from_bytes(data[G1_BYTES:])
    return (p1 + p2).to_bytes()


def ecmul(data: bytes) -> bytes:
    """Precompile 0x07: s * P for a G1 point P and a 256-bit scalar s."""
    data = _padded(data, G1_BYTES + 32, "ecmul")
    p = G1.from_bytes(data[:G1_BYTES])
    s = int.from_bytes(data[G1_BYTES:], "big")
    return (p * s).to_bytes()


def decode_pairs(data: bytes) -> list[tuple[G1, G2]]:
    """Split ECPAIRING input into validated (G1, G2) pairs."""
    if not isinstance(data, (bytes, bytearray, memoryview)):
        raise MalformedInput(f"ecpairing: expected bytes, got {type(data).__name__}")
    data = bytes(data)
    if len(data) % PAIR_BYTES:
        raise MalformedInput(
            f"ecpairing: input length {len(data)} is not a multiple of {PAIR_BYTES}"
        )
    pairs = []
    for start in range(0, len(data), PAIR_BYTES):
        p = G1.from_bytes(data[start : start + G1_BYTES])
        q = G2.from_bytes(data[start + G1_BYTES : start + PAIR_BYTES])
        pairs.append((p, q))
    return pairs


def pairing_check(data: bytes) -> bool:
    """Precompile 0x08 as a bool: is prod e(P_i, Q_i) = 1 for the encoded pairs?"""
    return _pairing_check(decode_pairs(data))


def ecpairing(data: bytes) -> bytes:
    """Precompile 0x08 exactly: the 32-byte word 1 (check passes) or 0."""
    return int(pairing_check(data)).to_bytes(32, "big")
