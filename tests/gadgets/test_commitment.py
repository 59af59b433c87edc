"""Tests for zkpot_ref/gadgets/commitment.py: packing, the sponge, binding and hiding.

Outside reference: the sponge is built on ``permute``, which tests/gadgets/test_poseidon.py
checks against circomlibjs; here the sponge layout is checked by recomputing it by hand.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from zkpot_ref.errors import MalformedInput
from zkpot_ref.field import R_MODULUS
from zkpot_ref.gadgets import commitment as cm
from zkpot_ref.gadgets.poseidon import permute


@pytest.mark.parametrize(("bits", "k"), [(1, 253), (8, 31), (16, 15), (32, 7), (64, 3), (253, 1)])
def test_values_per_element(bits: int, k: int) -> None:
    assert cm.values_per_element(bits) == k
    assert k * bits <= 253 < (k + 1) * bits


@pytest.mark.parametrize("bits", [0, 254, -1, 8.0, "8", None])
def test_bad_widths_are_refused(bits: object) -> None:
    with pytest.raises(MalformedInput):
        cm.values_per_element(bits)  # type: ignore[arg-type]
    with pytest.raises(MalformedInput):
        cm.commit([1], bits)  # type: ignore[arg-type]


def test_pack_layout_is_little_endian_base_2_to_the_w() -> None:
    assert cm.pack([1, 2, 3], 8) == [1 + 2 * 256 + 3 * 256**2]
    assert cm.pack(list(range(32)), 8) == [sum(v << (8 * v) for v in range(31)), 31]
    assert cm.pack([], 8) == []
    assert cm.pack([(1 << 253) - 1], 253) == [(1 << 253) - 1]


@settings(max_examples=25, deadline=None)
@given(
    st.integers(1, 253).flatmap(
        lambda w: st.tuples(st.just(w), st.lists(st.integers(0, (1 << w) - 1), max_size=40))
    )
)
def test_pack_unpack_round_trip_and_elements_stay_below_r(case: tuple[int, list[int]]) -> None:
    bits, values = case
    packed = cm.pack(values, bits)
    assert all(0 <= e < 1 << 253 < R_MODULUS for e in packed)
    assert len(packed) == -(-len(values) // cm.values_per_element(bits))
    assert cm.unpack(packed, bits, len(values)) == values


def test_unpack_refuses_a_wrong_count() -> None:
    with pytest.raises(MalformedInput):
        cm.unpack([1, 2], 8, 5)  # 5 values need 1 element, not 2
    with pytest.raises(MalformedInput):
        cm.unpack([], 8, -1)


@pytest.mark.parametrize("bad", [[256], [-1], [1.5], [True], ["3"], [None]])
def test_out_of_range_or_non_integer_values_are_refused(bad: list) -> None:
    with pytest.raises(MalformedInput):
        cm.pack(bad, 8)
    with pytest.raises(MalformedInput):
        cm.commit(bad, 8)


def test_numpy_integers_are_accepted() -> None:
    values = np.array([3, 200, 17], dtype=np.uint8)
    commitment, salt = cm.commit(values, 8)
    assert cm.open_commitment(commitment, [3, 200, 17], 8, salt)


def test_domain_tag_encodes_count_and_width() -> None:
    assert cm.domain_tag(0, 8) == 8 << 64
    assert cm.domain_tag(3, 8) == ((3 << 8) + 8) << 64
    assert len({cm.domain_tag(n, w) for n in range(20) for w in range(1, 254)}) == 20 * 253
    with pytest.raises(MalformedInput):
        cm.domain_tag(-1, 8)


@pytest.mark.task5_4
def test_sponge_layout_by_hand() -> None:
    tag = cm.domain_tag(5, 8)
    a, b, c = 11, 22, 33
    s = permute([tag, a, b])
    s = permute([s[0], (s[1] + c) % R_MODULUS, s[2]])  # last block zero-padded
    assert cm.sponge([a, b, c], tag) == s[1]
    assert cm.sponge([a, b, c, 0], tag) == s[1]  # why the tag must fix the length


def test_sponge_refuses_empty_or_non_field_input() -> None:
    with pytest.raises(MalformedInput):
        cm.sponge([], 0)
    with pytest.raises(MalformedInput):
        cm.sponge([R_MODULUS], 0)
    with pytest.raises(MalformedInput):
        cm.sponge([1], R_MODULUS)


@pytest.mark.task5_4
def test_commitment_is_the_documented_sponge() -> None:
    values, salt = [7, 8, 9], 12345
    commitment, returned_salt = cm.commit(values, 8, salt)
    assert returned_salt == salt
    tag = cm.domain_tag(3, 8)
    assert commitment == permute([tag, salt, 7 + 8 * 256 + 9 * 256**2])[1]


def test_commit_then_open() -> None:
    values = [5, 0, 255, 17] * 10
    commitment, salt = cm.commit(values, 8)
    assert 0 <= salt < R_MODULUS and 0 <= commitment < R_MODULUS
    assert cm.open_commitment(commitment, values, 8, salt)


def test_binding_different_values_give_different_commitments() -> None:
    salt = 999
    base = [1, 2, 3, 4]
    seen = {cm.commit(base, 8, salt)[0]}
    for variant in ([1, 2, 3, 5], [2, 1, 3, 4], [1, 2, 3], [1, 2, 3, 4, 0], [0, 1, 2, 3, 4]):
        seen.add(cm.commit(variant, 8, salt)[0])
    seen.add(cm.commit(base, 16, salt)[0])  # same numbers, another width
    assert len(seen) == 7


def test_hiding_same_values_different_salts() -> None:
    values = [1, 2, 3]
    first, salt_1 = cm.commit(values, 8)
    second, salt_2 = cm.commit(values, 8)
    assert salt_1 != salt_2 and first != second
    assert cm.commit(values, 8, salt_1)[0] == first  # deterministic given the salt


def test_open_rejects_wrong_values_salt_width_and_length() -> None:
    values = [10, 20, 30]
    commitment, salt = cm.commit(values, 8)
    assert not cm.open_commitment(commitment, [10, 20, 31], 8, salt)
    assert not cm.open_commitment(commitment, values, 8, (salt + 1) % R_MODULUS)
    assert not cm.open_commitment(commitment, values, 16, salt)  # values fit 16 bits too
    assert not cm.open_commitment(commitment, [10, 20, 30, 0], 8, salt)
    assert not cm.open_commitment((commitment + 1) % R_MODULUS, values, 8, salt)


def test_open_refuses_malformed_openings() -> None:
    commitment, salt = cm.commit([1, 300], 16)
    with pytest.raises(MalformedInput):
        cm.open_commitment(commitment, [1, 300], 8, salt)  # 300 does not fit 8 bits
    with pytest.raises(MalformedInput):
        cm.open_commitment(commitment, [1, 300], 16, R_MODULUS)
    with pytest.raises(MalformedInput):
        cm.open_commitment(commitment, [1, 300], 16, None)  # type: ignore[arg-type]
    with pytest.raises(MalformedInput):
        cm.open_commitment(R_MODULUS, [1, 300], 16, salt)
    with pytest.raises(MalformedInput):
        cm.commit([1], 8, salt=-1)


@pytest.mark.parametrize(
    ("count", "bits"), [(0, 8), (1, 8), (31, 8), (32, 8), (93, 8), (94, 8), (10, 253), (15, 16)]
)
def test_permutation_count(monkeypatch, count: int, bits: int) -> None:
    calls = []

    def counting_permute(state: list[int]) -> list[int]:
        calls.append(1)
        return permute(state)

    monkeypatch.setattr(cm, "permute", counting_permute)
    cm.commit([1] * count, bits, salt=5)
    assert len(calls) == cm.permutations_for(count, bits)


def test_permutation_count_formula_examples() -> None:
    assert cm.permutations_for(0, 8) == 1  # just the salt
    assert cm.permutations_for(1000, 8) == 17  # 33 packed elements + salt, two per permutation
    assert cm.permutations_for(100_000, 8) == 1614


@pytest.mark.parametrize("salt", [True, 1.0, "1", -1, R_MODULUS])
def test_a_salt_must_be_an_int_field_element(salt: object) -> None:
    """bool and float pass a range check (True < r), so the type is checked too."""
    with pytest.raises(MalformedInput, match="salt"):
        cm.commit([1, 2, 3], 8, salt=salt)  # type: ignore[arg-type]
    assert cm.commit([1, 2, 3], 8, salt=1)[1] == 1
