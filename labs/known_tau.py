"""Lab 10.4 — KZG with a known tau: anyone who knows tau opens anything to anything.

KZG is binding only while nobody knows tau (Kate–Zaverucha–Goldberg 2010, the t-SDH
assumption); that is what the powers-of-tau ceremony is for (``ceremony.py``). The tests of
this course use ``SRS.insecure_from_tau`` — fine for tests, fatal in production: with tau
known the verifier's equation e(C - [y]_1, [1]_2) = e(pi, [tau - z]_2) can be solved for pi
for ANY claimed value y.

Exercise (Task 10.4): ``forge_opening`` — given tau, a commitment C, a point z and any value
y, return pi that ``kzg.verify_opening`` accepts for (C, z, y) under the SRS made from tau.
The same forger facing a ceremony's SRS (tau unknown to it) is rejected.
"""

from __future__ import annotations

from zkpot_ref.curve import G1
from zkpot_ref.field import R_MODULUS as R
from zkpot_ref.field import inverse_mod


def forge_opening(tau: int, commitment: G1, z: int, y: int) -> G1:
    """A proof that ``commitment`` opens to ``y`` at ``z``, whatever it commits to."""
    # BEGIN TASK 10.4: solve the verification equation for pi
    # C - [y]_1 = (tau - z) pi  =>  pi = (C - [y]_1) / (tau - z)
    return (commitment - G1.generator() * y) * inverse_mod(tau - z, R)
    # END TASK 10.4
