"""Shared helpers for the ZKPoT statement tests: random quantized models and tiny tasks."""

from __future__ import annotations

import functools

import numpy as np

from zkpot_ref import quant
from zkpot_ref.kzg import SRS
from zkpot_ref.pot.task import Task

TEST_TAU = 0x2B0B_0B0


@functools.cache
def shared_srs(degree: int = 4096 + 8) -> SRS:
    """An SRS with a known tau — tests only (real keys come from a verified ceremony)."""
    return SRS.insecure_from_tau(TEST_TAU, degree)


def random_model(sizes: tuple[int, ...], seed: int, *, pixel_max: int = 16, shift: int = 32,
                 tie: bool = False, m0_range: tuple[int, int] = (1 << 27, 1 << 31)
                 ) -> quant.IntModel:
    """A random valid integer model. Zero points are random (mostly != 0); M0 spans a wide
    range so hidden neurons saturate on both sides; ``tie`` makes the last layer's first
    two rows equal, so their accumulators tie on every image (argmax must pick the first).
    """
    rng = np.random.default_rng(seed)
    layers = []
    input_zero = 0
    for index, (cols, rows) in enumerate(zip(sizes, sizes[1:])):
        last = index == len(sizes) - 2
        weight = rng.integers(0, 256, (rows, cols))
        bias = rng.integers(-40_000, 40_000, rows)
        if last and tie:
            weight[1], bias[1] = weight[0], bias[0]
        weight_zero = int(rng.integers(0, 256))
        if last:
            m0, n, out_zero, relu = 0, 0, 0, False
        else:
            m0, n = int(rng.integers(*m0_range)), shift
            out_zero, relu = int(rng.integers(0, 200)), True
        layers.append(quant.IntLayer(weight, weight_zero, bias, input_zero, m0, n, out_zero,
                                     relu, 0.01, 0.02, 0.03))
        input_zero = out_zero
    return quant.IntModel(tuple(layers), pixel_max)


def random_task(sizes: tuple[int, ...], n: int, seed: int, *, pixel_max: int = 16,
                table_bits: int = 8, shift: int = 32) -> Task:
    """A task with n random images (about half the pixels zero) and random labels."""
    rng = np.random.default_rng(seed + 1000)
    images = rng.integers(0, pixel_max + 1, (n, sizes[0])) * rng.integers(0, 2, (n, sizes[0]))
    labels = rng.integers(0, sizes[-1], n)
    shifts = (shift,) * (len(sizes) - 2)
    return Task(f"test task {seed}", sizes, pixel_max, shifts, images, labels, table_bits)
