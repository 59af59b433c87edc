"""The ZKPoT transaction: one client's signed claim for one training round.

Lesson: what goes on chain when a federated-learning client finishes a round. In ZKPoT
(Zero-Knowledge Proof of Training) the client does not publish its model. It publishes a
*commitment* to its weights and a zk-SNARK proving "the committed model classifies
``correct_count`` samples of the public test set correctly"; the consensus picks the round's
leader by that proven count. The paper does not publish its field lists, so this layout is
our design; every field is here for a reason:

================  =========  ==============================================================
field             encoding   why it is there
================  =========  ==============================================================
version           u8 = 1     every format carries a version, so it can evolve safely
task_id           u8 len +   which training task (dataset, architecture, schedule) this is
                  UTF-8      for; the same keys may take part in several tasks
round             u32        the FL round; a proof for round 3 must not count in round 4
client            32 bytes   the client's Ed25519 public key: who gets the credit, who signed
commitment        32 bytes   the commitment to the weights (a BN254 scalar-field element);
                  (< r)      the proof's public input, and what the leader later opens
correct_count     u32        the claimed number of correctly classified test samples,
                             also a public input of the proof; the leader rule ranks by it
proof_cid         36 bytes   the CIDv1 of the proof in the blob store (proofs are too big
                  (binary)   to inline; the CID lets anyone fetch and check it)
signature         64 bytes   Ed25519 over ``signing_bytes()``: only the client can submit
                             for its key, and nobody can alter a submitted claim
================  =========  ==============================================================

``signing_bytes()`` is a domain-separation tag followed by the encoding of every field but
the signature, so a transaction signature can never be replayed as a vote or a block
signature. ``tx_id()`` is SHA-256 of the full encoding. ``decode`` is strict: anything but
the exact canonical encoding (including trailing bytes and oversize input) is
``MalformedInput``.

Read next: ``merkle.py`` (the root that binds a block to its transactions), then ``block.py``.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, replace

from zkpot_ref.errors import MalformedInput
from zkpot_ref.ledger import encoding as enc
from zkpot_ref.ledger import signatures
from zkpot_ref.ledger.store import CID_BYTES, cid_from_bytes, cid_to_bytes

TX_VERSION = 1
#: Prefix of the signed message: keeps transaction signatures apart from every other kind.
TX_SIGNING_DOMAIN = b"zkpot/ledger/tx/v1\x00"
MAX_TASK_ID_BYTES = 64
#: The longest possible encoding; ``decode`` refuses longer input before parsing it.
MAX_TX_BYTES = 1 + 1 + MAX_TASK_ID_BYTES + 4 + 32 + 32 + 4 + CID_BYTES + 64


@dataclass(frozen=True)
class Transaction:
    """A client's submission for one round (fields documented in the module docstring)."""

    task_id: str
    round: int
    client: bytes
    commitment: int
    correct_count: int
    proof_cid: str
    signature: bytes = b""

    def __post_init__(self) -> None:
        # Validate eagerly so that a Transaction object always has an encoding.
        if not isinstance(self.task_id, str):
            raise MalformedInput("task_id must be a string")
        task = self.task_id.encode("utf-8")
        if not 1 <= len(task) <= MAX_TASK_ID_BYTES:
            raise MalformedInput(f"task_id must be 1..{MAX_TASK_ID_BYTES} bytes of UTF-8")
        checks = ((enc.u32, "round"), (enc.u32, "correct_count"), (enc.field_element, "commitment"))
        for check, name in (*checks, (cid_to_bytes, "proof_cid")):
            try:
                check(getattr(self, name))
            except MalformedInput as exc:
                raise MalformedInput(f"transaction {name}: {exc}") from None
        if not isinstance(self.client, bytes) or len(self.client) != signatures.PUBLIC_BYTES:
            raise MalformedInput("client must be a 32-byte Ed25519 public key")
        if not isinstance(self.signature, bytes) or len(self.signature) not in (0, 64):
            raise MalformedInput("signature must be empty (unsigned) or 64 bytes")

    def _body(self) -> bytes:
        task = self.task_id.encode("utf-8")
        return b"".join(
            [
                enc.u8(TX_VERSION),
                enc.u8(len(task)),
                task,
                enc.u32(self.round),
                self.client,
                enc.field_element(self.commitment),
                enc.u32(self.correct_count),
                cid_to_bytes(self.proof_cid),
            ]
        )

    def signing_bytes(self) -> bytes:
        """The message the client signs: domain tag || every field except the signature."""
        return TX_SIGNING_DOMAIN + self._body()

    def encode(self) -> bytes:
        """The canonical encoding (body || 64-byte signature); an unsigned tx has none."""
        if len(self.signature) != signatures.SIGNATURE_BYTES:
            raise MalformedInput("an unsigned transaction has no encoding: call signed() first")
        return self._body() + self.signature

    @classmethod
    def decode(cls, data: bytes) -> Transaction:
        """Parse ``encode()``'s output; ``MalformedInput`` on any deviation."""
        if isinstance(data, bytes | bytearray | memoryview) and len(data) > MAX_TX_BYTES:
            raise MalformedInput(f"transaction: {len(data)} bytes is over {MAX_TX_BYTES}")
        reader = enc.Reader(data, "transaction")
        version = reader.uint(1)
        if version != TX_VERSION:
            raise MalformedInput(f"transaction: unknown version {version} (expected 1)")
        task_length = reader.uint(1)
        try:
            task_id = reader.take(task_length).decode("utf-8")
        except UnicodeDecodeError:
            raise MalformedInput("transaction: task_id is not UTF-8") from None
        round_ = reader.uint(4)
        client = reader.take(32)
        commitment = reader.field_element()
        correct_count = reader.uint(4)
        proof_cid = cid_from_bytes(reader.take(CID_BYTES))
        signature = reader.take(64)
        reader.finish()
        tx = cls(task_id, round_, client, commitment, correct_count, proof_cid, signature)
        if tx.encode() != bytes(data):  # e.g. a zero-length task_id: one encoding per object
            raise MalformedInput("transaction: non-canonical encoding")
        return tx

    def tx_id(self) -> bytes:
        """SHA-256 of the canonical encoding: the transaction's name on the ledger."""
        return hashlib.sha256(self.encode()).digest()

    def signed(self, secret: bytes) -> Transaction:
        """A copy signed with ``secret``; ``MalformedInput`` if it is not the client's key."""
        if signatures.public_key(secret) != self.client:
            raise MalformedInput("this secret key does not belong to the transaction's client")
        return replace(self, signature=signatures.sign(secret, self.signing_bytes()))

    def verify_signature(self) -> bool:
        """True iff ``signature`` is the client's valid signature of ``signing_bytes()``."""
        return len(self.signature) == 64 and signatures.verify(
            self.client, self.signing_bytes(), self.signature
        )
