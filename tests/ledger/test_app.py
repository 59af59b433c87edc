"""zkpot_ref/ledger/app.py: ZKPoT blocks as consensus values, with the dummy checks."""

from __future__ import annotations

import hashlib
from dataclasses import replace

from zkpot_ref.ledger.app import (
    Checks,
    ZkpotApp,
    client_keys,
    demo_checks,
    demo_submission,
    dummy_model,
)
from zkpot_ref.ledger.block import Block, leader_of
from zkpot_ref.ledger.messages import Validators
from zkpot_ref.ledger.simulator import validator_keys
from zkpot_ref.ledger.store import cid_of

VALIDATORS = Validators(tuple(public for _, public in validator_keys(4)))


def chain_of(app: ZkpotApp, length: int) -> list[bytes]:
    chain: list[bytes] = []
    for height in range(length):
        value = app.propose(chain, height % 4)
        assert app.is_valid(chain, value)
        chain.append(value)
    return chain


def test_proposals_are_valid_blocks_on_top_of_the_chain() -> None:
    app = ZkpotApp(VALIDATORS)
    chain = chain_of(app, 3)
    block = Block.decode(chain[2])
    assert block.height == 3 and block.previous_hash == Block.decode(chain[1]).block_hash()
    assert len(block.submissions) == 4 and block.certificate == ()
    assert not app.is_valid(chain[:1], chain[2])  # not on top of height 1
    assert not app.is_valid(chain, chain[2])  # height 3 again


def test_variants_are_different_valid_blocks() -> None:
    app = ZkpotApp(VALIDATORS)
    values = {app.propose([], 0, variant=k) for k in range(4)}
    assert len(values) == 4 and all(app.is_valid([], v) for v in values)
    assert app.propose([], 0) == app.propose([], 0)  # deterministic (and memoized)


def test_forged_blocks_are_invalid() -> None:
    app = ZkpotApp(VALIDATORS)
    forged = app.forge([], 2, "forged-proof")
    wrong = app.forge([], 2, "wrong-leader")
    assert not app.is_valid([], forged) and not app.is_valid([], wrong)
    # forged-proof: the proposer's client claims 10000 with a proof that does not show it
    tx = [t for t in Block.decode(forged).submissions if t.correct_count == 10_000][0]
    assert tx.verify_signature() and not demo_checks().verify_proof(tx)
    # wrong-leader: everything checks out except the leader rule
    block = Block.decode(wrong)
    assert block.leader_commitment != leader_of(block.submissions).commitment


def test_validity_rejects_garbage_certificates_and_strangers() -> None:
    app = ZkpotApp(VALIDATORS)
    value = app.propose([], 1)
    block = Block.decode(value)
    assert not app.is_valid([], b"not a block")
    assert not app.is_valid([], block.with_certificate([(bytes(32), bytes(64))]).encode())
    stranger = replace(block, proposer=bytes(32)).encode()
    assert not app.is_valid([], stranger)


def test_leader_is_the_validator_whose_client_won() -> None:
    app = ZkpotApp(VALIDATORS)
    block = Block.decode(app.propose([], 0))
    winner = leader_of(block.submissions)
    expected = [i for i in range(4) if client_keys(i)[1] == winner.client]
    assert app.leader(block.encode()) == expected[0]
    assert app.leader(b"garbage") is None


def test_value_ids_are_hashes_of_the_bytes() -> None:
    app = ZkpotApp(VALIDATORS)
    value = app.propose([], 0)
    assert app.value_id(value) == hashlib.sha256(value).digest()
    assert app.value_id(value + b"\x00") != app.value_id(value)


def test_dummy_checks_accept_honest_and_refuse_tampered_claims() -> None:
    checks = Checks()
    tx = demo_submission(0, 1)
    assert checks.verify_proof(tx)
    assert not checks.verify_proof(replace(tx, correct_count=tx.correct_count + 1))
    assert checks.open_commitment(tx.commitment, cid_of(dummy_model(tx.commitment)))
    assert not checks.open_commitment(tx.commitment + 1, cid_of(dummy_model(tx.commitment)))
    assert demo_submission(0, 1) is demo_submission(0, 1)  # signed once per process
    assert not demo_checks().verify_proof(demo_submission(1, 1, forged=True))
