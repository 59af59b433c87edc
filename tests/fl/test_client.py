"""Tests of zkpot_ref/fl/client.py, including the must-show: integer accuracy within one
percentage point of the float model (64-32-10 trained on the bundled digits)."""

from __future__ import annotations

import numpy as np
import pytest

from zkpot_ref import quant
from zkpot_ref.errors import MalformedInput
from zkpot_ref.fl import client, model
from zkpot_ref.pot.commit import commit_model


def test_integer_model_within_one_point_of_float(split, trained) -> None:  # noqa: ANN001
    train, test = split
    int_model = client.quantize_on(trained, train)
    float_acc = model.accuracy(trained, test)
    int_acc = quant.count_correct(int_model, test.images, test.labels) / len(test)
    print(f"float {float_acc:.4f}  integer {int_acc:.4f}")
    assert float_acc > 0.9 and abs(float_acc - int_acc) <= 0.01
    assert int_model.sizes == (64, 32, 10)
    # deterministic: the same float model quantizes to the same bytes, predicts the same
    assert client.quantize_on(trained, train).digest() == int_model.digest()
    assert np.array_equal(quant.predict_int(int_model, test.images),
                          quant.predict_int(int_model, test.images))


def test_make_submission(split, trained) -> None:  # noqa: ANN001
    train, test = split
    int_model = client.quantize_on(trained, train)
    sub = client.make_submission(7, 2, int_model, 100, test, salt=99)
    assert sub.claimed_count == quant.count_correct(int_model, test.images, test.labels)
    assert sub.commitment == client.commit(int_model, 99) == commit_model(int_model, 99)[0]
    public = sub.public()
    assert public == client.PublicSubmission(7, 2, sub.commitment, sub.claimed_count, 100)
    assert not hasattr(public, "model") and "model" not in repr(sub)
    assert not hasattr(public, "salt") and "salt" not in repr(sub)
    fresh = client.make_submission(7, 2, int_model, 100, test)  # a secrets salt: unlinkable
    assert fresh.commitment != sub.commitment and fresh.salt != 99
    proven = client.make_submission(7, 2, int_model, 100, test, salt=99,
                                    prover=lambda s: b"proof of %d" % s.claimed_count)
    assert proven.proof == b"proof of %d" % sub.claimed_count == proven.public().proof
    assert client.make_submission(7, 2, int_model, 100, test, claimed_count=450).claimed_count \
        == 450
    for bad in (451, -1):
        with pytest.raises(MalformedInput):
            client.make_submission(7, 2, int_model, 100, test, claimed_count=bad)


def test_local_update_is_deterministic_and_honest(split, shards, trained) -> None:  # noqa: ANN001
    _, test = split
    config = model.TrainConfig(epochs=1)
    a = client.local_update(1, 4, trained, shards[1], test, config, seed=5, salt=1)
    b = client.local_update(1, 4, trained, shards[1], test, config, seed=5, salt=1)
    c = client.local_update(1, 4, trained, shards[1], test, config, seed=6, salt=1)
    assert a.commitment == b.commitment and a.commitment != c.commitment
    assert a.model.digest() == b.model.digest() != c.model.digest()
    assert (a.client_id, a.round, a.num_samples) == (1, 4, len(shards[1]))
    assert a.claimed_count == quant.count_correct(a.model, test.images, test.labels)


def test_commit_memo_and_stand_in(submissions) -> None:  # noqa: ANN001
    sub = submissions[0]
    poseidon = commit_model(sub.model, sub.salt)[0]
    assert client.commit(sub.model, sub.salt) == poseidon == sub.commitment  # memo or not
    assert client.opens(sub.commitment, sub.model, sub.salt)
    assert not client.opens(sub.commitment, submissions[1].model, sub.salt)
    assert not client.opens(sub.commitment, sub.model, sub.salt + 1)
    with client.stand_in_commitments():
        stand_in = client.commit(sub.model, sub.salt)
        assert stand_in != poseidon and stand_in == client.commit(sub.model, sub.salt)
        assert not client.opens(stand_in, sub.model, sub.salt)  # nothing opens in here
    assert client.commit(sub.model, sub.salt) == poseidon  # restored on leaving
