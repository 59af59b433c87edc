"""Fq6 = Fq2[v] / (v^3 - xi), xi = 9 + u: the cubic floor of the tower.

Lesson. An element is ``c0 + c1 v + c2 v^2`` with coefficients in Fq2. Products are
polynomial products in v, folded back with v^3 = xi: a term ``t v^3`` becomes ``xi * t``
(``Fq2.mul_by_nonresidue``, a few additions). Multiplication uses the 3-term Karatsuba
formula of Devegili, Ó hÉigeartaigh, Scott and Dahab, "Multiplication and squaring on
pairing-friendly fields" (eprint 2006/471, Section 4): six Fq2 products instead of nine.

Frobenius. Raising to the p^n-th power is additive and fixes Fq, so it acts coefficient by
coefficient: ``(c v^i)^(p^n) = c^(p^n) * v^(i p^n) = c^(p^n) * gamma_n^(2i) * v^i`` with the
constant ``gamma_n = xi^((p^n - 1)/6)`` (v = w^2 and w^6 = xi, see ``fq12.py``). These
constants are computed once, here, from their definition rather than pasted in as hex.

Read next: ``fq12.py`` (the quadratic floor on top, where the pairing values live).
"""

from __future__ import annotations

from functools import cache

from zkpot_ref.curve.fq2 import XI, Fq2
from zkpot_ref.field import P_MODULUS


@cache
def frobenius_gamma(n: int) -> Fq2:
    """gamma_n = xi^((p^n - 1)/6), so that w^(p^n) = gamma_n * w in Fq12 (p = 1 mod 6)."""
    return XI ** ((P_MODULUS**n - 1) // 6)


class Fq6:
    """An element c0 + c1 v + c2 v^2 of Fq6 (v^3 = xi); coefficients are ``Fq2``."""

    __slots__ = ("c0", "c1", "c2")

    c0: Fq2
    c1: Fq2
    c2: Fq2

    def __init__(self, c0: Fq2, c1: Fq2, c2: Fq2) -> None:
        self.c0, self.c1, self.c2 = c0, c1, c2

    @classmethod
    def zero(cls) -> Fq6:
        z = Fq2.zero()
        return cls(z, z, z)

    @classmethod
    def one(cls) -> Fq6:
        z = Fq2.zero()
        return cls(Fq2.one(), z, z)

    def __add__(self, other: Fq6) -> Fq6:
        return Fq6(self.c0 + other.c0, self.c1 + other.c1, self.c2 + other.c2)

    def __sub__(self, other: Fq6) -> Fq6:
        return Fq6(self.c0 - other.c0, self.c1 - other.c1, self.c2 - other.c2)

    def __neg__(self) -> Fq6:
        return Fq6(-self.c0, -self.c1, -self.c2)

    def __mul__(self, other: Fq6 | Fq2 | int) -> Fq6:
        if isinstance(other, (Fq2, int)):  # scaling by an element of a lower floor
            return Fq6(self.c0 * other, self.c1 * other, self.c2 * other)
        if not isinstance(other, Fq6):
            return NotImplemented
        a0, a1, a2 = self.c0, self.c1, self.c2
        b0, b1, b2 = other.c0, other.c1, other.c2
        t0, t1, t2 = a0 * b0, a1 * b1, a2 * b2
        # schoolbook coefficients of v^0..v^4, with v^3 = xi, v^4 = xi v:
        #   c0 = a0 b0 + xi (a1 b2 + a2 b1)
        #   c1 = a0 b1 + a1 b0 + xi a2 b2
        #   c2 = a0 b2 + a1 b1 + a2 b0
        # each cross sum a_i b_j + a_j b_i is (a_i + a_j)(b_i + b_j) - t_i - t_j (Karatsuba)
        c0 = ((a1 + a2) * (b1 + b2) - t1 - t2).mul_by_nonresidue() + t0
        c1 = (a0 + a1) * (b0 + b1) - t0 - t1 + t2.mul_by_nonresidue()
        c2 = (a0 + a2) * (b0 + b2) - t0 - t2 + t1
        return Fq6(c0, c1, c2)

    __rmul__ = __mul__

    def square(self) -> Fq6:
        """Squaring, CH-SQR2 of Chung–Hasan (eprint 2006/471, Section 4): 2 squares + 3 products."""
        a0, a1, a2 = self.c0, self.c1, self.c2
        s0 = a0.square()
        s1 = 2 * (a0 * a1)
        s2 = (a0 - a1 + a2).square()
        s3 = 2 * (a1 * a2)
        s4 = a2.square()
        return Fq6(
            s3.mul_by_nonresidue() + s0,
            s4.mul_by_nonresidue() + s1,
            s1 + s2 + s3 - s0 - s4,
        )

    def mul_by_v(self) -> Fq6:
        """Multiply by v: the coefficients shift up one place and v^3 wraps round to xi."""
        return Fq6(self.c2.mul_by_nonresidue(), self.c0, self.c1)

    def mul_by_01(self, b0: Fq2, b1: Fq2) -> Fq6:
        """Multiply by the sparse element b0 + b1 v (the shape line functions have)."""
        a0, a1, a2 = self.c0, self.c1, self.c2
        t0, t1 = a0 * b0, a1 * b1
        return Fq6(
            (a2 * b1).mul_by_nonresidue() + t0,
            (a0 + a1) * (b0 + b1) - t0 - t1,
            a2 * b0 + t1,
        )

    def inverse(self) -> Fq6:
        """Inverse by the adjugate: x * (t0 + t1 v + t2 v^2) is in Fq2 (Beuchat et al., Alg. 17)."""
        a0, a1, a2 = self.c0, self.c1, self.c2
        t0 = a0.square() - (a1 * a2).mul_by_nonresidue()
        t1 = a2.square().mul_by_nonresidue() - a0 * a1
        t2 = a1.square() - a0 * a2
        det = a0 * t0 + (a2 * t1 + a1 * t2).mul_by_nonresidue()
        inv = det.inverse()
        return Fq6(t0 * inv, t1 * inv, t2 * inv)

    def frobenius(self, n: int = 1) -> Fq6:
        """x -> x^(p^n): Frobenius of each coefficient times gamma_n^(2i) for v^i."""
        g = frobenius_gamma(n % 6)
        g2 = g.square()
        return Fq6(
            self.c0.frobenius(n),
            self.c1.frobenius(n) * g2,
            self.c2.frobenius(n) * g2.square(),
        )

    def is_zero(self) -> bool:
        return self.c0.is_zero() and self.c1.is_zero() and self.c2.is_zero()

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Fq6):
            return NotImplemented
        return self.c0 == other.c0 and self.c1 == other.c1 and self.c2 == other.c2

    def __hash__(self) -> int:
        return hash(("Fq6", self.c0, self.c1, self.c2))

    def __repr__(self) -> str:
        return f"Fq6({self.c0!r}, {self.c1!r}, {self.c2!r})"
