"""What a restarted validator may believe: its log, replayed and verified again.

Lesson: a disk is an input like any other. ``log.py`` catches accidental damage with
checksums, but a checksum proves only that the bytes are the ones written — or that
someone rewrote them *and* the checksum. So before a validator acts on its log it
re-checks every record as if a stranger had sent it:

- ``B`` (a decided block with its commit certificate, a COMMIT message): heights 1, 2, 3,
  ... in order, each block valid on top of the previous one (which includes the hash
  chain: ``previous_hash``), each certificate 2f+1 distinct validators' precommits for
  it (:func:`check_commit`, the same check a block from a peer gets);
- ``L`` (the lock state, written before any signed message leaves): it must be for the
  height being decided when it was written, i.e. one above the blocks before it;
- ``S`` (a sealed block: ``Block.certificate`` filled by 2f+1 SEALs): a block already in
  the log, with a certificate that ``verify_sealed`` accepts.

A log that fails any of these raises ``StoreError`` naming the record and the reason;
the node refuses to start rather than vote from a state it cannot trust. (That is also
what happens when a cluster's keys were replaced under an old chain: the certificates no
longer verify against the validator set.) Replay costs a few signature checks per block,
about a millisecond; a node with thousands of blocks takes seconds to start.

Read next: ``replica.py``, which calls :func:`restore` in ``start``.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass, field
from typing import Protocol

from zkpot_ref.errors import ConsensusError, MalformedInput, StoreError, ZkpotError
from zkpot_ref.ledger import messages, signatures
from zkpot_ref.ledger.bft import LockState, Step, Validators
from zkpot_ref.ledger.messages import Kind, Message

BLOCK_RECORD, LOCK_RECORD, SEAL_RECORD = b"B", b"L", b"S"


class Application(Protocol):
    """What consensus needs to know about blocks. A value is an encoded block; ``chain``
    lists the decided values of heights 1, 2, ... (their certificates live in COMMITs)."""

    def propose(self, chain: list[bytes], proposer: int, variant: int = 0) -> bytes: ...
    def is_valid(self, chain: list[bytes], value: bytes) -> bool: ...
    def value_id(self, value: bytes) -> bytes: ...
    def leader(self, value: bytes) -> int | None: ...
    def seal_message(self, value: bytes) -> bytes: ...
    def with_certificate(self, value: bytes, entries: list[tuple[bytes, bytes]]) -> bytes: ...
    def verify_sealed(self, value: bytes, sealed: bytes) -> bool: ...


class Log(Protocol):
    def append(self, record: bytes) -> None: ...
    def records(self) -> list[bytes]: ...


def encode_lock_state(s: LockState) -> bytes:
    """A lock-state record: fixed fields, the two values, then the saved messages."""

    def value(v: bytes | None) -> bytes:
        return struct.pack(">I", 0) if v is None else struct.pack(">I", len(v) + 1) + v

    out = struct.pack(">QIBi", s.height, s.round, int(s.step), s.locked_round)
    out += value(s.locked_value) + struct.pack(">i", s.valid_round) + value(s.valid_value)
    return out + b"".join(value(messages.encode(m)) for m in s.messages)


def decode_lock_state(data: bytes) -> LockState:
    """Inverse of :func:`encode_lock_state`; ``MalformedInput`` if it does not parse."""

    def value(offset: int) -> tuple[bytes | None, int]:
        (n,) = struct.unpack_from(">I", data, offset)
        if n == 0:
            return None, offset + 4
        if offset + 3 + n > len(data):
            raise MalformedInput("lock-state record truncated")
        return data[offset + 4 : offset + 3 + n], offset + 3 + n

    try:
        height, round_, step, locked_round = struct.unpack_from(">QIBi", data)
        locked, offset = value(17)
        (valid_round,) = struct.unpack_from(">i", data, offset)
        valid, offset = value(offset + 4)
        own = []
        while offset < len(data):
            encoded, offset = value(offset)
            own.append(messages.decode(encoded or b""))
        return LockState(
            height, round_, Step(step), locked, locked_round, valid, valid_round, tuple(own)
        )
    except (struct.error, ValueError) as exc:
        raise MalformedInput(f"lock-state record does not parse: {exc}") from None


def replay(log: Log) -> tuple[list[Message], LockState | None]:
    """The COMMITs (decided blocks with certificates) and the latest lock state in ``log``,
    as recorded (not verified: see :func:`restore`)."""
    commits: list[Message] = []
    restored = None
    for record in log.records():
        if record[:1] == BLOCK_RECORD:
            commits.append(messages.decode(record[1:]))
        elif record[:1] == LOCK_RECORD:
            restored = decode_lock_state(record[1:])
    return commits, restored


def replay_seals(log: Log) -> dict[int, bytes]:
    """height -> the sealed block (with its 2f+1 certificate) recorded in ``log``."""
    records = [r for r in log.records() if r[:1] == SEAL_RECORD]
    return {int.from_bytes(r[1:9], "big"): r[9:] for r in records}


def check_commit(
    validators: Validators, app: Application, chain: list[bytes], commit: Message
) -> None:
    """Raise ConsensusError unless ``commit`` is the valid block of height len(chain)+1
    with 2f+1 distinct validators' precommit signatures for it in round ``commit.round``
    (line 49's condition, checked from the certificate alone)."""
    if commit.kind != Kind.COMMIT or commit.height != len(chain) + 1:
        raise ConsensusError(f"not a commit for height {len(chain) + 1}")
    signed = messages.vote_signing_bytes(
        Kind.PRECOMMIT, commit.height, commit.round, app.value_id(commit.value)
    )
    signers = {
        i
        for i, sig in commit.certificate
        if i < validators.n and signatures.verify(validators.public_keys[i], signed, sig)
    }
    if len(signers) < validators.quorum:
        raise ConsensusError(
            f"certificate has {len(signers)} valid precommits, {validators.quorum} needed"
        )
    if not app.is_valid(chain, commit.value):
        raise ConsensusError(f"the certified block of height {commit.height} is invalid")


@dataclass
class Restored:
    """A log's verified content: the chain with certificates, locks, sealed blocks."""

    commits: list[Message] = field(default_factory=list)
    lock: LockState | None = None
    sealed: dict[int, bytes] = field(default_factory=dict)

    @property
    def chain(self) -> list[bytes]:
        return [m.value for m in self.commits]


def restore(log: Log, validators: Validators, app: Application) -> Restored:
    """Replay ``log`` and verify every record (module docstring); ``StoreError`` if not."""
    out, chain = Restored(), []
    for number, record in enumerate(log.records()):
        kind = record[:1]
        try:
            if kind == BLOCK_RECORD:
                commit = messages.decode(record[1:])
                check_commit(validators, app, chain, commit)
                out.commits.append(commit)
                chain.append(commit.value)
            elif kind == LOCK_RECORD:
                lock = decode_lock_state(record[1:])
                if lock.height != len(chain) + 1:
                    raise ConsensusError(
                        f"lock state for height {lock.height} after {len(chain)} blocks"
                    )
                out.lock = lock
            elif kind == SEAL_RECORD:
                height = int.from_bytes(record[1:9], "big")
                if not 1 <= height <= len(chain):
                    raise ConsensusError(f"seal for height {height}, not in the log")
                if not app.verify_sealed(chain[height - 1], record[9:]):
                    raise ConsensusError(f"the sealed block of height {height} does not verify")
                out.sealed[height] = record[9:]
            else:
                raise MalformedInput(f"unknown record kind {kind!r}")
        except ZkpotError as exc:
            raise StoreError(
                f"block log record {number} (after {len(chain)} blocks) does not verify: "
                f"{exc}; refusing to start (restore the log, or move it away to resync)"
            ) from None
    return out
