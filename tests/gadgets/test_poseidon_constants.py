"""Tests for zkpot_ref/gadgets/poseidon_constants.py.

Outside references: circomlib's published Poseidon constants (facts, quoted below) and the
round table in ../shared/vectors/poseidon_bn254_circomlib.json (circomlibjs 0.1.7). The
full hashes in tests/gadgets/test_poseidon.py check every constant of t = 2..7 and 17.
"""

from __future__ import annotations

import itertools
import json
import math
from pathlib import Path

import pytest
import sympy

from zkpot_ref.errors import MalformedInput, SetupError
from zkpot_ref.field import R_MODULUS
from zkpot_ref.gadgets import poseidon_constants as pc

VECTORS = (
    Path(__file__).resolve().parents[3] / "shared" / "vectors" / "poseidon_bn254_circomlib.json"
)

# iden3/circomlib src/poseidon_constants.json at commit 7fb5b49556e5ac2ed42f7b79e8e6f273eee5a5f7
# (raw round constants C[t-2] and MDS matrices M[t-2] for t = 2..9), and the hex forms of
# the same numbers as quoted by circomlib ports (t = 3 first and last constant, t = 9 C[0]).
CIRCOMLIB_FACTS = {
    # (t, "C", flat index) or (t, "M", row, column): value
    (2, "C", 0): 4417881134626180770308697923359573201005643519861877412381846989312604493735,
    (2, "C", 1): 5433650512959517612316327474713065966758808864213826738576266661723522780033,
    (2, "C", 127): 17467570179597572575614276429760169990940929887711661192333523245667228809456,
    (2, "M", 0, 0): 0x066F6F85D6F68A85EC10345351A23A3AAF07F38AF8C952A7BCECA70BD2AF7AD5,
    (3, "C", 0): 0x0EE9A592BA9A9518D05986D656F40C2114C4993C11BB29938D21D47304CD8E6E,
    (3, "C", 1): 0x00F1445235F2148C5986587169FC1BCD887B08D4D00868DF5696FFF40956E864,
    (3, "C", 2): 0x08DFF3487E8AC99E1F29A058D0FA80B930C728730B7AB36CE879F3890ECF73F5,
    (3, "C", 194): 0x1DA55CC900F0D21F4A3E694391918A1B3C23B2AC773C6B3EF88E2E4228325161,
    (3, "M", 0, 0): 0x109B7F411BA0E4C9B2B70CAF5C36A7B194BE7C11AD24378BFEDB68592BA8118B,
    (8, "M", 7, 0): 7141240965656437676130015766799708612940092856280620325870466265817008351948,
    (8, "M", 7, 7): 19638917592063029281156873227053827678889868373299664608974791764751784473040,
    (9, "C", 0): 0x2088CE9534577BF38BE7BC457F2756D558D66E0C07B9CC001A580BD42CDA0E77,
    (9, "M", 0, 0): 708458300293891745856425423607721463509413916954480913172999113933455141974,
    (9, "M", 4, 0): 3334957744389892864165113989538814646945861179021194859030934481494560681812,
    (9, "M", 8, 8): 14148514289641991520153975838000398174635263164584825009402034843810351225518,
}


def test_round_table_matches_the_vector_file() -> None:
    rounds = json.loads(VECTORS.read_text())["rounds"]
    assert rounds["RF"] == pc.R_F
    assert {int(t): r_p for t, r_p in rounds["RP_by_t"].items()} == pc.R_P_BY_T
    assert pc.WIDTHS == tuple(range(2, 18))


def test_alpha_5_is_a_permutation_exponent() -> None:
    assert math.gcd(pc.ALPHA, R_MODULUS - 1) == 1
    assert math.gcd(3, R_MODULUS - 1) != 1  # why circomlib cannot use x^3 over BN254


def test_init_sequence_layout() -> None:
    bits = pc.init_sequence(1, 0, 254, 3, 8, 57)
    assert len(bits) == 80
    as_text = "".join(map(str, bits))
    expected = "01" + "0000" + f"{254:012b}" + f"{3:012b}" + f"{8:010b}" + f"{57:010b}" + "1" * 30
    assert as_text == expected
    with pytest.raises(MalformedInput):
        pc.init_sequence(1, 0, 254, 1 << 12, 8, 57)  # t does not fit 12 bits


def test_grain_rejects_a_bad_seed() -> None:
    with pytest.raises(MalformedInput):
        pc.GrainLFSR([1] * 79)
    with pytest.raises(MalformedInput):
        pc.GrainLFSR([2] + [1] * 79)


def test_grain_self_shrinking_matches_a_plain_list_register() -> None:
    """The deque register against the reference script's list form (pop(0); append)."""
    seed = pc.init_sequence(1, 0, 254, 5, 8, 60)
    bits = list(seed)

    def clock() -> int:
        new = bits[62] ^ bits[51] ^ bits[38] ^ bits[23] ^ bits[13] ^ bits[0]
        bits.pop(0)
        bits.append(new)
        return new

    for _ in range(160):
        clock()
    expected = []
    while len(expected) < 300:
        keep, bit = clock(), clock()
        if keep:
            expected.append(bit)
    grain = pc.GrainLFSR(seed)
    assert [grain.next_bit() for _ in range(300)] == expected
    assert 100 < sum(expected) < 200  # balanced, as a pseudo-random stream should be


@pytest.mark.parametrize("t", sorted({key[0] for key in CIRCOMLIB_FACTS}))
def test_generated_constants_match_circomlib(t: int) -> None:
    p = pc.params(t)  # = generate_parameters(t), checked and cached
    constants, mds = p.round_constants, p.mds
    flat = [c for row in constants for c in row]
    assert len(flat) == (pc.R_F + pc.R_P_BY_T[t]) * t
    for key, value in CIRCOMLIB_FACTS.items():
        if key[0] != t:
            continue
        if key[1] == "C":
            assert flat[key[2]] == value, key
        else:
            assert mds[key[2]][key[3]] == value, key


@pytest.mark.slow
def test_every_width_matches_its_pinned_checksum() -> None:
    for t in pc.WIDTHS:
        p = pc.params(t)  # generated by the Grain LFSR once per process (cached)
        assert pc.constants_checksum(p.round_constants, p.mds) == pc.PINNED_SHA256[t], t
        assert all(0 <= c < R_MODULUS for row in [*p.round_constants, *p.mds] for c in row)


def test_checksum_covers_every_constant() -> None:
    constants, mds = pc.generate_parameters(2)
    digest = pc.constants_checksum(constants, mds)
    constants[40][1] += 1
    assert pc.constants_checksum(constants, mds) != digest
    constants[40][1] -= 1
    mds[1][0] = (mds[1][0] + 1) % R_MODULUS
    assert pc.constants_checksum(constants, mds) != digest


def test_params_refuses_constants_that_do_not_match_the_pin(monkeypatch) -> None:
    pc._checked_params.cache_clear()
    monkeypatch.setitem(pc.PINNED_SHA256, 2, "00" * 32)
    try:
        with pytest.raises(SetupError, match="t=2"):
            pc.params(2)
    finally:
        pc._checked_params.cache_clear()


def test_params_shapes() -> None:
    p = pc.params(3)
    assert (p.t, p.r_f, p.r_p, p.alpha) == (3, 8, 57, 5)
    assert len(p.round_constants) == 65 and all(len(row) == 3 for row in p.round_constants)
    assert len(p.mds) == 3 and all(len(row) == 3 for row in p.mds)
    assert pc.params(3) is p  # cached


@pytest.mark.parametrize("bad", [1, 18, 0, "3", 3.0, True, None])
def test_unsupported_widths_are_refused(bad: object) -> None:
    with pytest.raises(MalformedInput):
        pc.partial_rounds(bad)  # type: ignore[arg-type]
    with pytest.raises(MalformedInput):
        pc.params(bad)  # type: ignore[arg-type]


@pytest.mark.parametrize("t", [3, 4])
def test_mds_every_square_submatrix_is_invertible(t: int) -> None:
    """The MDS property of the Cauchy construction, checked with sympy determinants."""
    mds = sympy.Matrix(pc.params(t).mds)
    for size in range(1, t + 1):
        for rows in itertools.combinations(range(t), size):
            for cols in itertools.combinations(range(t), size):
                assert mds.extract(list(rows), list(cols)).det() % R_MODULUS != 0


def test_cauchy_generator_output_is_cauchy() -> None:
    """1/M[i][j] = x_i + y_j, so 1/M[i][j] - 1/M[i][0] - 1/M[0][j] + 1/M[0][0] = 0."""
    grain = pc.GrainLFSR(pc.init_sequence(1, 0, 254, 4, 8, 56))
    mds = pc.generate_cauchy_mds(grain, 4)
    inv = [[pow(m, -1, R_MODULUS) for m in row] for row in mds]
    for i in range(4):
        for j in range(4):
            assert (inv[i][j] - inv[i][0] - inv[0][j] + inv[0][0]) % R_MODULUS == 0
