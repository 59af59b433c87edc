"""The EIP-196/197 precompiles on bytes: every go-ethereum vector, plus hand-written failures.

Vectors: ../shared/vectors/eip196_197/ (go-ethereum core/vm/testdata/precompiles, see its
README for origin and byte layouts). Upstream ships no failure vectors for these
precompiles, so the failure cases below are written from the EIP texts.
"""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from zkpot_ref.curve import G1, G2, eip197
from zkpot_ref.curve.fq2 import Fq2
from zkpot_ref.curve.g2 import B2
from zkpot_ref.errors import MalformedInput
from zkpot_ref.field import P_MODULUS as P
from zkpot_ref.field import R_MODULUS as R

from .refs import fq2_sqrt

VECTORS = Path(__file__).resolve().parents[3] / "shared" / "vectors" / "eip196_197"
if not VECTORS.exists():  # the checkout may sit elsewhere; fall back to the shared folder
    VECTORS = Path("/work/shared/vectors/eip196_197")


def load(name: str) -> list[dict]:
    return json.loads((VECTORS / name).read_text())


ADD, MUL, PAIRING = load("bn256Add.json"), load("bn256ScalarMul.json"), load("bn256Pairing.json")


def test_vector_files_are_complete() -> None:
    assert (len(ADD), len(MUL), len(PAIRING)) == (16, 19, 14)


@pytest.mark.parametrize("case", ADD, ids=[c["Name"] for c in ADD])
def test_ecadd_vectors(case: dict) -> None:
    assert eip197.ecadd(bytes.fromhex(case["Input"])).hex() == case["Expected"]


@pytest.mark.parametrize("case", MUL, ids=[c["Name"] for c in MUL])
def test_ecmul_vectors(case: dict) -> None:
    assert eip197.ecmul(bytes.fromhex(case["Input"])).hex() == case["Expected"]


@pytest.mark.parametrize("case", PAIRING, ids=[c["Name"] for c in PAIRING])
def test_ecpairing_vectors(case: dict) -> None:
    data = bytes.fromhex(case["Input"])
    assert eip197.ecpairing(data).hex() == case["Expected"]
    assert eip197.pairing_check(data) is (int(case["Expected"], 16) == 1)


def test_vectors_include_both_outcomes() -> None:
    outcomes = {int(c["Expected"], 16) for c in PAIRING}
    assert outcomes == {0, 1}


# -- failure vectors, written by hand ------------------------------------------------------

G1_GEN = G1.generator().to_bytes()
G2_GEN = G2.generator().to_bytes()


def word(v: int) -> bytes:
    return v.to_bytes(32, "big")


def non_subgroup_g2() -> bytes:
    rng = random.Random(7)
    while True:
        x = Fq2(rng.randrange(P), rng.randrange(P))
        y = fq2_sqrt(x * x * x + B2)
        if y is not None:
            return b"".join(word(c) for c in (x.c1, x.c0, y.c1, y.c0))


BAD_G1 = {
    "g1-off-curve": word(1) + word(3),
    "g1-x>=p": word(1 + P) + word(2),
    "g1-y>=p": word(1) + word(2 + P),
    "g1-x=2^256-1": b"\xff" * 32 + word(2),
}
BAD_G2 = {
    "g2-off-twist": G2_GEN[:96] + word((int.from_bytes(G2_GEN[96:], "big") + 1) % P),
    "g2-x_im>=p": word(int.from_bytes(G2_GEN[:32], "big") + P) + G2_GEN[32:],
    "g2-y_re>=p": G2_GEN[:96] + word(int.from_bytes(G2_GEN[96:], "big") + P),
    "g2-not-in-subgroup": non_subgroup_g2(),
}


@pytest.mark.parametrize("name", list(BAD_G1))
def test_ecadd_and_ecmul_reject_bad_points(name: str) -> None:
    bad = BAD_G1[name]
    for data in (bad + G1_GEN, G1_GEN + bad):
        with pytest.raises(MalformedInput):
            eip197.ecadd(data)
    with pytest.raises(MalformedInput):
        eip197.ecmul(bad + word(5))


@pytest.mark.parametrize("name", list(BAD_G1) + list(BAD_G2))
def test_ecpairing_rejects_bad_points(name: str) -> None:
    data = BAD_G1[name] + G2_GEN if name in BAD_G1 else G1_GEN + BAD_G2[name]
    good_pair = G1_GEN + G2_GEN
    for blob in (data, good_pair + data):
        with pytest.raises(MalformedInput):
            eip197.pairing_check(blob)
        with pytest.raises(MalformedInput):
            eip197.ecpairing(blob)


@pytest.mark.parametrize("length", [1, 64, 128, 191, 193, 383])
def test_ecpairing_rejects_lengths_not_multiple_of_192(length: int) -> None:
    with pytest.raises(MalformedInput, match="multiple of 192"):
        eip197.pairing_check(((G1_GEN + G2_GEN) * 2)[:length])


def test_non_bytes_rejected() -> None:
    for fn in (eip197.ecadd, eip197.ecmul, eip197.pairing_check, eip197.ecpairing):
        with pytest.raises(MalformedInput):
            fn("00")  # type: ignore[arg-type]


def test_evm_padding_semantics() -> None:
    """ECADD/ECMUL pad short input with zeros and ignore extra bytes (EIP-196)."""
    assert eip197.ecadd(b"") == bytes(64)  # O + O
    assert eip197.ecadd(G1_GEN) == G1_GEN  # G + O (right half padded)
    assert eip197.ecadd(G1_GEN + G1_GEN + b"junk") == G1.generator().double().to_bytes()
    assert eip197.ecmul(G1_GEN) == bytes(64)  # scalar padded to 0
    assert eip197.ecmul(G1_GEN + word(2) + b"\x01" * 10) == eip197.ecadd(G1_GEN * 2)
    assert eip197.ecmul(G1_GEN + word(R + 1)) == G1_GEN  # s >= r is not rejected
    assert eip197.ecmul(G1_GEN + word(2**256 - 1)) == (G1.generator() * (2**256 - 1)).to_bytes()
    assert eip197.ecpairing(b"") == word(1)


def test_decode_pairs() -> None:
    pairs = eip197.decode_pairs(G1_GEN + G2_GEN + bytes(192))
    assert pairs[0] == (G1.generator(), G2.generator())
    assert pairs[1][0].is_identity() and pairs[1][1].is_identity()


@settings(max_examples=150, deadline=None)
@given(st.binary(max_size=200))
def test_garbage_raises_only_malformed_input(data: bytes) -> None:
    for fn in (eip197.ecadd, eip197.ecmul):
        try:
            out = fn(data)
        except MalformedInput:
            continue
        assert len(out) == 64
    try:
        result = eip197.pairing_check(data)
    except MalformedInput:
        return
    assert len(data) % 192 == 0 and isinstance(result, bool)
