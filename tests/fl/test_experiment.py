"""Tests of zkpot_ref/fl/experiment.py, including the issue's must-show runs (seeded, small).

- FedAvg, IID, 4 clients, 64-32-10: >= 90% integer test accuracy within 10 rounds.
- Non-IID (Dirichlet alpha = 0.1) runs and is reported (it is clearly harder).
- One Byzantine client of four, each attack: ``leader`` stays within 2 points of the
  all-honest ``leader`` run; ``fedavg-all`` drops for noise and label flipping.
- The same seed gives identical splits, models and metrics.
"""

from __future__ import annotations

import pytest

from zkpot_ref.errors import MalformedInput
from zkpot_ref.fl.attacks import ATTACKS
from zkpot_ref.fl.experiment import ExperimentConfig, run_experiment, setup


@pytest.fixture(scope="module")
def honest_runs() -> dict[str, float]:
    return {mode: run_experiment(ExperimentConfig(mode=mode)).final_accuracy
            for mode in ("leader", "fedavg-all")}


def test_fedavg_iid_reaches_90_percent_within_10_rounds(honest_runs) -> None:  # noqa: ANN001
    result = run_experiment(ExperimentConfig(clients=4, rounds=10, mode="fedavg-all"))
    accuracies = [r.accuracy for r in result.rounds]
    print("fedavg IID", [f"{a:.3f}" for a in accuracies])
    assert len(accuracies) == 10 and max(accuracies) >= 0.9 and accuracies[-1] >= 0.9
    assert result.final_accuracy == honest_runs["fedavg-all"]
    assert all(r.selected == (0, 1, 2, 3) for r in result.rounds)


def test_non_iid_is_reported_and_harder(honest_runs) -> None:  # noqa: ANN001
    result = run_experiment(ExperimentConfig(alpha=0.1, mode="fedavg-all"))
    print("fedavg alpha=0.1", [f"{r.accuracy:.3f}" for r in result.rounds])
    assert 0.1 < result.final_accuracy < honest_runs["fedavg-all"] - 0.1


#: the attacks a proof or the selection by proven count stops (alie, ipm and backdoor are
#: proven AND accurate: tests/fl/test_grid.py and docs/fl_grid.md measure them)
STOPPED = ("forged-commitment", "free-rider", "label-flip", "noise", "over-claim", "replay",
           "stale")


def test_stopped_attacks_are_registered() -> None:
    assert set(STOPPED) < set(ATTACKS)


@pytest.mark.slow
@pytest.mark.parametrize("attack", STOPPED)
def test_one_byzantine_of_four(attack: str, honest_runs) -> None:  # noqa: ANN001
    leader = run_experiment(ExperimentConfig(byzantine=1, attack=attack, mode="leader"))
    assert abs(leader.final_accuracy - honest_runs["leader"]) <= 0.02
    assert all(r.byzantine_selected == 0 for r in leader.rounds)
    if attack in ("noise", "label-flip"):
        fedavg = run_experiment(ExperimentConfig(byzantine=1, attack=attack, mode="fedavg-all"))
        assert fedavg.final_accuracy < honest_runs["fedavg-all"] - 0.015
        assert all(r.byzantine_selected == 1 for r in fedavg.rounds)
    else:
        assert all(r.rejected == 1 for r in leader.rounds)


def test_same_seed_same_everything() -> None:
    config = ExperimentConfig(clients=5, rounds=3, byzantine=1, attack="noise", alpha=0.5,
                              mode="top-k", seed=11)
    a, b = run_experiment(config), run_experiment(config)
    assert a.rounds == b.rounds and a.byzantine_ids == b.byzantine_ids
    assert a.shard_sizes == b.shard_sizes
    _, test_a, shards_a, _ = setup(config)
    _, test_b, shards_b, _ = setup(config)
    assert all((x.labels == y.labels).all() for x, y in zip(shards_a, shards_b, strict=True))
    other = run_experiment(ExperimentConfig(**{**config.__dict__, "seed": 12}))
    assert [r.model_digest for r in other.rounds] != [r.model_digest for r in a.rounds]


def test_many_small_clients_smoke() -> None:
    result = run_experiment(ExperimentConfig(clients=30, rounds=2, byzantine=3,
                                             attack="over-claim", mode="leader", alpha=0.1))
    assert len(result.byzantine_ids) == 3 and sum(result.shard_sizes) == 1347
    assert all(r.rejected == 3 and r.accepted == 27 for r in result.rounds)


@pytest.mark.parametrize("bad", [
    {"clients": 0}, {"byzantine": 5}, {"rounds": -1}, {"mode": "mean-of-nothing"},
    {"f": 4}, {"slack": 0.9}, {"root_size": 0}, {"mode": "krum", "clients": 3, "f": 1},
    {"byzantine": 1, "attack": "sybil"}, {"alpha": 0.0},
])
def test_config_validation(bad: dict) -> None:
    with pytest.raises(MalformedInput):
        ExperimentConfig(**bad)
