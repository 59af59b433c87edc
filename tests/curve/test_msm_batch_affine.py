"""The pieces of the batch-affine G1 MSM, each against plain G1 arithmetic.

The whole ``msm_g1_batch_affine`` is checked against ``msm_naive`` in test_msm.py.
"""

from __future__ import annotations

import random

import pytest

from zkpot_ref.curve import G1
from zkpot_ref.curve.msm import signed_digits
from zkpot_ref.curve.msm_batch_affine import (
    affine_terms,
    batch_add,
    fill_buckets,
    fixed_base_multiples,
    msm_g1_batch_affine,
    sum_buckets,
    window_sums,
    windows_for,
)
from zkpot_ref.field import P_MODULUS as P
from zkpot_ref.field import R_MODULUS as R


def aff(p: G1) -> tuple[int, int] | None:
    return p.to_affine()


def pt(a: tuple[int, int] | None) -> G1:
    return G1.identity() if a is None else G1.from_affine(*a)


def some_points(rng: random.Random, n: int) -> list[G1]:
    return [G1.generator() * rng.randrange(1, R) for _ in range(n)]


def test_windows_for_covers_half_scalars() -> None:
    for c in range(2, 17):
        w = windows_for(c)
        assert c * w >= 254 and c * (w - 1) < 254  # enough windows, and no spare one
        assert len(signed_digits(R // 2, c)) <= w
        assert len(signed_digits(2**253 - 1, c)) <= w  # every 253-bit scalar fits


def test_affine_terms(rng) -> None:
    g = G1.generator()
    p, q = some_points(rng, 2)  # Jacobian, Z != 1
    p_affine = G1.from_affine(*aff(p))
    points = [p, p_affine, q, G1.identity(), q, p, q]
    scalars = [5, R - 5, R + 7, 3, 0, R // 2 + 1, R // 2]
    terms = affine_terms(points, scalars)
    assert len(terms) == 5  # identity and the zero scalar are dropped
    for x, y, k in terms:
        assert 0 < k <= R // 2 and (y * y - x**3 - 3) % P == 0 and 0 <= x < P and 0 <= y < P
    total = sum((G1.from_affine(x, y) * k for x, y, k in terms), G1.identity())
    expected = sum((a * k for a, k in zip(points, scalars, strict=True)), G1.identity())
    assert total == expected
    assert affine_terms([g], [R - 1]) == [(1, P - 2, 1)]  # (r - 1) G = 1 * (-G)
    assert affine_terms([], []) == []


def test_fill_buckets_follows_signed_digits(rng) -> None:
    c = 4
    points = some_points(rng, 3)
    scalars = [rng.randrange(R // 2) for _ in points] + [R // 2]
    points.append(G1.generator())
    terms = affine_terms(points, scalars)
    windows = fill_buckets(terms, c)
    assert len(windows) == windows_for(c) and all(len(w) == 9 for w in windows)
    for j, window in enumerate(windows):
        want: dict[int, list] = {}
        for x, y, k in terms:
            digits = signed_digits(k, c)
            d = digits[j] if j < len(digits) else 0
            if d:
                want.setdefault(abs(d), []).append((x, y if d > 0 else P - y))
        assert {b: pts for b, pts in enumerate(window) if pts} == want


def test_sum_buckets_edge_cases(rng) -> None:
    p, q, s = (aff(a) for a in some_points(rng, 3))
    neg_p = aff(-pt(p))
    buckets = [
        [],
        [p],
        [p, q],
        [p, p],  # doubling
        [p, neg_p],  # cancels to the identity
        [p, p, neg_p],  # odd one out, then P + P, then 2P + (-P)
        [p] * 8,  # doubling in every round
        [p, q, s, p, q, s, neg_p],
    ]
    expected = [sum((pt(a) for a in b), G1.identity()) for b in buckets]
    sum_buckets(buckets)
    for bucket, want in zip(buckets, expected, strict=True):
        assert len(bucket) <= 1
        assert (pt(bucket[0]) if bucket else G1.identity()) == want
    assert buckets[4] == [] and buckets[0] == []


def test_sum_buckets_many_batches(rng, monkeypatch) -> None:
    from zkpot_ref.curve import msm_batch_affine

    monkeypatch.setattr(msm_batch_affine, "BATCH", 2)
    pts = [aff(a) for a in some_points(rng, 6)]
    buckets = [[rng.choice(pts) for _ in range(rng.randrange(12))] for _ in range(20)]
    expected = [sum((pt(a) for a in b), G1.identity()) for b in buckets]
    sum_buckets(buckets)
    assert [pt(b[0]) if b else G1.identity() for b in buckets] == expected


def test_batch_add(rng) -> None:
    p, q = (aff(a) for a in some_points(rng, 2))
    lefts = [None, p, None, p, p, p]
    rights = [None, None, q, q, p, aff(-pt(p))]
    out = batch_add(lefts, rights)
    assert [pt(a) for a in out] == [pt(a) + pt(b) for a, b in zip(lefts, rights, strict=True)]
    assert out[5] is None and out[0] is None
    assert batch_add([], []) == []


def test_window_sums(rng) -> None:
    # three windows of c = 3 bits: buckets 1..4 (index 0 unused)
    pts = [aff(a) for a in some_points(rng, 5)]
    windows = [[[], [pts[0]], [], [pts[1]], [pts[2]]], [[], [], [pts[3]], [], []], [[]] * 5]
    sums = window_sums(windows)
    want0 = pt(pts[0]) + pt(pts[1]) * 3 + pt(pts[2]) * 4
    assert pt(sums[0]) == want0 and pt(sums[1]) == pt(pts[3]) * 2 and sums[2] is None


@pytest.mark.parametrize("n", [1, 5])
def test_msm_g1_batch_affine_small(n: int, rng) -> None:
    points = some_points(rng, n)
    scalars = [rng.randrange(R) for _ in points]
    expected = sum((p * k for p, k in zip(points, scalars, strict=True)), G1.identity())
    assert msm_g1_batch_affine(points, scalars, 5) == expected
    assert msm_g1_batch_affine(points, [0] * n, 5) == G1.identity()


def test_fixed_base_multiples_are_scalar_multiplications(rng) -> None:
    g = G1.generator()
    other = g * 977
    scalars = [0, 1, 2, R - 1, R, R + 3, 1 << 253, (1 << 254) - 1] + [
        rng.randrange(R) for _ in range(40)]
    for base in (g, other):
        fast = fixed_base_multiples(base, scalars)
        assert [p.to_bytes() for p in fast] == [(base * k).to_bytes() for k in scalars]
        assert all(p.z in (0, 1) for p in fast)  # affine (or the identity)
    assert fixed_base_multiples(G1.identity(), [5, 0]) == [G1.identity()] * 2
    assert fixed_base_multiples(g, [7, 9], w=3) == [g * 7, g * 9]
    assert fixed_base_multiples(g, []) == []
