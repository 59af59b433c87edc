"""Lab 10.5 — a G2 decoder that skips the subgroup check.

The pairing's second argument must lie in G2, the order-r subgroup of the twist E'(Fq2).
Unlike G1 (cofactor 1), the twist has cofactor 2p - r (about 2^254): almost every point on
it is NOT in G2, so "on the curve" says little (``curve/g2.py``). A verification key or SRS
whose [tau]_2 comes from a file must be subgroup-checked; ``weak_g2_from_bytes`` is
``G2.from_bytes`` with that check switched off (EIP-197 precompiles and several libraries
once shipped this way).

Exercise (Task 10.5): ``forge_g2_bytes`` — return 128 bytes (EIP-197 layout: x_im, x_re,
y_im, y_re) of a point on the twist that is not in G2. ``weak_g2_from_bytes`` decodes it;
``G2.from_bytes`` refuses it. ``fq2_sqrt`` below is given.
"""

from __future__ import annotations

from zkpot_ref.curve.fq2 import Fq2
from zkpot_ref.curve.g2 import B2, G2
from zkpot_ref.errors import MalformedInput
from zkpot_ref.field import P_MODULUS as P
from zkpot_ref.field import inverse_mod, sqrt_mod


def weak_g2_from_bytes(data: bytes) -> G2:
    """Canonical and on the twist — but not checked to be in G2 (the bug)."""
    if len(data) != 128:
        raise MalformedInput(f"G2: expected 128 bytes, got {len(data)}")
    x_im, x_re, y_im, y_re = (int.from_bytes(data[i : i + 32], "big") for i in range(0, 128, 32))
    if max(x_im, x_re, y_im, y_re) >= P:
        raise MalformedInput("G2: coordinate >= p")
    return G2.from_affine(Fq2(x_re, x_im), Fq2(y_re, y_im), check_subgroup=False)


def fq2_sqrt(a: Fq2) -> Fq2 | None:
    """A square root in Fq2 through the norm: if x = x0 + x1 u squares to a, then
    x0^2 = (a0 ± sqrt(norm a)) / 2 and x1 = a1 / (2 x0). None if a is not a square
    (or a is in Fq, a case this lab does not need)."""
    s = sqrt_mod(a.norm(), P)
    if s is None:
        return None
    half = inverse_mod(2, P)
    for t in (s, -s % P):
        x0 = sqrt_mod((a.c0 + t) * half % P, P)
        if x0:
            candidate = Fq2(x0, a.c1 * inverse_mod(2 * x0, P) % P)
            if candidate.square() == a:
                return candidate
    return None


def forge_g2_bytes() -> bytes:
    """The encoding of a twist point outside G2."""
    # BEGIN TASK 10.5: a point on y^2 = x^3 + b' that r does not kill
    x = Fq2(1, 1)
    while True:
        y = fq2_sqrt(x * x * x + B2)
        if y is not None and not G2(x, y, Fq2.one()).is_in_subgroup():
            return b"".join(c.to_bytes(32, "big") for c in (x.c1, x.c0, y.c1, y.c0))
        x = x + 1
    # END TASK 10.5
