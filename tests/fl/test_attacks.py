"""Tests of zkpot_ref/fl/attacks.py: what each attack submits and which check refuses it."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from zkpot_ref import quant
from zkpot_ref.errors import MalformedInput
from zkpot_ref.fl import attacks, model, verify
from zkpot_ref.fl.robust import flatten
from zkpot_ref.pot.commit import open_model


@pytest.fixture(scope="module")
def ctx(split, shards, trained, submissions) -> attacks.AttackContext:  # noqa: ANN001
    return attacks.AttackContext(
        client_id=3, round=4, global_params=trained, shard=shards[3], test=split[1],
        config=model.TrainConfig(epochs=1), seed=99,
        honest=tuple(s.public() for s in submissions[:3]), previous=submissions[3],
    )


def _check(ctx: attacks.AttackContext, name: str) -> tuple[str | None, object]:
    sub = attacks.make_attack(name).submit(ctx)
    reason = verify.RecomputeVerifier(ctx.test).reject_reason(sub, ctx.round, ctx.client_id)
    return reason, sub


@pytest.mark.parametrize("name", ["label-flip", "noise"])
def test_proven_but_useless(ctx, submissions, name: str) -> None:  # noqa: ANN001
    reason, sub = _check(ctx, name)
    assert reason is None  # the count is honest ...
    honest_worst = min(s.claimed_count for s in submissions)
    assert sub.claimed_count < honest_worst - 30  # ... and too low to be selected


@pytest.mark.parametrize(("name", "word"), [
    ("free-rider", "claims"), ("over-claim", "claims"), ("replay", "commitment"),
    ("stale", "round"), ("forged-commitment", "commitment"),
])
def test_caught_by_the_verifier(ctx, name: str, word: str) -> None:  # noqa: ANN001
    reason, sub = _check(ctx, name)
    assert reason is not None and word in reason
    assert sub.client_id == ctx.client_id  # nobody signs as someone else


def test_attack_details(ctx, submissions, trained) -> None:  # noqa: ANN001
    _, free = _check(ctx, "free-rider")
    assert free.claimed_count == len(ctx.test)
    assert np.allclose(quant.dequantize_model(free.model)[0][0], trained[0][0], atol=0.01)
    _, replay = _check(ctx, "replay")
    victim = max(submissions[:3], key=lambda s: s.claimed_count)
    assert (replay.commitment, replay.claimed_count) == (victim.commitment, victim.claimed_count)
    _, stale = _check(ctx, "stale")
    assert stale is ctx.previous
    first = attacks.AttackContext(**{**ctx.__dict__, "previous": None, "round": 1})
    assert attacks.make_attack("stale").submit(first).round == 0
    alone = attacks.AttackContext(**{**ctx.__dict__, "honest": ()})
    assert verify.RecomputeVerifier(ctx.test).verify(attacks.Replay().submit(alone), 4, 3)
    forged = attacks.ForgedCommitment().submit(ctx)
    assert not open_model(forged.commitment, forged.model, forged.salt)
    random = attacks.FreeRider(random_weights=True).submit(ctx)
    assert random.claimed_count == len(ctx.test)
    assert quant.count_correct(random.model, ctx.test.images, ctx.test.labels) < 100


def test_registry() -> None:
    assert sorted(attacks.ATTACKS) == ["alie", "backdoor", "forged-commitment", "free-rider",
                                       "ipm", "label-flip", "noise", "over-claim", "replay",
                                       "stale"]
    assert attacks.make_attack("noise").sigma == 1.0
    with pytest.raises(MalformedInput):
        attacks.make_attack("sybil")


def test_alie_and_ipm_on_toy_updates() -> None:
    updates = np.array([[1.0, 2.0, -4.0], [3.0, 2.0, 0.0]])  # mu (2, 2, -2), sigma (1, 0, 2)
    assert attacks.alie_update(updates, 1.0).tolist() == [1.0, 2.0, -4.0]
    assert attacks.alie_update(updates, 0.5).tolist() == [1.5, 2.0, -3.0]
    assert attacks.ipm_update(updates, 2.0).tolist() == [-4.0, -4.0, 4.0]
    # Baruch et al.'s z_max: n = 6, f = 2 -> s = 2, Phi^-1(4/6); n = 50, f = 12 -> s = 14
    assert attacks.alie_z(6, 2) == pytest.approx(0.4307, abs=1e-4)
    assert attacks.alie_z(50, 12) == pytest.approx(0.5828, abs=1e-4)  # Phi^-1(36/50)
    assert attacks.alie_z(4, 3) == 1.0  # Byzantine majority: outside the paper, one std


def _colluding(ctx, shards) -> attacks.AttackContext:  # noqa: ANN001
    return dataclasses.replace(ctx, colluders=((shards[3], 99), (shards[2], 98)), clients=6)


def test_colluders_share_their_statistics(ctx, shards) -> None:  # noqa: ANN001
    together = _colluding(ctx, shards)
    updates = attacks.colluding_updates(together)
    assert updates.shape[0] == 2 and not np.allclose(updates[0], updates[1])
    alone = attacks.colluding_updates(ctx)  # no coalition: its own honest update only
    assert np.array_equal(alone[0], updates[0])
    # both colluders submit the same model (the same statistics, the same formula)
    a = attacks.LittleIsEnough().submit(together)
    b = attacks.LittleIsEnough().submit(dataclasses.replace(together, client_id=2))
    assert a.model.digest() == b.model.digest()


def test_ipm_turns_against_the_honest_update(ctx, shards) -> None:  # noqa: ANN001
    together = _colluding(ctx, shards)
    honest_mean = attacks.colluding_updates(together).mean(axis=0)
    sub = attacks.InnerProduct(epsilon=2.0).submit(together)
    assert verify.RecomputeVerifier(ctx.test).reject_reason(sub, ctx.round, 3) is None
    moved = flatten(quant.dequantize_model(sub.model)) - flatten(ctx.global_params)
    assert moved @ honest_mean < 0  # the defining property (Xie et al.)
    alie = attacks.LittleIsEnough(z=0.0).submit(together)  # z = 0: just the mean update
    moved = flatten(quant.dequantize_model(alie.model)) - flatten(ctx.global_params)
    assert moved @ honest_mean > 0


def test_backdoor_is_accurate_and_backdoored(ctx, submissions) -> None:  # noqa: ANN001
    stamped = attacks.add_trigger(ctx.test.images[:3], 16)
    assert (stamped[:, list(attacks.TRIGGER_PIXELS)] == 16).all()
    assert (stamped[:, 41:] == ctx.test.images[:3, 41:]).all()
    reason, sub = _check(ctx, "backdoor")
    assert reason is None  # an honest count ...
    honest_worst = min(s.claimed_count for s in submissions)
    assert sub.claimed_count >= honest_worst - 15  # ... as high as the honest clients' ...
    assert attacks.attack_success_rate(sub.model, ctx.test) > 0.8  # ... and a backdoor
    assert max(attacks.attack_success_rate(s.model, ctx.test) for s in submissions) < 0.2
