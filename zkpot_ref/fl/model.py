"""The model: a small MLP trained with ``jax.grad`` and a hand-written Adam.

Lesson: local training, the part of federated learning a ZKPoT proof does NOT prove (it
proves the accuracy of what comes out, see ``zkpot_ref/quant.py``).

- Architecture: fully connected layers of configurable widths, default 64-32-10, ReLU
  between them, softmax cross-entropy on the logits. Inputs are pixel / pixel_max.
- Initialization: He et al. 2015 normal, W ~ N(0, 2 / fan_in), b = 0, from a numpy seed.
- Optimizer: Adam (Kingma & Ba, ICLR 2015, Algorithm 1) written out below: ten lines, so
  no optimizer library is needed and every step can be read.
- Determinism: the seed fixes the initialization and the batch order; the step function
  is jit-compiled once per (architecture, batch size) — the last, short batch is padded
  and masked rather than given a new shape — and XLA on CPU is deterministic, so the same
  seed gives bit-identical parameters.

Parameters travel as a tuple of (W, b) numpy float32 pairs, W of shape (inputs, outputs),
the ``FloatParams`` of ``quant.py``.

Read next: ``client.py``.
"""

from __future__ import annotations

from dataclasses import dataclass

import jax
import jax.numpy as jnp
import numpy as np

from zkpot_ref.errors import MalformedInput
from zkpot_ref.fl.data import Dataset

Params = tuple[tuple[np.ndarray, np.ndarray], ...]
ADAM_BETA1, ADAM_BETA2, ADAM_EPS = 0.9, 0.999, 1e-8  # Kingma & Ba's defaults


@dataclass(frozen=True)
class TrainConfig:
    """Local training: ``epochs`` passes over the shard in minibatches of ``batch_size``."""

    epochs: int = 2
    batch_size: int = 32
    learning_rate: float = 0.01

    def __post_init__(self) -> None:
        if self.epochs < 0 or self.batch_size < 1 or not self.learning_rate > 0:
            raise MalformedInput("need epochs >= 0, batch_size >= 1 and learning_rate > 0")


def init_params(sizes: tuple[int, ...], seed: int) -> Params:
    """He-normal weights and zero biases for layer widths ``sizes`` (input first)."""
    if len(sizes) < 2 or min(sizes) < 1:
        raise MalformedInput(f"an MLP needs >= 2 positive layer sizes, not {sizes}")
    rng = np.random.default_rng(seed)
    return tuple(
        (
            (rng.standard_normal((fan_in, fan_out)) * np.sqrt(2.0 / fan_in)).astype(np.float32),
            np.zeros(fan_out, dtype=np.float32),
        )
        for fan_in, fan_out in zip(sizes[:-1], sizes[1:], strict=True)
    )


def forward(params: Params, x: jax.Array) -> jax.Array:
    """Logits of the MLP: ReLU(x W_1 + b_1) ... W_L + b_L."""
    for w, b in params[:-1]:
        x = jax.nn.relu(x @ w + b)
    w, b = params[-1]
    return x @ w + b


def loss(params: Params, x: jax.Array, y: jax.Array, mask: jax.Array) -> jax.Array:
    """Mean softmax cross-entropy over the real (mask = 1) rows of a padded batch."""
    log_probs = jax.nn.log_softmax(forward(params, x))
    picked = jnp.take_along_axis(log_probs, y[:, None], axis=1)[:, 0]
    return -jnp.sum(picked * mask) / jnp.maximum(jnp.sum(mask), 1.0)


@jax.jit
def adam_step(params, m, v, t, x, y, mask, learning_rate):
    """One Adam step (Kingma & Ba, Algorithm 1) on the batch (x, y, mask); t counts from 1."""
    g = jax.grad(loss)(params, x, y, mask)
    m = jax.tree_util.tree_map(lambda m_, g_: ADAM_BETA1 * m_ + (1 - ADAM_BETA1) * g_, m, g)
    v = jax.tree_util.tree_map(lambda v_, g_: ADAM_BETA2 * v_ + (1 - ADAM_BETA2) * g_ * g_, v, g)
    m_hat_scale = 1.0 / (1.0 - ADAM_BETA1**t)
    v_hat_scale = 1.0 / (1.0 - ADAM_BETA2**t)

    def update(p, m_, v_):
        return p - learning_rate * (m_ * m_hat_scale) / (jnp.sqrt(v_ * v_hat_scale) + ADAM_EPS)

    return jax.tree_util.tree_map(update, params, m, v), m, v


def train(params: Params, data: Dataset, config: TrainConfig, seed: int,
          labels: np.ndarray | None = None) -> Params:
    """``config.epochs`` epochs of Adam from ``params`` on ``data`` (fresh optimizer state).

    ``labels`` replaces ``data.labels`` when given (the label-flipping attack uses it).
    Returns new numpy parameters; the input ``params`` are not modified.
    """
    labels = data.labels if labels is None else labels
    if len(data) == 0:
        return params
    x_all = data.images.astype(np.float32) / data.pixel_max
    rng = np.random.default_rng(seed)
    p = jax.tree_util.tree_map(jnp.asarray, params)
    m = jax.tree_util.tree_map(jnp.zeros_like, p)
    v = jax.tree_util.tree_map(jnp.zeros_like, p)
    size, t = config.batch_size, 0
    for _ in range(config.epochs):
        order = rng.permutation(len(data))
        for start in range(0, len(order), size):
            rows = order[start : start + size]
            x = np.zeros((size, x_all.shape[1]), dtype=np.float32)
            y = np.zeros(size, dtype=np.int32)
            mask = np.zeros(size, dtype=np.float32)
            x[: len(rows)], y[: len(rows)], mask[: len(rows)] = x_all[rows], labels[rows], 1.0
            t += 1
            p, m, v = adam_step(p, m, v, float(t), x, y, mask, config.learning_rate)
    return tuple((np.asarray(w), np.asarray(b)) for w, b in p)


def predict(params: Params, data: Dataset) -> np.ndarray:
    """Float predictions (argmax of the logits)."""
    x = jnp.asarray(data.images.astype(np.float32) / data.pixel_max)
    return np.asarray(jnp.argmax(forward(params, x), axis=1))


def accuracy(params: Params, data: Dataset) -> float:
    """Fraction of ``data`` the float model labels correctly."""
    return float(np.mean(predict(params, data) == data.labels)) if len(data) else 0.0

