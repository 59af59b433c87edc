"""The experiment runner: N clients, R rounds, K of them Byzantine, one aggregation mode.

Lesson: a whole federated run, end to end and reproducible — the simulation behind
``zkpot experiment`` (``fl/command.py``) and the tables in the docs.

Setup (all from ``seed``): the bundled digits' fixed split (``data.train_test_split``;
its test part is public), a partition of the training part over the clients (IID, or
Dirichlet(alpha)), the Byzantine client ids, and the genesis model — He-initialized, then
quantized with activation ranges calibrated on the public test images (the only data the
genesis has; afterwards every range comes from the clients).

Each round r = 1..R:

1. every client starts from the global model, dequantized (r = S(q - Z));
2. honest clients run ``client.local_update``; then each Byzantine client runs its attack,
   seeing the public parts of the honest submissions;
3. the aggregation mode picks the next global model (``aggregation.aggregate``, with the
   stand-in ``RecomputeVerifier``); if nothing is acceptable the global model stays;
4. the global INTEGER model's accuracy on the public test set is recorded.

Every random choice is drawn from ``numpy.random.SeedSequence([seed, round, client])``, so
the same seed gives identical splits, models and metrics.

Read next: ``command.py`` (the command line and its CSV / markdown output).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np

from zkpot_ref import quant
from zkpot_ref.errors import MalformedInput
from zkpot_ref.fl.aggregation import MODES, aggregate
from zkpot_ref.fl.attacks import ATTACKS, AttackContext, make_attack
from zkpot_ref.fl.client import Submission, local_update
from zkpot_ref.fl.data import (
    Dataset,
    load_digits,
    partition_dirichlet,
    partition_iid,
    train_test_split,
)
from zkpot_ref.fl.model import TrainConfig, init_params
from zkpot_ref.fl.verify import RecomputeVerifier


@dataclass(frozen=True)
class ExperimentConfig:
    """One run. ``alpha=None`` means IID shards; ``k`` is used by ``top-k`` only."""

    clients: int = 4
    rounds: int = 10
    byzantine: int = 0
    attack: str = "none"
    alpha: float | None = None
    mode: str = "fedavg-all"
    k: int = 2
    seed: int = 0
    hidden: tuple[int, ...] = (32,)
    train: TrainConfig = field(default_factory=TrainConfig)

    def __post_init__(self) -> None:
        if self.clients < 1 or self.rounds < 0 or not 0 <= self.byzantine <= self.clients:
            raise MalformedInput("need clients >= 1, rounds >= 0 and 0 <= byzantine <= clients")
        if self.byzantine and self.attack not in ATTACKS:
            raise MalformedInput(f"unknown attack {self.attack!r}; choose one of {sorted(ATTACKS)}")
        if self.mode not in MODES:
            raise MalformedInput(f"unknown mode {self.mode!r}; choose one of {MODES}")
        if self.alpha is not None and not self.alpha > 0:
            raise MalformedInput(f"the Dirichlet alpha must be positive, not {self.alpha}")


@dataclass(frozen=True)
class RoundResult:
    """One round's public record."""

    round: int
    accuracy: float  # the global integer model on the public test set
    correct: int
    accepted: int
    rejected: int
    selected: tuple[int, ...]
    byzantine_selected: int
    model_digest: str


@dataclass(frozen=True)
class ExperimentResult:
    config: ExperimentConfig
    byzantine_ids: tuple[int, ...]
    shard_sizes: tuple[int, ...]
    rounds: tuple[RoundResult, ...]
    seconds: float

    @property
    def final_accuracy(self) -> float:
        return self.rounds[-1].accuracy if self.rounds else 0.0


def _seed(*parts: int) -> int:
    """A 32-bit seed derived from (experiment seed, round, client, purpose)."""
    return int(np.random.SeedSequence([int(p) for p in parts]).generate_state(1)[0])


def setup(config: ExperimentConfig, data: Dataset | None = None) -> tuple[
    Dataset, Dataset, list[Dataset], tuple[int, ...]
]:
    """The public test set, the client shards and the Byzantine ids for ``config``."""
    train, test = train_test_split(load_digits() if data is None else data)
    if config.alpha is None:
        parts = partition_iid(len(train), config.clients, _seed(config.seed, 0, 0, 1))
    else:
        parts = partition_dirichlet(train.labels, config.clients, config.alpha,
                                    _seed(config.seed, 0, 0, 1))
    rng = np.random.default_rng(_seed(config.seed, 0, 0, 2))
    byzantine = tuple(sorted(int(i) for i in rng.choice(config.clients, config.byzantine,
                                                        replace=False)))
    return train, test, [train.subset(p) for p in parts], byzantine


def run_experiment(config: ExperimentConfig, data: Dataset | None = None) -> ExperimentResult:
    """Run ``config`` on the bundled digits (or ``data``, e.g. MNIST) and record every round."""
    start = time.perf_counter()
    _, test, shards, byzantine = setup(config, data)
    sizes = (test.images.shape[1], *config.hidden, 10)
    genesis = init_params(sizes, _seed(config.seed, 0, 0, 3))
    global_model = quant.quantize_model(
        genesis, quant.activation_ranges(genesis, test.images, test.pixel_max), test.pixel_max
    )
    attack = make_attack(config.attack) if byzantine else None
    verifier = RecomputeVerifier(test)
    previous: dict[int, Submission] = {}
    rows = []
    for r in range(1, config.rounds + 1):
        global_params = tuple(quant.dequantize_model(global_model))
        submissions, senders = [], []
        for cid, shard in enumerate(shards):
            if cid not in byzantine:
                submissions.append(local_update(cid, r, global_params, shard, test,
                                                config.train, _seed(config.seed, r, cid, 4)))
                senders.append(cid)
        honest = tuple(s.public() for s in submissions)
        for cid in byzantine:
            ctx = AttackContext(cid, r, global_params, shards[cid], test, config.train,
                                _seed(config.seed, r, cid, 4), honest, previous.get(cid))
            submissions.append(attack.submit(ctx))  # type: ignore[union-attr]
            senders.append(cid)
        previous = dict(zip(senders, submissions, strict=True))
        outcome = aggregate(config.mode, submissions, senders, verifier, r, config.k)
        if outcome.global_model is not None:
            global_model = outcome.global_model
        correct = quant.count_correct(global_model, test.images, test.labels)
        rows.append(RoundResult(
            r, correct / len(test), correct, len(submissions) - len(outcome.rejected),
            len(outcome.rejected), outcome.selected,
            sum(1 for c in outcome.selected if c in byzantine), global_model.digest(),
        ))
    return ExperimentResult(config, byzantine, tuple(len(s) for s in shards), tuple(rows),
                            time.perf_counter() - start)
