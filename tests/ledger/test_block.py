"""Blocks (zkpot_ref/ledger/block.py): encoding, ZKPoT validity, commit certificates.

The proof verifier, commitment opener and aggregation are simple stand-ins here; the Merkle
root is checked against the RFC 6962 vectors in test_merkle.py.
"""

from __future__ import annotations

import hashlib
from dataclasses import replace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from zkpot_ref.errors import ConsensusError, InvalidProof, MalformedInput
from zkpot_ref.ledger import merkle, signatures
from zkpot_ref.ledger.block import (
    GENESIS_HASH,
    MAX_BLOCK_BYTES,
    MAX_CERTIFICATE,
    MAX_SUBMISSIONS,
    Block,
    commit_message,
    leader_of,
    merkle_root,
    sign_commit,
    validate_block,
    verify_certificate,
)
from zkpot_ref.ledger.store import cid_of
from zkpot_ref.ledger.tx import Transaction

CLIENTS = [signatures.generate_keypair(bytes([0xC0 + i]) * 32) for i in range(4)]
VALIDATORS = [signatures.generate_keypair(bytes([0xA0 + i]) * 32) for i in range(4)]
VALIDATOR_KEYS = [public for _, public in VALIDATORS]


# Stand-ins for the proof system, the commitment scheme and FL aggregation.
def proof_cid(commitment: int, count: int) -> str:
    return cid_of(b"proof %d %d" % (commitment, count))


def verify_proof(tx: Transaction) -> bool:
    return tx.proof_cid == proof_cid(tx.commitment, tx.correct_count)


def model_cid(commitment: int) -> str:
    return cid_of(b"model %d" % commitment)


def open_commitment(commitment: int, cid: str) -> bool:
    return cid == model_cid(commitment)


def aggregate(block: Block) -> str:
    return cid_of(b"global %d %s" % (block.round, str(block.leader_model_cid).encode()))


RULES = {"verify_proof": verify_proof, "open_commitment": open_commitment, "aggregate": aggregate}


def submission(i: int, count: int, commitment: int | None = None, round_: int = 1) -> Transaction:
    secret, public = CLIENTS[i]
    commitment = 1000 + i if commitment is None else commitment
    tx = Transaction("digits", round_, public, commitment, count, proof_cid(commitment, count))
    return tx.signed(secret)


def propose(submissions: list[Transaction], previous: Block | None = None, **kw: object) -> Block:
    leader = leader_of(submissions)
    fields: dict[str, object] = {
        "height": 1 if previous is None else previous.height + 1,
        "previous_hash": GENESIS_HASH if previous is None else previous.block_hash(),
        "round": 1 if previous is None else previous.round + 1,
        "proposer": VALIDATOR_KEYS[0],
        "submissions": submissions,
        "leader_model_cid": None if leader is None else model_cid(leader.commitment),
        "aggregate": aggregate,
    }
    fields.update(kw)
    return Block.propose(**fields)  # type: ignore[arg-type]


def certified(block: Block, signers: range = range(3)) -> Block:
    return block.with_certificate(sign_commit(VALIDATORS[i][0], block) for i in signers)


def test_submissions_root_is_the_rfc6962_root_of_the_encodings() -> None:
    block = propose([submission(0, 1), submission(1, 2)])
    leaves = [tx.encode() for tx in block.submissions]
    assert block.submissions_root == merkle_root(leaves) == merkle.merkle_root(leaves)
    path = merkle.inclusion_path(leaves, 1)
    assert merkle.verify_inclusion(block.submissions_root, leaves[1], 1, 2, path)


def test_leader_rule() -> None:
    assert leader_of([]) is None
    txs = [submission(0, 50), submission(1, 90), submission(2, 70)]
    assert leader_of(txs) == txs[1]
    tie = [submission(0, 90, commitment=7), submission(1, 90, commitment=5)]
    assert leader_of(tie) == tie[1]  # equal counts: the smaller commitment wins


def test_roundtrip_hash_and_certificate() -> None:
    block = certified(propose([submission(2, 10), submission(0, 30)]))
    assert [tx.client for tx in block.submissions] == sorted(tx.client for tx in block.submissions)
    data = block.encode()
    assert data[0] == 1  # version byte
    assert Block.decode(data) == block
    assert block.block_hash() == replace(block, certificate=()).block_hash()
    assert (
        block.block_hash() == hashlib.sha256(replace(block, certificate=()).encode()[:-2]).digest()
    )
    reordered = block.with_certificate(reversed(block.certificate))
    assert reordered.encode() == data  # the certificate is kept sorted: one encoding
    key, sig = block.certificate[0]
    assert signatures.verify(key, commit_message(block.block_hash()), sig)
    empty = propose([])
    assert empty.leader_commitment is None and Block.decode(empty.encode()) == empty


def test_decode_rejects_every_deviation() -> None:
    block = certified(propose([submission(0, 30), submission(1, 20)]))
    data = block.encode()
    for cut in range(len(data)):  # every truncation
        with pytest.raises(MalformedInput):
            Block.decode(data[:cut])
    header_end = len(data) - 2 - 3 * 96
    first_entry, second_entry = data[header_end + 2 : header_end + 98], data[header_end + 98 :][:96]
    unsorted = data[: header_end + 2] + second_entry + first_entry + data[header_end + 194 :]
    flag_offset = 1 + 8 + 32 + 4 + 32 + 32
    cases = {
        "trailing": data + b"\x00",
        "version": b"\x07" + data[1:],
        "leader flag": data[:flag_offset] + b"\x02" + data[flag_offset + 1 :],
        "unsorted certificate": unsorted,
        "oversize": data + bytes(MAX_BLOCK_BYTES),
        "duplicate certificate key": data[: header_end + 2] + first_entry * 2 + data[-96:],
    }
    assert len(unsorted) == len(data) and unsorted != data
    for name, case in cases.items():
        with pytest.raises(MalformedInput):
            Block.decode(case)
            pytest.fail(name)
    with pytest.raises(MalformedInput):
        Block.decode("not bytes")  # type: ignore[arg-type]


def test_constructor_validates() -> None:
    block = propose([submission(0, 1)])
    for change in (
        {"previous_hash": b"short"}, {"height": -1}, {"round": 2**32},
        {"leader_model_cid": None}, {"leader_commitment": -1}, {"next_model_cid": "x"},
        {"submissions": ("not a tx",)},
        {"certificate": ((VALIDATOR_KEYS[0], bytes(64)), (VALIDATOR_KEYS[0], bytes(64)))},
        {"certificate": ((VALIDATOR_KEYS[0], bytes(63)),)},
    ):  # fmt: skip
        with pytest.raises(MalformedInput):
            replace(block, **change)


def test_valid_chain() -> None:
    first = propose([submission(0, 50), submission(1, 90), submission(2, 70)])
    validate_block(first, None, **RULES)
    assert first.leader_commitment == 1001 and first.next_model_cid == aggregate(first)
    second = propose([], previous=first)  # nobody submitted in round 2
    validate_block(second, first, **RULES)
    third = propose([submission(3, 5, round_=5)], previous=second, round=5)  # rounds may skip
    validate_block(third, second, **RULES)


def _expect(block: Block, previous: Block | None, reason: str, **rules: object) -> None:
    with pytest.raises(ConsensusError, match=reason):
        validate_block(block, previous, **{**RULES, **rules})  # type: ignore[arg-type]


def test_each_validity_rule_is_enforced() -> None:
    good = [submission(0, 50), submission(1, 90)]
    first = propose(good)
    _expect(propose(good, height=2), None, "height")
    _expect(propose(good, previous_hash=b"\x01" * 32), None, "previous block")
    _expect(propose([submission(0, 1, round_=1)], previous=first, round=1), first, "round")
    _expect(replace(first, submissions_root=bytes(32)), None, "Merkle root")
    unsorted = replace(first, submissions=first.submissions[::-1])
    _expect(
        replace(unsorted, submissions_root=merkle_root([t.encode() for t in unsorted.submissions])),
        None,
        "sorted",
    )  # noqa: E501
    _expect(propose([good[0], submission(0, 60)]), None, "one per client")
    _expect(propose([submission(0, 5, round_=2)]), None, "for round 2")
    other_task = replace(good[1], task_id="cifar").signed(CLIENTS[1][0])
    _expect(propose([good[0], other_task]), None, "task")
    _expect(propose([replace(good[0], signature=good[1].signature)]), None, "signature")
    forged = replace(good[1], correct_count=99).signed(CLIENTS[1][0])  # proof says 90
    _expect(propose([good[0], forged]), None, "proof does not verify")
    _expect(
        replace(first, leader_commitment=1000, leader_model_cid=model_cid(1000)),
        None,
        "wrong leader",
    )  # noqa: E501
    tie = [submission(0, 90, commitment=7), submission(1, 90, commitment=5)]
    tied = propose(tie)
    assert tied.leader_commitment == 5
    _expect(replace(tied, leader_commitment=7, leader_model_cid=model_cid(7)), None, "wrong leader")
    _expect(propose(good, leader_model_cid=model_cid(4242)), None, "does not open")
    empty = propose([])
    _expect(replace(empty, leader_commitment=1, leader_model_cid=model_cid(1)), None, "without")
    _expect(replace(first, next_model_cid=cid_of(b"other")), None, "aggregate")

    def refuses(*_: object) -> bool:
        raise InvalidProof("malformed proof bytes")

    _expect(first, None, "proof check .* malformed proof bytes", verify_proof=refuses)
    _expect(first, None, "opening failed", open_commitment=refuses)
    _expect(first, None, "aggregation failed", aggregate=refuses)
    _expect(first, None, "does not verify", verify_proof=lambda tx: 1)  # only True counts


def test_verify_certificate_counts_distinct_valid_validator_signatures() -> None:
    block = propose([submission(0, 1)])
    assert verify_certificate(certified(block, range(3)), VALIDATOR_KEYS, 1)
    assert verify_certificate(certified(block, range(4)), VALIDATOR_KEYS, 1)
    assert not verify_certificate(certified(block, range(2)), VALIDATOR_KEYS, 1)
    outsider = sign_commit(b"\x99" * 32, block)
    two = list(certified(block, range(2)).certificate)
    assert not verify_certificate(block.with_certificate([*two, outsider]), VALIDATOR_KEYS, 1)
    bad_sig = (VALIDATOR_KEYS[2], two[0][1])
    assert not verify_certificate(block.with_certificate([*two, bad_sig]), VALIDATOR_KEYS, 1)
    other_block = propose([submission(1, 1)])
    stolen = sign_commit(VALIDATORS[2][0], other_block)
    assert not verify_certificate(block.with_certificate([*two, stolen]), VALIDATOR_KEYS, 1)
    assert not verify_certificate(certified(block, range(4)), VALIDATOR_KEYS, 2)  # 5 > n = 4
    assert not verify_certificate(certified(block, range(4)), VALIDATOR_KEYS, -1)
    assert verify_certificate(certified(block, range(1)), VALIDATOR_KEYS[:1], 0)


_SAMPLE = certified(propose([submission(0, 30), submission(1, 20)])).encode()


@settings(max_examples=150, deadline=None)
@given(
    data=st.one_of(
        st.binary(max_size=300),
        st.tuples(st.integers(0, len(_SAMPLE) - 1), st.integers(0, 255)).map(
            lambda change: _SAMPLE[: change[0]] + bytes([change[1]]) + _SAMPLE[change[0] + 1 :]
        ),
    )
)
def test_decoding_garbage_only_ever_raises_malformed_input(data: bytes) -> None:
    """Random bytes and single-byte mutations of a real block: decoded or refused, no crash."""
    try:
        block = Block.decode(data)
    except MalformedInput:
        return
    assert block.encode() == data  # whatever decodes is canonical


def test_size_caps_are_exact() -> None:
    """MAX_CERTIFICATE entries are allowed, one more is not; a decoded block that
    announces more submissions or signers than allowed is refused before reading them."""
    block = propose([])
    entries = tuple((i.to_bytes(32, "big"), bytes(64)) for i in range(MAX_CERTIFICATE + 1))
    assert len(replace(block, certificate=entries[:MAX_CERTIFICATE]).certificate) == MAX_CERTIFICATE
    with pytest.raises(MalformedInput, match="too many"):
        replace(block, certificate=entries)
    data = block.encode()  # ... u16 submission count, u16 certificate count (both 0)
    assert data[-4:] == bytes(4)
    with pytest.raises(MalformedInput, match="submissions is over"):
        Block.decode(data[:-4] + (MAX_SUBMISSIONS + 1).to_bytes(2, "big") + bytes(2))
    with pytest.raises(MalformedInput, match="over the maximum"):
        Block.decode(data[:-2] + (MAX_CERTIFICATE + 1).to_bytes(2, "big"))


def test_certificate_quorum_is_2f_plus_1_of_the_set() -> None:
    """n = 3 with f = 1 is allowed (2f + 1 = 3 signers); a set too small for 2f + 1 is not."""
    block = certified(propose([submission(0, 1)]), signers=range(3))
    assert verify_certificate(block, VALIDATOR_KEYS[:3], 1)
    assert not verify_certificate(block, VALIDATOR_KEYS[:2], 1)
    assert verify_certificate(block, VALIDATOR_KEYS[:1], 0)
    assert not verify_certificate(block, VALIDATOR_KEYS, -1)
