"""fastpath/msm.py against zkpot_ref.curve.msm: sizes, zero scalars, repeated, identity points."""

from __future__ import annotations

import random

import pytest

from fastpath import msm as fast
from zkpot_ref.curve import G1, msm
from zkpot_ref.errors import MalformedInput
from zkpot_ref.field import R_MODULUS as R


def points(n: int, seed: int) -> list[G1]:
    """n points k_i G built by additions (cheap), with the awkward cases planted."""
    rng = random.Random(seed)
    step = G1.generator() * rng.randrange(1, R)
    out, acc = [], G1.generator()
    for _ in range(n):
        acc = acc + step
        out.append(acc)
    if n >= 8:
        out[1] = G1.identity()      # the identity
        out[3] = out[2]             # a repeated point (doubling inside a bucket)
        out[5] = -out[4]            # opposite points (sum to the identity)
    return out


def scalars(n: int, seed: int) -> list[int]:
    rng = random.Random(seed + 1)
    out = [rng.randrange(R) for _ in range(n)]
    if n >= 8:
        out[0] = 0                  # zero scalar
        out[2] = out[3]             # same scalar on the repeated point
        out[4] = out[5]
        out[6] = R - 1
        out[7] = R + 5              # unreduced: taken mod r
    return out


@pytest.mark.parametrize("n", [0, 1, 2, 9, 64, pytest.param(1024, marks=pytest.mark.slow)])
def test_msm_equals_the_reference(n: int) -> None:
    pts, ks = points(n, n), scalars(n, n)
    assert fast.msm(pts, ks) == msm(pts, ks)


def test_all_zero_scalars_and_all_equal_digits() -> None:
    pts = points(16, 3)
    assert fast.msm(pts, [0] * 16).is_identity()
    same = [2**200 + 12345] * 16  # every point in one bucket of every window
    assert fast.msm(pts, same) == msm(pts, same)


def test_bad_inputs_are_refused() -> None:
    with pytest.raises(MalformedInput, match="scalars"):
        fast.msm(points(2, 1), [1])
    assert fast.msm([], []).is_identity()


def test_window_width_grows_with_n() -> None:
    widths = [fast.window_bits(1 << k) for k in range(0, 21, 4)]
    assert widths == sorted(widths) and widths[0] >= 2 and widths[-1] <= 16
