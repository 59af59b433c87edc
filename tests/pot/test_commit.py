"""Tests for zkpot_ref/pot/commit.py: the committed bytes and the model commitment."""

from __future__ import annotations

import struct

import numpy as np
import pytest
from pot_helpers import random_model

from zkpot_ref.errors import MalformedInput
from zkpot_ref.gadgets.commitment import commit
from zkpot_ref.pot.commit import (
    byte_count,
    commit_model,
    model_bytes,
    open_model,
    split,
)


@pytest.mark.parametrize("sizes", [(4, 3), (5, 4, 3), (6, 4, 3, 2)])
def test_the_bytes_hold_every_private_parameter_in_order(sizes: tuple[int, ...]) -> None:
    model = random_model(sizes, 3)
    data = model_bytes(model)
    assert len(data) == byte_count(sizes) and all(0 <= b < 256 for b in data)
    for layer, part in zip(model.layers, split(data, sizes)):
        assert part.weight_zero == layer.weight_zero
        assert np.array_equal(np.array(part.weights), layer.weight)
        biases = [struct.unpack("<I", bytes(b))[0] - 2**31 for b in part.biases]
        assert biases == list(layer.bias)
        assert struct.unpack(">ddd", bytes(part.scales)) == (
            layer.weight_scale, layer.input_scale, layer.output_scale)
        if part.output_zero is not None:
            assert part.output_zero == layer.output_zero
            assert struct.unpack("<I", bytes(part.multiplier))[0] == layer.multiplier
    with pytest.raises(MalformedInput):
        split(data[:-1], sizes)


def test_the_commitment_is_the_commitment_lessons_over_those_bytes() -> None:
    model = random_model((5, 4, 3), 4)
    c, salt = commit_model(model, 123)
    assert (c, salt) == commit(model_bytes(model), 8, 123)
    assert open_model(c, model, salt) and not open_model(c, model, salt + 1)
    other = random_model((5, 4, 3), 5)
    assert not open_model(c, other, salt)
    with pytest.raises(MalformedInput):
        open_model(c, "model", salt)  # type: ignore[arg-type]


def test_salts_hide_and_every_part_binds() -> None:
    model = random_model((5, 4, 3), 4)
    assert commit_model(model, 1)[0] != commit_model(model, 2)[0]
    fresh = {commit_model(model)[0] for _ in range(3)}  # random salts: unlinkable
    assert len(fresh) == 3
    c, _ = commit_model(model, 9)
    layer = model.layers[-1]
    changed = [
        np.array(layer.weight) ^ np.eye(*layer.weight.shape, dtype=np.int64),
    ]
    from dataclasses import replace

    from zkpot_ref.quant import IntModel

    for bad in (
        replace(layer, weight=changed[0]),
        replace(layer, bias=layer.bias + 1),
        replace(layer, weight_zero=(layer.weight_zero + 1) % 256),
        replace(layer, output_scale=layer.output_scale * 2),
    ):
        tampered = IntModel((*model.layers[:-1], bad), model.pixel_max)
        assert commit_model(tampered, 9)[0] != c


def test_a_reveal_must_fit_the_task_not_only_the_bytes() -> None:
    """The commitment covers the private bytes; the task's public parts (here the shift)
    are checked against the task when it is given."""
    from dataclasses import replace

    from pot_helpers import random_task

    from zkpot_ref.quant import IntModel

    task = random_task((5, 4, 3), 2, seed=1)
    model = random_model((5, 4, 3), 4)
    c, salt = commit_model(model, 5)
    assert open_model(c, model, salt, task)
    other_shift = IntModel((replace(model.layers[0], shift=31), *model.layers[1:]),
                           model.pixel_max)
    assert open_model(c, other_shift, salt)  # the same committed bytes ...
    assert not open_model(c, other_shift, salt, task)  # ... but not the task's model
