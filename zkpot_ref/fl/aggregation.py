"""Aggregation: turning a round's submissions into the next global model.

Lesson: three rules, each a pure, deterministic function of public data — the public parts
of the submissions, the verifier's verdicts (anyone can check a proof) and the models that
the rule itself reveals — so every validator recomputes the same global model.

- ``leader``: among the proven submissions, the one with the highest claimed (= proven)
  count wins, ties broken by the smaller commitment (as an integer); only the winner
  reveals its model (and salt), which must open its commitment — else it is rejected
  and the next best reveals — and becomes the next global model. Every other model stays
  private.
- ``top-k``: the k best proven submissions (same order) reveal; the next global model is
  their FedAvg weighted by data size (McMahan et al., AISTATS 2017, eq. for f(w)),
  re-quantized.
- ``fedavg-all``: plain FedAvg of every submission, no verification at all — the baseline
  that shows what proofs buy (every model must be revealed, and nothing stops poison).

FedAvg of integer models: each model is dequantized (r = S(q - Z)), the float weights are
averaged with weights n_i / sum n, and the average is quantized again; the activation
ranges it needs are the same weighted average of the ranges the revealed models cover, so
no data is needed. Submissions are sorted by commitment first, making float summation
order — and so the result — independent of arrival order.

The reported number of samples n_i is a claim the proof does not cover (binding it would
need a proof about the training data); here it only weighs models already selected.

Read next: ``attacks.py``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TypeVar

import numpy as np

from zkpot_ref import quant
from zkpot_ref.errors import MalformedInput
from zkpot_ref.fl.client import PublicSubmission, Submission
from zkpot_ref.fl.verify import Verifier
from zkpot_ref.pot.commit import open_model

MODES = ("leader", "top-k", "fedavg-all")


@dataclass(frozen=True)
class Outcome:
    """A round's result: the new global model (None: keep the old one) and who was used."""

    global_model: quant.IntModel | None
    selected: tuple[int, ...]
    rejected: tuple[int, ...]
    reasons: tuple[tuple[int, str], ...] = ()  # (client id, why it was rejected)


S = TypeVar("S", bound=PublicSubmission)


def rank(submissions: Sequence[S]) -> list[S]:
    """Best first: highest claimed count, then the smaller commitment (then client id)."""
    return sorted(submissions, key=lambda s: (-s.claimed_count, s.commitment, s.client_id))


def average_params(
    models: Sequence[quant.FloatParams], weights: Sequence[float]
) -> list[tuple[np.ndarray, np.ndarray]]:
    """Weighted average of float parameter sets (FedAvg), in float64, in the given order."""
    if not models or len(models) != len(weights) or not sum(weights) > 0:
        raise MalformedInput("FedAvg needs >= 1 model and a positive total weight")
    total = float(sum(weights))

    def mean(layer: int, part: int) -> np.ndarray:
        # BEGIN TASK 8.1: FedAvg, the weighted mean
        acc = np.zeros_like(np.asarray(models[0][layer][part], dtype=np.float64))
        for model, weight in zip(models, weights, strict=True):
            acc += float(weight) * np.asarray(model[layer][part], dtype=np.float64)
        return (acc / total).astype(np.float32)
        # END TASK 8.1

    return [(mean(layer, 0), mean(layer, 1)) for layer in range(len(models[0]))]


def fedavg(submissions: Sequence[Submission]) -> quant.IntModel:
    """Data-size-weighted FedAvg of the submitted integer models, re-quantized."""
    ordered = sorted(submissions, key=lambda s: s.commitment)
    weights = [max(s.num_samples, 0) for s in ordered]
    if sum(weights) == 0:
        weights = [1] * len(ordered)
    params = average_params([quant.dequantize_model(s.model) for s in ordered], weights)
    total = float(sum(weights))
    per_model = [quant.hidden_ranges(s.model) for s in ordered]
    ranges = [
        tuple(sum(w * r[layer][end] for w, r in zip(weights, per_model, strict=True)) / total
              for end in range(2))
        for layer in range(len(per_model[0]))
    ]
    return quant.quantize_model(params, ranges, ordered[0].model.pixel_max)


def aggregate(
    mode: str,
    submissions: Sequence[Submission],
    senders: Sequence[int],
    verifier: Verifier,
    round: int,
    k: int = 2,
) -> Outcome:
    """Apply ``mode`` to the round's submissions; ``senders[i]`` signed ``submissions[i]``."""
    if mode not in MODES:
        raise MalformedInput(f"unknown aggregation mode {mode!r}; choose one of {MODES}")
    if len(senders) != len(submissions):
        raise MalformedInput("need exactly one sender per submission")
    if mode == "fedavg-all":
        if not submissions:
            return Outcome(None, (), ())
        return Outcome(fedavg(submissions), tuple(sorted(senders)), ())
    proven, rejected, reasons = [], [], {}
    for submission, sender in zip(submissions, senders, strict=True):
        reason = verifier.reject_reason(submission, round, sender)
        if reason is None:
            proven.append(submission)
        else:
            rejected.append(submission)
            reasons[submission.client_id] = reason
    wanted = 1 if mode == "leader" else max(k, 1)
    revealed: list[Submission] = []
    for candidate in rank(proven):  # best first; a reveal that does not open is skipped
        if len(revealed) == wanted:
            break
        # with real proofs the verifier knows the task: the reveal must fit it too
        if open_model(candidate.commitment, candidate.model, candidate.salt,
                      getattr(verifier, "task", None)):
            revealed.append(candidate)
        else:
            rejected.append(candidate)
            reasons[candidate.client_id] = "revealed model does not open its commitment"
    if not revealed:
        new_model = None
    elif mode == "leader":
        new_model = revealed[0].model
    else:
        new_model = fedavg(revealed)
    return Outcome(new_model, tuple(s.client_id for s in revealed),
                   tuple(sorted(s.client_id for s in rejected)), tuple(sorted(reasons.items())))
