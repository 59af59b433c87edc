"""Tests for zkpot_ref/plonk/verifier.py (and the step-by-step verifier): one per check."""

from __future__ import annotations

import functools

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from plonk_helpers import random_circuit, shared_srs

from zkpot_ref.curve import G1
from zkpot_ref.errors import MalformedInput, ZkpotError
from zkpot_ref.field import R_MODULUS as R
from zkpot_ref.plonk.preprocess import setup
from zkpot_ref.plonk.proof import POINT_FIELDS, PROOF_BYTES, SCALAR_FIELDS, Proof
from zkpot_ref.plonk.prover import prove
from zkpot_ref.plonk.verifier import public_input_at, verify
from zkpot_ref.plonk.verifier_unoptimised import verify_step_by_step
from zkpot_ref.poly import Domain

VERIFIERS = [verify, verify_step_by_step]


@functools.cache
def statement():
    circuit = random_circuit(77, 24, 3)
    pk, vk = setup(circuit, shared_srs())
    return circuit, pk, vk, prove(pk, circuit)


@pytest.mark.task4_8
def test_public_input_at_is_minus_the_lagrange_sum() -> None:
    domain, public, xi = Domain(16), [3, 5, R - 7], 123456789
    pi, l1 = public_input_at(domain, public, xi)
    assert l1 == domain.lagrange_at(0, xi)
    assert pi == -sum(p * domain.lagrange_at(i, xi) for i, p in enumerate(public)) % R
    assert public_input_at(domain, [], xi) == (0, l1)


@pytest.mark.task4_9
@pytest.mark.parametrize("check", VERIFIERS)
def test_valid_proof_accepted(check) -> None:
    circuit, _, vk, proof = statement()
    assert check(vk, circuit.public_values(), proof)


@pytest.mark.parametrize("check", VERIFIERS)
def test_forced_proof_of_a_bad_witness_is_rejected(check) -> None:
    circuit = random_circuit(78, 24, 3)
    out = circuit.mul(circuit.private_input(3), circuit.private_input(5))
    pk, vk = setup(circuit, shared_srs())
    circuit.values[out.index] = 16
    forced = prove(pk, circuit, check=False)
    assert not check(vk, circuit.public_values(), forced)


@pytest.mark.parametrize("check", VERIFIERS)
def test_wrong_public_input_rejected(check) -> None:
    circuit, _, vk, proof = statement()
    public = circuit.public_values()
    for i in range(len(public)):
        changed = list(public)
        changed[i] = (changed[i] + 1) % R
        assert not check(vk, changed, proof)


@pytest.mark.parametrize("check", VERIFIERS)
def test_public_inputs_that_are_not_a_sequence_are_malformed_input(check) -> None:
    """verify returns a bool or raises MalformedInput, nothing else: None once raised
    TypeError (issue 16)."""
    circuit, _, vk, proof = statement()
    for bad in (None, 7, "123", b"123", {1: 2}, 1.5, object()):
        with pytest.raises(MalformedInput, match="public inputs must be a sequence"):
            check(vk, bad, proof)
    assert check(vk, tuple(circuit.public_values()), proof)


@settings(max_examples=40, deadline=None)
@given(public=st.one_of(
    st.none(), st.integers(), st.text(max_size=5), st.floats(),
    st.lists(st.one_of(st.integers(), st.none(), st.floats(), st.text(max_size=3),
                       st.booleans()), max_size=5),
))  # fmt: skip
def test_verify_returns_a_bool_or_raises_malformed_input_only(public) -> None:  # noqa: ANN001
    _, _, vk, proof = statement()
    try:
        result = verify(vk, public, proof)
    except MalformedInput:
        return
    assert result is False


def test_proof_transplanted_to_another_key_rejected() -> None:
    circuit, _, _, proof = statement()
    _, other_vk = setup(random_circuit(79, 24, 3), shared_srs())
    assert not verify(other_vk, circuit.public_values(), proof)


@pytest.mark.parametrize("name", POINT_FIELDS)
def test_each_commitment_tampered(name: str) -> None:
    circuit, _, vk, proof = statement()
    moved = proof.replace(**{name: getattr(proof, name) + G1.generator()})
    assert not verify(vk, circuit.public_values(), moved)
    assert not verify_step_by_step(vk, circuit.public_values(), moved)
    to_identity = proof.replace(**{name: G1.identity()})
    assert not verify(vk, circuit.public_values(), to_identity)


@pytest.mark.parametrize("name", SCALAR_FIELDS)
def test_each_evaluation_tampered(name: str) -> None:
    circuit, _, vk, proof = statement()
    changed = proof.replace(**{name: (getattr(proof, name) + 1) % R})
    assert not verify(vk, circuit.public_values(), changed)
    assert not verify_step_by_step(vk, circuit.public_values(), changed)
    with pytest.raises(MalformedInput, match=name):
        verify(vk, circuit.public_values(), proof.replace(**{name: getattr(proof, name) + R}))


def test_all_identity_proof_rejected() -> None:
    circuit, _, vk, proof = statement()
    zeros = proof.replace(**{n: G1.identity() for n in POINT_FIELDS},
                          **{n: 0 for n in SCALAR_FIELDS})
    assert not verify(vk, circuit.public_values(), zeros)


def test_public_inputs_validated() -> None:
    circuit, _, vk, proof = statement()
    public = circuit.public_values()
    with pytest.raises(MalformedInput, match="expected 3 public inputs"):
        verify(vk, public[:-1], proof)
    with pytest.raises(MalformedInput, match="public input 0"):
        verify(vk, [R] + public[1:], proof)
    with pytest.raises(MalformedInput):
        verify(vk, ["1"] + public[1:], proof)  # type: ignore[list-item]
    with pytest.raises(MalformedInput):
        verify(vk, public, "proof")  # type: ignore[arg-type]


def test_proof_bytes_round_trip_and_strictness() -> None:
    circuit, _, vk, proof = statement()
    data = proof.to_bytes()
    assert len(data) == PROOF_BYTES == 769
    assert Proof.from_bytes(data) == proof
    for bad in (data[:-1], data + b"\x00", b"", b"\x02" + data[1:]):
        with pytest.raises(MalformedInput):
            Proof.from_bytes(bad)
    scalar_over_r = data[: PROOF_BYTES - 32] + R.to_bytes(32, "big")
    with pytest.raises(MalformedInput, match="non-canonical"):
        Proof.from_bytes(scalar_over_r)
    off_curve = bytearray(data)
    off_curve[64] ^= 1  # A's y
    with pytest.raises(MalformedInput):
        Proof.from_bytes(bytes(off_curve))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_fuzzed_proof_bytes_give_false_or_malformed_input(data) -> None:
    circuit, _, vk, proof = statement()
    raw = bytearray(proof.to_bytes())
    kind = data.draw(st.sampled_from(["flip", "truncate", "extend", "random"]))
    if kind == "flip":
        i = data.draw(st.integers(0, len(raw) - 1))
        raw[i] ^= 1 << data.draw(st.integers(0, 7))
    elif kind == "truncate":
        raw = raw[: data.draw(st.integers(0, len(raw) - 1))]
    elif kind == "extend":
        raw += data.draw(st.binary(min_size=1, max_size=40))
    else:
        raw = bytearray(data.draw(st.binary(min_size=0, max_size=800)))
    try:
        accepted = verify(vk, circuit.public_values(), Proof.from_bytes(bytes(raw)))
    except ZkpotError as error:
        assert isinstance(error, MalformedInput)
    else:
        assert accepted is (bytes(raw) == proof.to_bytes())


def test_off_curve_point_in_a_proof_object_is_malformed_input() -> None:
    circuit, _, vk, proof = statement()
    off_curve = G1(1, 1, 1)  # raw Jacobian constructor: (1, 1) is not on y^2 = x^3 + 3
    for name in ("A", "Wxiw"):
        with pytest.raises(MalformedInput, match=f"proof.{name} is not a point"):
            verify(vk, circuit.public_values(), proof.replace(**{name: off_curve}))
    with pytest.raises(MalformedInput, match="is not a point"):
        verify(vk, circuit.public_values(), proof.replace(Z="not a point"))
