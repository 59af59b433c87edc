"""The ledger: a small but correct BFT blockchain that records ZKPoT training rounds.

Lessons, in reading order:

- ``edwards25519.py``: the curve group under Ed25519, readable and fast.
- ``signatures.py``: Ed25519 (RFC 8032) from scratch: how validators and clients sign.
- ``store.py``: the content-addressed blob store (IPFS-compatible CIDs) for models and
  proofs, which are too big for blocks.
- ``encoding.py``: canonical, strict binary encoding (one object, one byte string).
- ``tx.py``: the ZKPoT transaction, a client's signed claim "my model reaches this
  accuracy, here is the proof".
- ``merkle.py``: RFC 6962 Merkle roots and inclusion paths.
- ``block.py``: blocks, the ZKPoT validity rule and the commit certificate.
- ``log.py``: each node's durable append-only block log (what survives a crash).
- ``messages.py``: the consensus messages (proposal, prevote, precommit) on the wire.
- ``bft.py``: Tendermint (arXiv 1807.04938, Algorithm 1) as a pure state machine.
- ``recovery.py``: what a restarted validator may believe: its log, replayed and verified.
- ``replica.py``: one validator across heights, crashes and catch-up.
- ``app.py``: what consensus decides on: ZKPoT blocks and their validity rule.
- ``byzantine.py``, ``simulator.py``: faulty validators and the deterministic fault simulator.
- ``config.py``: a validator's configuration, every field checked before it starts.
- ``handshake.py``: authenticated connections (who is on the other end of a socket).
- ``guards.py``: token buckets, bounded outboxes, throttled log lines against floods.
- ``node.py``: the same replica as an OS process over TCP on 127.0.0.1.

This package may import ``zkpot_ref.field``, ``zkpot_ref.transcript`` and
``zkpot_ref.errors``; never JAX and never ``zkpot_ref.fl``.
"""
