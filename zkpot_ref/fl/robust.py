"""Byzantine-robust aggregation without proofs: the defences a reader would otherwise pick.

Lesson: four classic rules that look only at the submitted parameter vectors, to compare
with the proof-gated modes of ``aggregation.py``. Each is a short function on a matrix
``vectors`` of shape (n clients, d parameters) — the models flattened by :func:`flatten`.

- :func:`krum` / :func:`multi_krum` — Blanchard, El Mhamdi, Guerraoui & Stainer,
  "Machine Learning with Adversaries: Byzantine Tolerant Gradient Descent", NeurIPS 2017
  (Section 4): client i's score is the sum of squared distances to its n - f - 2 nearest
  neighbours; Krum keeps the lowest score, Multi-Krum averages the m lowest. The paper
  asks n >= 2f + 3; with fewer clients the rule still runs (as long as n - f - 2 >= 1)
  but its guarantee is gone.
- :func:`coordinate_median` / :func:`trimmed_mean` — Yin, Chen, Ramchandran & Bartlett,
  "Byzantine-Robust Distributed Learning: Towards Optimal Statistical Rates", ICML 2018
  (Definitions 1 and 2): per coordinate, the median, or the mean after dropping the b
  largest and b smallest values (b = beta * n).
- :func:`fltrust` — Cao, Fang, Liu & Gong, "FLTrust: Byzantine-robust Federated Learning
  via Trust Bootstrapping", NDSS 2021 (Algorithm 1, eq. 3): the server trains on a small
  clean *root* set, gives update g_i the trust score ReLU(cos(g_i, g_0)), rescales it to
  the server update's norm, and takes the trust-weighted mean.

Krum, the median, trimmed mean and FLTrust work on updates (model - global model): for
Krum and the coordinate rules subtracting the common global model changes nothing, FLTrust
needs it for the cosine. None of them checks a claim: every model is revealed.

Read next: ``aggregation.py``, which wraps them into modes next to the proof-gated ones.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from zkpot_ref.errors import MalformedInput
from zkpot_ref.fl.model import Params


def flatten(params: Params) -> np.ndarray:
    """All weights and biases, layer by layer (W row-major, then b), as one float64 vector."""
    return np.concatenate([np.asarray(p, dtype=np.float64).reshape(-1)
                           for layer in params for p in layer])


def unflatten(vector: np.ndarray, like: Params) -> Params:
    """The inverse of :func:`flatten`: ``vector`` cut into the shapes of ``like`` (float32)."""
    out, start = [], 0
    for layer in like:
        parts = []
        for p in layer:
            size = int(np.prod(np.shape(p)))
            parts.append(np.asarray(vector[start : start + size], dtype=np.float32)
                         .reshape(np.shape(p)))
            start += size
        out.append(tuple(parts))
    if start != len(vector):
        raise MalformedInput(f"vector of length {len(vector)} does not fit {start} parameters")
    return tuple(out)  # type: ignore[return-value]


def _matrix(vectors: Sequence[np.ndarray] | np.ndarray) -> np.ndarray:
    matrix = np.asarray(vectors, dtype=np.float64)
    if matrix.ndim != 2 or len(matrix) == 0:
        raise MalformedInput("robust aggregation needs a non-empty (clients, parameters) matrix")
    return matrix


def krum_scores(vectors: Sequence[np.ndarray] | np.ndarray, f: int) -> np.ndarray:
    """Blanchard et al.'s score: sum of squared distances to the n - f - 2 nearest others."""
    v = _matrix(vectors)
    neighbours = len(v) - f - 2
    if f < 0 or neighbours < 1:
        raise MalformedInput(f"Krum needs n - f - 2 >= 1 (n = {len(v)}, f = {f})")
    squared = np.sum((v[:, None, :] - v[None, :, :]) ** 2, axis=2)
    return np.array([np.sort(np.delete(row, i))[:neighbours].sum()
                     for i, row in enumerate(squared)])


def krum(vectors: Sequence[np.ndarray] | np.ndarray, f: int) -> int:
    """The index of the vector with the lowest Krum score (ties: the lowest index)."""
    return int(np.argmin(krum_scores(vectors, f)))


def multi_krum(vectors: Sequence[np.ndarray] | np.ndarray, f: int, m: int) -> list[int]:
    """The indices of the ``m`` lowest Krum scores, best first; their mean is Multi-Krum."""
    scores = krum_scores(vectors, f)
    if not 1 <= m <= len(scores):
        raise MalformedInput(f"Multi-Krum needs 1 <= m <= n, not m = {m}, n = {len(scores)}")
    return [int(i) for i in np.argsort(scores, kind="stable")[:m]]


def coordinate_median(vectors: Sequence[np.ndarray] | np.ndarray) -> np.ndarray:
    """Yin et al.'s coordinate-wise median (the mean of the two middle values when n is even)."""
    return np.median(_matrix(vectors), axis=0)


def trimmed_mean(vectors: Sequence[np.ndarray] | np.ndarray, b: int) -> np.ndarray:
    """Yin et al.'s coordinate-wise trimmed mean: drop the b largest and b smallest values."""
    v = _matrix(vectors)
    if b < 0 or 2 * b >= len(v):
        raise MalformedInput(f"trimmed mean needs 0 <= 2b < n (n = {len(v)}, b = {b})")
    return np.sort(v, axis=0)[b : len(v) - b].mean(axis=0)


def fltrust_scores(updates: Sequence[np.ndarray] | np.ndarray,
                   server_update: np.ndarray) -> np.ndarray:
    """Trust scores ReLU(cos(g_i, g_0)); an update or server update of norm 0 scores 0."""
    g = _matrix(updates)
    g0 = np.asarray(server_update, dtype=np.float64)
    norms = np.linalg.norm(g, axis=1) * np.linalg.norm(g0)
    cosines = np.divide(g @ g0, norms, out=np.zeros(len(g)), where=norms > 0)
    return np.maximum(cosines, 0.0)


def fltrust(updates: Sequence[np.ndarray] | np.ndarray, server_update: np.ndarray) -> np.ndarray:
    """Cao et al.'s aggregate: sum_i TS_i (|g_0| / |g_i|) g_i / sum_i TS_i (0 if no trust)."""
    g = _matrix(updates)
    g0 = np.asarray(server_update, dtype=np.float64)
    scores = fltrust_scores(g, g0)
    if scores.sum() <= 0.0:
        return np.zeros(g.shape[1])
    norms = np.linalg.norm(g, axis=1)
    scaled = g * np.divide(np.linalg.norm(g0), norms, out=np.zeros(len(g)),
                           where=norms > 0)[:, None]
    return (scores @ scaled) / scores.sum()
