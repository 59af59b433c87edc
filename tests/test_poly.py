"""Tests for zkpot_ref/poly.py: NTT vs sympy's ntt and naive evaluation; Z_H, L_i, division."""

from __future__ import annotations

import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sympy.discrete.transforms import intt as sympy_intt
from sympy.discrete.transforms import ntt as sympy_ntt

from zkpot_ref.errors import MalformedInput
from zkpot_ref.field import R_MODULUS as R
from zkpot_ref.field import Fr
from zkpot_ref.poly import COSET_SHIFT, Domain, Evaluations, Polynomial, intt, ntt

rng = random.Random(7)


def rand_list(n: int) -> list[int]:
    return [rng.randrange(R) for _ in range(n)]


@pytest.mark.parametrize("k", range(1, 11))
def test_ntt_matches_sympy(k: int) -> None:
    n = 1 << k
    values = rand_list(n)
    domain = Domain(n)
    assert domain.ntt(values) == [int(v) for v in sympy_ntt(values, prime=R)]
    assert domain.intt(values) == [int(v) for v in sympy_intt(values, prime=R)]


@pytest.mark.task1_3
@pytest.mark.parametrize("k", [0, 1, 2, 3, 6])
def test_ntt_matches_naive_evaluation(k: int) -> None:
    n = 1 << k
    coeffs = rand_list(n)
    domain = Domain(n)
    naive = [Polynomial(coeffs)(w) for w in domain.elements()]
    assert domain.ntt(coeffs) == naive
    assert domain.ntt(coeffs[: max(1, n // 2)]) == [
        Polynomial(coeffs[: max(1, n // 2)])(w) for w in domain.elements()
    ]


@settings(max_examples=60, deadline=None)
@given(st.integers(0, 7).flatmap(lambda k: st.lists(st.integers(0, R - 1), min_size=1 << k,
                                                     max_size=1 << k)))
def test_intt_inverts_ntt(values: list[int]) -> None:
    domain = Domain(len(values))
    assert domain.intt(domain.ntt(values)) == values
    assert domain.coset_intt(domain.coset_ntt(values)) == values
    assert intt(ntt(values, domain.omega), domain.omega) == values


def test_domain_rejects_bad_sizes() -> None:
    for bad in (0, 3, 12, -4):
        with pytest.raises(MalformedInput):
            Domain(bad)
    with pytest.raises(MalformedInput):
        Domain(1 << 29)
    with pytest.raises(MalformedInput):
        ntt([1, 2, 3], 1)
    with pytest.raises(MalformedInput):
        Domain(4).ntt([1] * 5)
    with pytest.raises(MalformedInput):
        Domain(4).intt([1] * 3)


def test_domain_basics() -> None:
    d = Domain(8)
    assert d.omega == int(Fr(5) ** ((R - 1) // 8))
    assert pow(d.omega, 8, R) == 1 and pow(d.omega, 4, R) != 1
    assert d.elements()[3] == d.element(3) == pow(d.omega, 3, R)
    assert d.omega * d.omega_inv % R == 1 and d.size * d.size_inv % R == 1
    assert d == Domain(8) and d != Domain(16) and repr(d) == "Domain(2^3)"


def test_coset_ntt_evaluates_on_the_shifted_domain() -> None:
    d = Domain(16)
    coeffs = rand_list(16)
    f = Polynomial(coeffs)
    assert d.coset_ntt(coeffs) == [f(COSET_SHIFT * w % R) for w in d.elements()]
    assert d.coset_ntt(coeffs, shift=7) == [f(7 * w % R) for w in d.elements()]


def test_vanishing_and_lagrange() -> None:
    d = Domain(8)
    for w in d.elements():
        assert d.vanishing_at(w) == 0
    x = rng.randrange(R)
    assert d.vanishing_at(x) == (pow(x, 8, R) - 1) % R
    for i in range(8):
        # L_i is 1 at omega^i and 0 on the rest of H ...
        assert [d.lagrange_at(i, w) for w in d.elements()] == [int(i == j) for j in range(8)]
        # ... and equals the interpolated indicator polynomial everywhere
        indicator = Polynomial.from_evaluations([int(i == j) for j in range(8)], d)
        assert d.lagrange_at(i, x) == indicator(x)
    assert d.lagrange_all_at(x) == [d.lagrange_at(i, x) for i in range(8)]
    assert d.lagrange_all_at(x, count=3) == [d.lagrange_at(i, x) for i in range(3)]
    assert d.lagrange_all_at(d.element(2)) == [0, 0, 1, 0, 0, 0, 0, 0]
    assert sum(d.lagrange_all_at(x)) % R == 1  # the basis is a partition of unity


def test_barycentric_eval() -> None:
    d = Domain(32)
    coeffs = rand_list(32)
    evals = d.ntt(coeffs)
    for x in (rng.randrange(R), d.element(5), 0):
        assert d.barycentric_eval(evals, x) == Polynomial(coeffs)(x)
    assert Evaluations(evals, d)(12345) == Polynomial(coeffs)(12345)
    with pytest.raises(MalformedInput):
        d.barycentric_eval(evals[:-1], 3)


def test_divide_by_vanishing_on_coset() -> None:
    n = 8
    d, big = Domain(n), Domain(4 * n)
    q = Polynomial(rand_list(3 * n))
    z_h = Polynomial([-1] + [0] * (n - 1) + [1])
    numerator = q * z_h
    coset_evals = big.coset_ntt(numerator.coeffs)
    quotient = Polynomial(big.coset_intt(d.divide_by_vanishing_on_coset(coset_evals, big)))
    assert quotient == q
    with pytest.raises(MalformedInput):
        d.divide_by_vanishing_on_coset(coset_evals[:-1], big)


def test_polynomial_arithmetic() -> None:
    a, b = Polynomial(rand_list(40)), Polynomial(rand_list(50))
    x = rng.randrange(R)
    assert (a + b)(x) == (a(x) + b(x)) % R
    assert (a - b)(x) == (a(x) - b(x)) % R
    assert (a * b)(x) == a(x) * b(x) % R  # NTT multiplication (both sides > 32 terms)
    small = Polynomial([1, 2, 3])
    assert (a * small)(x) == a(x) * small(x) % R  # schoolbook path
    assert (a * 3)(x) == 3 * a(x) % R and (3 * a)(x) == 3 * a(x) % R
    assert (a - a) == Polynomial([]) and Polynomial([]).degree() == -1
    assert Polynomial([1, 2, 0, 0]) == Polynomial([1, 2]) and Polynomial([1, 0, 5]).degree() == 2
    assert a * Polynomial([]) == Polynomial([])
    assert Polynomial([Fr(3), 4])(Fr(2)) == 11


@pytest.mark.task1_4
def test_divide_by_linear() -> None:
    f = Polynomial(rand_list(65))
    z = rng.randrange(R)
    q, remainder = f.divide_by_linear(z)
    assert remainder == f(z)
    assert q * Polynomial([-z, 1]) + Polynomial([remainder]) == f
    assert q.degree() == f.degree() - 1
    assert Polynomial([]).divide_by_linear(3) == (Polynomial([]), 0)
    assert Polynomial([9]).divide_by_linear(3) == (Polynomial([]), 9)


def test_evaluations_form() -> None:
    d = Domain(8)
    a, b = Evaluations(rand_list(8), d), Evaluations(rand_list(8), d)
    assert (a + b).values == [(x + y) % R for x, y in zip(a.values, b.values)]
    assert (a * b).values == [x * y % R for x, y in zip(a.values, b.values)]
    assert a.interpolate().coeffs == d.intt(a.values) or a.interpolate().degree() < 8
    with pytest.raises(MalformedInput):
        Evaluations([1, 2], d)
    with pytest.raises(MalformedInput):
        a + Evaluations([0] * 4, Domain(4))
