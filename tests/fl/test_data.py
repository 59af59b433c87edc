"""Tests of zkpot_ref/fl/data.py: the bundled digits, the split and the partitions.

Outside references: the SHA-256 and the class counts of scikit-learn's ``digits.csv.gz``
(``sklearn.datasets.load_digits``: 1,797 samples, 64 features 0..16, ten classes), and the
IDX format as documented with MNIST (LeCun et al.), written here by hand.
"""

from __future__ import annotations

import gzip
import hashlib
import struct
from pathlib import Path

import numpy as np
import pytest

from zkpot_ref.errors import MalformedInput
from zkpot_ref.fl import data

SKLEARN_SHA256 = "09f66e6debdee2cd2b5ae59e0d6abbb73fc2b0e0185d2e1957e9ebb51e23aa22"
CLASS_COUNTS = [178, 182, 177, 183, 181, 182, 181, 179, 174, 180]


@pytest.fixture(scope="module")
def digits() -> data.Dataset:
    return data.load_digits()


def test_bundled_file_is_sklearns_with_its_license() -> None:
    assert hashlib.sha256(data.DIGITS_FILE.read_bytes()).hexdigest() == SKLEARN_SHA256
    notice = (data.DATA_DIR / "DIGITS_LICENSE.md").read_text()
    assert "CC BY 4.0" in notice and "10.24432/C50P49" in notice


def test_load_digits(digits: data.Dataset) -> None:
    assert digits.images.shape == (1797, 64) and len(digits) == 1797
    assert digits.images.min() == 0 and digits.images.max() == 16 and digits.pixel_max == 16
    assert np.bincount(digits.labels).tolist() == CLASS_COUNTS
    # the first sample is the well-known "0" of sklearn's gallery
    assert digits.labels[0] == 0 and digits.images[0, :8].tolist() == [0, 0, 5, 13, 9, 1, 0, 0]


def test_load_digits_refuses_bad_files(tmp_path: Path) -> None:
    with pytest.raises(MalformedInput):
        data.load_digits(tmp_path / "missing.csv.gz")
    bad = tmp_path / "bad.csv.gz"
    bad.write_bytes(gzip.compress(b"1,2,3\n4,5,6\n"))
    with pytest.raises(MalformedInput):
        data.load_digits(bad)


def test_split_is_stratified_disjoint_and_seeded(digits: data.Dataset) -> None:
    train, test = data.train_test_split(digits)
    assert (len(train), len(test)) == (1347, 450)
    counts = np.bincount(test.labels)
    assert np.all(np.abs(counts - 0.25 * np.array(CLASS_COUNTS)) <= 0.5)
    rows = {r.tobytes() for r in np.hstack([digits.images, digits.labels[:, None]])}
    both = np.vstack([np.hstack([d.images, d.labels[:, None]]) for d in (train, test)])
    assert {r.tobytes() for r in both} == rows  # together they are the whole data set
    again = data.train_test_split(digits)[1]
    assert np.array_equal(again.images, test.images)
    other = data.train_test_split(digits, seed=1)[1]
    assert not np.array_equal(other.images, test.images)
    with pytest.raises(MalformedInput):
        data.train_test_split(digits, test_fraction=1.0)


def test_partition_iid() -> None:
    parts = data.partition_iid(103, 4, seed=7)
    assert sorted(np.concatenate(parts).tolist()) == list(range(103))
    assert sorted(len(p) for p in parts) == [25, 26, 26, 26]
    assert all(np.array_equal(a, b) for a, b in zip(parts, data.partition_iid(103, 4, 7),
                                                      strict=True))
    with pytest.raises(MalformedInput):
        data.partition_iid(3, 4, 0)


def _skew(labels: np.ndarray, parts: list[np.ndarray]) -> float:
    """Mean share of a client's most common label (1.0: every client sees one label)."""
    return float(np.mean([np.bincount(labels[p]).max() / len(p) for p in parts]))


def test_partition_dirichlet(digits: data.Dataset) -> None:
    train, _ = data.train_test_split(digits)
    parts = data.partition_dirichlet(train.labels, 10, alpha=0.1, seed=3)
    assert sorted(np.concatenate(parts).tolist()) == list(range(len(train)))
    assert max(len(p) for p in parts) - min(len(p) for p in parts) <= 1
    again = data.partition_dirichlet(train.labels, 10, alpha=0.1, seed=3)
    assert all(np.array_equal(a, b) for a, b in zip(parts, again, strict=True))
    iid_like = data.partition_dirichlet(train.labels, 10, alpha=1000.0, seed=3)
    assert _skew(train.labels, parts) > 0.5 > 0.25 > _skew(train.labels, iid_like)
    many = data.partition_dirichlet(train.labels, 100, alpha=0.1, seed=0)
    assert min(len(p) for p in many) >= 13  # no client is empty, even with 100 of them
    with pytest.raises(MalformedInput):
        data.partition_dirichlet(train.labels, 4, alpha=0.0, seed=0)


def _idx(magic: int, array: np.ndarray) -> bytes:
    return struct.pack(f">I{array.ndim}I", magic, *array.shape) + array.astype(np.uint8).tobytes()


@pytest.mark.parametrize("compress", [False, True])
def test_load_mnist_idx(tmp_path: Path, compress: bool) -> None:
    images = np.random.default_rng(0).integers(0, 256, (5, 28, 28))
    labels = np.array([3, 1, 4, 1, 5])
    wrap = gzip.compress if compress else (lambda b: b)
    (tmp_path / "img").write_bytes(wrap(_idx(0x803, images)))
    (tmp_path / "lab").write_bytes(wrap(_idx(0x801, labels)))
    mnist = data.load_mnist_idx(tmp_path / "img", tmp_path / "lab")
    assert mnist.images.shape == (5, 784) and mnist.pixel_max == 255
    assert np.array_equal(mnist.images, images.reshape(5, 784)) and mnist.labels.tolist() == [
        3, 1, 4, 1, 5]


def test_load_mnist_idx_refuses_bad_files(tmp_path: Path) -> None:
    images = np.zeros((2, 3, 3))
    (tmp_path / "img").write_bytes(_idx(0x803, images))
    (tmp_path / "lab").write_bytes(_idx(0x801, np.array([1, 2, 3])))  # one label too many
    (tmp_path / "trunc").write_bytes(_idx(0x803, images)[:-1])
    with pytest.raises(MalformedInput):
        data.load_mnist_idx(tmp_path / "img", tmp_path / "lab")
    with pytest.raises(MalformedInput):
        data.load_mnist_idx(tmp_path / "lab", tmp_path / "img")  # swapped: wrong magic
    with pytest.raises(MalformedInput):
        data.load_mnist_idx(tmp_path / "trunc", tmp_path / "lab")
    with pytest.raises(MalformedInput):
        data.load_mnist_idx(tmp_path / "nothing", tmp_path / "lab")


def test_dataset_checks_shapes() -> None:
    with pytest.raises(MalformedInput):
        data.Dataset(np.zeros((3, 4)), np.zeros(2), 16)
    sub = data.Dataset(np.arange(12).reshape(3, 4), np.array([0, 1, 2]), 16).subset(np.array([2]))
    assert sub.labels.tolist() == [2] and sub.images.tolist() == [[8, 9, 10, 11]]
