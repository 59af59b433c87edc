"""FL with real ZKPoT proofs: ProofVerifier agrees with the no-crypto RecomputeVerifier on
the same submissions, and an experiment runs end to end with proofs (tiny sizes)."""

from __future__ import annotations

import dataclasses
import functools

import pytest

from zkpot_ref.fl import attacks, experiment, model
from zkpot_ref.fl.verify import ProofVerifier, RecomputeVerifier
from zkpot_ref.kzg import SRS

CONFIG = experiment.ExperimentConfig(
    clients=3, rounds=2, byzantine=1, attack="free-rider", mode="leader", hidden=(2,),
    train=model.TrainConfig(epochs=1), proofs=experiment.ProofSettings(test_size=2))


@functools.cache
def tiny_srs() -> SRS:
    return SRS.insecure_from_tau(0x5EED5, 4096 + 8)  # tests only: tau is known


@pytest.fixture(scope="module")
def proving(tmp_path_factory: pytest.TempPathFactory):
    cache = tmp_path_factory.mktemp("keys")
    config = dataclasses.replace(CONFIG, proofs=dataclasses.replace(
        CONFIG.proofs, cache=str(cache), srs=tiny_srs()))
    _, test, shards, _ = experiment.setup(config)
    claims, verifier, prover, shifts = experiment.proving(config, test, (64, 2, 10))
    return config, test, shards, claims, verifier, prover, shifts


def test_proof_verdicts_match_the_simulation(proving) -> None:  # noqa: ANN001
    config, test, shards, claims, verifier, prover, shifts = proving
    assert isinstance(verifier, ProofVerifier) and len(claims) == 2 and shifts == (32,)
    params = model.init_params((64, 2, 10), 0)
    ctx = attacks.AttackContext(1, 3, params, shards[1], claims, config.train, 5, (), None,
                                shifts, prover, 1234)
    honest = ctx.submit(ctx.quantize(params))
    assert honest.proof and verifier.verify(honest, 3, 1)
    simulated = RecomputeVerifier(claims)
    copier = dataclasses.replace(ctx, client_id=2, honest=(honest.public(),))
    replayed = attacks.Replay().submit(copier)            # the proof, copied under id 2
    assert replayed.proof == honest.proof
    stale = honest                                        # this proof, next round
    over = dataclasses.replace(honest, claimed_count=honest.claimed_count + 1)
    for submission, round_, sender in ((honest, 3, 1), (replayed, 3, 2), (stale, 4, 1),
                                       (over, 3, 1)):
        assert verifier.verify(submission, round_, sender) == simulated.verify(
            submission, round_, sender)
    assert not verifier.verify(replayed, 3, 2) and not verifier.verify(stale, 4, 1)
    assert "malformed" in verifier.reject_reason(dataclasses.replace(honest, proof=b"junk"),
                                                 3, 1)


@pytest.mark.slow
def test_an_experiment_with_proofs_rejects_the_free_rider(proving) -> None:  # noqa: ANN001
    config = proving[0]
    result = experiment.run_experiment(config)
    byzantine = result.byzantine_ids[0]
    for row in result.rounds:
        assert row.rejected == 1 and row.byzantine_selected == 0
        assert dict(row.reasons)[byzantine].startswith("proof does not verify")
