"""Tests for zkpot_ref/gadgets/poseidon_circuit.py.

Outside reference: every vector of ../shared/vectors/poseidon_bn254_circomlib.json
(circomlibjs 0.1.7 ``buildPoseidon()``), computed IN-CIRCUIT; the native permutation
(itself checked against the same vectors) for random states and round by round.
"""

from __future__ import annotations

import functools
import json
import random
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from zkpot_ref.errors import CircuitError, MalformedInput
from zkpot_ref.field import R_MODULUS
from zkpot_ref.gadgets import poseidon as native
from zkpot_ref.gadgets.poseidon_circuit import (
    LinearForm,
    as_variable,
    hash_rows,
    materialize,
    mix_forms,
    permutation_rows,
    permute_forms,
    poseidon_gadget,
    poseidon_permutation,
    sbox_gadget,
)
from zkpot_ref.gadgets.poseidon_constants import params
from zkpot_ref.kzg import SRS
from zkpot_ref.plonk.circuit import Circuit
from zkpot_ref.plonk.preprocess import setup
from zkpot_ref.plonk.prover import prove
from zkpot_ref.plonk.verifier import verify

VECTORS_FILE = (
    Path(__file__).resolve().parents[3] / "shared" / "vectors" / "poseidon_bn254_circomlib.json"
)
VECTORS = json.loads(VECTORS_FILE.read_text())["vectors"]
R = R_MODULUS


@functools.cache
def srs() -> SRS:
    """A test SRS with a known tau, enough for a 2^10-row circuit."""
    return SRS.insecure_from_tau(0x5EED_7A0, 1024 + 8)


def hash_circuit(inputs: list[int | None], public: bool = False,
                 public_hash: int | None = None) -> tuple:
    """Private inputs hashed in-circuit; with ``public`` the hash is the public input."""
    circuit = Circuit()
    public = circuit.public_input(public_hash) if public else None
    before = len(circuit.gates)
    out = poseidon_gadget(circuit, [circuit.private_input(x) for x in inputs])
    rows = len(circuit.gates) - before
    if public is not None:
        circuit.assert_equal(out, public, label="hash equals the public input")
    return circuit, out, rows


@pytest.mark.parametrize("vector", VECTORS, ids=[f"t{v['t']}-{i}" for i, v in enumerate(VECTORS)])
def test_every_circomlibjs_vector_in_circuit(vector: dict) -> None:
    # circuit values are field elements, so the vector whose input is >= r is fed reduced
    inputs = [int(x) % R for x in vector["inputs"]]
    circuit, out, rows = hash_circuit(inputs)
    circuit.check_witness()
    assert circuit.value(out) == int(vector["hash"])
    assert rows == hash_rows(vector["t"])


def test_the_vector_above_r_is_the_reduced_one() -> None:
    big = [v for v in VECTORS if any(int(x) >= R for x in v["inputs"])]
    assert len(big) == 1  # so the reduction above is exercised exactly where intended


@pytest.mark.parametrize(("t", "perm", "hashed"), [(2, 344, 338), (3, 633, 623), (5, 1660, 1636)])
def test_rows_per_permutation_match_the_documented_formula(t: int, perm: int, hashed: int) -> None:
    rng = random.Random(t)
    state = [rng.randrange(R) for _ in range(t)]
    circuit = Circuit()
    wires = [circuit.private_input(x) for x in state]
    out = poseidon_permutation(circuit, wires)
    circuit.check_witness()
    assert [circuit.value(v) for v in out] == native.permute(state)
    assert len(circuit.gates) == permutation_rows(t) == perm
    assert hash_circuit(state[1:])[2] == hash_rows(t) == hashed


def test_every_round_state_is_on_a_wire() -> None:
    """Round for round: each intermediate native state element is some wire's value."""
    p, state = params(3), [5, 6, 7]
    circuit = Circuit()
    poseidon_permutation(circuit, [circuit.private_input(x) for x in state])
    values = set(circuit.values)
    for r, constants in enumerate(p.round_constants[:-1]):
        step = native.full_round if native.is_full_round(p, r) else native.partial_round
        state = step(state, constants, p.mds)
        assert set(state) <= values, f"round {r}"


@settings(max_examples=5, deadline=None)
@given(st.lists(st.integers(0, R - 1), min_size=2, max_size=2), st.sampled_from([1, 2, 4]))
def test_random_inputs_agree_with_native(prefix: list[int], count: int) -> None:
    inputs = (prefix * 2)[:count]
    circuit, out, _ = hash_circuit(inputs)
    circuit.check_witness()
    assert circuit.value(out) == native.poseidon(inputs)


def test_structure_does_not_depend_on_the_inputs() -> None:
    a, _, _ = hash_circuit([1, 2], True, native.poseidon([1, 2]))
    b, _, _ = hash_circuit([3, 4], True, native.poseidon([3, 4]))
    keygen, out, _ = hash_circuit([None, None], True, None)  # as key generation builds it
    assert keygen.value(out) is None
    assert a.structure_digest() == b.structure_digest() == keygen.structure_digest()
    assert a.structure_digest() != hash_circuit([1, 2, 3], True, None)[0].structure_digest()


def test_a_wrong_output_names_the_gate() -> None:
    circuit, out, _ = hash_circuit([1, 2])
    circuit.values[out.index] = (circuit.values[out.index] + 1) % R
    with pytest.raises(CircuitError, match=r"poseidon: output s0"):
        circuit.check_witness()


def test_a_wrong_sbox_wire_names_the_round() -> None:
    circuit, _, _ = hash_circuit([1, 2])
    row = next(i for i, g in enumerate(circuit.gates) if g.label.endswith("round 5 S-box s0: u^4"))
    x4 = circuit.gates[row].c
    circuit.values[x4] = (circuit.values[x4] + 1) % R
    with pytest.raises(CircuitError, match=r"round 5 S-box s0: u\^4"):
        circuit.check_witness()


@pytest.mark.slow
def test_a_t3_hash_proves_and_verifies() -> None:
    expected = native.poseidon([1, 2])
    circuit, _, _ = hash_circuit([1, 2], True, expected)
    circuit.check_witness()
    pk, vk = setup(circuit, srs())
    proof = prove(pk, circuit)
    assert verify(vk, [expected], proof)
    assert not verify(vk, [(expected + 1) % R], proof)


# -- the pieces ---------------------------------------------------------------------------


def test_linear_forms_add_scale_and_evaluate() -> None:
    circuit = Circuit()
    x, y = circuit.private_input(3), circuit.private_input(10)
    form = LinearForm.of(x).scale(2) + LinearForm.of(y).plus(5) + LinearForm.const(-1)
    assert form.value(circuit) == 2 * 3 + 10 + 5 - 1
    assert (form + LinearForm.of(x).scale(-2)).terms == ((y.index, 1),)  # x cancels out
    assert form.scale(0) == LinearForm()
    unknown = Circuit()
    assert LinearForm.of(unknown.private_input(None)).value(unknown) is None
    assert not circuit.gates  # forms never add rows


@pytest.mark.parametrize("m", [1, 2, 3, 6])
def test_materialize_costs_m_minus_1_rows(m: int) -> None:
    circuit = Circuit()
    wires = [circuit.private_input(i + 2) for i in range(m)]
    form = LinearForm.const(7)
    for i, w in enumerate(wires):
        form = form + LinearForm.of(w).scale(i + 1)
    single = materialize(circuit, form)
    assert len(circuit.gates) == m - 1 and len(single.terms) == 1
    assert single.value(circuit) == form.value(circuit)
    circuit.check_witness()


def test_as_variable_cases() -> None:
    circuit = Circuit()
    w = circuit.private_input(4)
    assert as_variable(circuit, LinearForm.of(w)) == w and not circuit.gates
    assert circuit.value(as_variable(circuit, LinearForm.of(w).scale(3).plus(1))) == 13
    assert circuit.value(as_variable(circuit, LinearForm.const(9))) == 9
    assert len(circuit.gates) == 2
    circuit.check_witness()


def test_sbox_gadget_is_three_rows_and_free_on_constants() -> None:
    circuit = Circuit()
    w = circuit.private_input(11)
    out = sbox_gadget(circuit, LinearForm.of(w).scale(3).plus(5))
    assert len(circuit.gates) == 3
    assert out.value(circuit) == pow(3 * 11 + 5, 5, R) == native.sbox(38)
    assert sbox_gadget(circuit, LinearForm.const(2)) == LinearForm.const(32)
    assert len(circuit.gates) == 3
    circuit.check_witness()


def test_mix_forms_is_the_native_mds() -> None:
    p = params(3)
    circuit = Circuit()
    state = [LinearForm.of(circuit.private_input(x)) for x in (8, 9, 10)]
    mixed = mix_forms(state, p.mds)
    assert [f.value(circuit) for f in mixed] == native.mix([8, 9, 10], p.mds)
    assert not circuit.gates


def test_bad_inputs_are_refused() -> None:
    circuit = Circuit()
    x = circuit.private_input(1)
    with pytest.raises(MalformedInput, match="1..16 inputs"):
        poseidon_gadget(circuit, [])
    with pytest.raises(MalformedInput, match="1..16 inputs"):
        poseidon_gadget(circuit, [x] * 17)
    with pytest.raises(MalformedInput, match="Variables"):
        poseidon_gadget(circuit, [1, 2])
    with pytest.raises(MalformedInput, match="Variables"):
        poseidon_permutation(circuit, x)
    with pytest.raises(MalformedInput, match="widths are 2..17"):
        permute_forms(circuit, [LinearForm.of(x)])
