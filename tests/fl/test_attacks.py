"""Tests of zkpot_ref/fl/attacks.py: what each attack submits and which check refuses it."""

from __future__ import annotations

import numpy as np
import pytest

from zkpot_ref import quant
from zkpot_ref.errors import MalformedInput
from zkpot_ref.fl import attacks, model, verify
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
    assert sorted(attacks.ATTACKS) == ["forged-commitment", "free-rider", "label-flip",
                                       "noise", "over-claim", "replay", "stale"]
    assert attacks.make_attack("noise").sigma == 1.0
    with pytest.raises(MalformedInput):
        attacks.make_attack("sybil")
