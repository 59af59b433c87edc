"""Keccak-256 from scratch, and the Fiat–Shamir transcript built on it.

Lesson. An interactive proof has a verifier who sends random challenges. Fiat and
Shamir (CRYPTO 1986) replaced the verifier by a hash: each challenge is the hash of
everything said so far, so the prover cannot pick its messages after seeing the
challenge. The one rule that matters: **hash everything the challenge must depend on**
— the statement (public inputs, verification key) as well as the prover's messages.
Forgetting the statement is the "Frozen Heart" bug (Trail of Bits, 2022), which let
provers forge PLONK and Bulletproofs proofs in several libraries.

We hash with Keccak-256 because snarkjs — the PLONK prover we interoperate with — and
Ethereum do. Keccak-256 is *not* hashlib's ``sha3_256``: NIST's SHA-3 pads a message
with the bits 0x06 ... 0x80, the original Keccak submission with 0x01 ... 0x80, and the
digests differ. Specification: "The Keccak reference", Bertoni, Daemen, Peeters,
Van Assche, version 3.0 (2011); FIPS 202 §3 for the step mappings (theta, rho, pi,
chi, iota), whose notation the code follows.

The transcript is snarkjs' ``Keccak256Transcript``: it collects bytes, and each
``challenge()`` hashes the collected bytes, reads the digest as a big-endian integer
mod r, and *starts a fresh buffer*. So a protocol chains its challenges explicitly
(snarkjs' PLONK absorbs beta before squeezing gamma). Callers encode their own objects —
a scalar as 32 bytes big-endian, a G1 point as 64 bytes x‖y — so this lesson depends on
nothing above the field.

Read next: ``curve/fq2.py`` (part 2: the BN254 curve starts with its extension-field tower).
"""

from __future__ import annotations

from zkpot_ref.errors import MalformedInput
from zkpot_ref.field import ELEMENT_BYTES, R_MODULUS

# --------------------------------------------------------------------------------------
# Keccak-f[1600]
# --------------------------------------------------------------------------------------

_MASK = (1 << 64) - 1

#: iota's round constants RC[i] (FIPS 202, §3.2.5), one per round of the 24.
ROUND_CONSTANTS = [
    0x0000000000000001, 0x0000000000008082, 0x800000000000808A, 0x8000000080008000,
    0x000000000000808B, 0x0000000080000001, 0x8000000080008081, 0x8000000000008009,
    0x000000000000008A, 0x0000000000000088, 0x0000000080008009, 0x000000008000000A,
    0x000000008000808B, 0x800000000000008B, 0x8000000000008089, 0x8000000000008003,
    0x8000000000008002, 0x8000000000000080, 0x000000000000800A, 0x800000008000000A,
    0x8000000080008081, 0x8000000000008080, 0x0000000080000001, 0x8000000080008008,
]  # fmt: skip


def _rho_offsets() -> list[list[int]]:
    """rho's rotation offsets r[x][y], derived as in FIPS 202 §3.2.2 (not a pasted table).

    Start at (x, y) = (1, 0); at step t the lane is rotated by (t+1)(t+2)/2 and the
    position moves to (y, 2x + 3y mod 5). Lane (0, 0) is not rotated.
    """
    offsets = [[0] * 5 for _ in range(5)]
    x, y = 1, 0
    for t in range(24):
        offsets[x][y] = ((t + 1) * (t + 2) // 2) % 64
        x, y = y, (2 * x + 3 * y) % 5
    return offsets


RHO_OFFSETS = _rho_offsets()


def _rotl(lane: int, shift: int) -> int:
    return ((lane << shift) | (lane >> (64 - shift))) & _MASK if shift else lane


def keccak_f1600(state: list[int]) -> list[int]:
    """The Keccak-f[1600] permutation on 25 lanes of 64 bits; ``state[x + 5*y]`` is A[x][y]."""
    a = list(state)
    for rc in ROUND_CONSTANTS:
        # theta: XOR each bit with the parities of two neighbouring columns
        c = [a[x] ^ a[x + 5] ^ a[x + 10] ^ a[x + 15] ^ a[x + 20] for x in range(5)]
        d = [c[(x - 1) % 5] ^ _rotl(c[(x + 1) % 5], 1) for x in range(5)]
        a = [a[i] ^ d[i % 5] for i in range(25)]
        # rho and pi: rotate each lane, then move lane (x, y) to (y, 2x + 3y)
        b = [0] * 25
        for x in range(5):
            for y in range(5):
                b[y + 5 * ((2 * x + 3 * y) % 5)] = _rotl(a[x + 5 * y], RHO_OFFSETS[x][y])
        # chi: the only non-linear step, a ^= (~b1) & b2 along rows
        # BEGIN TASK 1.5: Keccak's chi step, the only non-linear one
        a = [
            b[i] ^ ((~b[(i % 5 + 1) % 5 + 5 * (i // 5)]) & b[(i % 5 + 2) % 5 + 5 * (i // 5)])
            for i in range(25)
        ]
        # END TASK 1.5
        # iota: break the symmetry between rounds
        a[0] ^= rc
    return a


#: Keccak-256 absorbs 1088 bits = 136 bytes per permutation (capacity 512 bits).
RATE_BYTES = 136


def keccak256(data: bytes) -> bytes:
    """Keccak-256 digest of ``data`` (Ethereum's hash; original Keccak padding).

    Sponge: pad the message with 0x01, zeros, and a final 0x80 (both in one byte,
    0x81, when only one byte of padding fits) to a multiple of the rate; XOR each
    136-byte block into the first 17 lanes (little-endian) and permute; the digest is
    the first 32 bytes of the state.
    """
    padded = bytearray(data)
    padded.append(0x01)
    padded.extend(b"\x00" * (-len(padded) % RATE_BYTES))
    padded[-1] |= 0x80
    state = [0] * 25
    for offset in range(0, len(padded), RATE_BYTES):
        block = padded[offset : offset + RATE_BYTES]
        for i in range(RATE_BYTES // 8):
            state[i] ^= int.from_bytes(block[8 * i : 8 * i + 8], "little")
        state = keccak_f1600(state)
    return b"".join(lane.to_bytes(8, "little") for lane in state[:4])


# --------------------------------------------------------------------------------------
# The Fiat–Shamir transcript
# --------------------------------------------------------------------------------------


class Transcript:
    """snarkjs-compatible Fiat–Shamir transcript: absorb bytes, squeeze Fr challenges.

    >>> t = Transcript()
    >>> t.absorb_scalar(1)
    >>> beta = t.challenge()          # keccak256(32-byte 1) mod r; the buffer is now empty
    >>> t.absorb_scalar(beta)
    >>> gamma = t.challenge()         # chained: gamma depends on beta
    """

    def __init__(self) -> None:
        self._buffer = bytearray()

    def absorb(self, data: bytes) -> None:
        """Append already-encoded bytes (a point's 64-byte x‖y, say)."""
        if not isinstance(data, (bytes, bytearray)):
            raise MalformedInput(f"transcript absorbs bytes, got {type(data).__name__}")
        self._buffer.extend(data)

    def absorb_scalar(self, value: int) -> None:
        """Append a scalar of Fr as 32 bytes big-endian (it must already be reduced)."""
        if not 0 <= int(value) < R_MODULUS:
            raise MalformedInput("transcript scalars must be in [0, r)")
        self._buffer.extend(int(value).to_bytes(ELEMENT_BYTES, "big"))

    def challenge(self) -> int:
        """Hash the buffer, reduce mod r, and start a fresh buffer (snarkjs semantics)."""
        digest = keccak256(bytes(self._buffer))
        self._buffer.clear()
        return int.from_bytes(digest, "big") % R_MODULUS
