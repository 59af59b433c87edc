"""A PLONK proof: nine G1 points and six scalars, and their byte format.

Lesson. What the prover sends (PLONK, eprint 2019/953, §8.3, the output of round 5),
named as snarkjs names them:

| field | round | meaning |
| --- | --- | --- |
| A, B, C | 1 | [a]_1, [b]_1, [c]_1: the wire polynomials |
| Z | 2 | [z]_1: the permutation accumulator |
| T1, T2, T3 | 3 | [t_lo]_1, [t_mid]_1, [t_hi]_1: the quotient, in three parts |
| eval_a, eval_b, eval_c | 4 | a(xi), b(xi), c(xi) |
| eval_s1, eval_s2, eval_zw | 4 | sigma_1(xi), sigma_2(xi), z(xi·omega) |
| Wxi, Wxiw | 5 | KZG opening proofs at xi and at xi·omega |

With lookups (``lookup.py``) six more: [m]_1 and [phi]_1 (rounds 1 and 2) and
q_K(xi), t(xi), m(xi), phi(xi·omega) (round 4).

A proof is the prover's five messages, one per round (``Message1`` .. ``Message5``, as in
plonkathon): the prover returns them round by round, ``fiat_shamir.py`` hashes them into
the challenges, and the verifier reads them back out of the proof with ``messages()``.

Bytes (ours): a version byte, then the points as 64-byte x‖y (EIP-196 layout) and the
scalars as 32 bytes big-endian: 1 + 9·64 + 6·32 = 769 bytes (version 1), or
1 + 11·64 + 10·32 = 1025 bytes with lookups (version 2). Decoding is strict: exact
length, known version, every point on the curve, every scalar below r — anything else is
MalformedInput, so a verifier fed garbage refuses it cleanly.

Read next: ``fiat_shamir.py`` (how the messages become challenges).
"""

from __future__ import annotations

from dataclasses import dataclass, fields

from zkpot_ref.curve import G1
from zkpot_ref.errors import MalformedInput
from zkpot_ref.field import R_MODULUS, Fr

PROOF_VERSION = 1
POINT_FIELDS = ("A", "B", "C", "Z", "T1", "T2", "T3", "Wxi", "Wxiw")
SCALAR_FIELDS = ("eval_a", "eval_b", "eval_c", "eval_s1", "eval_s2", "eval_zw")
PROOF_BYTES = 1 + 64 * len(POINT_FIELDS) + 32 * len(SCALAR_FIELDS)
LOOKUP_POINT_FIELDS = ("M", "Phi")
LOOKUP_SCALAR_FIELDS = ("eval_qk", "eval_t", "eval_m", "eval_phiw")
LOOKUP_PROOF_BYTES = PROOF_BYTES + 64 * 2 + 32 * 4


@dataclass(frozen=True)
class Message1:
    """Round 1: the wire commitments (and [m]_1, the lookup multiplicities)."""

    A: G1
    B: G1
    C: G1
    M: G1 | None = None


@dataclass(frozen=True)
class Message2:
    """Round 2: the permutation accumulator (and [phi]_1, the lookup running sum)."""

    Z: G1
    Phi: G1 | None = None


@dataclass(frozen=True)
class Message3:
    """Round 3: the quotient in three parts."""

    T1: G1
    T2: G1
    T3: G1


@dataclass(frozen=True)
class Message4:
    """Round 4: the evaluations at xi (z at xi·omega), then the lookup ones."""

    eval_a: int
    eval_b: int
    eval_c: int
    eval_s1: int
    eval_s2: int
    eval_zw: int
    eval_qk: int | None = None
    eval_t: int | None = None
    eval_m: int | None = None
    eval_phiw: int | None = None

    def scalars(self) -> list[int]:
        """In transcript order (the lookup four only when present)."""
        values = [getattr(self, name) for name in SCALAR_FIELDS + LOOKUP_SCALAR_FIELDS]
        return [x for x in values if x is not None]


@dataclass(frozen=True)
class Message5:
    """Round 5: the two KZG opening proofs."""

    Wxi: G1
    Wxiw: G1


MESSAGES = (Message1, Message2, Message3, Message4, Message5)


@dataclass(frozen=True)
class Proof:
    A: G1
    B: G1
    C: G1
    Z: G1
    T1: G1
    T2: G1
    T3: G1
    Wxi: G1
    Wxiw: G1
    eval_a: int
    eval_b: int
    eval_c: int
    eval_s1: int
    eval_s2: int
    eval_zw: int
    M: G1 | None = None
    Phi: G1 | None = None
    eval_qk: int | None = None
    eval_t: int | None = None
    eval_m: int | None = None
    eval_phiw: int | None = None

    @property
    def has_lookups(self) -> bool:
        return self.M is not None

    def point_fields(self) -> tuple[str, ...]:
        return POINT_FIELDS + (LOOKUP_POINT_FIELDS if self.has_lookups else ())

    def scalar_fields(self) -> tuple[str, ...]:
        return SCALAR_FIELDS + (LOOKUP_SCALAR_FIELDS if self.has_lookups else ())

    def validate(self) -> None:
        """MalformedInput unless every point is a G1 point and every scalar is in [0, r)."""
        for name in self.point_fields():
            point = getattr(self, name)
            if not isinstance(point, G1) or not point.is_on_curve():
                raise MalformedInput(f"proof.{name} is not a point of G1")
        for name in self.scalar_fields():
            value = getattr(self, name)
            if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value < R_MODULUS:
                raise MalformedInput(f"proof.{name} is not a scalar in [0, r)")

    def to_bytes(self) -> bytes:
        out = bytes([PROOF_VERSION + self.has_lookups])
        out += b"".join(getattr(self, name).to_bytes() for name in self.point_fields())
        return out + b"".join(getattr(self, n).to_bytes(32, "big") for n in self.scalar_fields())

    @classmethod
    def from_bytes(cls, data: bytes) -> Proof:
        if not isinstance(data, (bytes, bytearray)):
            raise MalformedInput(f"proof: expected bytes, got {type(data).__name__}")
        if not data or data[0] not in (PROOF_VERSION, PROOF_VERSION + 1):
            raise MalformedInput(f"proof: unknown version {data[0] if data else '(empty)'}")
        lookups = data[0] == PROOF_VERSION + 1
        expected = LOOKUP_PROOF_BYTES if lookups else PROOF_BYTES
        if len(data) != expected:
            raise MalformedInput(f"proof: expected {expected} bytes, got {len(data)}")
        point_names = POINT_FIELDS + (LOOKUP_POINT_FIELDS if lookups else ())
        scalar_names = SCALAR_FIELDS + (LOOKUP_SCALAR_FIELDS if lookups else ())
        values = {}
        for i, name in enumerate(point_names):
            values[name] = G1.from_bytes(bytes(data[1 + 64 * i : 65 + 64 * i]))
        base = 1 + 64 * len(point_names)
        for i, name in enumerate(scalar_names):
            values[name] = Fr.from_bytes(bytes(data[base + 32 * i : base + 32 * (i + 1)])).value
        return cls(**values)

    @classmethod
    def from_messages(cls, *messages: object) -> Proof:
        """The proof made of the five round messages."""
        if tuple(type(m) for m in messages) != MESSAGES:
            raise MalformedInput("a proof is made of Message1, ..., Message5, in order")
        values = {}
        for message in messages:
            values.update({f.name: getattr(message, f.name) for f in fields(message)})
        return cls(**values)

    def messages(self) -> tuple[Message1, Message2, Message3, Message4, Message5]:
        """The five round messages this proof is made of (what the transcript hashes)."""
        return tuple(  # type: ignore[return-value]
            kind(**{f.name: getattr(self, f.name) for f in fields(kind)}) for kind in MESSAGES
        )

    def replace(self, **changes: object) -> Proof:
        """A copy with some fields changed (tests use it to tamper with one field)."""
        values = {f.name: getattr(self, f.name) for f in fields(self)}
        values.update(changes)
        return Proof(**values)  # type: ignore[arg-type]
