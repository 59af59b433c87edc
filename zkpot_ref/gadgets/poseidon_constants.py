"""Poseidon's constants, generated in code by the paper's Grain LFSR, then pinned.

Lesson: where "nothing-up-my-sleeve" numbers come from. A Poseidon instance needs
(R_F + R_P) * t round constants (one per state element per round) and a t x t MDS matrix.
Poseidon (Grassi, Khovratovich, Rechberger, Roy, Schofnegger, eprint 2019/458, Appendix F
and the authors' reference script ``generate_parameters_grain.sage``) derives all of them
from one public pseudo-random bit stream, so that nobody could have chosen them to plant a
weakness:

1. An 80-bit shift register is filled with the instance's parameters (field type, S-box
   type, field size n, width t, R_F, R_P) followed by thirty 1-bits (``init_sequence``).
2. The register is clocked with the feedback b_{i+80} = b_{i+62} + b_{i+51} + b_{i+38} +
   b_{i+23} + b_{i+13} + b_i (mod 2); the first 160 output bits are thrown away.
3. Output bits are "self-shrunk": read them in pairs (b1, b2); if b1 = 1 emit b2, else emit
   nothing. This hides the linear structure of the register (``GrainLFSR.next_bit``).
4. Round constants: read n = 254 bits as a big-endian integer; keep it if < r, otherwise
   draw again (rejection sampling, so constants are uniform in F_r).
5. MDS matrix: continuing the same stream, draw 2t values x_0..x_{t-1}, y_0..y_{t-1}
   (n bits each, *reduced* mod r -- the script does not reject here), redraw all if any
   two coincide, and set M[i][j] = 1 / (x_i + y_j) (a Cauchy matrix, which is MDS: every
   square sub-matrix is invertible).

The parameters are those circom/circomlib uses over the BN254 scalar field: S-box x^5,
R_F = 8 full rounds, and R_P from circomlib's table (``R_P_BY_T``). Generated this way the
constants reproduce circomlib's exactly (checked in ``tests/gadgets/`` against circomlibjs
hashes for every width t = 2..17 and against circomlib's published constants for t = 2, 3,
8, 9), so no constants are vendored. The newer reference script also re-samples the matrix when
it fails the subspace-trail tests of eprint 2020/500 (Algorithms 1-3); circomlib ships the
first Cauchy candidate, and so do we.

Pinning: ``PINNED_SHA256[t]`` is the SHA-256 of every constant of width t as 32-byte
big-endian words, round constants first (round by round), then the MDS matrix row by
row (``constants_checksum``). ``params(t)`` regenerates and refuses (``SetupError``) if the
digest ever differs -- a change to this file cannot silently change the hash function.

Read next: ``poseidon.py`` (the permutation and sponge that use these constants).
"""

from __future__ import annotations

import hashlib
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

from zkpot_ref.errors import MalformedInput, SetupError
from zkpot_ref.field import ELEMENT_BYTES, R_MODULUS, inverse_mod

#: S-box exponent: x -> x^5 is a permutation of F_r because gcd(5, r - 1) = 1.
ALPHA = 5
#: Number of full rounds (R_F / 2 before the partial rounds, R_F / 2 after).
R_F = 8
#: Partial rounds per width t = 2..17, circomlib's table (same list as circomlibjs).
R_P_BY_T: dict[int, int] = dict(
    zip(range(2, 18), [56, 57, 56, 60, 60, 63, 64, 63, 60, 66, 60, 65, 70, 60, 64, 68], strict=True)
)
#: Widths supported (t = number of inputs + 1).
WIDTHS = tuple(R_P_BY_T)
#: Field size n in bits, written into the LFSR seed and the width of each sample.
FIELD_BITS = 254
#: Grain seed codes from the reference script: field 1 = GF(p); S-box 0 = x^alpha.
FIELD_PRIME = 1
SBOX_POWER = 0

#: SHA-256 of each width's constants (see ``constants_checksum``); regenerated and checked
#: by ``params``. Computed from this file's generator after it reproduced circomlib.
PINNED_SHA256: dict[int, str] = {
    2: "3e9ac7a21b079388665a19f61c96f0fd615e3827a280c092c29fda11fa56612e",
    3: "d580f0ebf5aec8825a0212c9db8fd20135155e1352e68809e2d7f2bc5440b86f",
    4: "d952ffa224da14b3b4371989f1eb102935b4ab0462225ab84143c90d74b78872",
    5: "7b6c63d84ef4f2aa7766fe56bdd5874dfc34fd26ada5427de75bcb89af8cd09e",
    6: "ae7315565817fecf26c90ea3e5c69d8a5dedd9c37d2ac0e157e5c700ef20f1d3",
    7: "b7a09ec5091aca8cdcfb76f7daefe15fe7bf2c9e5fc4f66ab6b0e06b79aa17a9",
    8: "456edbb1cd45856b3639fd72d3cba7fd67bf186464670910aacd92623efc25ed",
    9: "2339e81bec30df5e41c5bfad22d36d4dd123c2c5e885a915eccf9d597e4766e5",
    10: "9d71419103b73977bdde121699901685e90d174ad6229ae1c5328357ed5cbc48",
    11: "987240e650b503e3f23e9fbd24a8aebb06cc9488efe03ce60aa3f78341310ced",
    12: "e5198fc9e9d009cd24ac1861d665234b5832fb95913ae830c8a2f75166c55b18",
    13: "2b391537b4e7c8965568d362bcd63863c1b287a69b3a48fddf719c7485c689f2",
    14: "75df997c46f382699a218d3a6edff012aa22c1a67b0e9d7c7e5a3b01b5646a26",
    15: "f5c3cb5b90bdf747c6977449856d0965ee3e70db7df42a8b6b6586914617cfd9",
    16: "3a2b50c38811186645a5f44519fb683b99c44ea6478b4c98b563c060b5e9cef4",
    17: "3a4345ef7579ca6fe2c94bd670680e1b0789914ef612cf75c98a15f4dc62a422",
}


def init_sequence(field: int, sbox: int, n: int, t: int, r_f: int, r_p: int) -> list[int]:
    """The 80 seed bits of the Grain LFSR (eprint 2019/458, Appendix F), most significant first.

    Layout: field (2 bits) | S-box (4) | n (12) | t (12) | R_F (10) | R_P (10) | thirty 1s.
    """
    widths = [(field, 2), (sbox, 4), (n, 12), (t, 12), (r_f, 10), (r_p, 10)]
    bits: list[int] = []
    for value, width in widths:
        if not 0 <= value < 1 << width:
            raise MalformedInput(f"Grain seed field {value} does not fit in {width} bits")
        bits += [(value >> (width - 1 - k)) & 1 for k in range(width)]
    return bits + [1] * 30


class GrainLFSR:
    """The self-shrinking 80-bit Grain LFSR that Poseidon's parameters are drawn from.

    The register is a deque of bits b_0..b_79 (b_0 the oldest). One clock computes
    b_80 = b_62 + b_51 + b_38 + b_23 + b_13 + b_0 (mod 2), drops b_0 and appends b_80.
    """

    TAPS = (62, 51, 38, 23, 13, 0)
    WARM_UP = 160

    def __init__(self, seed_bits: list[int]) -> None:
        if len(seed_bits) != 80 or any(b not in (0, 1) for b in seed_bits):
            raise MalformedInput("the Grain LFSR needs exactly 80 seed bits")
        self._bits = deque(seed_bits)
        for _ in range(self.WARM_UP):
            self._clock()

    def _clock(self) -> int:
        """Advance the register once and return the new bit b_80."""
        b = self._bits
        new_bit = b[62] ^ b[51] ^ b[38] ^ b[23] ^ b[13] ^ b[0]
        b.popleft()
        b.append(new_bit)
        return new_bit

    def next_bit(self) -> int:
        """One output bit after self-shrinking: pairs (b1, b2), emit b2 only when b1 = 1."""
        while True:
            keep, bit = self._clock(), self._clock()
            if keep:
                return bit

    def random_bits(self, count: int) -> int:
        """``count`` output bits read as a big-endian integer (first bit most significant)."""
        value = 0
        for _ in range(count):
            value = (value << 1) | self.next_bit()
        return value


def generate_round_constants(grain: GrainLFSR, t: int, rounds: int) -> list[list[int]]:
    """Rejection-sample ``rounds * t`` field elements (n-bit draws < r), grouped per round."""
    flat: list[int] = []
    while len(flat) < rounds * t:
        candidate = grain.random_bits(FIELD_BITS)
        if candidate < R_MODULUS:  # otherwise discard it and draw again
            flat.append(candidate)
    return [flat[k * t : (k + 1) * t] for k in range(rounds)]


def generate_cauchy_mds(grain: GrainLFSR, t: int) -> list[list[int]]:
    """The t x t Cauchy matrix M[i][j] = 1 / (x_i + y_j) drawn from the same stream.

    A Cauchy matrix with distinct x's, distinct y's and no x_i + y_j = 0 has every square
    sub-matrix invertible, which is the MDS property: any change to k inputs changes at
    least t - k + 1 outputs (maximal diffusion).
    """
    while True:
        draws = [grain.random_bits(FIELD_BITS) % R_MODULUS for _ in range(2 * t)]
        while len(set(draws)) != 2 * t:  # all 2t values must be distinct
            draws = [grain.random_bits(FIELD_BITS) % R_MODULUS for _ in range(2 * t)]
        xs, ys = draws[:t], draws[t:]
        if all((x + y) % R_MODULUS for x in xs for y in ys):
            return [[inverse_mod(x + y, R_MODULUS) for y in ys] for x in xs]


def generate_parameters(t: int) -> tuple[list[list[int]], list[list[int]]]:
    """Round constants (per round) and MDS matrix for width ``t``, as the reference script
    ``sage generate_parameters_grain.sage 1 0 254 t 8 R_P 0x30644e...01`` produces them."""
    r_p = partial_rounds(t)
    grain = GrainLFSR(init_sequence(FIELD_PRIME, SBOX_POWER, FIELD_BITS, t, R_F, r_p))
    constants = generate_round_constants(grain, t, R_F + r_p)
    mds = generate_cauchy_mds(grain, t)  # the stream continues where the constants ended
    return constants, mds


def constants_checksum(
    round_constants: Sequence[Sequence[int]], mds: Sequence[Sequence[int]]
) -> str:
    """SHA-256 (hex) of all constants as 32-byte big-endian words: rounds, then MDS rows."""
    digest = hashlib.sha256()
    for row in [*round_constants, *mds]:
        for value in row:
            digest.update(value.to_bytes(ELEMENT_BYTES, "big"))
    return digest.hexdigest()


def partial_rounds(t: int) -> int:
    """R_P for width t (circomlib's table); ``MalformedInput`` for an unsupported width."""
    if type(t) is not int or t not in R_P_BY_T:
        raise MalformedInput(f"Poseidon width t={t!r} unsupported; use t in 2..17 (1..16 inputs)")
    return R_P_BY_T[t]


@dataclass(frozen=True)
class PoseidonParams:
    """Everything that defines one Poseidon instance over F_r."""

    t: int
    r_f: int
    r_p: int
    alpha: int
    round_constants: tuple[tuple[int, ...], ...]  # (R_F + R_P) rounds of t constants
    mds: tuple[tuple[int, ...], ...]  # t rows of t entries


def params(t: int) -> PoseidonParams:
    """The checked parameters of width ``t`` (generated once per process, then cached)."""
    partial_rounds(t)  # validate before the cache sees t (3.0 or True must not pass)
    return _checked_params(t)


@cache
def _checked_params(t: int) -> PoseidonParams:
    """Generate width ``t``'s constants and compare them with the pinned checksum."""
    constants, mds = generate_parameters(t)
    digest = constants_checksum(constants, mds)
    if digest != PINNED_SHA256.get(t):
        raise SetupError(
            f"Poseidon constants for t={t} hash to {digest}, not the pinned "
            f"{PINNED_SHA256.get(t)}; the generator changed -- do not use these constants"
        )
    return PoseidonParams(
        t=t,
        r_f=R_F,
        r_p=R_P_BY_T[t],
        alpha=ALPHA,
        round_constants=tuple(tuple(row) for row in constants),
        mds=tuple(tuple(row) for row in mds),
    )
