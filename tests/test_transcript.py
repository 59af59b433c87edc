"""Tests for zkpot_ref/transcript.py: Keccak-256 vs shared vectors and pycryptodome."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from Crypto.Hash import keccak as pycryptodome_keccak
from hypothesis import given, settings
from hypothesis import strategies as st

from zkpot_ref.errors import MalformedInput
from zkpot_ref.field import R_MODULUS
from zkpot_ref.transcript import RHO_OFFSETS, Transcript, keccak256

VECTORS = Path(__file__).resolve().parents[1].parent / "shared" / "vectors" / "keccak256.json"


def independent_keccak(data: bytes) -> bytes:
    return pycryptodome_keccak.new(digest_bits=256, data=data).digest()


def load_vectors() -> list[dict]:
    return json.loads(VECTORS.read_text())["vectors"]


def vector_input(v: dict) -> bytes:
    if "input_repeat" in v:
        return bytes.fromhex(v["input_repeat"]["byte"]) * v["input_repeat"]["count"]
    return bytes.fromhex(v["input_hex"])


def test_shared_vectors() -> None:
    vectors = load_vectors()
    assert len(vectors) >= 5
    lengths = set()
    for v in vectors:
        data = vector_input(v)
        lengths.add(len(data))
        assert keccak256(data).hex() == v["keccak256"], v["name"]
    assert {135, 136, 137} <= lengths  # the rate boundary is covered


@pytest.mark.task1_5
def test_empty_input_is_keccak_not_sha3() -> None:
    import hashlib

    expected = "c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470"
    assert keccak256(b"").hex() == expected
    assert hashlib.sha3_256(b"").hexdigest() != expected


@settings(max_examples=60, deadline=None)
@given(st.binary(min_size=0, max_size=600))
def test_matches_pycryptodome(data: bytes) -> None:
    assert keccak256(data) == independent_keccak(data)


@pytest.mark.task1_5
@pytest.mark.parametrize("n", [134, 135, 136, 137, 271, 272, 273])
def test_rate_boundaries(n: int) -> None:
    data = bytes(i % 251 for i in range(n))
    assert keccak256(data) == independent_keccak(data)


def test_rho_offsets_match_fips_202_table() -> None:
    # FIPS 202 Table 2 (offsets of rho), spot-checked: A[1][0]=1, A[0][2]=3, A[4][4]=14
    assert [len(row) for row in RHO_OFFSETS] == [5] * 5  # one offset per lane of the 5x5 state
    assert RHO_OFFSETS[0][0] == 0 and RHO_OFFSETS[1][0] == 1
    assert RHO_OFFSETS[0][2] == 3 and RHO_OFFSETS[4][4] == 14


def test_transcript_challenges_follow_snarkjs_rules() -> None:
    t = Transcript()
    point = bytes(range(64))
    t.absorb(point)
    t.absorb_scalar(5)
    beta = t.challenge()
    assert beta == int.from_bytes(
        independent_keccak(point + (5).to_bytes(32, "big")), "big"
    ) % R_MODULUS
    # the buffer is fresh after a challenge: gamma = H(beta)
    t.absorb_scalar(beta)
    gamma = t.challenge()
    assert gamma == int.from_bytes(independent_keccak(beta.to_bytes(32, "big")), "big") % R_MODULUS
    assert Transcript().challenge() == int.from_bytes(keccak256(b""), "big") % R_MODULUS


def test_transcript_binds_every_byte() -> None:
    def challenge_of(data: bytes) -> int:
        t = Transcript()
        t.absorb(data)
        return t.challenge()

    assert challenge_of(b"\x00" * 64) != challenge_of(b"\x00" * 63 + b"\x01")


def test_transcript_rejects_bad_input() -> None:
    t = Transcript()
    with pytest.raises(MalformedInput):
        t.absorb("not bytes")  # type: ignore[arg-type]
    with pytest.raises(MalformedInput):
        t.absorb_scalar(R_MODULUS)
    with pytest.raises(MalformedInput):
        t.absorb_scalar(-1)


def test_zero_and_the_largest_scalar_are_absorbed() -> None:
    """The range is [0, r): 0 and r - 1 are valid scalars (32 big-endian bytes each)."""
    t = Transcript()
    t.absorb_scalar(0)
    t.absorb_scalar(R_MODULUS - 1)
    t.absorb(bytearray(b"\x01"))
    expected = bytes(32) + (R_MODULUS - 1).to_bytes(32, "big") + b"\x01"
    assert t.challenge() == int.from_bytes(independent_keccak(expected), "big") % R_MODULUS
