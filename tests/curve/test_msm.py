"""Pippenger MSM equals the naive sum: sizes 0..1000, edge scalars, repeated points, G1 and G2.

The helpers of the batch-affine path are tested in test_msm_batch_affine.py.
"""

from __future__ import annotations

import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from py_ecc import optimized_bn128 as ob

from zkpot_ref.curve import G1, G2, msm, msm_naive
from zkpot_ref.curve.msm import msm_generic, signed_digits, window_bits, window_cost
from zkpot_ref.curve.msm_batch_affine import msm_g1_batch_affine, windows_for
from zkpot_ref.errors import MalformedInput
from zkpot_ref.field import R_MODULUS as R

# r // 2 is the largest scalar the batch-affine path keeps, r // 2 + 1 the smallest it negates
EDGE_SCALARS = [0, 1, 2, R - 1, R - 2, R // 2, R // 2 + 1, 2**253, 2**128 - 1]


def inputs(rng: random.Random, n: int, group: type = G1) -> tuple[list, list[int]]:
    """n random points and scalars, with edge scalars and repeated / opposite points mixed in."""
    g = group.generator()
    base = [g * rng.randrange(1, R) for _ in range(max(1, n // 3))]
    points = [rng.choice(base) for _ in range(n)]  # repeats on purpose
    if n >= 3:
        points[1] = -points[0]  # opposite points
        points[2] = group.identity()
    scalars = [rng.randrange(R) for _ in range(n)]
    for i, k in enumerate(EDGE_SCALARS[: max(0, n - 3)]):
        scalars[3 + i] = k
    return points, scalars


@pytest.mark.parametrize("n", [0, 1, 2, 3, 100])
def test_msm_equals_naive(n: int, rng) -> None:
    points, scalars = inputs(rng, n)
    expected = msm_naive(points, scalars)
    assert msm(points, scalars).to_bytes() == expected.to_bytes()  # the same bytes
    assert msm_generic(points, scalars) == expected


@pytest.mark.slow
def test_msm_equals_naive_1000(rng) -> None:
    points, scalars = inputs(rng, 1000)
    assert msm(points, scalars) == msm_naive(points, scalars)


def test_naive_matches_py_ecc(rng) -> None:
    points, scalars = inputs(rng, 4)
    acc = ob.Z1
    for p, k in zip(points, scalars, strict=True):
        aff = p.to_affine()
        if aff is not None:
            acc = ob.add(acc, ob.multiply((ob.FQ(aff[0]), ob.FQ(aff[1]), ob.FQ(1)), k))
    x, y = ob.normalize(acc)
    assert msm_naive(points, scalars) == G1.from_affine(x.n, y.n)


def test_degenerate_buckets() -> None:
    """Equal points in one bucket (batch doubling) and P, -P in one bucket (cancellation)."""
    g = G1.generator() * 7
    for points, scalars in [
        ([g] * 50, [12345] * 50),  # every bucket: 50 copies of g -> doublings in each round
        ([g] * 64, [R - 12345] * 64),  # the same, negated by the r - k trick
        ([g, -g] * 25, [R - 3] * 50),  # P + (-P) in every bucket
        ([g, g, -g] * 20, [R // 2] * 60),  # doubling and cancellation in one bucket
        ([g] * 40, list(range(40))),
        ([g * (i % 3 + 1) for i in range(64)], [2 ** (i % 9) for i in range(64)]),
        ([g] * 30, [1] * 15 + [R - 1] * 15),  # sums to the identity
        ([G1.identity()] * 5, [1, 2, 3, R - 1, 0]),
    ]:
        assert msm(points, scalars) == msm_naive(points, scalars)


def test_affine_and_jacobian_inputs_agree(rng) -> None:
    """Points with Z = 1 (an SRS) skip the normalisation; others are normalised: same sum."""
    points, scalars = inputs(rng, 40)
    affine = [p if p.is_identity() else G1.from_affine(*p.to_affine()) for p in points]
    assert any(p.z != 1 for p in points if not p.is_identity())
    mixed = [a if i % 2 else p for i, (p, a) in enumerate(zip(points, affine, strict=True))]
    expected = msm_naive(points, scalars)
    assert msm(affine, scalars) == msm(mixed, scalars) == expected


@pytest.mark.parametrize("c", range(2, 14))
def test_every_window_width(c: int, rng) -> None:
    """The batch-affine path is right for every c, not only the one window_bits picks."""
    points, scalars = inputs(rng, 12)
    scalars[-1] = R // 2  # the largest kept scalar fills the top window
    assert msm_g1_batch_affine(points, scalars, c) == msm_naive(points, scalars)


def test_small_batches(rng, monkeypatch) -> None:
    """A round cut into many batches (one inversion each) gives the same sums."""
    from zkpot_ref.curve import msm_batch_affine

    monkeypatch.setattr(msm_batch_affine, "BATCH", 3)
    points, scalars = inputs(rng, 60)
    points[10:30] = [points[5]] * 20  # long doubling chains across batch boundaries
    assert msm(points, scalars) == msm_naive(points, scalars)


def test_scalars_are_reduced_mod_r(rng) -> None:
    points, scalars = inputs(rng, 10)
    bigger = [k + R * rng.randrange(1, 5) for k in scalars]
    negative = [k - R for k in scalars]
    assert msm(points, bigger) == msm(points, scalars) == msm(points, negative)


@pytest.mark.task2_4
def test_msm_on_g2(rng) -> None:
    for n in (0, 1, 3, 12):
        points, scalars = inputs(rng, n, G2)
        result = msm(points, scalars)
        assert result == msm_naive(points, scalars)
        assert isinstance(result, G2 if n else G1)  # an empty MSM cannot know its group


def test_invalid_inputs_raise_malformed_input() -> None:
    g1, g2 = G1.generator(), G2.generator()
    for points, scalars in [
        ([g1, g1], [1]),
        ([g1, g2], [1, 2]),
        ([g1], [1.5]),
        ([g1], [True]),
        ([1], [1]),
    ]:
        with pytest.raises(MalformedInput):
            msm(points, scalars)
        with pytest.raises(MalformedInput):
            msm_naive(points, scalars)
    assert msm([], []) == G1.identity()


def test_window_bits_grows_with_size() -> None:
    sizes = [1, 16, 256, 4096, 2**16, 2**24]
    widths = [window_bits(n) for n in sizes]
    assert widths == sorted(widths) and widths[0] >= 2 and widths[-1] <= 16


def test_window_bits_matches_measurements() -> None:
    """The cost model picks a width within the measured best of docs/curve_msm.md."""
    measured_best = {2**8: {6, 7}, 2**10: {7, 8}, 2**12: {9, 10}, 2**14: {10, 11}}
    for n, best in measured_best.items():
        assert window_bits(n) in best
    # the plain count n + B (no bookkeeping term) would pick wider windows
    assert window_cost(4096, 9) < window_cost(4096, 11)


@settings(max_examples=200, deadline=None)
@given(st.integers(0, R - 1), st.integers(2, 16))
def test_signed_digits(k: int, c: int) -> None:
    digits = signed_digits(k, c)
    assert sum(d << (c * j) for j, d in enumerate(digits)) == k
    assert all(-(1 << (c - 1)) <= d <= 1 << (c - 1) for d in digits)
    assert len(digits) <= (R.bit_length() + c) // c  # the windows msm_generic may need
    half = min(k, R - k)  # what the batch-affine path digits after the r - k trick
    assert len(signed_digits(half, c)) <= windows_for(c)
