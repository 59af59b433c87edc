"""What server and clients share: the bundled digits, the public task, shards, training."""

from __future__ import annotations

import numpy as np

from zkpot_ref.fl.data import Dataset, load_digits, partition_iid, train_test_split
from zkpot_ref.fl.model import Params, TrainConfig, accuracy, train
from zkpot_ref.pot.statement import smallest_table
from zkpot_ref.pot.task import DEFAULT_SHIFT, Task


def sizes(hidden: int) -> tuple[int, int, int]:
    """The MLP: 64 pixels, one hidden layer, 10 digits."""
    return (64, int(hidden), 10)


def split(seed: int) -> tuple[Dataset, Dataset]:
    """The project's train / public test split of the bundled digits (1,347 / 450)."""
    return train_test_split(load_digits(), seed=seed)


def public_task(test_size: int, hidden: int, seed: int) -> Task:
    """The task: a seeded sample of the public test set the proofs count on."""
    test = split(seed)[1]
    pick = np.sort(np.random.default_rng(seed).choice(len(test), int(test_size), False))
    task, _ = smallest_table(Task("flower zkpot digits", sizes(hidden), test.pixel_max,
                                  (DEFAULT_SHIFT,), test.images[pick], test.labels[pick]))
    return task


def shard(partition_id: int, num_partitions: int, seed: int) -> Dataset:
    """This client's private training data (an IID share of the training split)."""
    data = split(seed)[0]
    return data.subset(partition_iid(len(data), int(num_partitions), seed)[int(partition_id)])


def train_local(params: Params, data: Dataset, epochs: int, seed: int) -> Params:
    return train(params, data, TrainConfig(epochs=int(epochs)), seed)


def global_accuracy(params: Params, seed: int) -> float:
    """The float model's accuracy on the whole public test split."""
    return accuracy(params, split(seed)[1])
