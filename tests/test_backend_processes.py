"""The "processes" backend (backend.TwoProcessBackend): the reference kernels in two
forked halves must give the reference's outputs bit for bit, and whole proofs must keep
their golden bytes."""

from __future__ import annotations

import hashlib
import os
import random
import sys
from pathlib import Path

import pytest

from zkpot_ref import backend
from zkpot_ref.curve import G1, G2, msm_naive
from zkpot_ref.curve.msm import signed_digits
from zkpot_ref.curve.msm_batch_affine import (
    affine_terms,
    borrow_threshold,
    fill_buckets,
    windows_for,
)
from zkpot_ref.errors import MalformedInput
from zkpot_ref.field import R_MODULUS as R
from zkpot_ref.field import Fr
from zkpot_ref.plonk.preprocess import setup
from zkpot_ref.plonk.prover import prove
from zkpot_ref.poly import COSET_SHIFT

sys.path.insert(0, str(Path(__file__).parent / "plonk"))
from test_prover import GOLDEN, GOLDEN_LOOKUP, random_circuit, shared_srs  # noqa: E402

rng = random.Random(11)


class Eager(backend.TwoProcessBackend):
    """Splits from the smallest sizes on, so small tests fork too."""

    MIN_MSM = 2
    MIN_NTT = 2


def test_in_two_processes_runs_the_second_half_in_a_child() -> None:
    here, there = backend.in_two_processes(os.getpid, os.getpid)
    assert here == os.getpid() and there != here


def test_a_dead_child_costs_time_not_the_result() -> None:
    parent = os.getpid()

    def there() -> int:
        if os.getpid() != parent:
            os._exit(3)  # the child dies before it answers
        return 42

    assert backend.in_two_processes(lambda: 1, there) == (1, 42)


@pytest.mark.parametrize("log_n", [1, 2, 5, 12, 13])
def test_split_transforms_equal_the_reference(log_n: int) -> None:
    ref, two, n = backend.Backend(), Eager(), 1 << log_n
    omega = int(Fr.root_of_unity(log_n))
    values = [rng.randrange(R) for _ in range(n)]
    values[0], values[-1] = R - 1, 0
    assert two.ntt(values, omega) == ref.ntt(values, omega)
    assert two.intt(values, omega) == ref.intt(values, omega)
    assert two.coset_ntt(values, omega, n, COSET_SHIFT) == ref.coset_ntt(values, omega, n,
                                                                          COSET_SHIFT)
    assert two.coset_intt(values, omega, COSET_SHIFT) == ref.coset_intt(values, omega,
                                                                        COSET_SHIFT)
    if log_n == 13:  # the real backend splits here too (MIN_NTT)
        assert backend.TwoProcessBackend().ntt(values, omega) == ref.ntt(values, omega)


@pytest.mark.parametrize(("length", "size"), [(3, 8), (4, 16), (9, 32), (70, 256), (64, 64)])
def test_coset_pieces_equal_the_reference(length: int, size: int) -> None:
    ref, two = backend.Backend(), Eager()
    omega = int(Fr.root_of_unity(size.bit_length() - 1))
    coeffs = [rng.randrange(R) for _ in range(length)]
    coeffs[-1] = R - 1
    assert two.coset_ntt(coeffs, omega, size, COSET_SHIFT) == ref.coset_ntt(
        coeffs, omega, size, COSET_SHIFT)
    assert two.coset_ntt([], omega, size, COSET_SHIFT) == [0] * size
    with pytest.raises(MalformedInput):
        two.coset_ntt(coeffs + [0] * size, omega, size, COSET_SHIFT)


def test_borrow_threshold_matches_signed_digits() -> None:
    for c in (2, 3, 5, 8):
        for _ in range(300):
            k = rng.randrange(R // 2)
            digits = signed_digits(k, c)
            for j in range(1, len(digits) + 1):
                below = sum(d << (c * i) for i, d in enumerate(digits[:j]))
                borrow = (k % (1 << (c * j))) - below != 0
                assert borrow == ((k % (1 << (c * j))) > borrow_threshold(c, j))


def test_window_ranges_fill_what_all_windows_fill() -> None:
    points = [G1.generator() * rng.randrange(1, R) for _ in range(40)]
    scalars = [rng.randrange(R) for _ in points]
    terms = affine_terms(points, scalars)
    for c in (3, 7):
        whole, w = fill_buckets(terms, c), windows_for(c)
        for cut in (1, w // 2, w - 1):
            assert fill_buckets(terms, c, 0, cut) + fill_buckets(terms, c, cut, w) == whole


def test_split_msm_equals_the_reference_with_edge_cases() -> None:
    g = G1.generator()
    points = [g * rng.randrange(1, R) for _ in range(30)]
    points += [points[0], points[1], -points[2], G1.identity(), g, g]
    scalars = [rng.randrange(R) for _ in range(30)] + [5, 0, 7, 9, R - 1, 1]
    two = Eager()
    assert two.msm(points, scalars) == msm_naive(points, scalars)
    assert two.msm(points[:1], scalars[:1]) == points[0] * scalars[0]
    assert two.msm([], []) == G1.identity()
    g2 = [G2.generator() * 3, G2.generator()]
    assert two.msm(g2, [2, 5]) == G2.generator() * 11
    with pytest.raises(MalformedInput):
        two.msm(points, scalars[:-1])
    with pytest.raises(MalformedInput):
        two.msm(points[:3], [1.0, 2, 3])


@pytest.mark.parametrize("shape", sorted(GOLDEN))
def test_processes_backend_gives_the_golden_proof(shape: tuple[int, int, int]) -> None:
    circuit = random_circuit(*shape)
    pk, _ = setup(circuit, shared_srs(), Eager())
    proof = prove(pk, circuit, blinders=list(range(1, 12)), backend=Eager())
    assert hashlib.sha256(proof.to_bytes()).hexdigest() == GOLDEN[shape]


def test_processes_backend_gives_the_golden_lookup_proof() -> None:
    from test_lookup import build

    circuit = build([1, 63, 0, 17])
    pk, _ = setup(circuit, shared_srs(), Eager())
    proof = prove(pk, circuit, blinders=list(range(101, 117)), backend=Eager())
    assert hashlib.sha256(proof.to_bytes()).hexdigest() == GOLDEN_LOOKUP


def test_the_processes_backend_is_registered() -> None:
    assert "processes" in backend.available()
    try:
        assert isinstance(backend.use("processes"), backend.TwoProcessBackend)
    finally:
        backend.use("reference")
