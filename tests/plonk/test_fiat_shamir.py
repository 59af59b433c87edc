"""Tests for zkpot_ref/plonk/fiat_shamir.py and the round messages of proof.py."""

from __future__ import annotations

import functools

import pytest
from plonk_helpers import random_circuit, shared_srs

from zkpot_ref.errors import MalformedInput
from zkpot_ref.plonk.fiat_shamir import FiatShamir
from zkpot_ref.plonk.preprocess import setup
from zkpot_ref.plonk.proof import Message1, Message2, Proof
from zkpot_ref.plonk.prover import prove
from zkpot_ref.plonk.verifier import compute_challenges
from zkpot_ref.transcript import Transcript


@functools.cache
def statement():
    circuit = random_circuit(31, 24, 2)
    pk, vk = setup(circuit, shared_srs())
    return circuit, vk, prove(pk, circuit, blinders=list(range(1, 12)))


def test_a_proof_is_its_five_messages() -> None:
    _, _, proof = statement()
    messages = proof.messages()
    assert [type(m).__name__ for m in messages] == [f"Message{k}" for k in range(1, 6)]
    assert Proof.from_messages(*messages) == proof
    with pytest.raises(MalformedInput, match="Message1"):
        Proof.from_messages(*messages[1:], messages[0])


def test_the_schedule_hashes_snarkjs_order_by_hand() -> None:
    """beta, gamma and alpha recomputed with a bare Keccak transcript, step by step."""
    circuit, vk, proof = statement()
    t = Transcript()
    for point in vk.commitments():
        t.absorb(point.to_bytes())
    for value in circuit.public_values():
        t.absorb_scalar(value)
    for point in (proof.A, proof.B, proof.C):
        t.absorb(point.to_bytes())
    beta = t.challenge()
    t.absorb_scalar(beta)
    gamma = t.challenge()
    t.absorb_scalar(beta)
    t.absorb_scalar(gamma)
    t.absorb(proof.Z.to_bytes())
    alpha = t.challenge()
    ch = compute_challenges(vk, circuit.public_values(), proof)
    assert (ch.beta, ch.gamma, ch.alpha, ch.delta) == (beta, gamma, alpha, 0)


def test_every_challenge_depends_on_its_message_and_the_statement() -> None:
    circuit, vk, proof = statement()
    public = circuit.public_values()
    base = compute_challenges(vk, public, proof)
    other_point = proof.Wxi
    assert compute_challenges(vk, [public[0] + 1, *public[1:]], proof).beta != base.beta
    assert compute_challenges(vk, public, proof.replace(A=other_point)).beta != base.beta
    assert compute_challenges(vk, public, proof.replace(Z=other_point)).alpha != base.alpha
    assert compute_challenges(vk, public, proof.replace(T2=other_point)).xi != base.xi
    assert compute_challenges(vk, public, proof.replace(eval_c=5)).v != base.v
    assert compute_challenges(vk, public, proof.replace(Wxiw=proof.A)).u != base.u
    same = compute_challenges(vk, public, proof.replace(Wxiw=proof.A))
    assert (same.beta, same.gamma, same.alpha, same.xi, same.v) == (
        base.beta, base.gamma, base.alpha, base.xi, base.v)


def test_rounds_go_in_order_and_take_their_own_message() -> None:
    circuit, vk, proof = statement()
    m1, m2, *_ = proof.messages()
    schedule = FiatShamir(vk, circuit.public_values())
    with pytest.raises(MalformedInput, match="in order"):
        schedule.round_2(m2)
    with pytest.raises(MalformedInput, match="Message1"):
        schedule.round_1(m2)  # type: ignore[arg-type]
    schedule.round_1(m1)
    with pytest.raises(MalformedInput, match="in order"):
        schedule.round_1(m1)


def test_a_lookup_message_for_a_plain_key_is_refused() -> None:
    circuit, vk, proof = statement()
    schedule = FiatShamir(vk, circuit.public_values())
    with pytest.raises(MalformedInput, match="disagree about lookups"):
        schedule.round_1(Message1(proof.A, proof.B, proof.C, M=proof.Z))
    schedule = FiatShamir(vk, circuit.public_values())
    schedule.round_1(Message1(proof.A, proof.B, proof.C))
    with pytest.raises(MalformedInput, match="disagree about lookups"):
        schedule.round_2(Message2(proof.Z, Phi=proof.A))
