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
- ``gated-fedavg`` (this project's design for non-IID data, ``docs/fl_grid.md``): two
  public, deterministic steps. (1) The gate: a proven submission must count at least
  :func:`gate_threshold` — clearly better than guessing one of ten labels — which drops
  the "proven but useless" models (label flip, noise, a free rider's random model).
  (2) Pruning (:func:`prune_fedavg`): the passing models reveal; starting from the FedAvg
  (weighted by proven count) of all of them, while leaving one out makes the average
  label more public test images correctly, the most harmful one is left out. The models
  are revealed and the test set is public, so every validator recomputes the same choice.
  Why not a bar tied to the
  previous global model's count: under non-IID shards an honest local model is far worse
  on the whole test set than the average it contributes to (measured at Dirichlet 0.5:
  global 89%, honest local models 30-77%), so such a bar rejects honest clients and the
  mode collapses onto the leader's one client a round.
- ``krum``, ``multi-krum``, ``median``, ``trimmed-mean``, ``fltrust``: the robust baselines
  of ``robust.py`` — no verification, every model revealed — with ``f`` the number of
  Byzantine clients the server assumes.

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
from zkpot_ref.fl import robust
from zkpot_ref.fl.client import PublicSubmission, Submission, opens
from zkpot_ref.fl.data import NUM_CLASSES, Dataset
from zkpot_ref.fl.model import Params
from zkpot_ref.fl.verify import Verifier

PROOF_MODES = ("leader", "top-k", "gated-fedavg")
BASELINE_MODES = ("fedavg-all", "krum", "multi-krum", "median", "trimmed-mean", "fltrust")
MODES = (*PROOF_MODES, *BASELINE_MODES)


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


# --8<-- [start:fedavg]
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


def fedavg(submissions: Sequence[Submission], by_count: bool = False) -> quant.IntModel:
    """Data-size-weighted FedAvg of the submitted integer models, re-quantized
    (``by_count``: weighted by the proven counts instead of the unproven sizes)."""
    ordered = sorted(submissions, key=lambda s: s.commitment)
    weights = [max(s.claimed_count if by_count else s.num_samples, 0) for s in ordered]
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

# --8<-- [end:fedavg]

def gate_threshold(claim_size: int, slack: float = 0.05) -> int:
    """``gated-fedavg``'s bar: ceil((1/10 + slack) |T|), ``slack`` above guessing one of
    ten labels on the |T| public test images."""
    if not 0 <= slack < 0.9 or claim_size < 1:
        raise MalformedInput("the gate needs 0 <= slack < 0.9 and a non-empty claim set")
    return min(int(np.ceil((1 / NUM_CLASSES + slack) * claim_size)), claim_size)


def prune_fedavg(ranked: Sequence[Submission], claims: Dataset) -> list[Submission]:
    """Backward elimination: start from every model in ``ranked`` (best first); while
    dropping one of them makes the count-weighted FedAvg label MORE public images
    correctly, drop the one whose removal helps most (ties: the lower-ranked one).
    Returns the admitted models in rank order."""
    def count(models: Sequence[Submission]) -> int:
        return quant.count_correct(fedavg(models, by_count=True), claims.images, claims.labels)

    admitted = list(ranked)
    best = count(admitted) if admitted else 0
    while len(admitted) > 1:
        trials = [(count(admitted[:i] + admitted[i + 1:]), i) for i in range(len(admitted))]
        top, drop = max(trials)
        if top <= best:
            break
        del admitted[drop]
        best = top
    return admitted


def robust_baseline(mode: str, submissions: Sequence[Submission], f: int,
                    global_model: quant.IntModel | None = None,
                    server_params: Params | None = None,
                    root: Dataset | None = None) -> Outcome:
    """One of ``robust.py``'s rules on every submission (nothing verified, all revealed).

    Activation ranges of the result: Krum keeps the chosen model as it is, Multi-Krum is
    FedAvg of the chosen, the median and trimmed mean apply the same rule to the clients'
    ranges (a mean would let one client blow them up), FLTrust calibrates on its root set.
    """
    ordered = sorted(submissions, key=lambda s: (s.commitment, s.client_id))
    if not ordered:
        return Outcome(None, (), ())
    floats = [quant.dequantize_model(s.model) for s in ordered]
    vectors = np.array([robust.flatten(p) for p in floats])
    ranges = np.array([quant.hidden_ranges(s.model) for s in ordered])  # (n, layers, 2)
    n, everyone = len(ordered), tuple(sorted(s.client_id for s in ordered))
    if mode == "krum":
        chosen = ordered[robust.krum(vectors, f)]
        return Outcome(chosen.model, (chosen.client_id,), ())
    if mode == "multi-krum":
        picked = [ordered[i] for i in robust.multi_krum(vectors, f, n - f)]
        return Outcome(fedavg(picked), tuple(s.client_id for s in picked), ())
    if mode == "median":
        vector, hidden = robust.coordinate_median(vectors), np.median(ranges, axis=0)
    elif mode == "trimmed-mean":
        b = min(f, (n - 1) // 2)
        vector = robust.trimmed_mean(vectors, b)
        hidden = robust.trimmed_mean(ranges.reshape(n, -1), b).reshape(ranges.shape[1:])
    elif mode == "fltrust":
        if global_model is None or server_params is None or root is None:
            raise MalformedInput("fltrust needs the global model, the server update and root set")
        base = robust.flatten(quant.dequantize_model(global_model))
        server = robust.flatten(server_params) - base
        vector = base + robust.fltrust(vectors - base, server)
        trusted = robust.fltrust_scores(vectors - base, server) > 0
        params = robust.unflatten(vector, server_params)
        ranges_root = quant.activation_ranges(params, root.images, root.pixel_max)
        used = tuple(sorted(s.client_id for s, t in zip(ordered, trusted, strict=True) if t))
        return Outcome(quant.quantize_model(params, ranges_root, root.pixel_max), used, ())
    else:
        raise MalformedInput(f"{mode!r} is not a robust baseline; choose one of {BASELINE_MODES}")
    params = robust.unflatten(vector, floats[0])
    return Outcome(quant.quantize_model(params, [tuple(r) for r in hidden],
                                        ordered[0].model.pixel_max),
                   everyone, ())


def aggregate(
    mode: str,
    submissions: Sequence[Submission],
    senders: Sequence[int],
    verifier: Verifier,
    round: int,
    k: int = 2,
    *,
    f: int = 0,
    global_model: quant.IntModel | None = None,
    claims: Dataset | None = None,
    slack: float = 0.05,
    server_params: Params | None = None,
    root: Dataset | None = None,
) -> Outcome:
    """Apply ``mode`` to the round's submissions; ``senders[i]`` signed ``submissions[i]``.

    ``f``: the Byzantine clients the robust baselines assume; ``claims`` (the public
    images the counts are on) and ``slack`` are ``gated-fedavg``'s; ``global_model``,
    ``server_params`` and ``root`` are FLTrust's.
    """
    if mode not in MODES:
        raise MalformedInput(f"unknown aggregation mode {mode!r}; choose one of {MODES}")
    if len(senders) != len(submissions):
        raise MalformedInput("need exactly one sender per submission")
    if mode == "fedavg-all":
        if not submissions:
            return Outcome(None, (), ())
        return Outcome(fedavg(submissions), tuple(sorted(senders)), ())
    if mode in BASELINE_MODES:
        return robust_baseline(mode, submissions, f, global_model, server_params, root)
    proven, rejected, reasons = [], [], {}
    for submission, sender in zip(submissions, senders, strict=True):
        reason = verifier.reject_reason(submission, round, sender)
        if reason is None:
            proven.append(submission)
        else:
            rejected.append(submission)
            reasons[submission.client_id] = reason
    wanted = {"leader": 1, "top-k": max(k, 1)}.get(mode, len(proven))
    if mode == "gated-fedavg":
        if claims is None:
            raise MalformedInput("gated-fedavg needs the public claim set")
        bar = gate_threshold(len(claims), slack)
        proven = [s for s in proven if s.claimed_count >= bar]
    revealed: list[Submission] = []
    for candidate in rank(proven):  # best first; a reveal that does not open is skipped
        if len(revealed) == wanted:
            break
        # with real proofs the verifier knows the task: the reveal must fit it too
        if opens(candidate.commitment, candidate.model, candidate.salt,
                      getattr(verifier, "task", None)):
            revealed.append(candidate)
        else:
            rejected.append(candidate)
            reasons[candidate.client_id] = "revealed model does not open its commitment"
    if not revealed:
        new_model = None
    elif mode == "leader":
        new_model = revealed[0].model
    elif mode == "gated-fedavg":
        revealed = prune_fedavg(revealed, claims)  # type: ignore[arg-type]
        new_model = fedavg(revealed, by_count=True)
    else:
        new_model = fedavg(revealed)
    return Outcome(new_model, tuple(s.client_id for s in revealed),
                   tuple(sorted(s.client_id for s in rejected)), tuple(sorted(reasons.items())))
