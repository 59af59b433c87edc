"""Elliptic-curve points in Jacobian coordinates: the group law shared by G1 and G2.

Lesson. Both BN254 groups are points on a short Weierstrass curve y^2 = x^3 + b with
a = 0: G1 over Fq with b = 3, G2 on the sextic twist over Fq2 with b' = 3/xi (``g1.py``,
``g2.py``). Adding points in affine (x, y) form needs a field inversion per addition. In
*Jacobian* coordinates (X : Y : Z) stand for the affine point (X/Z^2, Y/Z^3), and the
group law uses only multiplications; one inversion at the end converts back. Z = 0 is the
point at infinity (the identity), so it needs no special encoding inside the arithmetic.

The formulas are the ones of the Explicit-Formulas Database (Bernstein–Lange,
hyperelliptic.org/EFD, "g1p/auto-shortw-jacobian-0"):

- doubling ``dbl-2009-l`` (a = 0): A = X^2, B = Y^2, C = B^2, D = 2((X + B)^2 - A - C),
  E = 3A, F = E^2; X3 = F - 2D, Y3 = E(D - X3) - 8C, Z3 = 2YZ;
- addition ``add-2007-bl``: U_i = X_i Z_j^2, S_i = Y_i Z_j^3, H = U2 - U1, r = 2(S2 - S1), ...

Addition formulas of this kind are *incomplete*: they fail for P + P (H = 0, r = 0, where
we must double instead), for P + (-P) (H = 0, r != 0: the result is the identity) and when
an input is the identity. ``jacobian_add`` handles all three explicitly. (Renes–Costello–
Batina, eprint 2015/1060, give complete formulas without branches; branches are clearer
here and, in Python, faster.)

Scalar multiplication uses a width-4 NAF: the scalar is written with odd signed digits in
(-8, 8) separated by at least three zeros, so a 254-bit scalar costs 254 doublings but only
about 51 additions (plain double-and-add would need about 127). Negating a point is free.

``JacobianPoint`` is written once over "a field whose elements support + - *" and used as
is for G2 (Fq2 objects). G1 overrides the two formulas with plain-int copies (the same
lines, with ``% p``), because G1 arithmetic is the hot spot of commitments and MSMs.

Read next: ``g1.py``, ``g2.py``, then ``pairing.py``.
"""

from __future__ import annotations

from typing import Any, ClassVar, TypeVar

from zkpot_ref.field import R_MODULUS

Pt = TypeVar("Pt", bound="JacobianPoint")
Jac = tuple[Any, Any, Any]

#: width of the signed-digit (NAF) window used by scalar multiplication
WNAF_WIDTH = 4


def jacobian_double(pt: Jac) -> Jac:
    """2P in Jacobian coordinates (dbl-2009-l for a = 0), over any field type."""
    x, y, z = pt
    if z == 0 or y == 0:  # the identity, or a point of order 2 (none exist on BN254)
        return pt if z == 0 else (x, y, z * 0)
    a = x * x
    b = y * y
    c = b * b
    d = 2 * ((x + b) * (x + b) - a - c)
    e = 3 * a
    x3 = e * e - 2 * d
    return (x3, e * (d - x3) - 8 * c, 2 * (y * z))


def jacobian_add(p1: Jac, p2: Jac) -> Jac:
    """P1 + P2 in Jacobian coordinates (add-2007-bl), every edge case handled."""
    x1, y1, z1 = p1
    x2, y2, z2 = p2
    if z1 == 0:
        return p2
    if z2 == 0:
        return p1
    # BEGIN TASK 2.2: Jacobian point addition (add-2007-bl)
    z1z1 = z1 * z1
    z2z2 = z2 * z2
    u1 = x1 * z2z2
    u2 = x2 * z1z1
    s1 = y1 * z2 * z2z2
    s2 = y2 * z1 * z1z1
    h = u2 - u1
    r = 2 * (s2 - s1)
    if h == 0:  # same x: either the same point (double) or opposite points (identity)
        return jacobian_double(p1) if r == 0 else (x1, y1, z1 * 0)
    i = (2 * h) * (2 * h)
    j = h * i
    v = u1 * i
    x3 = r * r - j - 2 * v
    y3 = r * (v - x3) - 2 * (s1 * j)
    z3 = ((z1 + z2) * (z1 + z2) - z1z1 - z2z2) * h
    return (x3, y3, z3)
    # END TASK 2.2


def wnaf_digits(k: int, width: int = WNAF_WIDTH) -> list[int]:
    """Signed digits of k >= 0, least significant first: k = sum d_i 2^i, each d_i odd in
    (-2^(width-1), 2^(width-1)) or 0, and any non-zero digit followed by width-1 zeros."""
    digits = []
    half, full = 1 << (width - 1), 1 << width
    while k:
        if k & 1:
            d = k & (full - 1)
            if d >= half:
                d -= full
            k -= d
        else:
            d = 0
        digits.append(d)
        k >>= 1
    return digits


class JacobianPoint:
    """A point on y^2 = x^3 + B in Jacobian coordinates; subclasses fix the field and B.

    Immutable by convention (operations return new points) and hashable; equality
    compares the affine points, not the coordinates.
    """

    __slots__ = ("x", "y", "z")

    #: curve constant b of y^2 = x^3 + b (a field element of the subclass's field)
    B: ClassVar[Any]
    #: field elements 0 and 1 of the coordinate field
    ZERO: ClassVar[Any]
    ONE: ClassVar[Any]
    #: order of the prime subgroup (r); scalars are reduced modulo it
    ORDER: ClassVar[int] = R_MODULUS

    def __init__(self, x: Any, y: Any, z: Any) -> None:
        """Internal: wrap Jacobian coordinates unchecked; use ``from_affine`` / ``from_bytes``."""
        self.x, self.y, self.z = x, y, z

    # -- the two formulas (overridden by G1 with plain-int copies) ----------------------
    @staticmethod
    def _double(pt: Jac) -> Jac:
        return jacobian_double(pt)

    @staticmethod
    def _add(p1: Jac, p2: Jac) -> Jac:
        return jacobian_add(p1, p2)

    def _neg_coords(self) -> Jac:
        return (self.x, -self.y, self.z)

    def _affine_coords(self) -> tuple[Any, Any]:
        """(X/Z^2, Y/Z^3) for a non-identity point (one field inversion)."""
        zinv = self.ONE / self.z
        zinv2 = zinv * zinv
        return self.x * zinv2, self.y * zinv2 * zinv

    # -- constructors -----------------------------------------------------------------
    @classmethod
    def identity(cls: type[Pt]) -> Pt:
        return cls(cls.ONE, cls.ONE, cls.ZERO)

    @classmethod
    def _from_jac(cls: type[Pt], pt: Jac) -> Pt:
        return cls(*pt)

    # -- group law --------------------------------------------------------------------
    def is_identity(self) -> bool:
        return self.z == 0

    def __add__(self: Pt, other: Pt) -> Pt:
        if type(other) is not type(self):
            return NotImplemented
        return self._from_jac(self._add((self.x, self.y, self.z), (other.x, other.y, other.z)))

    def __neg__(self: Pt) -> Pt:
        return self._from_jac(self._neg_coords())

    def __sub__(self: Pt, other: Pt) -> Pt:
        if type(other) is not type(self):
            return NotImplemented
        return self + (-other)

    def double(self: Pt) -> Pt:
        return self._from_jac(self._double((self.x, self.y, self.z)))

    def _mul_unreduced(self: Pt, k: int) -> Pt:
        """k * P for any int k, by the width-4 NAF (no reduction mod r: the G2 subgroup
        check multiplies by r itself)."""
        base = -self if k < 0 else self
        digits = wnaf_digits(abs(k))
        if not digits:
            return type(self).identity()
        add, dbl = self._add, self._double
        p1 = (base.x, base.y, base.z)
        twice = dbl(p1)
        odd = [p1]  # odd multiples 1P, 3P, 5P, 7P
        for _ in range((1 << (WNAF_WIDTH - 2)) - 1):
            odd.append(add(odd[-1], twice))
        neg = [(x, -y, z) for x, y, z in odd]
        acc = (self.ONE, self.ONE, self.ZERO)
        for d in reversed(digits):
            acc = dbl(acc)
            if d > 0:
                acc = add(acc, odd[d >> 1])
            elif d < 0:
                acc = add(acc, neg[(-d) >> 1])
        return self._from_jac(acc)

    def __mul__(self: Pt, k: int) -> Pt:
        if not isinstance(k, int) or isinstance(k, bool):
            return NotImplemented
        return self._mul_unreduced(k % self.ORDER)

    __rmul__ = __mul__

    # -- comparisons ------------------------------------------------------------------
    def __eq__(self, other: object) -> bool:
        if type(other) is not type(self):
            return NotImplemented
        if self.is_identity() or other.is_identity():
            return self.is_identity() and other.is_identity()
        # X1/Z1^2 = X2/Z2^2 and Y1/Z1^3 = Y2/Z2^3, cross-multiplied to avoid inversions
        z1z1, z2z2 = self.z * self.z, other.z * other.z
        return (
            self.x * z2z2 == other.x * z1z1
            and self.y * z2z2 * other.z == other.y * z1z1 * self.z
        )

    def __hash__(self) -> int:
        return hash((type(self).__name__, self.to_affine()))

    def __repr__(self) -> str:
        affine = self.to_affine()
        name = type(self).__name__
        return f"{name}(identity)" if affine is None else f"{name}{affine}"

    def to_affine(self) -> tuple[Any, Any] | None:
        """(x, y) of the affine point, or None for the identity."""
        if self.is_identity():
            return None
        return self._affine_coords()

    def is_on_curve(self) -> bool:
        """Y^2 = X^3 + B Z^6 (the Jacobian form of y^2 = x^3 + b); the identity is on it."""
        if self.is_identity():
            return True
        z2 = self.z * self.z
        z6 = z2 * z2 * z2
        return self.y * self.y == self.x * self.x * self.x + self.B * z6
