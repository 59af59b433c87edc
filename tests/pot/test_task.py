"""Tests for zkpot_ref/pot/task.py: the public task, its id and its file."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
from pot_helpers import random_model, random_task

from zkpot_ref.errors import MalformedInput
from zkpot_ref.field import R_MODULUS as R
from zkpot_ref.pot.task import Task


def test_encoding_round_trips_and_the_id_is_a_field_element() -> None:
    task = random_task((5, 4, 3), 7, seed=1)
    again = Task.decode(task.encode())
    assert again.encode() == task.encode() and again.task_id == task.task_id
    assert 0 <= task.task_id < R and task.task_id < 2**253


@pytest.mark.parametrize("change", [
    {"name": "other"}, {"pixel_max": 15}, {"shifts": (31,)}, {"table_bits": 16},
    {"labels": np.array([0, 1, 2, 0, 1, 2, 1])},
])
def test_every_field_changes_the_id(change: dict) -> None:
    task = random_task((5, 4, 3), 7, seed=1)
    if "pixel_max" in change:  # the same images, valid for the smaller pixel range too
        task = replace(task, images=np.minimum(task.images, 15))
    assert replace(task, **change).task_id != task.task_id


def test_one_pixel_changes_the_id() -> None:
    task = random_task((5, 4, 3), 7, seed=1)
    images = task.images.copy()
    images[3, 2] ^= 1
    assert replace(task, images=images).task_id != task.task_id


@pytest.mark.parametrize(("change", "message"), [
    ({"name": ""}, "name"), ({"sizes": (5,)}, "layers"), ({"sizes": (5, 4, 1)}, "2 classes"),
    ({"pixel_max": 0}, "pixel_max"), ({"shifts": ()}, "shift"), ({"shifts": (63,)}, "shift"),
    ({"table_bits": 12}, "table bits"), ({"images": np.zeros((7, 4), int)}, "shape"),
    ({"images": np.full((7, 5), 17)}, "pixels"), ({"labels": np.arange(7)}, "label"),
    ({"images": np.zeros((0, 5), int), "labels": np.zeros(0, int)}, "shape"),
])
def test_bad_tasks_are_refused(change: dict, message: str) -> None:
    with pytest.raises(MalformedInput, match=message):
        replace(random_task((5, 4, 3), 7, seed=1), **change)


def test_decoding_is_strict() -> None:
    data = random_task((5, 4, 3), 7, seed=1).encode()
    for bad in (data[:-1], data + b"\x00", b"", data[:3]):
        with pytest.raises(MalformedInput):
            Task.decode(bad)


def test_file_round_trip_and_damage(tmp_path) -> None:
    task = random_task((5, 4, 3), 7, seed=1)
    path = tmp_path / "t.task"
    task.save(path)
    assert Task.load(path).task_id == task.task_id
    data = bytearray(path.read_bytes())
    data[40] ^= 4
    path.write_bytes(bytes(data))
    with pytest.raises(MalformedInput, match="checksum"):
        Task.load(path)
    path.write_bytes(b"garbage")
    with pytest.raises(MalformedInput, match="not a zkpot task"):
        Task.load(path)
    with pytest.raises(MalformedInput, match="cannot read"):
        Task.load(tmp_path / "missing")
    with pytest.raises(MalformedInput, match="cannot write"):
        task.save(tmp_path / "no" / "such" / "dir" / "t.task")


def test_check_model_names_the_mismatch() -> None:
    task = random_task((5, 4, 3), 7, seed=1)
    task.check_model(random_model((5, 4, 3), 2))
    with pytest.raises(MalformedInput, match="widths"):
        task.check_model(random_model((5, 4, 2), 2))
    with pytest.raises(MalformedInput, match="pixel_max"):
        task.check_model(random_model((5, 4, 3), 2, pixel_max=255))
    with pytest.raises(MalformedInput, match="shift"):
        task.check_model(random_model((5, 4, 3), 2, shift=31))
    with pytest.raises(MalformedInput, match="quantized model"):
        task.check_model("model")  # type: ignore[arg-type]
