"""Tests for zkpot_ref/plonk/quotient.py: round 3's pointwise quotient."""

from __future__ import annotations

import random

from zkpot_ref.field import R_MODULUS as R
from zkpot_ref.plonk.preprocess import EXTENSION
from zkpot_ref.plonk.quotient import COLUMNS, QuotientInputs, quotient_on_coset
from zkpot_ref.poly import COSET_SHIFT, Domain, Polynomial


def test_a_numerator_divisible_by_z_h_gives_its_quotient() -> None:
    """Pick t, then build the columns so the numerator is exactly t·Z_H: only the gate
    part is non-zero (q_C = t·Z_H, every other column 0 except z = 1 with L_1 = 0;
    beta = 0 makes the permutation part gamma³ (z - z_next) = 0)."""
    n = 8
    rng = random.Random(5)
    t = Polynomial([rng.randrange(R) for _ in range(3 * n + 6)])
    z_h = Polynomial([R - 1] + [0] * (n - 1) + [1])
    big = Domain(EXTENSION * n)
    numerator = (t * z_h).coeffs
    # t·Z_H has degree 4n + 5: fold it onto the 4n coset by evaluating directly
    points = [COSET_SHIFT * pow(big.omega, i, R) % R for i in range(big.size)]
    q_c = [Polynomial(numerator)(x) for x in points]
    zeros = [0] * big.size
    columns = {name: zeros for name in COLUMNS}
    columns.update(q_C=q_c, z=[1] * big.size)
    inputs = QuotientInputs(n, columns, beta=0, gamma=4, alpha=5)
    assert quotient_on_coset(inputs) == [t(x) for x in points]

