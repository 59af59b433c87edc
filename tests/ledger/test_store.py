"""The content-addressed blob store (zkpot_ref/ledger/store.py).

Outside reference: the ``multiformats`` package (test-only) computes the same CIDv1
(raw codec, sha2-256, base32) independently; IPFS gives raw blocks these identifiers.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from multiformats import CID, multihash

from zkpot_ref.errors import MalformedInput, StoreError
from zkpot_ref.ledger.store import (
    BlobStore,
    cid_digest,
    cid_from_bytes,
    cid_from_digest,
    cid_of,
    cid_to_bytes,
)


def _reference_cid(data: bytes) -> CID:
    return CID("base32", 1, "raw", multihash.digest(data, "sha2-256"))


@settings(max_examples=50, deadline=None)
@given(data=st.binary(max_size=300))
def test_cid_matches_multiformats(data: bytes) -> None:
    reference = _reference_cid(data)
    ours = cid_of(data)
    assert ours == str(reference)
    assert cid_to_bytes(ours) == bytes(reference)
    assert cid_from_bytes(bytes(reference)) == ours
    assert CID.decode(ours) == reference  # and the outside parser reads ours


def test_known_cid_of_hello() -> None:
    # `ipfs block put` / `ipfs add --raw-leaves` of b"hello"; also what multiformats gives
    assert cid_of(b"hello") == "bafkreibm6jg3ux5qumhcn2b3flc3tyu6dmlb4xa7u5bf44yegnrjhc4yeq"
    assert cid_digest(cid_of(b"hello")).hex().startswith("2cf24dba")


def test_malformed_cids_are_refused() -> None:
    good = cid_of(b"x")
    other_codec = str(CID("base32", 1, "dag-pb", multihash.digest(b"x", "sha2-256")))
    other_hash = str(CID("base32", 1, "raw", multihash.digest(b"x", "sha2-512")))
    other_base = str(_reference_cid(b"x").encode("base58btc"))
    cidv0 = str(CID("base58btc", 0, "dag-pb", multihash.digest(b"x", "sha2-256")))
    last = good[-1]
    non_canonical = (
        good[:-1]
        + "abcdefghijklmnopqrstuvwxyz234567"["abcdefghijklmnopqrstuvwxyz234567".index(last) + 1]
    )  # same bytes, but unused low bits set
    bad = [
        "", good[:-1], good + "a", good.upper(), "B" + good[1:], good[:5] + "1" + good[6:],
        other_codec, other_hash, other_base, cidv0, non_canonical, None, 42, b"bafk",
    ]  # fmt: skip
    for cid in bad:
        with pytest.raises(MalformedInput):
            cid_to_bytes(cid)  # type: ignore[arg-type]
    for binary in (b"", bytes(_reference_cid(b"x"))[:-1], b"\x01\x70" + bytes(34)):
        with pytest.raises(MalformedInput):
            cid_from_bytes(binary)
    with pytest.raises(MalformedInput):
        cid_from_digest(b"short")


def test_put_get_has_and_layout(tmp_path: Path) -> None:
    store = BlobStore(tmp_path / "blobs")
    data = b"model weights" * 1000
    cid = store.put(data)
    assert cid == cid_of(data) == BlobStore.cid_of(data) == str(_reference_cid(data))
    assert store.has(cid) and store.get(cid) == data
    assert store.put(data) == cid  # idempotent
    path = tmp_path / "blobs" / cid_digest(cid).hex()[:2] / cid
    assert store.path_of(cid) == path and path.read_bytes() == data
    assert store.get(store.put(b"")) == b""
    assert not [p for p in (tmp_path / "blobs").rglob(".tmp-*")]  # no temp files left
    missing = cid_of(b"never stored")
    assert not store.has(missing)
    with pytest.raises(StoreError, match="not in the store"):
        store.get(missing)
    with pytest.raises(MalformedInput):
        store.put("text")  # type: ignore[arg-type]
    for bad in ("not-a-cid", "Qm" + "1" * 44):
        with pytest.raises(MalformedInput):
            store.get(bad)
        with pytest.raises(MalformedInput):
            store.has(bad)


def test_corruption_is_refused_and_repaired_by_put(tmp_path: Path) -> None:
    store = BlobStore(tmp_path)
    cid = store.put(b"proof bytes")
    path = store.path_of(cid)
    path.write_bytes(b"proof bytez")
    with pytest.raises(StoreError, match="corrupted"):
        store.get(cid)
    path.write_bytes(b"")
    with pytest.raises(StoreError, match="corrupted"):
        store.get(cid)
    assert store.put(b"proof bytes") == cid  # a fresh put rewrites the damaged copy
    assert store.get(cid) == b"proof bytes"


def test_put_is_atomic_when_the_write_fails(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = BlobStore(tmp_path)

    def failing_fsync(fd: int) -> None:
        raise OSError("disk on fire")

    monkeypatch.setattr(os, "fsync", failing_fsync)
    with pytest.raises(StoreError, match="disk on fire"):
        store.put(b"half written")
    monkeypatch.undo()
    cid = cid_of(b"half written")
    assert not store.has(cid)  # neither a partial blob under its name ...
    assert not list(tmp_path.rglob(".tmp-*"))  # ... nor a stray temp file
