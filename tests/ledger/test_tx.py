"""ZKPoT transactions (zkpot_ref/ledger/tx.py): canonical encoding, ids, signatures."""

from __future__ import annotations

import hashlib
from dataclasses import replace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from zkpot_ref.errors import MalformedInput
from zkpot_ref.field import R_MODULUS
from zkpot_ref.ledger import signatures
from zkpot_ref.ledger.store import cid_of
from zkpot_ref.ledger.tx import MAX_TX_BYTES, TX_SIGNING_DOMAIN, Transaction

SECRET, CLIENT = signatures.generate_keypair(b"\x11" * 32)


def make_tx(**changes: object) -> Transaction:
    fields: dict[str, object] = {
        "task_id": "digits-mlp",
        "round": 3,
        "client": CLIENT,
        "commitment": 12345678901234567890,
        "correct_count": 917,
        "proof_cid": cid_of(b"proof"),
    }
    fields.update(changes)
    return Transaction(**fields).signed(SECRET)  # type: ignore[arg-type]


def test_layout_is_as_documented() -> None:
    tx = make_tx()
    data = tx.encode()
    task = b"digits-mlp"
    assert data[0] == 1  # version byte
    assert data[1] == len(task) and data[2 : 2 + len(task)] == task
    offset = 2 + len(task)
    assert int.from_bytes(data[offset : offset + 4], "big") == 3
    assert data[offset + 4 : offset + 36] == CLIENT
    assert int.from_bytes(data[offset + 36 : offset + 68], "big") == 12345678901234567890
    assert int.from_bytes(data[offset + 68 : offset + 72], "big") == 917
    assert data[offset + 72 : offset + 76] == bytes([0x01, 0x55, 0x12, 0x20])
    assert data[-64:] == tx.signature
    assert tx.signing_bytes() == TX_SIGNING_DOMAIN + data[:-64]
    assert tx.tx_id() == hashlib.sha256(data).digest()


@settings(max_examples=30, deadline=None)
@given(
    task=st.text(min_size=1, max_size=16),
    round_=st.integers(0, 2**32 - 1),
    commitment=st.integers(0, R_MODULUS - 1),
    count=st.integers(0, 2**32 - 1),
)
def test_roundtrip(task: str, round_: int, commitment: int, count: int) -> None:
    tx = Transaction(task, round_, CLIENT, commitment, count, cid_of(task.encode()), bytes(64))
    assert Transaction.decode(tx.encode()) == tx


def test_signature_binds_every_field() -> None:
    tx = make_tx()
    assert tx.verify_signature()
    assert signatures.verify(CLIENT, tx.signing_bytes(), tx.signature)
    for change in (
        {"task_id": "other"}, {"round": 4}, {"commitment": 1}, {"correct_count": 918},
        {"proof_cid": cid_of(b"other proof")}, {"client": signatures.public_key(b"\x12" * 32)},
    ):  # fmt: skip
        assert not replace(tx, **change).verify_signature(), change
    assert not replace(tx, signature=b"").verify_signature()
    assert not replace(tx, signature=bytes(64)).verify_signature()
    with pytest.raises(MalformedInput, match="does not belong"):
        tx.signed(b"\x12" * 32)
    with pytest.raises(MalformedInput, match="unsigned"):
        replace(tx, signature=b"").encode()


def test_ids_differ_and_are_stable() -> None:
    assert make_tx().tx_id() == make_tx().tx_id()  # Ed25519 signing is deterministic
    assert make_tx().tx_id() != make_tx(round=4).tx_id()


def test_decode_rejects_every_deviation() -> None:
    data = make_tx().encode()
    big_commitment = bytearray(data)
    big_commitment[48:80] = R_MODULUS.to_bytes(32, "big")  # commitment >= r
    bad_cid = bytearray(data)
    bad_cid[84 + 1] = 0x70  # dag-pb codec instead of raw
    bad_utf8 = bytearray(data)
    bad_utf8[2] = 0xFF
    cases = {
        "empty": b"",
        "truncated": data[:-1],
        "trailing": data + b"\x00",
        "version": b"\x02" + data[1:],
        "oversize": data + bytes(MAX_TX_BYTES),
        "zero-length task": b"\x01\x00" + data[2 + 10 :],
        "task length too long": data[:1] + b"\xff" + data[2:],
        "commitment >= r": bytes(big_commitment),
        "cid codec": bytes(bad_cid),
        "utf-8": bytes(bad_utf8),
    }
    assert data[2:12] == b"digits-mlp" and data[16:48] == CLIENT  # offsets used above
    assert data[84:88] == bytes([1, 0x55, 0x12, 0x20])
    for name, case in cases.items():
        with pytest.raises(MalformedInput):
            Transaction.decode(case)
            pytest.fail(name)
    for not_bytes in (None, "text", 7):
        with pytest.raises(MalformedInput):
            Transaction.decode(not_bytes)  # type: ignore[arg-type]


def test_constructor_validates() -> None:
    good = make_tx()
    bad_changes = [
        {"task_id": ""}, {"task_id": "x" * 65}, {"task_id": b"bytes"}, {"round": -1},
        {"round": 2**32}, {"commitment": R_MODULUS}, {"commitment": -1},
        {"correct_count": 2**32}, {"client": b"short"}, {"proof_cid": "Qm123"},
        {"signature": b"x" * 63}, {"round": True},
    ]  # fmt: skip
    for change in bad_changes:
        with pytest.raises(MalformedInput):
            replace(good, **change)
    with pytest.raises(MalformedInput, match="transaction correct_count"):
        replace(good, correct_count=-5)


@settings(max_examples=150, deadline=None)
@given(position=st.integers(0, 200), value=st.integers(0, 255), junk=st.binary(max_size=250))
def test_decoding_garbage_only_ever_raises_malformed_input(
    position: int, value: int, junk: bytes
) -> None:
    data = make_tx().encode()
    mutated = data[:position] + bytes([value]) + data[position + 1 :]
    for candidate in (mutated, junk):
        try:
            tx = Transaction.decode(candidate)
        except MalformedInput:
            continue
        assert tx.encode() == candidate
