"""The attack labs (labs/, docs/labs.md): each forgery is accepted by the weakened verifier
and rejected by the real one. The positive controls show each weak verifier still accepts
honest input, so the forgery, not a broken weak verifier, is what passes."""

from __future__ import annotations

import random

import pytest
from lab_helpers import TAU, circuit, rejected, small_srs, statement

from labs import byzantine, frozen_heart, g2_subgroup, known_tau, malleable, replay, zero_challenge
from zkpot_ref.curve import G2
from zkpot_ref.field import R_MODULUS as R
from zkpot_ref.kzg import SRS, commit, open_at, verify_batch, verify_opening
from zkpot_ref.plonk.proof import Proof
from zkpot_ref.plonk.verifier import verify
from zkpot_ref.poly import Polynomial
from zkpot_ref.pot.statement import PublicInputs, client_id_of


@pytest.mark.task10_1
def test_frozen_heart_forgery() -> None:
    pk, vk, public = statement(keys=True)
    proof = frozen_heart.weak_prove(pk, circuit())
    assert frozen_heart.weak_verify(vk, public, proof)
    forged = frozen_heart.forge_public_inputs(vk, public, proof)
    assert len(forged) == len(public) and forged != public
    assert all(isinstance(x, int) and 0 <= x < R for x in forged)
    assert frozen_heart.weak_verify(vk, forged, proof)
    assert rejected(verify, vk, forged, proof)


@pytest.mark.task10_2
def test_zero_batching_challenge_forgery() -> None:
    srs, rng = small_srs(), random.Random(2)
    polys = [[rng.randrange(R) for _ in range(d)] for d in (3, 9, 17)]
    commitments = zero_challenge.commitments_of(srs, polys)
    z = rng.randrange(R)
    honest = zero_challenge.true_values(polys, z)
    v = 1 + rng.randrange(R - 1)
    _, proof = open_at(srs, [sum(pow(v, i, R) * (f[j] if j < len(f) else 0) for i, f in
                                 enumerate(polys)) % R for j in range(17)], z)
    assert zero_challenge.weak_verify_batch(srs, commitments, z, honest, proof, v)
    values, forged, v0 = zero_challenge.forge_batch(srs, polys, z)
    assert values != honest
    assert zero_challenge.weak_verify_batch(srs, commitments, z, values, forged, v0)
    assert rejected(verify_batch, srs, commitments, z, values, forged, v0)


@pytest.mark.task10_3
def test_malleated_proof_bytes() -> None:
    vk, public, proof = statement()
    data = proof.to_bytes()
    assert verify(vk, public, malleable.weak_proof_from_bytes(data))
    other = malleable.malleate(data)
    assert isinstance(other, bytes) and other != data and len(other) == len(data)
    assert verify(vk, public, malleable.weak_proof_from_bytes(other))
    assert rejected(lambda d: verify(vk, public, Proof.from_bytes(d)), other)


@pytest.mark.task10_4
def test_known_tau_opens_anything() -> None:
    rng = random.Random(4)
    f = [rng.randrange(R) for _ in range(20)]
    z = rng.randrange(R)
    lie = (Polynomial(f)(z) + 1) % R
    leaked = small_srs()
    c = commit(leaked, f)
    assert verify_opening(leaked, c, z, lie, known_tau.forge_opening(TAU, c, z, lie))
    ceremony = SRS.insecure_from_tau(rng.randrange(2, R), 24)  # a tau the forger never saw
    c2 = commit(ceremony, f)
    assert rejected(verify_opening, ceremony, c2, z, lie, known_tau.forge_opening(TAU, c2, z, lie))


@pytest.mark.task10_5
def test_point_outside_g2() -> None:
    assert g2_subgroup.weak_g2_from_bytes(G2.generator().to_bytes()) == G2.generator()
    data = g2_subgroup.forge_g2_bytes()
    point = g2_subgroup.weak_g2_from_bytes(data)
    assert point.is_on_curve() and not point.is_in_subgroup()
    assert rejected(G2.from_bytes, data)


@pytest.mark.task10_6
def test_replayed_proof_of_training() -> None:
    pk, vk = replay.keys(small_srs())
    alice, mallory = bytes([1]) * 32, bytes([2]) * 32
    w = 7
    public = PublicInputs(task_id=9, round=1, client_id=client_id_of(alice),
                          commitment=w * w, count=80)
    seen = replay.honest_submission(pk, public, w, alice)
    assert replay.accept(vk, seen, task_id=9, round=1)
    forged = replay.replay(seen, mallory, 2)
    assert forged.sender == mallory
    assert replay.weak_accept(vk, forged, task_id=9, round=2)
    assert rejected(replay.accept, vk, forged, 9, 2)


@pytest.mark.task10_7
def test_byzantine_fork_without_locks() -> None:
    weak = byzantine.fork(lambda i: byzantine.node(i, weak=True))
    assert set(weak) <= {0, 2, 3}, "only correct validators count"
    assert len(set(weak.values())) >= 2, f"no fork: {weak}"
    real = byzantine.fork(byzantine.node)
    assert set(real) <= {0, 2, 3}
    assert len(set(real.values())) <= 1, f"the real Tendermint forked: {real}"
