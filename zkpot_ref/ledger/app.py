"""The application consensus orders: ZKPoT blocks, with injected checks.

Lesson: the seam between consensus and what it agrees on. ``replica.py`` needs four
things about a value — propose one, check one, name one (its id), and read the ZKPoT
leader out of one (the proposer of the next height). :class:`ZkpotApp` answers them with
``block.py``: a value is the canonical encoding of a :class:`~zkpot_ref.ledger.block.Block`
without certificate (the consensus evidence lives in the COMMIT, bound to its round), and
``valid(v)`` of Algorithm 1 is ``block.validate_block`` with the injected proof verifier,
commitment opener and aggregation. After the decision, validators *seal* the block
(``seal_message``): 2f+1 seals fill ``Block.certificate`` (``with_certificate``), which
anyone can check with ``block.verify_certificate`` (``verify_sealed``).

What a block contains comes from ``batches`` (height -> :class:`Batch`: the round's
accepted submissions and the leader's revealed model) and the checks from ``checks``.
``round.py`` and ``chain.py`` inject the real ones: proofs verified with the task's
verification key, reveals opened, the next global model recomputed. The defaults are a
*dummy* round for the consensus lessons and the fault simulator, which still rejects
forgeries: a "proof" is the CID of a hash of the claim, a "model" is the CID of a hash of
the commitment, and the next global model is a hash of the revealed one. There each
validator also plays one FL client; :func:`demo_submission` is client i's signed
submission for round h (deterministic, so signatures are computed once per process).

The value id is SHA-256 of the value's bytes, not ``block_hash()``: ids must be injective
on *bytes*, or a malformed value could share the id of a valid block and crowd it out of
a proposal slot.

Read next: ``byzantine.py`` (validators that misbehave on purpose), then ``simulator.py``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, replace
from functools import lru_cache

from zkpot_ref.errors import ConsensusError, MalformedInput
from zkpot_ref.field import R_MODULUS
from zkpot_ref.ledger import encoding as enc
from zkpot_ref.ledger import signatures
from zkpot_ref.ledger.bft import Validators
from zkpot_ref.ledger.block import (
    GENESIS_HASH,
    Block,
    commit_message,
    leader_of,
    validate_block,
    verify_certificate,
)
from zkpot_ref.ledger.store import CID_BYTES, cid_from_bytes, cid_of, cid_to_bytes
from zkpot_ref.ledger.tx import MAX_TX_BYTES, Transaction

TASK_ID = "demo-task"
MEMO_SIZE = 4096


def client_keys(index: int) -> tuple[bytes, bytes]:
    """FL client ``index``'s deterministic key pair (the demo: validator i is client i)."""
    return signatures.generate_keypair(hashlib.sha256(b"zkpot demo client %d" % index).digest())


def dummy_proof(commitment: int, correct_count: int) -> bytes:
    """The stand-in proof of "commitment classifies correct_count samples correctly"."""
    return b"dummy proof|" + commitment.to_bytes(32, "big") + correct_count.to_bytes(4, "big")


def dummy_model(commitment: int) -> bytes:
    return b"dummy model|" + commitment.to_bytes(32, "big")


@dataclass(frozen=True)
class Checks:
    """The three injected checks of ``validate_block`` (the dummy ones; ``chain.py`` has
    the real ones). ``aggregate`` also sees the previous block: a round without a leader
    keeps the previous global model."""

    def verify_proof(self, tx: Transaction) -> bool:
        return tx.proof_cid == cid_of(dummy_proof(tx.commitment, tx.correct_count))

    def open_commitment(self, commitment: int, model_cid: str) -> bool:
        return model_cid == cid_of(dummy_model(commitment))

    def aggregate(self, block: Block, previous: Block | None = None) -> str:
        revealed = block.leader_model_cid or "none"
        return cid_of(b"global model|%d|" % block.height + revealed.encode())


def demo_checks() -> Checks:
    return Checks()


@dataclass(frozen=True)
class Batch:
    """What a proposer builds the block of one height from: the FL round it closes, the
    accepted submissions, the leader's revealed model (None: no leader), and submissions
    that were rejected (kept only so a Byzantine proposer can try to sneak one in)."""

    round: int
    submissions: tuple[Transaction, ...]
    leader_model_cid: str | None
    rejected: tuple[Transaction, ...] = ()


def encode_batch(batch: Batch) -> bytes:
    """Bytes of a batch (how a federation hands its rounds to validator processes):
    round u32, the accepted and the rejected transactions (u16 count, u32 length + tx
    each), then a flag and the reveal's CID."""
    parts = [enc.u32(batch.round)]
    for group in (batch.submissions, batch.rejected):
        parts.append(enc.u16(len(group)))
        parts += [enc.var_bytes(tx.encode(), MAX_TX_BYTES) for tx in group]
    if batch.leader_model_cid is None:
        parts.append(enc.u8(0))
    else:
        parts += [enc.u8(1), cid_to_bytes(batch.leader_model_cid)]
    return b"".join(parts)


def decode_batch(data: bytes) -> Batch:
    """Strict inverse of ``encode_batch``."""
    r = enc.Reader(data, "batch")
    round_ = r.uint(4)
    groups = []
    for _ in range(2):
        count = r.uint(2)
        groups.append(tuple(Transaction.decode(r.var_bytes(MAX_TX_BYTES)) for _ in range(count)))
    flag = r.uint(1)
    if flag not in (0, 1):
        raise MalformedInput("batch: reveal flag must be 0 or 1")
    cid = cid_from_bytes(r.take(CID_BYTES)) if flag else None
    r.finish()
    return Batch(round_, groups[0], cid, groups[1])


def demo_batch(n: int, height: int) -> Batch:
    """The dummy round: every client i < n submits ``demo_submission(i, height)``."""
    txs = tuple(demo_submission(i, height) for i in range(n))
    leader = leader_of(txs)
    forged = tuple(demo_submission(i, height, correct_count=10_000, forged=True) for i in range(n))
    return Batch(height, txs, None if leader is None else cid_of(dummy_model(leader.commitment)),
                 forged)


@lru_cache(maxsize=4096)
def demo_submission(
    index: int, round_: int, correct_count: int | None = None, forged: bool = False
) -> Transaction:
    """Client ``index``'s signed submission for FL round ``round_``; ``forged``: its proof
    does not verify (a Byzantine client claiming more than it can prove)."""
    secret, public = client_keys(index)
    seed = hashlib.sha256(b"round %d client %d" % (round_, index)).digest()
    commitment = int.from_bytes(seed, "big") % R_MODULUS
    count = correct_count if correct_count is not None else 500 + seed[0]
    proof = dummy_proof(commitment, count + 1 if forged else count)
    tx = Transaction(TASK_ID, round_, public, commitment, count, cid_of(proof))
    return tx.signed(secret)


class ZkpotApp:
    """The replica's :class:`~zkpot_ref.ledger.replica.Application` for ZKPoT blocks."""

    def __init__(self, validators: Validators, checks: Checks | None = None,
                 batches: Callable[[int], Batch] | None = None,
                 clients: dict[bytes, int] | None = None) -> None:
        """``checks``: the validity checks (dummy by default). ``batches``: height -> the
        round's accepted submissions (the dummy round by default). ``clients``: FL client
        key -> validator index, for the leader-proposes rule (validator i is client i in
        the dummy round)."""
        self.validators = validators
        self.checks = checks or demo_checks()
        self.batches = batches or (lambda height: demo_batch(validators.n, height))
        if clients is None:
            clients = {client_keys(i)[1]: i for i in range(validators.n)}
        self.clients = clients
        self._proposed: dict[tuple[bytes, int, int, int], bytes] = {}

    #: Memos shared by all instances: decoding and validity are pure functions of bytes
    #: (and of the checks), and a simulation runs many replicas over the same blocks.
    _decoded: dict[bytes, Block | None] = {}
    _valid: dict[tuple[Checks, bytes, bytes], bool] = {}

    # ---------------------------------------------------------------- reading values
    def block(self, value: bytes) -> Block | None:
        """The block encoded by ``value``, or None if it is not a canonical block."""
        if value not in self._decoded:
            try:
                block = Block.decode(value)
            except MalformedInput:
                block = None
            if len(self._decoded) > MEMO_SIZE:
                self._decoded.clear()
            self._decoded[value] = block
        return self._decoded[value]

    def value_id(self, value: bytes) -> bytes:
        return hashlib.sha256(value).digest()

    def leader(self, value: bytes) -> int | None:
        """The validator whose client won the ZKPoT round recorded in ``value``."""
        block = self.block(value)
        if block is None or block.leader_commitment is None:
            return None
        for tx in block.submissions:
            if tx.commitment == block.leader_commitment:
                return self.clients.get(tx.client)
        return None

    # ---------------------------------------------------------------- sealing
    def seal_message(self, value: bytes) -> bytes:
        """What a validator signs once it *decided* ``value``: ``commit_message`` of the
        block hash, the entry format of ``Block.certificate``."""
        block = self.block(value)
        if block is None:
            raise MalformedInput("only a decided (valid) block can be sealed")
        return commit_message(block.block_hash())

    def with_certificate(self, value: bytes, entries: list[tuple[bytes, bytes]]) -> bytes:
        block = self.block(value)
        if block is None:
            raise MalformedInput("only a decided (valid) block can be sealed")
        return block.with_certificate(entries).encode()

    def verify_sealed(self, value: bytes, sealed: bytes) -> bool:
        """``sealed`` is ``value`` with a certificate that ``verify_certificate`` accepts."""
        block, original = self.block(sealed), self.block(value)
        return (
            block is not None
            and original is not None
            and block.block_hash() == original.block_hash()
            and verify_certificate(block, list(self.validators.public_keys), self.validators.f)
        )

    def is_valid(self, chain: list[bytes], value: bytes) -> bool:
        """valid(v): a canonical block without certificate, proposed by a validator, that
        passes the ZKPoT rule on top of ``chain``."""
        previous_id = self.value_id(chain[-1]) if chain else GENESIS_HASH
        key = (self.checks, previous_id, self.value_id(value))
        if key not in self._valid:
            if len(self._valid) > MEMO_SIZE:
                self._valid.clear()
            self._valid[key] = self._check(chain, value)
        return self._valid[key]

    def _check(self, chain: list[bytes], value: bytes) -> bool:
        block = self.block(value)
        if block is None or block.certificate:
            return False
        if block.proposer not in self.validators.public_keys:
            return False
        previous = self.block(chain[-1]) if chain else None
        try:
            validate_block(
                block,
                previous,
                verify_proof=self.checks.verify_proof,
                open_commitment=self.checks.open_commitment,
                aggregate=lambda b: self.checks.aggregate(b, previous),
            )
        except ConsensusError:
            return False
        return True

    # ---------------------------------------------------------------- proposing
    def propose(self, chain: list[bytes], proposer: int, variant: int = 0) -> bytes:
        """The next block with the round's accepted submissions; ``variant`` k > 0 leaves
        submission k mod (their number) out (a different valid block: what an
        equivocating proposer sends)."""
        batch = self.batches(len(chain) + 1)
        leader = leader_of(batch.submissions)
        others = [tx for tx in batch.submissions if tx is not leader]  # only the leader revealed
        left_out = others[(variant - 1) % len(others)] if variant and others else None
        key = (self.value_id(chain[-1]) if chain else b"", len(chain), proposer,
               hash(left_out))
        if key not in self._proposed:
            txs = [tx for tx in batch.submissions if tx is not left_out]
            self._proposed[key] = self._assemble(chain, proposer, batch, txs,
                                                 batch.leader_model_cid).encode()
        return self._proposed[key]

    def forge(self, chain: list[bytes], proposer: int, kind: str) -> bytes:
        """An invalid block: ``forged-proof`` (a submission whose proof does not verify:
        one the validators rejected, sneaked in) or ``wrong-leader`` (names a loser as
        the ZKPoT leader)."""
        batch = self.batches(len(chain) + 1)
        txs = list(batch.submissions)
        if kind == "forged-proof":
            if batch.rejected:  # sneak a rejected submission in, in place of its client's
                bad = batch.rejected[proposer % len(batch.rejected)]
                txs = [tx for tx in txs if tx.client != bad.client] + [bad]
            elif txs:  # nothing was rejected: claim more than the proof shows
                txs[0] = replace(txs[0], correct_count=txs[0].correct_count + 1)
            # (validate_block checks proofs before the leader rule: that is where it fails)
            return self._assemble(chain, proposer, batch, txs, batch.leader_model_cid).encode()
        block = self._assemble(chain, proposer, batch, txs, batch.leader_model_cid)
        if not txs:
            return block.encode()
        loser = min(txs, key=lambda tx: (tx.correct_count, -tx.commitment))
        wrong = replace(block, leader_commitment=loser.commitment,
                        leader_model_cid=batch.leader_model_cid or cid_of(b"none"))
        previous = self.block(chain[-1]) if chain else None
        return replace(wrong, next_model_cid=self.checks.aggregate(wrong, previous)).encode()

    def _assemble(self, chain: list[bytes], proposer: int, batch: Batch,
                  txs: list[Transaction], leader_model_cid: str | None) -> Block:
        previous = self.block(chain[-1]) if chain else None
        return Block.propose(
            height=len(chain) + 1,
            previous_hash=GENESIS_HASH if previous is None else previous.block_hash(),
            round=batch.round,
            proposer=self.validators.public_keys[proposer],
            submissions=txs,
            leader_model_cid=leader_model_cid if txs else None,
            aggregate=lambda block: self.checks.aggregate(block, previous),
        )
