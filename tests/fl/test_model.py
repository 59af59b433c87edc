"""Tests of zkpot_ref/fl/model.py: the MLP, its loss, Adam and the training loop.

References: the numpy float forward pass of ``quant.float_forward`` (an independent
implementation of the same MLP), a numpy Adam step written from Kingma & Ba's Algorithm 1,
and a finite-difference check of ``jax.grad``.
"""

from __future__ import annotations

import jax.numpy as jnp
import numpy as np
import pytest

from zkpot_ref import quant
from zkpot_ref.errors import MalformedInput
from zkpot_ref.fl import data, model


@pytest.fixture(scope="module")
def split() -> tuple[data.Dataset, data.Dataset]:
    return data.train_test_split(data.load_digits())


def test_init_params_shapes_scale_and_seed() -> None:
    params = model.init_params((64, 32, 10), seed=0)
    assert [(w.shape, b.shape) for w, b in params] == [((64, 32), (32,)), ((32, 10), (10,))]
    assert params[0][0].dtype == np.float32 and not params[0][1].any()
    assert abs(params[0][0].std() - np.sqrt(2 / 64)) < 0.02  # He et al. 2015
    assert np.array_equal(params[0][0], model.init_params((64, 32, 10), 0)[0][0])
    assert not np.array_equal(params[0][0], model.init_params((64, 32, 10), 1)[0][0])
    with pytest.raises(MalformedInput):
        model.init_params((64,), 0)


def test_forward_matches_numpy_reference() -> None:
    params = model.init_params((8, 5, 3), seed=2)
    images = np.random.default_rng(0).integers(0, 17, (7, 8))
    logits = np.asarray(model.forward(params, jnp.asarray(images / 16, dtype=jnp.float32)))
    assert np.allclose(logits, quant.float_forward(params, images, 16)[-1], atol=1e-5)


def test_loss_is_masked_cross_entropy() -> None:
    params = model.init_params((4, 3), seed=0)
    x = np.random.default_rng(1).random((3, 4)).astype(np.float32)
    y = np.array([0, 2, 1])
    logits = x @ params[0][0] + params[0][1]
    log_p = logits - np.log(np.exp(logits).sum(axis=1, keepdims=True))
    full = model.loss(params, x, y, np.ones(3, dtype=np.float32))
    assert float(full) == pytest.approx(-np.mean(log_p[[0, 1, 2], y]), rel=1e-5)
    masked = model.loss(params, x, y, np.array([1, 1, 0], dtype=np.float32))
    assert float(masked) == pytest.approx(-np.mean(log_p[[0, 1], y[:2]]), rel=1e-5)


def test_adam_step_matches_algorithm_1() -> None:
    params = model.init_params((4, 3), seed=5)
    x = np.random.default_rng(2).random((2, 4)).astype(np.float32)
    y, mask, lr = np.array([1, 2]), np.ones(2, dtype=np.float32), 0.05
    m = tuple(tuple(np.full_like(p, 0.01) for p in layer) for layer in params)
    v = tuple(tuple(np.full_like(p, 0.02) for p in layer) for layer in params)
    new, _, _ = model.adam_step(params, m, v, 3.0, x, y, mask, lr)
    # gradient by central differences on the weight [0, 0] and the bias [1]
    eps = 1e-3

    def loss_with(dw: float, db: float) -> float:
        w, b = params[0][0].copy(), params[0][1].copy()
        w[0, 0] += dw
        b[1] += db
        return float(model.loss(((w, b),), x, y, mask))

    for index, (dw, db) in ((0, (eps, 0.0)), (1, (0.0, eps))):
        g = (loss_with(dw, db) - loss_with(-dw, -db)) / (2 * eps)
        m_t = 0.9 * 0.01 + 0.1 * g
        v_t = 0.999 * 0.02 + 0.001 * g * g
        step = lr * (m_t / (1 - 0.9**3)) / (np.sqrt(v_t / (1 - 0.999**3)) + 1e-8)
        before = params[0][0][0, 0] if index == 0 else params[0][1][1]
        after = new[0][0][0, 0] if index == 0 else new[0][1][1]
        assert float(after) == pytest.approx(float(before) - step, abs=1e-5)


def test_train_learns_and_is_deterministic(split: tuple[data.Dataset, data.Dataset]) -> None:
    train, test = split
    start = model.init_params((64, 32, 10), seed=0)
    config = model.TrainConfig(epochs=5)
    trained = model.train(start, train, config, seed=1)
    assert model.accuracy(start, test) < 0.3 < 0.9 < model.accuracy(trained, test)
    again = model.train(start, train, config, seed=1)
    assert all(np.array_equal(a, b) for la, lb in zip(trained, again, strict=True)
               for a, b in zip(la, lb, strict=True))
    other = model.train(start, train, config, seed=2)
    assert not np.array_equal(other[0][0], trained[0][0])
    assert np.array_equal(start[0][0], model.init_params((64, 32, 10), seed=0)[0][0])  # intact
    assert model.train(start, train, model.TrainConfig(epochs=0), 1) is not None
    assert np.array_equal(model.train(start, train, model.TrainConfig(epochs=0), 1)[0][0],
                          start[0][0])


def test_train_with_replaced_labels(split: tuple[data.Dataset, data.Dataset]) -> None:
    train, test = split
    start = model.init_params((64, 32, 10), seed=0)
    flipped = model.train(start, train, model.TrainConfig(epochs=3), 1, labels=9 - train.labels)
    predictions = model.predict(flipped, test)
    assert np.mean(predictions == 9 - test.labels) > 0.8 and model.accuracy(flipped, test) < 0.2


def test_train_config_and_edge_cases() -> None:
    for bad in ({"epochs": -1}, {"batch_size": 0}, {"learning_rate": 0.0}):
        with pytest.raises(MalformedInput):
            model.TrainConfig(**bad)
    empty = data.Dataset(np.zeros((0, 4), dtype=np.uint8), np.zeros(0, dtype=np.int64), 16)
    params = model.init_params((4, 2), 0)
    assert model.train(params, empty, model.TrainConfig(), 0) is params
    assert model.accuracy(params, empty) == 0.0
