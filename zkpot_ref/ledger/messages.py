"""The consensus messages on the wire: a canonical, strict, versioned encoding.

Lesson: the validators of :mod:`zkpot_ref.ledger.bft` talk in six messages. Three are
the messages of Tendermint's Algorithm 1 (Buchman, Kwon, Milosevic, "The latest gossip
on BFT consensus", arXiv 1807.04938): ⟨PROPOSAL, h, r, v, vr⟩, ⟨PREVOTE, h, r, id(v)⟩ and
⟨PRECOMMIT, h, r, id(v)⟩, each signed by its sender (Ed25519, ``signatures.py``). Two
more are for catching up, which the paper leaves to its gossip layer: STATUS ("I am at
height h", unsigned — it only asks) and COMMIT (a decided block with its commit
certificate — it needs no signature of its own, the certificate *is* 2f+1 signatures:
the PRECOMMITs of round r for the block, which is why COMMIT carries r in its header).
The sixth, SEAL, comes after consensus: "I decided this block at height h", a signature
over ``block.commit_message(block_hash)``; 2f+1 of them are the block's own certificate
(``Block.certificate``, checked by ``block.verify_certificate``), see ``replica.py``.

Layout (big-endian, fixed width; every message starts with the same header)::

    version(1) = 1 | kind(1) | height(8) | round(4) | sender(2) | body

    PROPOSAL   valid_round+1 (4) | value length (4) | value | signature (64)
    PREVOTE    has_id (1) = 0 or 1 | id (32, only if has_id) | signature (64)
    PRECOMMIT  same as PREVOTE
    STATUS     (empty)
    COMMIT     block length (4) | block | count (2) | count × (validator (2) | signature (64))
    SEAL       signature (64)

Decoding is strict — a different version or kind, a length that does not match, a
trailing byte, an oversized message, ``vr >= r`` — and raises :class:`MalformedInput`, so
a node can drop the bytes with one log line. There is one encoding per message, so the
bytes signed are a function of the message and nothing else.

What a vote signs is :func:`vote_signing_bytes`: a domain tag, the kind, h, r, and the
value id. A commit certificate is 2f+1 precommit signatures over exactly these bytes,
*for one round r*. The round matters: a validator may precommit v in round 1, unlock, and
precommit v' in round 4 where v' is decided; signatures that did not name their round
could be pooled across rounds into a "certificate" for v. (``docs/ledger_bft.md``.)

Also here, because every module of the consensus shares them: the validator set
(:class:`Validators`, with its quorum), the steps of a round (:class:`Step`) and their
timeouts (:class:`Timeouts`).

Read next: ``bft.py``, the state machine that sends and receives these.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from enum import IntEnum

from zkpot_ref.errors import MalformedInput
from zkpot_ref.ledger.encoding import Reader

VERSION = 1
#: Messages larger than this are refused before decoding (a block is kilobytes here).
MAX_MESSAGE_BYTES = 1 << 20
ID_BYTES = 32
SIGNATURE_BYTES = 64
#: The domain tag: a vote signature can never be mistaken for a transaction's.
SIGNING_DOMAIN = b"zkpot/bft/v1/"

_HEADER = struct.Struct(">BBQIH")  # version, kind, height, round, sender


class Kind(IntEnum):
    PROPOSAL = 1
    PREVOTE = 2
    PRECOMMIT = 3
    STATUS = 4
    COMMIT = 5
    SEAL = 6


class Step(IntEnum):
    """step_p of the paper; ordered, line 36 tests ``step_p >= prevote``."""

    PROPOSE = 0
    PREVOTE = 1
    PRECOMMIT = 2


@dataclass(frozen=True)
class Validators:
    """The validator set: public keys in a fixed order; a validator is its index."""

    public_keys: tuple[bytes, ...]

    @property
    def n(self) -> int:
        return len(self.public_keys)

    @property
    def f(self) -> int:
        """The number of Byzantine validators tolerated: n >= 3f + 1."""
        return (self.n - 1) // 3

    @property
    def quorum(self) -> int:
        """The paper's 2f+1 for n = 3f+1; in general floor(2n/3)+1, so two quorums
        always share more than f validators, hence at least one correct one."""
        return 2 * self.n // 3 + 1


@dataclass(frozen=True)
class Timeouts:
    """timeoutPropose/Prevote/Precommit(r) = base + r·delta: they grow with the round, so
    after GST some round lasts long enough for every correct message to arrive."""

    propose: float = 1.0
    prevote: float = 1.0
    precommit: float = 1.0
    delta: float = 0.5

    def duration(self, step: Step, round_: int) -> float:
        base = (self.propose, self.prevote, self.precommit)[step]
        return base + round_ * self.delta


DEFAULT_TIMEOUTS = Timeouts()


@dataclass(frozen=True)
class Message:
    """One consensus message. Fields a kind does not use stay at their defaults.

    ``value_id`` is ``None`` for a nil vote (the paper's ``nil``); ``valid_round`` is
    the proposal's ``vr`` (-1 for none); ``value`` carries the proposed block (PROPOSAL)
    or the decided block with its certificate (COMMIT).
    """

    kind: Kind
    height: int
    round: int
    sender: int
    value: bytes = b""
    value_id: bytes | None = None
    valid_round: int = -1
    signature: bytes = b""
    certificate: tuple[tuple[int, bytes], ...] = ()  # COMMIT: (validator, precommit sig)

    @property
    def signed(self) -> bool:
        return self.kind in (Kind.PROPOSAL, Kind.PREVOTE, Kind.PRECOMMIT)


def vote_signing_bytes(
    kind: Kind, height: int, round_: int, value_id: bytes | None, valid_round: int = -1
) -> bytes:
    """The bytes a validator signs for a proposal (over the value's id) or a vote."""
    body = struct.pack(">BQI", int(kind), height, round_)
    body += b"\x00" if value_id is None else b"\x01" + value_id
    if kind == Kind.PROPOSAL:
        body += struct.pack(">I", valid_round + 1)
    return SIGNING_DOMAIN + body


def signing_bytes(message: Message, value_id: bytes | None = None) -> bytes:
    """What ``message``'s signature covers; for a proposal pass the id of its value."""
    if message.kind == Kind.PROPOSAL:
        return vote_signing_bytes(
            message.kind, message.height, message.round, value_id, message.valid_round
        )
    return vote_signing_bytes(message.kind, message.height, message.round, message.value_id)


def encode(message: Message) -> bytes:
    """The canonical bytes of ``message`` (see the module docstring for the layout)."""
    out = _HEADER.pack(VERSION, int(message.kind), message.height, message.round, message.sender)
    if message.kind == Kind.PROPOSAL:
        out += struct.pack(">II", message.valid_round + 1, len(message.value))
        out += message.value + message.signature
    elif message.kind in (Kind.PREVOTE, Kind.PRECOMMIT):
        out += b"\x00" if message.value_id is None else b"\x01" + message.value_id
        out += message.signature
    elif message.kind == Kind.COMMIT:
        out += struct.pack(">I", len(message.value)) + message.value
        out += struct.pack(">H", len(message.certificate))
        out += b"".join(struct.pack(">H", i) + sig for i, sig in message.certificate)
    elif message.kind == Kind.SEAL:
        out += message.signature
    return out


def decode(data: bytes) -> Message:
    """Parse one message strictly; raise :class:`MalformedInput` on anything non-canonical."""
    if not isinstance(data, bytes | bytearray):
        raise MalformedInput("a consensus message must be bytes")
    data = bytes(data)
    if len(data) > MAX_MESSAGE_BYTES:
        raise MalformedInput(f"consensus message of {len(data)} bytes exceeds {MAX_MESSAGE_BYTES}")
    if len(data) < _HEADER.size:
        raise MalformedInput(
            f"consensus message of {len(data)} bytes is shorter than its {_HEADER.size}-byte header"
        )
    version, kind_byte, height, round_, sender = _HEADER.unpack_from(data)
    if version != VERSION:
        raise MalformedInput(f"consensus message version {version}, expected {VERSION}")
    try:
        kind = Kind(kind_byte)
    except ValueError:
        raise MalformedInput(f"unknown consensus message kind {kind_byte}") from None
    reader = Reader(data, "consensus message")
    reader.offset = _HEADER.size  # the fixed header was unpacked above
    fields: dict[str, object] = {}
    if kind == Kind.PROPOSAL:
        valid_round = reader.uint(4) - 1
        if valid_round >= round_:
            raise MalformedInput(
                f"proposal valid round {valid_round} is not below its round {round_}"
            )
        fields["valid_round"] = valid_round
        fields["value"] = reader.take(reader.uint(4))
        fields["signature"] = reader.take(SIGNATURE_BYTES)
    elif kind in (Kind.PREVOTE, Kind.PRECOMMIT):
        has_id = reader.take(1)[0]
        if has_id > 1:
            raise MalformedInput(f"vote flag byte {has_id}, expected 0 (nil) or 1")
        fields["value_id"] = reader.take(ID_BYTES) if has_id else None
        fields["signature"] = reader.take(SIGNATURE_BYTES)
    elif kind == Kind.COMMIT:
        fields["value"] = reader.take(reader.uint(4))
        count = reader.uint(2)
        entries = [
            (reader.uint(2), reader.take(SIGNATURE_BYTES))
            for _ in range(count)
        ]
        if [i for i, _ in entries] != sorted({i for i, _ in entries}):
            raise MalformedInput("commit certificate: validators must be distinct and sorted")
        fields["certificate"] = tuple(entries)
    elif kind == Kind.SEAL:
        fields["signature"] = reader.take(SIGNATURE_BYTES)
    reader.finish()
    return Message(kind, height, round_, sender, **fields)  # type: ignore[arg-type]
