"""Tests for zkpot_ref/gadgets/commitment_circuit.py.

Outside reference: the native ``commitment.commit`` (itself checked against ``permute``,
which reproduces circomlibjs); the in-circuit commitment must equal it for every width,
count and salt, and the circuit must refuse what the native side refuses.
"""

from __future__ import annotations

import functools
import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from zkpot_ref.errors import CircuitError, MalformedInput
from zkpot_ref.field import R_MODULUS
from zkpot_ref.gadgets.commitment import commit
from zkpot_ref.gadgets.commitment_circuit import (
    assert_commitment,
    commitment_gadget,
    commitment_rows,
    pack_forms,
    range_check_bits,
)
from zkpot_ref.kzg import SRS
from zkpot_ref.plonk.checks import range_check
from zkpot_ref.plonk.circuit import Circuit
from zkpot_ref.plonk.preprocess import setup
from zkpot_ref.plonk.prover import prove
from zkpot_ref.plonk.verifier import verify

R = R_MODULUS
#: rows of the lookup range check with the default 8-bit table (1 lookup per limb and
#: one rebuild row per extra limb), and of the bit decomposition
LOOKUP_ROWS = {8: 1, 16: 3, 32: 7}


def bit_rows(bits: int) -> int:
    return 2 * bits - 1


def no_check(circuit: Circuit, x, bits: int, label: str = "") -> None:
    """A broken 'range check' that checks nothing: what the real one protects against."""


def commitment_circuit(values: list[int | None], bits: int, salt: int | None,
                       public: int | None, check=None) -> tuple[Circuit, int]:
    """The statement "public commits to these private values": returns (circuit, rows)."""
    circuit = Circuit()
    commitment = circuit.public_input(public)
    wires = [circuit.private_input(v) for v in values]
    salt_wire = circuit.private_input(salt)
    before = len(circuit.gates)
    assert_commitment(circuit, commitment, wires, bits, salt_wire, range_check=check)
    return circuit, len(circuit.gates) - before


@functools.cache
def srs() -> SRS:
    return SRS.insecure_from_tau(0x5EED_7A0, 1024 + 8)


@settings(max_examples=6, deadline=None)
@given(st.sampled_from([8, 16, 32]), st.integers(1, 40), st.integers(0, R - 1),
       st.randoms(use_true_random=False))
def test_native_and_circuit_agree(bits: int, count: int, salt: int, rng: random.Random) -> None:
    values = [rng.randrange(1 << bits) for _ in range(count)]
    expected, _ = commit(values, bits, salt)
    for check, rows_per_check in ((None, LOOKUP_ROWS[bits]), (range_check_bits, bit_rows(bits))):
        circuit, rows = commitment_circuit(values, bits, salt, expected, check)
        circuit.check_witness()
        assert rows == commitment_rows(count, bits, rows_per_check)


@pytest.mark.parametrize("bits", [8, 16, 32])
def test_edges_agree(bits: int) -> None:
    """Empty list, all-zero and all-maximal values, a block boundary (k values, k + 1)."""
    k = 253 // bits
    for values in ([], [0], [(1 << bits) - 1] * k, [(1 << bits) - 1] * (k + 1), [0] * (3 * k)):
        expected, salt = commit(values, bits, 12345)
        circuit = Circuit()
        wires = [circuit.private_input(v) for v in values]
        out = commitment_gadget(circuit, wires, bits, circuit.private_input(salt))
        circuit.check_witness()
        assert circuit.value(out) == expected


@pytest.mark.parametrize("check", [None, range_check_bits], ids=["lookup", "bits"])
@pytest.mark.parametrize("bad", [256, 1 << 20, R - 1])
def test_a_value_out_of_range_fails_check_witness(check, bad: int) -> None:
    values = [7, bad, 9]
    # the commitment the cheater would claim: that of the list with the overflowing value
    packed_as_field = (7 + (bad << 8) + (9 << 16)) % R
    circuit, _ = commitment_circuit(values, 8, 1, packed_as_field, check)
    with pytest.raises(CircuitError, match="commitment: value 1"):
        circuit.check_witness()


def test_without_range_checks_one_commitment_opens_to_two_lists() -> None:
    """Why the range checks: [256, 0] packs like [0, 1] (256 spills into the next value)."""
    honest, salt = commit([0, 1], 8, 99)
    cheat, _ = commitment_circuit([256, 0], 8, salt, honest, check=no_check)
    cheat.check_witness()  # accepted: the packing is not injective without the checks
    checked, _ = commitment_circuit([256, 0], 8, salt, honest)
    with pytest.raises(CircuitError, match="value 0"):
        checked.check_witness()


def test_wrong_salt_or_commitment_fails_naming_the_copy() -> None:
    commitment, salt = commit([1, 2, 3], 16, 5)
    for wrong_salt, public in ((salt + 1, commitment), (salt, (commitment + 1) % R)):
        circuit, _ = commitment_circuit([1, 2, 3], 16, wrong_salt, public)
        with pytest.raises(CircuitError, match="equals the public commitment"):
            circuit.check_witness()


def test_structure_does_not_depend_on_values_or_salt() -> None:
    a, _ = commitment_circuit([1, 2], 8, 3, commit([1, 2], 8, 3)[0])
    b, _ = commitment_circuit([200, 0], 8, 77, commit([200, 0], 8, 77)[0])
    keygen, _ = commitment_circuit([None, None], 8, None, None)
    assert a.structure_digest() == b.structure_digest() == keygen.structure_digest()


@pytest.mark.slow
def test_a_commitment_proves_and_verifies() -> None:
    values = [3, 250, 17]
    commitment, salt = commit(values, 8)
    circuit, rows = commitment_circuit(values, 8, salt, commitment)
    assert rows == commitment_rows(3, 8, 1) == 628
    pk, vk = setup(circuit, srs())
    proof = prove(pk, circuit)
    assert verify(vk, [commitment], proof)
    assert not verify(vk, [(commitment + 1) % R], proof)


# -- the pieces ---------------------------------------------------------------------------


@pytest.mark.parametrize("bits", [1, 2, 8, 16, 32])
def test_range_check_bits(bits: int) -> None:
    for value, ok in ((0, True), ((1 << bits) - 1, True), (1 << bits, False), (R - 1, False)):
        circuit = Circuit()
        range_check_bits(circuit, circuit.private_input(value), bits)
        assert len(circuit.gates) == bit_rows(bits)
        if ok:
            circuit.check_witness()
        else:
            with pytest.raises(CircuitError):
                circuit.check_witness()


def test_lookup_range_check_rows_are_as_used_above() -> None:
    for bits, rows in LOOKUP_ROWS.items():
        circuit = Circuit()
        range_check(circuit, circuit.private_input(5), bits)
        assert len(circuit.gates) == rows


def test_pack_forms_is_the_native_packing() -> None:
    from zkpot_ref.gadgets.commitment import pack

    values = list(range(40))
    circuit = Circuit()
    forms = pack_forms([circuit.private_input(v) for v in values], 8)
    assert [f.value(circuit) for f in forms] == pack(values, 8)
    assert not circuit.gates


def test_bad_inputs_are_refused() -> None:
    circuit = Circuit()
    x = circuit.private_input(1)
    with pytest.raises(MalformedInput, match="bits"):
        commitment_gadget(circuit, [x], 0, x)
    with pytest.raises(MalformedInput, match="Variables"):
        commitment_gadget(circuit, [1], 8, x)
    with pytest.raises(MalformedInput, match="salt"):
        commitment_gadget(circuit, [x], 8, 5)
    with pytest.raises(MalformedInput, match="commitment must be"):
        assert_commitment(circuit, 5, [x], 8, x)
    with pytest.raises(MalformedInput, match="bits"):
        range_check_bits(circuit, x, 254)
    with pytest.raises(MalformedInput, match="count"):
        commitment_rows(0, 8, 1)


def test_bad_input_types_are_refused_by_name() -> None:
    """A bool or float width, a mixed list, a commitment that is no wire, a count that is no
    int: each refused with its own message (not a crash further in)."""
    circuit = Circuit()
    x = circuit.private_input(1)
    for bits in (True, 8.0):
        with pytest.raises(MalformedInput, match="bits must be in"):
            range_check_bits(circuit, x, bits)  # type: ignore[arg-type]
    with pytest.raises(MalformedInput, match="Variables"):
        commitment_gadget(circuit, [x, 1], 8, x)  # type: ignore[list-item]
    with pytest.raises(MalformedInput, match="commitment must be a circuit Variable"):
        assert_commitment(circuit, 5, [x], 8, x)  # type: ignore[arg-type]
    for count in (1.0, True, -1):
        with pytest.raises(MalformedInput, match="count >= 1"):
            commitment_rows(count, 8, 1)  # type: ignore[arg-type]
