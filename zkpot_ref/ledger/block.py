"""Blocks: one committed training round, and the ZKPoT rule that decides if it is valid.

Lesson: what validators agree on, and what "valid" means in ZKPoT. A block closes one
federated-learning round: it lists the round's accepted submissions (``tx.py``), names the
round's leader (the client with the highest *proven* accuracy), points at the leader's
revealed model and at the next global model, and, once committed, carries the signatures
of a 2f+1 quorum of validators. The paper does not publish its block layout; ours:

===================  ===========  =========================================================
field                encoding     why it is there
===================  ===========  =========================================================
version              u8 = 1       every format carries a version
height               u64          position in the chain (the first block has height 1);
                                  consensus runs one instance per height
previous_hash        32 bytes     hash of the block at height - 1 (zeros for the first):
                                  chains the history, so one hash fixes all of it
round                u32          the FL round this block closes; strictly increasing
                                  (a round may be skipped if nobody submitted in time)
proposer             32 bytes     public key of the validator that proposed it: who is
                                  accountable for it, and input to proposer rotation
submissions_root     32 bytes     Merkle root (RFC 6962, ``merkle.py``) of the submissions'
                                  encodings: a client proves "my submission is in block h"
                                  with a log-size path, without the other submissions
leader_commitment    flag u8 +    the winning client's weight commitment (absent when the
leader_model_cid     32 + 36 B    round had no submission) and the CID of the model it
                                  revealed; anyone can check the model opens the commitment
next_model_cid       36 bytes     CID of the next global model, a deterministic function of
                                  the revealed model(s): every node can recompute it
submissions          u16 count,   the accepted transactions themselves, sorted by client
                     u32 len+tx   key (one submission per client; a canonical order)
certificate          u16 count,   (validator key, signature) pairs, sorted by key, over
                     32 + 64 B    ``commit_message(block_hash)``: the proof it was committed
===================  ===========  =========================================================

``block_hash()`` is SHA-256 of the encoding *without* the certificate: the certificate signs
the hash, so it cannot be inside it, and different quorums certify the same block.

The ZKPoT validity rule is the pure function ``validate_block``. It takes the proof
verifier, the commitment opener and the aggregation as injected functions, so this module
needs neither the proof system nor JAX, and tests pass simple stand-ins.

Read next: ``log.py`` (how a node keeps its decided blocks on disk).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace

from zkpot_ref.errors import ConsensusError, MalformedInput, ZkpotError
from zkpot_ref.ledger import encoding as enc
from zkpot_ref.ledger import signatures
from zkpot_ref.ledger.merkle import merkle_root
from zkpot_ref.ledger.store import CID_BYTES, cid_from_bytes, cid_of, cid_to_bytes
from zkpot_ref.ledger.tx import MAX_TX_BYTES, Transaction

BLOCK_VERSION = 1
FIRST_HEIGHT = 1
#: ``previous_hash`` of the first block.
GENESIS_HASH = bytes(32)
COMMIT_DOMAIN = b"zkpot/ledger/commit/v1\x00"
MAX_SUBMISSIONS = 1024
MAX_CERTIFICATE = 256
_HEADER_BYTES = 1 + 8 + 32 + 4 + 32 + 32 + 1 + 32 + CID_BYTES + CID_BYTES
MAX_BLOCK_BYTES = (
    _HEADER_BYTES + 2 + MAX_SUBMISSIONS * (4 + MAX_TX_BYTES) + 2 + MAX_CERTIFICATE * 96
)

CertificateEntry = tuple[bytes, bytes]  # (validator public key, signature)


def _sha256(data: bytes) -> bytes:
    return hashlib.sha256(data).digest()


def commit_message(block_hash: bytes) -> bytes:
    """What a validator signs to certify a block: a domain tag and the block hash."""
    return COMMIT_DOMAIN + block_hash


def leader_of(submissions: Iterable[Transaction]) -> Transaction | None:
    """The ZKPoT leader: highest proven ``correct_count``; ties go to the smallest commitment."""
    return min(submissions, key=lambda tx: (-tx.correct_count, tx.commitment), default=None)


@dataclass(frozen=True)
class Block:
    """One block (fields documented in the module docstring)."""

    height: int
    previous_hash: bytes
    round: int
    proposer: bytes
    submissions: tuple[Transaction, ...]
    submissions_root: bytes
    leader_commitment: int | None
    leader_model_cid: str | None
    next_model_cid: str
    certificate: tuple[CertificateEntry, ...] = ()

    def __post_init__(self) -> None:
        # Normalise to tuples, the certificate sorted by key: one block, one encoding.
        object.__setattr__(self, "submissions", tuple(self.submissions))
        object.__setattr__(self, "certificate", tuple(sorted(map(tuple, self.certificate))))
        enc.u64(self.height)
        enc.u32(self.round)
        for name in ("previous_hash", "proposer", "submissions_root"):
            value = getattr(self, name)
            if not isinstance(value, bytes) or len(value) != 32:
                raise MalformedInput(f"block {name} must be 32 bytes")
        if (self.leader_commitment is None) != (self.leader_model_cid is None):
            raise MalformedInput("leader_commitment and leader_model_cid come together")
        if self.leader_commitment is not None:
            enc.field_element(self.leader_commitment)
            cid_to_bytes(self.leader_model_cid)
        cid_to_bytes(self.next_model_cid)
        if len(self.submissions) > MAX_SUBMISSIONS or len(self.certificate) > MAX_CERTIFICATE:
            raise MalformedInput("too many submissions or certificate entries in a block")
        if not all(isinstance(tx, Transaction) for tx in self.submissions):
            raise MalformedInput("block submissions must be Transaction objects")
        keys = [entry[0] for entry in self.certificate]
        if len(set(keys)) != len(keys) or any(
            len(entry) != 2 or len(entry[0]) != 32 or len(entry[1]) != 64
            for entry in self.certificate
        ):
            raise MalformedInput("certificate entries are distinct (32-byte key, 64-byte sig)")

    @classmethod
    def propose(
        cls,
        *,
        height: int,
        previous_hash: bytes,
        round: int,
        proposer: bytes,
        submissions: Iterable[Transaction],
        leader_model_cid: str | None,
        aggregate: Callable[[Block], str],
    ) -> Block:
        """Assemble a block the way an honest proposer does: sort the submissions, compute
        their Merkle root, pick the leader's commitment, and ask ``aggregate`` for the next
        global model's CID."""
        ordered = tuple(sorted(submissions, key=lambda tx: tx.client))
        leader = leader_of(ordered)
        draft = cls(
            height=height,
            previous_hash=previous_hash,
            round=round,
            proposer=proposer,
            submissions=ordered,
            submissions_root=merkle_root([tx.encode() for tx in ordered]),
            leader_commitment=None if leader is None else leader.commitment,
            leader_model_cid=None if leader is None else leader_model_cid,
            next_model_cid=cid_of(b""),  # placeholder until the aggregate is known
        )
        return replace(draft, next_model_cid=aggregate(draft))

    def _encode_header(self) -> bytes:
        parts = [
            enc.u8(BLOCK_VERSION),
            enc.u64(self.height),
            self.previous_hash,
            enc.u32(self.round),
            self.proposer,
            self.submissions_root,
        ]
        if self.leader_commitment is None:
            parts.append(enc.u8(0))
        else:
            parts += [
                enc.u8(1),
                enc.field_element(self.leader_commitment),
                cid_to_bytes(self.leader_model_cid),
            ]
        parts.append(cid_to_bytes(self.next_model_cid))
        parts.append(enc.u16(len(self.submissions)))
        parts += [enc.var_bytes(tx.encode(), MAX_TX_BYTES) for tx in self.submissions]
        return b"".join(parts)

    def encode(self) -> bytes:
        """Canonical encoding: everything ``block_hash`` covers, then the certificate."""
        certificate = b"".join(key + sig for key, sig in self.certificate)
        return self._encode_header() + enc.u16(len(self.certificate)) + certificate

    def block_hash(self) -> bytes:
        """SHA-256 of the encoding without the certificate."""
        return _sha256(self._encode_header())

    @classmethod
    def decode(cls, data: bytes) -> Block:
        """Parse ``encode()``'s output; ``MalformedInput`` on any deviation or oversize."""
        if isinstance(data, bytes | bytearray | memoryview) and len(data) > MAX_BLOCK_BYTES:
            raise MalformedInput(f"block: {len(data)} bytes is over {MAX_BLOCK_BYTES}")
        r = enc.Reader(data, "block")
        if (version := r.uint(1)) != BLOCK_VERSION:
            raise MalformedInput(f"block: unknown version {version} (expected 1)")
        height, previous_hash, round_ = r.uint(8), r.take(32), r.uint(4)
        proposer, root = r.take(32), r.take(32)
        has_leader = r.uint(1)
        if has_leader not in (0, 1):
            raise MalformedInput("block: leader flag must be 0 or 1")
        commitment = r.field_element() if has_leader else None
        model_cid = cid_from_bytes(r.take(CID_BYTES)) if has_leader else None
        next_cid = cid_from_bytes(r.take(CID_BYTES))
        count = r.uint(2)
        if count > MAX_SUBMISSIONS:
            raise MalformedInput(f"block: {count} submissions is over {MAX_SUBMISSIONS}")
        txs = tuple(Transaction.decode(r.var_bytes(MAX_TX_BYTES)) for _ in range(count))
        signers = r.uint(2)
        if signers > MAX_CERTIFICATE:
            raise MalformedInput(f"block: {signers} certificate entries is over the maximum")
        certificate = tuple((r.take(32), r.take(64)) for _ in range(signers))
        r.finish()
        block = cls(
            height, previous_hash, round_, proposer, txs, root, commitment, model_cid,
            next_cid, certificate,
        )  # fmt: skip
        if block.encode() != bytes(data):  # e.g. an unsorted certificate
            raise MalformedInput("block: non-canonical encoding (certificate must be sorted)")
        return block

    def with_certificate(self, entries: Iterable[CertificateEntry]) -> Block:
        """A copy carrying ``entries`` as its commit certificate."""
        return replace(self, certificate=tuple(entries))


def sign_commit(secret: bytes, block: Block) -> CertificateEntry:
    """A validator's certificate entry for ``block``: (its public key, its signature)."""
    return signatures.public_key(secret), signatures.sign(
        secret, commit_message(block.block_hash())
    )


def verify_certificate(block: Block, validators: Sequence[bytes], f: int) -> bool:
    """True iff at least 2f + 1 *distinct* members of ``validators`` validly signed the block.

    Entries from keys outside the validator set, or with bad signatures, do not count.
    With n = 3f + 1 validators, two quorums of 2f + 1 share at least f + 1 validators, so
    at least one honest one: two conflicting blocks can never both be certified.
    """
    members = set(validators)
    if f < 0 or 2 * f + 1 > len(members):
        return False
    message = commit_message(block.block_hash())
    signers = {
        key
        for key, sig in block.certificate
        if key in members and signatures.verify(key, message, sig)
    }
    return len(signers) >= 2 * f + 1


def _call(check: Callable[..., object], what: str, *args: object) -> object:
    """Run an injected check; a refusal it raises (any ZkpotError) becomes a ConsensusError."""
    try:
        return check(*args)
    except ZkpotError as exc:
        raise ConsensusError(f"{what} failed: {exc}") from exc


def validate_block(
    block: Block,
    previous: Block | None,
    *,
    verify_proof: Callable[[Transaction], bool],
    open_commitment: Callable[[int, str], bool],
    aggregate: Callable[[Block], str],
) -> None:
    """The ZKPoT block-validity rule; returns None or raises ``ConsensusError`` saying why.

    1. Chain: height = previous height + 1 (or 1), previous_hash matches, round increases.
    2. Submissions: the Merkle root matches; sorted by client key (one per client); every
       one is for this round and one task, signed by its client, and its proof verifies.
    3. Leader rule: the leader's commitment is that of the highest proven correct-count
       (ties: smallest commitment); none if there were no submissions.
    4. Reveal: the revealed model (leader_model_cid) opens the leader's commitment.
    5. Aggregation: next_model_cid equals ``aggregate(block)``, recomputed here.
    The commit certificate is *not* checked here: see ``verify_certificate``.
    """
    expected_height = FIRST_HEIGHT if previous is None else previous.height + 1
    if block.height != expected_height:
        raise ConsensusError(f"block height {block.height}, expected {expected_height}")
    expected_previous = GENESIS_HASH if previous is None else previous.block_hash()
    if block.previous_hash != expected_previous:
        raise ConsensusError(f"block {block.height} does not extend the previous block's hash")
    if previous is not None and block.round <= previous.round:
        raise ConsensusError(f"round {block.round} does not follow round {previous.round}")

    txs = block.submissions
    if block.submissions_root != merkle_root([tx.encode() for tx in txs]):
        raise ConsensusError("submissions_root is not the Merkle root of the submissions")
    if any(a.client >= b.client for a, b in zip(txs, txs[1:], strict=False)):
        raise ConsensusError("submissions must be sorted by client key, one per client")
    for tx in txs:
        who = f"submission of client {tx.client.hex()[:16]}"
        if tx.round != block.round:
            raise ConsensusError(f"{who} is for round {tx.round}, not {block.round}")
        if tx.task_id != txs[0].task_id:
            raise ConsensusError(f"{who} is for task {tx.task_id!r}, not {txs[0].task_id!r}")
        if not tx.verify_signature():
            raise ConsensusError(f"{who} has an invalid signature")
        if _call(verify_proof, f"proof check of {who}", tx) is not True:
            raise ConsensusError(f"{who}: its proof does not verify (forged or wrong claim)")

    leader = leader_of(txs)
    if leader is None:
        if block.leader_commitment is not None:
            raise ConsensusError("a block without submissions cannot name a leader")
    else:
        if block.leader_commitment != leader.commitment:
            raise ConsensusError(
                f"wrong leader: the highest proven count is {leader.correct_count} "
                f"(client {leader.client.hex()[:16]}), whose commitment is not the block's"
            )
        opened = _call(open_commitment, "opening", block.leader_commitment, block.leader_model_cid)
        if opened is not True:
            raise ConsensusError("the revealed model does not open the leader's commitment")

    expected_next = _call(aggregate, "aggregation", block)
    if block.next_model_cid != expected_next:
        raise ConsensusError(
            f"next_model_cid {block.next_model_cid} is not the aggregate {expected_next}"
        )
