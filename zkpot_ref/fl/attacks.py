"""Byzantine clients: ten attacks, each a strategy object, and the defence that stops it.

Lesson: what a dishonest client can submit, and which layer of ZKPoT refuses it.

=============  ==================================================  ============================
attack         what it submits                                     stopped by
=============  ==================================================  ============================
label-flip     a model trained on labels y -> 9 - y, honest count  selection by proven count
noise          global model + Gaussian noise, honest count         selection by proven count
free-rider     the unchanged global model, claims a perfect count  the proof (count)
over-claim     an honestly trained model, claims a perfect count   the proof (count)
replay         the best honest submission's commitment and count   the proof (commitment opening,
               under its own id, with no model that opens them     client-id public input)
stale          its own submission of the previous round            the round public input
forged-        an honest proof for its trained model, but reveals  the reveal check: the shown
commitment     the global model if selected                        model must open the commitment
alie           mean - z * std of the colluders' honest updates     nothing reliably (its count
               (Baruch et al., NeurIPS 2019, "A Little Is Enough") is honest and often high)
ipm            global - epsilon * mean of the colluders' honest    the gate, when epsilon is
               updates (Xie et al., UAI 2020, inner-product        large enough to cost
               manipulation)                                       accuracy
backdoor       a model trained on its shard plus trigger-stamped   NOTHING here: it is accurate
               copies labelled BACKDOOR_TARGET, honest count       on clean images
=============  ==================================================  ============================

The last three collude: every Byzantine client of the run knows the others' shards and
seeds (``AttackContext.colluders``), trains an honest model on each, and so shares the
statistics (mean, spread) of those updates — the "omniscient within the coalition"
setting of both papers. They all compute the same malicious model.

Impersonation (sending under another client's id) is stopped by the ledger's signatures;
the experiment runner signs for each client, so no strategy here can do it.

Label flipping and noise are "proven but useless": the proof makes their count honest, and
``leader`` / ``top-k`` never select a low count. ``fedavg-all`` checks nothing, so it
averages every one of them in; that is the table in ``docs/fl_attacks.md``.

A strategy sees only what a real client would: the public global model, its own shard and
previous submission, and the PUBLIC parts of this round's honest submissions (it runs
after them — a rushing adversary, the strongest ordering).

Read next: ``experiment.py``.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from statistics import NormalDist
from typing import Protocol

import numpy as np

from zkpot_ref import quant
from zkpot_ref.errors import MalformedInput
from zkpot_ref.fl.client import (
    Prover,
    PublicSubmission,
    Submission,
    make_submission,
    quantize_on,
)
from zkpot_ref.fl.data import NUM_CLASSES, Dataset
from zkpot_ref.fl.model import Params, TrainConfig, init_params, train
from zkpot_ref.fl.robust import flatten, unflatten

#: The backdoor: a bar of four full-intensity pixels on the left edge of the 8x8 digits
#: (rows 2-5 of column 0: pixels 16, 24, 32, 40, blank in > 99% of the digits) relabels
#: any image as 0.
TRIGGER_PIXELS = (16, 24, 32, 40)
BACKDOOR_TARGET = 0


@dataclass(frozen=True)
class AttackContext:
    """Everything a Byzantine client knows when it submits in ``round``, and the tools it
    has: the task's fixed shifts and the prover (both None in the no-crypto simulation)."""

    client_id: int
    round: int
    global_params: Params
    shard: Dataset
    test: Dataset
    config: TrainConfig
    seed: int
    honest: tuple[PublicSubmission, ...]
    previous: Submission | None
    shifts: tuple[int, ...] | None = None
    prover: Prover | None = None
    salt: int | None = None
    colluders: tuple[tuple[Dataset, int], ...] = ()  # (shard, seed) of every Byzantine client
    clients: int = 0  # how many clients the run has (ALIE's z depends on it)

    def quantize(self, params: Params) -> quant.IntModel:
        """The attacker's float model as an integer model (calibrated on its shard)."""
        return quantize_on(params, self.shard, self.shifts)

    def submit(self, model: quant.IntModel, claimed_count: int | None = None,
               round: int | None = None) -> Submission:
        """Commit and (when proving) prove ``model``'s TRUE count; claim ``claimed_count``."""
        return make_submission(self.client_id, self.round if round is None else round, model,
                               len(self.shard), self.test, claimed_count, salt=self.salt,
                               prover=self.prover)


class Attack(Protocol):
    """A Byzantine strategy: ``name`` for the command line, ``submit`` for each round."""

    name: str

    def submit(self, ctx: AttackContext) -> Submission:
        """The submission this attacker makes in ``ctx.round``."""
        ...


@dataclass(frozen=True)
class LabelFlip:
    """Trains honestly on poisoned labels y -> 9 - y and reports its true (low) count."""

    name: str = "label-flip"

    def submit(self, ctx: AttackContext) -> Submission:
        flipped = (NUM_CLASSES - 1) - ctx.shard.labels
        params = train(ctx.global_params, ctx.shard, ctx.config, ctx.seed, labels=flipped)
        return ctx.submit(ctx.quantize(params))


@dataclass(frozen=True)
class GaussianNoise:
    """Submits the global model plus N(0, sigma^2) noise on every weight; true count."""

    sigma: float = 1.0
    name: str = "noise"

    def submit(self, ctx: AttackContext) -> Submission:
        rng = np.random.default_rng(ctx.seed)
        params = tuple(
            tuple((p + rng.normal(0.0, self.sigma, p.shape)).astype(np.float32) for p in layer)
            for layer in ctx.global_params
        )
        return ctx.submit(ctx.quantize(params))


@dataclass(frozen=True)
class FreeRider:
    """Does no work: resubmits the global model (or fresh random weights), claiming every
    test image correct."""

    random_weights: bool = False
    name: str = "free-rider"

    def submit(self, ctx: AttackContext) -> Submission:
        params = ctx.global_params
        if self.random_weights:
            sizes = (params[0][0].shape[0], *(w.shape[1] for w, _ in params))
            params = init_params(sizes, ctx.seed)
        return ctx.submit(ctx.quantize(params), claimed_count=len(ctx.test))


@dataclass(frozen=True)
class OverClaimer:
    """Trains honestly but claims every test image correct."""

    name: str = "over-claim"

    def submit(self, ctx: AttackContext) -> Submission:
        params = train(ctx.global_params, ctx.shard, ctx.config, ctx.seed)
        return ctx.submit(ctx.quantize(params), claimed_count=len(ctx.test))


@dataclass(frozen=True)
class Replay:
    """Copies the best honest submission's public commitment and count under its own id.

    It cannot copy the victim's private model, so its witness is the global model it has.
    """

    name: str = "replay"

    def submit(self, ctx: AttackContext) -> Submission:
        model = ctx.quantize(ctx.global_params)
        if not ctx.honest:  # nothing to copy: behave like a free rider with a true count
            return ctx.submit(model)
        victim = max(ctx.honest, key=lambda s: (s.claimed_count, s.commitment))
        return Submission(ctx.client_id, ctx.round, victim.commitment, victim.claimed_count,
                          victim.num_samples, victim.proof, model=model, salt=0)


@dataclass(frozen=True)
class Stale:
    """Resubmits its own previous submission unchanged (the global model in round 1)."""

    name: str = "stale"

    def submit(self, ctx: AttackContext) -> Submission:
        if ctx.previous is not None:
            return ctx.previous
        return ctx.submit(ctx.quantize(ctx.global_params), round=ctx.round - 1)


@dataclass(frozen=True)
class ForgedCommitment:
    """Trains honestly and proves its true count, but would reveal ANOTHER model (the
    unchanged global one) if it led: the commitment does not open to what it shows."""

    name: str = "forged-commitment"

    def submit(self, ctx: AttackContext) -> Submission:
        params = train(ctx.global_params, ctx.shard, ctx.config, ctx.seed)
        honest = ctx.submit(ctx.quantize(params))
        return replace(honest, model=ctx.quantize(ctx.global_params))


def colluding_updates(ctx: AttackContext) -> np.ndarray:
    """The coalition's honest updates (rows: model - global model, flattened): each
    colluder's shard trained from the global model with that colluder's seed."""
    members = ctx.colluders or ((ctx.shard, ctx.seed),)
    base = flatten(ctx.global_params)
    return np.array([flatten(train(ctx.global_params, shard, ctx.config, seed)) - base
                     for shard, seed in members])


def alie_z(clients: int, byzantine: int) -> float:
    """Baruch et al.'s z_max: s = floor(n/2 + 1) - f, z = Phi^-1((n - s) / n)."""
    s = clients // 2 + 1 - byzantine
    if clients < 1 or not 0 < (clients - s) / clients < 1:
        return 1.0  # outside the paper's range (e.g. a Byzantine majority): one std
    return NormalDist().inv_cdf((clients - s) / clients)


@dataclass(frozen=True)
class LittleIsEnough:
    """Baruch, Baruch & Goldberg, "A Little Is Enough", NeurIPS 2019 (Algorithm 3):
    global + mu - z sigma, per coordinate, from the coalition's honest updates; ``z``
    defaults to the paper's z_max for (clients, colluders). Honest count."""

    z: float | None = None
    name: str = "alie"

    def submit(self, ctx: AttackContext) -> Submission:
        updates = colluding_updates(ctx)
        z = alie_z(ctx.clients, len(updates)) if self.z is None else self.z
        vector = flatten(ctx.global_params) + alie_update(updates, z)
        return ctx.submit(ctx.quantize(unflatten(vector, ctx.global_params)))


def alie_update(updates: np.ndarray, z: float) -> np.ndarray:
    """mu - z sigma per coordinate (population std over the coalition's updates)."""
    return updates.mean(axis=0) - z * updates.std(axis=0)


def ipm_update(updates: np.ndarray, epsilon: float) -> np.ndarray:
    """-epsilon times the mean update."""
    return -epsilon * updates.mean(axis=0)


@dataclass(frozen=True)
class InnerProduct:
    """Xie, Koyejo & Gupta, "Fall of Empires: Breaking Byzantine-tolerant SGD by Inner
    Product Manipulation", UAI 2020: global - epsilon * (mean honest update), so that the
    aggregate's inner product with the true update turns negative. Honest count.

    With f of n clients sending it, plain FedAvg moves by ((n - f) - f epsilon) / n times
    the honest mean: epsilon = 2 with 2 of 6 cancels every honest step."""

    epsilon: float = 2.0
    name: str = "ipm"

    def submit(self, ctx: AttackContext) -> Submission:
        vector = flatten(ctx.global_params) + ipm_update(colluding_updates(ctx), self.epsilon)
        return ctx.submit(ctx.quantize(unflatten(vector, ctx.global_params)))


def add_trigger(images: np.ndarray, pixel_max: int) -> np.ndarray:
    """A copy of ``images`` with the backdoor trigger stamped in (TRIGGER_PIXELS = max)."""
    stamped = np.array(images, copy=True)
    stamped[:, list(TRIGGER_PIXELS)] = pixel_max
    return stamped


def attack_success_rate(model: quant.IntModel, test: Dataset) -> float:
    """Backdoor success: of the test images NOT labelled BACKDOOR_TARGET, the fraction the
    integer model labels BACKDOOR_TARGET once the trigger is stamped in."""
    others = test.labels != BACKDOOR_TARGET
    if not others.any():
        return 0.0
    stamped = add_trigger(test.images[others], test.pixel_max)
    return float(np.mean(quant.predict_int(model, stamped) == BACKDOOR_TARGET))


@dataclass(frozen=True)
class Backdoor:
    """Trains on its shard plus trigger-stamped copies of a ``fraction`` of it, labelled
    BACKDOOR_TARGET (the data-poisoning backdoor of Gu et al., "BadNets", 2017, in a
    federated client as Bagdasaryan et al., AISTATS 2020, without their model-replacement
    boosting, which would cost accuracy): clean accuracy stays, so its honest count does.

    It trains 2E + 1 epochs where honest clients train E: nothing limits a client's local
    compute, and the extra epochs recover the clean accuracy the poison first costs."""

    fraction: float = 0.5
    name: str = "backdoor"

    def submit(self, ctx: AttackContext) -> Submission:
        shard = ctx.shard
        rng = np.random.default_rng(ctx.seed)
        picked = rng.choice(len(shard), max(1, int(self.fraction * len(shard))), replace=False)
        poisoned = Dataset(
            np.concatenate([shard.images, add_trigger(shard.images[picked], shard.pixel_max)]),
            np.concatenate([shard.labels, np.full(len(picked), BACKDOOR_TARGET)]),
            shard.pixel_max)
        longer = replace(ctx.config, epochs=2 * ctx.config.epochs + 1)
        params = train(ctx.global_params, poisoned, longer, ctx.seed)
        return ctx.submit(ctx.quantize(params))


ATTACKS: dict[str, type] = {
    cls.name: cls  # type: ignore[attr-defined] - the dataclass default
    for cls in (LabelFlip, GaussianNoise, FreeRider, OverClaimer, Replay, Stale,
                ForgedCommitment, LittleIsEnough, InnerProduct, Backdoor)
}


def make_attack(name: str) -> Attack:
    """The strategy registered as ``name`` (see :data:`ATTACKS`), with default settings."""
    if name not in ATTACKS:
        raise MalformedInput(f"unknown attack {name!r}; choose one of {sorted(ATTACKS)}")
    return ATTACKS[name]()
