"""Tests for zkpot_ref/plonk/lookup.py: logUp inside PLONK, prover to verifier."""

from __future__ import annotations

import functools

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from plonk_helpers import random_circuit, shared_srs

from zkpot_ref.curve import G1
from zkpot_ref.errors import CircuitError, MalformedInput
from zkpot_ref.field import R_MODULUS as R
from zkpot_ref.plonk import lookup, snarkjs
from zkpot_ref.plonk.checks import range_check
from zkpot_ref.plonk.circuit import Circuit
from zkpot_ref.plonk.preprocess import VerificationKey, setup
from zkpot_ref.plonk.proof import LOOKUP_POINT_FIELDS, LOOKUP_SCALAR_FIELDS, Proof
from zkpot_ref.plonk.prover import prove
from zkpot_ref.plonk.verifier import verify
from zkpot_ref.plonk.verifier_unoptimised import verify_step_by_step


def build(values: list[int | None], table_bits: int = 4) -> Circuit:
    c = Circuit()
    total = c.public_input(None if None in values else sum(values) % R)
    xs = [c.private_input(v) for v in values]
    acc = xs[0]
    for x in xs[1:]:
        acc = c.add(acc, x)
    c.assert_equal(acc, total)
    c.use_range_table(table_bits)
    for x in xs:
        range_check(c, x, 6)
    return c


@functools.cache
def statement():
    c = build([1, 63, 0, 17])
    pk, vk = setup(build([None] * 4), shared_srs())
    return c, pk, vk, prove(pk, c)


def test_table_multiplicities_and_running_sum() -> None:
    table = lookup.table_column(2, 8)
    assert table == [0, 1, 2, 3, 0, 0, 0, 0]
    f = [3, 3, 0, 1, 0, 0, 0, 0]
    m = lookup.multiplicities(f, table)
    assert m == [5, 1, 0, 2, 0, 0, 0, 0]
    phi = lookup.running_sum(f, table, m, delta=1234567)
    inv = pow
    # the sum wraps to zero: phi_{n-1} + last step == 0
    last = (phi[-1] + inv(1234567 - f[-1], -1, R) - m[-1] * inv(1234567 - table[-1], -1, R)) % R
    assert phi[0] == 0 and last == 0
    # a value outside the table breaks the wrap-around
    f_bad = [7] + f[1:]
    m_bad = lookup.multiplicities(f_bad, table)
    phi_bad = lookup.running_sum(f_bad, table, m_bad, delta=1234567)
    last_bad = (phi_bad[-1] + inv(1234567, -1, R) - m_bad[-1] * inv(1234567, -1, R)) % R
    assert last_bad != 0
    with pytest.raises(Exception, match="does not fit"):
        lookup.table_column(4, 8)


@pytest.mark.parametrize("check", [verify, verify_step_by_step])
def test_satisfied_lookups_prove_and_verify(check) -> None:
    c, _, vk, proof = statement()
    assert vk.has_lookups and proof.has_lookups
    assert check(vk, c.public_values(), proof)
    assert not check(vk, [(c.public_values()[0] + 1) % R], proof)


def test_value_outside_the_table_is_caught_and_a_forced_proof_fails() -> None:
    _, pk, vk, _ = statement()
    bad = build([1, 64, 0, 16])  # 64 needs 7 bits; the sum is unchanged
    with pytest.raises(Exception, match="not in the table"):
        bad.check_witness()
    forced = prove(pk, bad, check=False)
    assert not verify(vk, bad.public_values(), forced)
    assert not verify_step_by_step(vk, bad.public_values(), forced)


@pytest.mark.parametrize("name", LOOKUP_POINT_FIELDS + LOOKUP_SCALAR_FIELDS)
def test_each_new_proof_element_tampered(name: str) -> None:
    c, _, vk, proof = statement()
    value = getattr(proof, name)
    changed = value + G1.generator() if isinstance(value, G1) else (value + 1) % R
    tampered = proof.replace(**{name: changed})
    assert not verify(vk, c.public_values(), tampered)
    assert not verify_step_by_step(vk, c.public_values(), tampered)


def test_vk_tampering_and_mixing_vanilla_with_lookups() -> None:
    c, _, vk, proof = statement()
    for field in ("Q_K", "T"):
        moved = VerificationKey(**{**vk.__dict__, field: getattr(vk, field) + G1.generator()})
        assert not verify(moved, c.public_values(), proof)
    vanilla = proof.replace(M=None, Phi=None, eval_qk=None, eval_t=None, eval_m=None,
                            eval_phiw=None)
    with pytest.raises(MalformedInput, match="disagree about lookups"):
        verify(vk, c.public_values(), vanilla)


def test_formats_with_lookups() -> None:
    c, _, vk, proof = statement()
    data = proof.to_bytes()
    assert len(data) == 1025 and data[0] == 2
    assert Proof.from_bytes(data) == proof
    with pytest.raises(MalformedInput):
        Proof.from_bytes(data[:769])
    assert VerificationKey.from_bytes(vk.to_bytes()) == vk and vk.to_bytes()[0] == 2
    with pytest.raises(MalformedInput, match="no lookups"):
        snarkjs.proof_to_json(proof)
    with pytest.raises(MalformedInput, match="no lookups"):
        snarkjs.vk_to_json(vk)


def test_circuits_without_lookups_stay_vanilla() -> None:
    circuit = random_circuit(5, 20, 1)
    pk, vk = setup(circuit, shared_srs())
    proof = prove(pk, circuit)
    assert not vk.has_lookups and not proof.has_lookups and len(proof.to_bytes()) == 769
    assert snarkjs.verify(snarkjs.vk_to_json(vk), snarkjs.proof_to_json(proof),
                          snarkjs.public_to_json(circuit.public_values()))


@settings(max_examples=4, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(0, 10_000), st.lists(st.integers(0, 255), min_size=1, max_size=6))
def test_random_circuits_mixing_arithmetic_and_lookups_verify(seed: int, values: list[int]):
    def make(with_values: bool) -> Circuit:
        c = random_circuit(seed, 12, 1, with_values=with_values)
        c.use_range_table(4)
        for v in values:
            range_check(c, c.private_input(v if with_values else None), 8)
        return c

    circuit = make(True)
    pk, vk = setup(make(False), shared_srs())
    assert verify(vk, circuit.public_values(), prove(pk, circuit))


def test_a_lookup_row_can_carry_arithmetic() -> None:
    """gate(..., lookup=True): the row range-checks wire a AND keeps its gate equation,
    here s = 16·hi + lo with lo, hi looked up in the 4-bit table (2 rows for 8 bits)."""

    def limbs(value: int | None) -> Circuit:
        c = Circuit()
        x = c.public_input(value)
        c.use_range_table(4)
        lo = c.private_input(None if value is None else value & 15)
        hi = c.private_input(None if value is None else value >> 4)
        c.gate(lo, None, None, label="lo", lookup=True)
        partial = c.private_input(None if value is None else (value >> 4) * 16)
        c.gate(hi, partial, None, q_L=16, q_R=-1, label="hi", lookup=True)
        total = c.add(partial, lo)
        c.assert_equal(total, x)
        return c

    pk, vk = setup(limbs(None), shared_srs())
    assert [g.q_K for g in limbs(None).gates if g.q_K] == [1, 1]
    proof = prove(pk, limbs(0xA7))
    assert verify(vk, [0xA7], proof) and verify_step_by_step(vk, [0xA7], proof)
    # hi = 16 is outside [0, 16): every gate equation holds, the lookup does not
    forced_value = 16 * 16 + 0x07
    forced = limbs(forced_value)
    with pytest.raises(CircuitError, match="not in the table"):
        forced.check_witness()
    assert not verify(vk, [forced_value], prove(pk, forced, check=False))
