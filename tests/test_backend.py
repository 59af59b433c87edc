"""Tests for zkpot_ref/backend.py: the reference kernels, derived transforms, registry."""

from __future__ import annotations

import random

import pytest

from zkpot_ref import backend
from zkpot_ref.curve import G1, msm_naive
from zkpot_ref.errors import MalformedInput
from zkpot_ref.field import R_MODULUS as R
from zkpot_ref.poly import COSET_SHIFT, Domain

rng = random.Random(3)


def test_reference_kernels_match_the_lessons() -> None:
    b = backend.Backend()
    d = Domain(16)
    values = [rng.randrange(R) for _ in range(16)]
    assert b.ntt(values, d.omega) == d.ntt(values)
    assert b.intt(values, d.omega) == d.intt(values)
    assert b.coset_ntt(values, d.omega, 16, COSET_SHIFT) == d.coset_ntt(values)
    assert b.coset_intt(d.coset_ntt(values), d.omega, COSET_SHIFT) == values
    points = [G1.generator() * rng.randrange(1, R) for _ in range(5)]
    scalars = [rng.randrange(R) for _ in range(5)]
    assert b.msm(points, scalars) == msm_naive(points, scalars)
    assert b.commit(points, scalars[:3]) == msm_naive(points[:3], scalars[:3])
    with pytest.raises(MalformedInput, match="exceeds the SRS"):
        b.commit(points[:2], scalars)
    with pytest.raises(MalformedInput):
        b.coset_ntt(values, d.omega, 8, COSET_SHIFT)


def test_registry() -> None:
    class Fake(backend.Backend):
        name = "fake"

    backend.register("fake", Fake)
    try:
        assert "fake" in backend.available()
        assert isinstance(backend.use("fake"), Fake) and backend.current().name == "fake"
        with pytest.raises(MalformedInput, match="unknown backend 'nope'"):
            backend.use("nope")
    finally:
        backend.use("reference")
        backend._REGISTRY.pop("fake")
    assert backend.current().name == "reference"
