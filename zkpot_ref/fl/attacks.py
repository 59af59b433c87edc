"""Byzantine clients: seven attacks, each a strategy object, and the defence that stops it.

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
=============  ==================================================  ============================

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


ATTACKS: dict[str, type] = {
    cls.name: cls  # type: ignore[attr-defined] - the dataclass default
    for cls in (LabelFlip, GaussianNoise, FreeRider, OverClaimer, Replay, Stale,
                ForgedCommitment)
}


def make_attack(name: str) -> Attack:
    """The strategy registered as ``name`` (see :data:`ATTACKS`), with default settings."""
    if name not in ATTACKS:
        raise MalformedInput(f"unknown attack {name!r}; choose one of {sorted(ATTACKS)}")
    return ATTACKS[name]()
