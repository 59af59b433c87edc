"""The data: bundled handwritten digits, a fixed public test split, and client partitions.

Lesson: where federated data comes from and how it is spread over clients.

- :func:`load_digits` reads the UCI "Optical Recognition of Handwritten Digits" data
  (Alpaydin & Kaynak, UCI ML Repository 1998, doi:10.24432/C50P49, CC BY 4.0; see
  ``zkpot_ref/data/DIGITS_LICENSE.md``): 1,797 images of 8x8 integer pixels 0..16.
  It ships inside the package, so nothing is downloaded at run time.
- :func:`train_test_split` is stratified and seeded; its test part is the task's PUBLIC
  test set, held out from every client, on which every accuracy claim is made.
- :func:`partition_iid` deals the training part out evenly at random;
  :func:`partition_dirichlet` gives each client a label mix drawn from Dirichlet(alpha), as
  in Hsu, Qi & Brown, "Measuring the Effects of Non-Identical Data Distribution for
  Federated Visual Classification", arXiv:1909.06335 (small alpha: each client sees few
  labels).
- :func:`load_mnist_idx` reads MNIST IDX files a user provides (gzip or not).

Read next: ``model.py``.
"""

from __future__ import annotations

import gzip
import struct
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from zkpot_ref.errors import MalformedInput

DATA_DIR = Path(__file__).resolve().parent.parent / "data"
DIGITS_FILE = DATA_DIR / "digits.csv.gz"
NUM_CLASSES = 10


@dataclass(frozen=True)
class Dataset:
    """Images as integer pixels (count, features) in 0..pixel_max, labels 0..9."""

    images: np.ndarray
    labels: np.ndarray
    pixel_max: int

    def __post_init__(self) -> None:
        if self.images.ndim != 2 or self.labels.shape != (self.images.shape[0],):
            raise MalformedInput("a dataset needs images (count, features) and one label each")

    def __len__(self) -> int:
        return int(self.labels.shape[0])

    def subset(self, indices: np.ndarray) -> Dataset:
        """The samples at ``indices``, in that order."""
        return Dataset(self.images[indices], self.labels[indices], self.pixel_max)


def load_digits(path: Path = DIGITS_FILE) -> Dataset:
    """The bundled digits: 1,797 images, 64 pixels 0..16 each (row-major 8x8), labels 0..9."""
    try:
        with gzip.open(path, "rt") as handle:
            table = np.loadtxt(handle, delimiter=",", dtype=np.int64)
    except (OSError, ValueError) as exc:
        raise MalformedInput(f"cannot read the digits data at {path}: {exc}") from exc
    if table.ndim != 2 or table.shape[1] != 65:
        raise MalformedInput(f"{path}: expected 65 columns (64 pixels and a label)")
    return Dataset(table[:, :64].astype(np.uint8), table[:, 64], pixel_max=16)


def train_test_split(data: Dataset, test_fraction: float = 0.25, seed: int = 0) -> tuple[
    Dataset, Dataset
]:
    """A stratified split: each label contributes round(test_fraction * its count) to test.

    The default (0.25, seed 0) is THE split of this project: 1,347 training and 450 public
    test images of the digits.
    """
    if not 0.0 < test_fraction < 1.0:
        raise MalformedInput(f"test_fraction must lie in (0, 1), not {test_fraction}")
    rng = np.random.default_rng(seed)
    train, test = [], []
    for label in range(NUM_CLASSES):
        members = rng.permutation(np.flatnonzero(data.labels == label))
        cut = int(round(test_fraction * len(members)))
        test.append(members[:cut])
        train.append(members[cut:])
    return data.subset(np.sort(np.concatenate(train))), data.subset(np.sort(np.concatenate(test)))


def partition_iid(num_samples: int, num_clients: int, seed: int) -> list[np.ndarray]:
    """Shuffle, then deal out: client sizes differ by at most one."""
    _check_partition(num_samples, num_clients)
    order = np.random.default_rng(seed).permutation(num_samples)
    return [np.sort(part) for part in np.array_split(order, num_clients)]


def partition_dirichlet(
    labels: np.ndarray, num_clients: int, alpha: float, seed: int
) -> list[np.ndarray]:
    """Non-IID: client i draws label proportions p_i ~ Dirichlet(alpha, ..., alpha) and fills
    its (equal) share of samples by drawing labels from p_i among those still unassigned.

    Every sample is assigned, sizes differ by at most one, and no client is empty. When a
    client's favourite labels run out, it draws from what is left (p_i renormalized).
    """
    _check_partition(len(labels), num_clients)
    if not alpha > 0.0:
        raise MalformedInput(f"the Dirichlet alpha must be positive, not {alpha}")
    rng = np.random.default_rng(seed)
    pools = [list(rng.permutation(np.flatnonzero(labels == c))) for c in range(NUM_CLASSES)]
    proportions = rng.dirichlet(np.full(NUM_CLASSES, alpha), size=num_clients)
    sizes = [len(part) for part in np.array_split(np.arange(len(labels)), num_clients)]
    parts = []
    for client, size in enumerate(sizes):
        taken = []
        for _ in range(size):
            left = np.array([len(pool) > 0 for pool in pools], dtype=np.float64)
            weights = proportions[client] * left
            if weights.sum() <= 0.0:  # every favourite label is used up: take what is left
                weights = left
            label = rng.choice(NUM_CLASSES, p=weights / weights.sum())
            taken.append(pools[label].pop())
        parts.append(np.sort(np.array(taken, dtype=np.int64)))
    return parts


def _check_partition(num_samples: int, num_clients: int) -> None:
    if not 1 <= num_clients <= num_samples:
        raise MalformedInput(
            f"cannot split {num_samples} samples over {num_clients} clients: need 1..{num_samples}"
        )


def _read_idx(path: Path, expected_magic: int) -> np.ndarray:
    """One IDX file (LeCun et al.'s MNIST format): magic, big-endian dims, then uint8 data."""
    try:
        raw = Path(path).read_bytes()
        if raw[:2] == b"\x1f\x8b":  # gzip's magic number
            raw = gzip.decompress(raw)
    except OSError as exc:
        raise MalformedInput(f"cannot read IDX file {path}: {exc}") from exc
    if len(raw) < 4 or struct.unpack(">I", raw[:4])[0] != expected_magic:
        raise MalformedInput(f"{path}: not an IDX file of the expected kind (bad magic number)")
    ndim = expected_magic & 0xFF
    dims = struct.unpack(f">{ndim}I", raw[4 : 4 + 4 * ndim])
    body = np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * ndim)
    if body.size != int(np.prod(dims)):
        raise MalformedInput(f"{path}: {body.size} data bytes, header promises {dims}")
    return body.reshape(dims)


def load_mnist_idx(images_path: Path | str, labels_path: Path | str) -> Dataset:
    """MNIST from the user's IDX files (e.g. train-images-idx3-ubyte[.gz]); pixels 0..255."""
    images = _read_idx(Path(images_path), 0x00000803)
    labels = _read_idx(Path(labels_path), 0x00000801)
    if images.shape[0] != labels.shape[0] or labels.size and labels.max() >= NUM_CLASSES:
        raise MalformedInput("MNIST images and labels do not match (count or label range)")
    return Dataset(images.reshape(images.shape[0], -1), labels.astype(np.int64), pixel_max=255)
