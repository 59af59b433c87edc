"""Shared, session-scoped fixtures: the digits split and a few trained models (trained once)."""

from __future__ import annotations

import pytest

from zkpot_ref.fl import client, data, model


@pytest.fixture(scope="session")
def split() -> tuple[data.Dataset, data.Dataset]:
    """The project's fixed split: 1,347 training and 450 public test digits."""
    return data.train_test_split(data.load_digits())


@pytest.fixture(scope="session")
def trained(split: tuple[data.Dataset, data.Dataset]) -> model.Params:
    """A 64-32-10 MLP trained for 10 epochs on the whole training split."""
    return model.train(model.init_params((64, 32, 10), seed=0), split[0],
                       model.TrainConfig(epochs=10), seed=1)


@pytest.fixture(scope="session")
def shards(split: tuple[data.Dataset, data.Dataset]) -> list[data.Dataset]:
    """The training split dealt IID over four clients."""
    return [split[0].subset(p) for p in data.partition_iid(len(split[0]), 4, seed=0)]


@pytest.fixture(scope="session")
def submissions(split, shards, trained) -> list[client.Submission]:  # noqa: ANN001
    """Round-3 honest submissions of four clients starting from ``trained``."""
    config = model.TrainConfig(epochs=1)
    return [client.local_update(cid, 3, trained, shard, split[1], config, seed=10 + cid)
            for cid, shard in enumerate(shards)]
