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
3. the aggregation mode picks the next global model (``aggregation.aggregate``); if
   nothing is acceptable the global model stays. The validators' verifier is the
   no-crypto ``RecomputeVerifier`` by default — claims are then counted on the whole
   public test set — or, with ``ExperimentConfig.proofs``, real ZKPoT proofs: a task on a
   seeded sample of the public test set, keys from a verified SRS (or a cached one-party
   ceremony), every client proving its model's count and ``ProofVerifier`` checking it;
4. the global INTEGER model's accuracy on the public test set is recorded.

Every random choice is drawn from ``numpy.random.SeedSequence([seed, round, client])``, so
the same seed gives identical splits, models and metrics.

Read next: ``command.py`` (the command line and its CSV / markdown output), then
``task_command.py`` and ``grid.py`` (sweeps over modes, attacks and data splits).
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from zkpot_ref import quant
from zkpot_ref.errors import MalformedInput, ZkpotError
from zkpot_ref.field import R_MODULUS
from zkpot_ref.fl.aggregation import MODES, aggregate
from zkpot_ref.fl.attacks import ATTACKS, AttackContext, attack_success_rate, make_attack
from zkpot_ref.fl.client import Prover, Submission, local_update
from zkpot_ref.fl.data import (
    Dataset,
    load_digits,
    partition_dirichlet,
    partition_iid,
    train_test_split,
)
from zkpot_ref.fl.model import TrainConfig, init_params, train
from zkpot_ref.fl.verify import ProofVerifier, RecomputeVerifier, Verifier, client_key
from zkpot_ref.kzg import SRS
from zkpot_ref.plonk.preprocess import domain_size_for
from zkpot_ref.pot.keys import choose_srs, default_cache, load_or_build
from zkpot_ref.pot.prove import prove_accuracy
from zkpot_ref.pot.statement import client_id_of, smallest_table
from zkpot_ref.pot.task import Task

#: Not an attack: the Byzantine clients send nothing (they drop out). Their shards go
#: unused, so a run with it measures what losing their data costs — the most any defence
#: that excludes them could reach.
ABSENT = "absent"


@dataclass(frozen=True)
class ProofSettings:
    """Real ZKPoT proofs in a run: every claim is proven on ``test_size`` public test
    images (the task), and validators check the proofs (``verify.ProofVerifier``)."""

    test_size: int = 8
    srs: str | SRS | None = None  # a ceremony/.ptau file, an SRS (tests), None: one-party
    cache: str | None = None  # the key cache (default: pot.keys.default_cache())
    shift: int = 32

    def __post_init__(self) -> None:
        if not 1 <= self.test_size <= 450 or not 1 <= self.shift <= 62:
            raise MalformedInput("proofs need a test size in 1..450 and a shift in 1..62")


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
    proofs: ProofSettings | None = None  # None: the no-crypto simulation of the verifier
    f: int | None = None  # Byzantine clients the robust baselines assume (None: byzantine)
    slack: float = 0.05  # gated-fedavg's slack (aggregation.gate_threshold)
    root_size: int = 50  # FLTrust's clean root set, drawn from the training part

    def __post_init__(self) -> None:
        if self.clients < 1 or self.rounds < 0 or not 0 <= self.byzantine <= self.clients:
            raise MalformedInput("need clients >= 1, rounds >= 0 and 0 <= byzantine <= clients")
        if self.byzantine and self.attack not in (*ATTACKS, ABSENT):
            raise MalformedInput(f"unknown attack {self.attack!r}; choose one of {sorted(ATTACKS)}")
        if self.mode not in MODES:
            raise MalformedInput(f"unknown mode {self.mode!r}; choose one of {MODES}")
        if self.alpha is not None and not self.alpha > 0:
            raise MalformedInput(f"the Dirichlet alpha must be positive, not {self.alpha}")
        if self.f is not None and not 0 <= self.f < self.clients:
            raise MalformedInput(f"f = {self.f}: the assumed Byzantine count must be 0..clients-1")
        if self.mode in ("krum", "multi-krum") and self.clients - self.assumed_byzantine < 3:
            raise MalformedInput(f"{self.mode} needs clients - f - 2 >= 1 (Blanchard et al.)")
        if not 0 <= self.slack < 0.9 or not 1 <= self.root_size <= 1000:
            raise MalformedInput("need 0 <= slack < 0.9 and a root set of 1..1000 samples")

    @property
    def assumed_byzantine(self) -> int:
        """The f the robust baselines are told (the true count unless ``f`` is set)."""
        return self.byzantine if self.f is None else self.f


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
    reasons: tuple[tuple[int, str], ...] = ()  # (client id, why it was rejected)
    backdoor_success: float = 0.0  # attacks.attack_success_rate of the global model


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


def _salt(*parts: int) -> int:
    """A simulation's salt for (seed, round, client): a field element derived from the
    seed, so runs repeat (a real client draws it from ``secrets``)."""
    digest = hashlib.sha256(b"zkpot/fl/salt/" + ",".join(map(str, parts)).encode()).digest()
    return int.from_bytes(digest, "big") % R_MODULUS


def proving(config: ExperimentConfig, test: Dataset, sizes: tuple[int, ...],
            progress: Callable[[str], None] | None = None,
            ) -> tuple[Dataset, Verifier, Prover | None, tuple[int, ...] | None]:
    """(claim set, verifier, prover, shifts): the whole public test set and the no-crypto
    verifier, or — with ``config.proofs`` — a ZKPoT task on a seeded sample of it, its
    keys, a prover closure and the proof verifier."""
    settings = config.proofs
    if settings is None:
        return test, RecomputeVerifier(test), None, None
    pick = np.random.default_rng(_seed(config.seed, 0, 0, 6)).choice(
        len(test), settings.test_size, replace=False)
    claims = test.subset(np.sort(pick))
    shifts = (settings.shift,) * (len(sizes) - 2)
    task, built = smallest_table(Task("experiment", sizes, test.pixel_max, shifts,
                                      claims.images, claims.labels))
    cache = settings.cache or default_cache()
    srs = choose_srs(settings.srs, domain_size_for(built.circuit) + 5, cache, progress)
    keys = load_or_build(task, srs, cache, progress=progress)

    def prover(submission: Submission) -> bytes:
        identity = client_id_of(client_key(submission.client_id))
        try:
            return prove_accuracy(task, submission.model, submission.salt, identity,
                                  submission.round, keys).to_bytes()
        except ZkpotError:  # e.g. a model that does not fit the task: it gets no proof
            return b""

    return claims, ProofVerifier(task, keys.vk), prover, task.shifts


def root_set(train: Dataset, config: ExperimentConfig) -> Dataset:
    """FLTrust's root set: ``config.root_size`` training samples the server holds, drawn
    uniformly (so the root set follows the global label mix, as Cao et al. assume)."""
    rng = np.random.default_rng(_seed(config.seed, 0, 0, 7))
    return train.subset(np.sort(rng.choice(len(train), min(config.root_size, len(train)),
                                           replace=False)))


def run_experiment(config: ExperimentConfig, data: Dataset | None = None,
                   progress: Callable[[str], None] | None = None) -> ExperimentResult:
    """Run ``config`` on the bundled digits (or ``data``, e.g. MNIST) and record every round."""
    start = time.perf_counter()
    train_part, test, shards, byzantine = setup(config, data)
    root = root_set(train_part, config) if config.mode == "fltrust" else None
    sizes = (test.images.shape[1], *config.hidden, 10)
    genesis = init_params(sizes, _seed(config.seed, 0, 0, 3))
    global_model = quant.quantize_model(
        genesis, quant.activation_ranges(genesis, test.images, test.pixel_max), test.pixel_max
    )
    attack = make_attack(config.attack) if byzantine and config.attack != ABSENT else None
    claims, verifier, prover, shifts = proving(config, test, sizes, progress)
    previous: dict[int, Submission] = {}
    rows = []
    for r in range(1, config.rounds + 1):
        global_params = tuple(quant.dequantize_model(global_model))
        submissions, senders = [], []
        for cid, shard in enumerate(shards):
            if cid not in byzantine:
                submissions.append(local_update(
                    cid, r, global_params, shard, claims, config.train,
                    _seed(config.seed, r, cid, 4), shifts=shifts,
                    salt=_salt(config.seed, r, cid), prover=prover))
                senders.append(cid)
        honest = tuple(s.public() for s in submissions)
        colluders = tuple((shards[c], _seed(config.seed, r, c, 4)) for c in byzantine)
        for cid in byzantine if attack else ():
            ctx = AttackContext(cid, r, global_params, shards[cid], claims, config.train,
                                _seed(config.seed, r, cid, 4), honest, previous.get(cid),
                                shifts, prover, _salt(config.seed, r, cid), colluders,
                                config.clients)
            submissions.append(attack.submit(ctx))  # type: ignore[union-attr]
            senders.append(cid)
        previous = dict(zip(senders, submissions, strict=True))
        server = None if root is None else train(global_params, root, config.train,
                                                 _seed(config.seed, r, 0, 8))
        outcome = aggregate(
            config.mode, submissions, senders, verifier, r, config.k,
            f=config.assumed_byzantine, global_model=global_model, claims=claims,
            slack=config.slack, server_params=server, root=root)
        if outcome.global_model is not None:
            global_model = outcome.global_model
        correct = quant.count_correct(global_model, test.images, test.labels)
        rows.append(RoundResult(
            r, correct / len(test), correct, len(submissions) - len(outcome.rejected),
            len(outcome.rejected), outcome.selected,
            sum(1 for c in outcome.selected if c in byzantine), global_model.digest(),
            outcome.reasons, attack_success_rate(global_model, test),
        ))
    return ExperimentResult(config, byzantine, tuple(len(s) for s in shards), tuple(rows),
                            time.perf_counter() - start)
