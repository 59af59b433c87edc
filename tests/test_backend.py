"""Tests for zkpot_ref/backend.py: the reference kernels, derived transforms, registry."""

from __future__ import annotations

import random

import pytest

from zkpot_ref import backend, kzg
from zkpot_ref.curve import G1, msm_naive
from zkpot_ref.errors import MalformedInput, SetupError
from zkpot_ref.field import R_MODULUS as R
from zkpot_ref.kzg import SRS
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
    with pytest.raises(MalformedInput):
        b.coset_ntt(values, d.omega, 8, COSET_SHIFT)


def test_commitments_and_openings_are_the_kzg_lessons() -> None:
    srs = SRS.insecure_from_tau(12345, 4)
    b = backend.Backend()
    coeffs = [rng.randrange(R) for _ in range(3)]
    assert b.commit(srs, coeffs) == kzg.commit(srs, coeffs) == msm_naive(
        srs.g1_powers[:3], coeffs)
    with pytest.raises(SetupError, match="exceeds the SRS"):
        b.commit(srs.truncated(1), coeffs)
    polys = [coeffs, [5, 6]]
    assert b.open_batch(srs, polys, 7, 9) == kzg.open_batch(srs, polys, 7, 9)


def test_a_backend_can_replace_a_reference_kernel() -> None:
    def square(x: int) -> int:
        return x * x

    class Faster(backend.Backend):
        kernels = {backend.kernel_name(square): lambda x: x**2}

    assert backend.Backend().kernel(square) is square
    replaced = Faster().kernel(square)
    assert replaced is not square and replaced(7) == 49
    assert backend.kernel_name(kzg.commit) == "zkpot_ref.kzg.commit"


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
