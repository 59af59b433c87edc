"""The final exponentiation f -> f^((p^12 - 1)/r) of the optimal ate pairing.

Lesson. The Miller loop (``pairing.py``) returns a value f in Fq12 that is only defined
up to factors which the final exponentiation kills: raising to (p^12 - 1)/r maps Fq12* onto
the group mu_r of r-th roots of unity, and sends every element of a proper subfield (line
normalisations, vertical lines) to 1. Computed naively this is a 2,800-bit exponent, ~4,000
Fq12 operations (py_ecc does exactly that). We follow the standard split

    (p^12 - 1)/r = (p^6 - 1) * (p^2 + 1) * (p^4 - p^2 + 1)/r
                   `------ easy part -----'  `--- hard part ---'

Easy part: f^(p^6 - 1) = conj(f) / f (one inversion, ``Fq12.conjugate`` is the p^6-th
power), then g^(p^2 + 1) = frobenius(g, 2) * g. Afterwards the value lies in the
*cyclotomic subgroup* (order p^4 - p^2 + 1), where inverses are conjugates and squares are
cheap (``Fq12.cyclotomic_square``).

Hard part: for BN curves p and r are polynomials in the parameter x (p = 36x^4 + 36x^3 +
24x^2 + 6x + 1, r = 36x^4 + 36x^3 + 18x^2 + 6x + 1), and so is the exponent. Writing it in
base p,

    (p^4 - p^2 + 1)/r = lambda_3 p^3 + lambda_2 p^2 + lambda_1 p + lambda_0,
    lambda_3 = 1,  lambda_2 = 6x^2 + 1,
    lambda_1 = -36x^3 - 18x^2 - 12x + 1,  lambda_0 = -36x^3 - 30x^2 - 18x - 2,

turns it into three exponentiations by x (63 bits each), Frobenius maps (almost free) and
a short addition chain: the one of Scott, Benger, Charlemagne, Dominguez Perez and Kachisa,
"On the final exponentiation for calculating pairings on ordinary elliptic curves"
(Pairing 2009, eprint 2008/490, Section 5). ``tests/curve/test_final_exp.py`` checks the
chain both as integer exponents and against the plain power.

Read next: ``pairing.py`` (the Miller loop, whose value this exponentiation finishes).
"""

from __future__ import annotations

from zkpot_ref.curve.fq12 import Fq12

#: the BN parameter x of BN254 (p, r and the pairing's loop length are polynomials in it)
BN_X = 4965661367192848881


def easy_part(f: Fq12) -> Fq12:
    """f^((p^6 - 1)(p^2 + 1)); the result is in the cyclotomic subgroup."""
    g = f.conjugate() * f.inverse()  # f^(p^6) / f
    return g.frobenius(2) * g  # g^(p^2) * g


def hard_part(m: Fq12) -> Fq12:
    """m^((p^4 - p^2 + 1)/r) for m in the cyclotomic subgroup (Scott et al.'s chain).

    Each y_i below is m raised to a monomial of the base-p expansion; the comment gives it.
    """
    a = m.cyclotomic_pow(BN_X)  # m^x
    b = a.cyclotomic_pow(BN_X)  # m^(x^2)
    c = b.cyclotomic_pow(BN_X)  # m^(x^3)
    y0 = m.frobenius(1) * m.frobenius(2) * m.frobenius(3)  # m^(p + p^2 + p^3)
    y1 = m.conjugate()  # m^-1
    y2 = b.frobenius(2)  # m^(x^2 p^2)
    y3 = a.frobenius(1).conjugate()  # m^(-x p)
    y4 = (a * b.frobenius(1)).conjugate()  # m^(-x - x^2 p)
    y5 = b.conjugate()  # m^(-x^2)
    y6 = (c * c.frobenius(1)).conjugate()  # m^(-x^3 - x^3 p)
    # the addition chain: combine the y_i with the small coefficients of the lambda_i
    t0 = y6.cyclotomic_square() * y4 * y5
    t1 = y3 * y5 * t0
    t0 = t0 * y2
    t1 = (t1.cyclotomic_square() * t0).cyclotomic_square()
    t0 = t1 * y1
    t1 = t1 * y0
    t0 = t0.cyclotomic_square()
    return t1 * t0


def final_exponentiation(f: Fq12) -> Fq12:
    """f^((p^12 - 1)/r): the easy part, then the hard part."""
    return hard_part(easy_part(f))
