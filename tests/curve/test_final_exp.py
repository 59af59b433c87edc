"""The final exponentiation: the fast easy/hard split equals the plain power (p^12 - 1)/r."""

from __future__ import annotations

from zkpot_ref.curve.final_exp import BN_X, easy_part, final_exponentiation, hard_part
from zkpot_ref.curve.fq12 import Fq12
from zkpot_ref.field import P_MODULUS as P
from zkpot_ref.field import R_MODULUS as R

from .refs import random_fq12


def test_bn_parameter_generates_p_and_r() -> None:
    x = BN_X
    assert P == 36 * x**4 + 36 * x**3 + 24 * x**2 + 6 * x + 1
    assert R == 36 * x**4 + 36 * x**3 + 18 * x**2 + 6 * x + 1
    # the exponent split used by the module
    assert (P**12 - 1) // R == (P**6 - 1) * (P**2 + 1) * ((P**4 - P**2 + 1) // R)
    assert (P**4 - P**2 + 1) % R == 0
    # base-p digits of the hard part (Scott et al. 2009)
    lambdas = [-36 * x**3 - 30 * x**2 - 18 * x - 2, -36 * x**3 - 18 * x**2 - 12 * x + 1,
               6 * x**2 + 1, 1]
    assert sum(lam * P**i for i, lam in enumerate(lambdas)) == (P**4 - P**2 + 1) // R


def test_easy_part_lands_in_the_cyclotomic_subgroup(rng) -> None:
    m = easy_part(random_fq12(rng))
    # m^(p^4 - p^2 + 1) = 1, using conj = inverse there: m^(p^4) * conj(m^(p^2)) * m
    assert (m.frobenius(4) * m.frobenius(2).conjugate() * m).is_one()
    assert (m * m.conjugate()).is_one()


def test_hard_part_is_the_plain_power(rng) -> None:
    m = easy_part(random_fq12(rng))
    assert hard_part(m) == m ** ((P**4 - P**2 + 1) // R)


def test_final_exponentiation_is_the_plain_power(rng) -> None:
    f = random_fq12(rng)
    out = final_exponentiation(f)
    assert out == f ** ((P**12 - 1) // R)
    assert (out**R).is_one() and not out.is_one()
    assert final_exponentiation(Fq12.one()).is_one()
