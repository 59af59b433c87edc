"""Tests of zkpot_ref/fl/robust.py on small inputs worked out by hand."""

from __future__ import annotations

import numpy as np
import pytest

from zkpot_ref.errors import MalformedInput
from zkpot_ref.fl import robust

# Five clients in one dimension, one far outlier: 0, 1, 2, 3, 100.
LINE = np.array([[0.0], [1.0], [2.0], [3.0], [100.0]])


def test_flatten_round_trips() -> None:
    params = ((np.arange(6, dtype=np.float32).reshape(2, 3), np.array([6, 7, 8], np.float32)),
              (np.array([[9.0], [10.0], [11.0]], np.float32), np.array([12.0], np.float32)))
    vector = robust.flatten(params)
    assert vector.tolist() == list(range(13)) and vector.dtype == np.float64
    back = robust.unflatten(vector, params)
    assert all((a == b).all() and a.dtype == np.float32
               for la, lb in zip(back, params, strict=True) for a, b in zip(la, lb, strict=True))
    with pytest.raises(MalformedInput):
        robust.unflatten(np.zeros(14), params)


def test_krum_by_hand() -> None:
    # f = 1: n - f - 2 = 2 nearest neighbours.
    # 0: 1 + 4 = 5;  1: 1 + 1 = 2;  2: 1 + 1 = 2;  3: 1 + 4 = 5;  100: 97^2 + 98^2 = 19013
    assert robust.krum_scores(LINE, 1).tolist() == [5.0, 2.0, 2.0, 5.0, 19013.0]
    assert robust.krum(LINE, 1) == 1  # tie 1/2: the lower index
    assert robust.multi_krum(LINE, 1, 3) == [1, 2, 0]
    assert robust.multi_krum(LINE, 1, 4) == [1, 2, 0, 3]  # the outlier is never among them
    with pytest.raises(MalformedInput):
        robust.krum(LINE, 3)  # n - f - 2 = 0
    with pytest.raises(MalformedInput):
        robust.multi_krum(LINE, 1, 6)


def test_krum_in_two_dimensions() -> None:
    # (0,0), (3,4), (0,1), (30,40); f = 1 -> 1 neighbour: squared distances
    # 1, 18, 1 and 27^2 + 36^2 = 2025
    points = np.array([[0.0, 0.0], [3.0, 4.0], [0.0, 1.0], [30.0, 40.0]])
    assert robust.krum_scores(points, 1).tolist() == [1.0, 18.0, 1.0, 2025.0]


def test_median_and_trimmed_mean_by_hand() -> None:
    assert robust.coordinate_median(LINE).tolist() == [2.0]
    assert robust.coordinate_median([[1.0, 9.0], [3.0, -1.0]]).tolist() == [2.0, 4.0]
    assert robust.trimmed_mean(LINE, 0).tolist() == [106.0 / 5]  # the plain mean
    assert robust.trimmed_mean(LINE, 1).tolist() == [2.0]  # mean of 1, 2, 3
    # per coordinate: (5, -5, 0, 1) sorted -5, 0, 1, 5 -> mean(0, 1) = 0.5
    cols = np.array([[5.0, 1.0], [-5.0, 2.0], [0.0, 3.0], [1.0, 400.0]])
    assert robust.trimmed_mean(cols, 1).tolist() == [0.5, 2.5]
    with pytest.raises(MalformedInput):
        robust.trimmed_mean(LINE, 3)
    with pytest.raises(MalformedInput):
        robust.coordinate_median(np.zeros((0, 2)))


def test_fltrust_by_hand() -> None:
    server = np.array([1.0, 0.0])  # |g0| = 1
    updates = np.array([[2.0, 0.0],    # cos 1     -> TS 1, rescaled to (1, 0)
                        [0.0, 5.0],    # cos 0     -> TS 0
                        [-3.0, 0.0],   # cos -1    -> TS 0 (ReLU)
                        [3.0, 3.0]])   # cos 1/sqrt2 -> rescaled (1/sqrt2, 1/sqrt2)
    scores = robust.fltrust_scores(updates, server)
    assert scores == pytest.approx([1.0, 0.0, 0.0, 2 ** -0.5])
    s = 2 ** -0.5
    expected = (np.array([1.0, 0.0]) + s * np.array([s, s])) / (1 + s)
    assert robust.fltrust(updates, server) == pytest.approx(expected)
    # nobody trusted (or a zero server update): no movement
    assert robust.fltrust(updates[1:3], server).tolist() == [0.0, 0.0]
    assert robust.fltrust(updates, np.zeros(2)).tolist() == [0.0, 0.0]
    # a scaled-up copy gains nothing: rescaling to |g0| removes the boost
    assert robust.fltrust(updates[:1] * 1000, server) == pytest.approx([1.0, 0.0])
