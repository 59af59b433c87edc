"""Fq12 = Fq6[w] / (w^2 - v): the top of the tower, where pairing values live.

Lesson. An element is ``c0 + c1 w`` with c0, c1 in Fq6. Since w^2 = v and v^3 = xi,
also w^6 = xi, so the same element can be read as ``sum_{k<6} a_k w^k`` with six Fq2
coefficients. The tower position of w^k is::

    w^0 -> c0.c0   w^2 -> c0.c1   w^4 -> c0.c2
    w^1 -> c1.c0   w^3 -> c1.c1   w^5 -> c1.c2

(``to_w_coefficients`` returns the a_k in that order; tests use it to map our elements to
py_ecc's flat basis, see ``tests/curve/refs.py``.)

What the pairing needs from this floor:

- multiplication (Karatsuba over Fq6: three Fq6 products) and squaring (two);
- ``mul_by_line``: the Miller loop multiplies by line values that have only three non-zero
  w-coefficients (w^0, w^1, w^3), so a sparse product saves about half the work;
- ``conjugate`` = x^(p^6) (w -> -w), the inverse of any x with x^(p^6+1) = 1;
- ``frobenius(n)`` = x^(p^n), coefficient-wise with the constants gamma_n^k (``fq6.py``);
- ``cyclotomic_square``: after the "easy part" of the final exponentiation, x lies in the
  cyclotomic subgroup (x^(p^4 - p^2 + 1) = 1), where Granger and Scott ("Faster squaring in
  the cyclotomic subgroup of sixth degree extensions", PKC 2010, Section 3.2) square with
  three Fq4 squarings instead of a full Fq12 square. Read Fq12 as Fq4[w]/(w^3 - t) with
  Fq4 = Fq2[t]/(t^2 - xi), t = w^3, and x = a + b w + c w^2; then

      x^2 = (3 a^2 - 2 conj(a)) + (3 t c^2 + 2 conj(b)) w + (3 b^2 - 2 conj(c)) w^2,

  where conj(y0 + y1 t) = y0 - y1 t.

Read next: ``points.py`` (elliptic-curve points), then ``pairing.py``.
"""

from __future__ import annotations

from zkpot_ref.curve.fq2 import Fq2
from zkpot_ref.curve.fq6 import Fq6, frobenius_gamma


class Fq12:
    """An element c0 + c1 w of Fq12 (w^2 = v); coefficients are ``Fq6``."""

    __slots__ = ("c0", "c1")

    c0: Fq6
    c1: Fq6

    def __init__(self, c0: Fq6, c1: Fq6) -> None:
        self.c0, self.c1 = c0, c1

    @classmethod
    def zero(cls) -> Fq12:
        return cls(Fq6.zero(), Fq6.zero())

    @classmethod
    def one(cls) -> Fq12:
        return cls(Fq6.one(), Fq6.zero())

    @classmethod
    def from_w_coefficients(cls, a: list[Fq2]) -> Fq12:
        """Build sum_k a[k] w^k (six Fq2 coefficients) in tower form."""
        if len(a) != 6:
            raise ValueError("Fq12 has six Fq2 coefficients over w")
        return cls(Fq6(a[0], a[2], a[4]), Fq6(a[1], a[3], a[5]))

    def to_w_coefficients(self) -> list[Fq2]:
        """The six Fq2 coefficients a_0..a_5 of sum_k a_k w^k."""
        c0, c1 = self.c0, self.c1
        return [c0.c0, c1.c0, c0.c1, c1.c1, c0.c2, c1.c2]

    # -- arithmetic -------------------------------------------------------------------
    def __add__(self, other: Fq12) -> Fq12:
        return Fq12(self.c0 + other.c0, self.c1 + other.c1)

    def __sub__(self, other: Fq12) -> Fq12:
        return Fq12(self.c0 - other.c0, self.c1 - other.c1)

    def __neg__(self) -> Fq12:
        return Fq12(-self.c0, -self.c1)

    def __mul__(self, other: Fq12) -> Fq12:
        if not isinstance(other, Fq12):
            return NotImplemented
        a0, a1, b0, b1 = self.c0, self.c1, other.c0, other.c1
        t0, t1 = a0 * b0, a1 * b1
        # (a0 + a1 w)(b0 + b1 w) = (a0 b0 + a1 b1 v) + (a0 b1 + a1 b0) w, Karatsuba again
        return Fq12(t0 + t1.mul_by_v(), (a0 + a1) * (b0 + b1) - t0 - t1)

    def square(self) -> Fq12:
        """(a0 + a1 w)^2 = (a0^2 + a1^2 v) + 2 a0 a1 w, with two Fq6 products:
        (a0 + a1)(a0 + a1 v) = a0^2 + a1^2 v + a0 a1 (1 + v)."""
        a0, a1 = self.c0, self.c1
        t = a0 * a1
        c0 = (a0 + a1) * (a0 + a1.mul_by_v()) - t - t.mul_by_v()
        return Fq12(c0, t + t)

    def mul_by_line(self, l0: int, l1: Fq2, l3: Fq2) -> Fq12:
        """Multiply by the sparse element l0 + l1 w + l3 w^3 (l0 in Fq): a Miller-loop line.

        In tower form the line is L0 + L1 w with L0 = l0 and L1 = l1 + l3 v, so the
        Karatsuba product needs one Fq6-by-Fq scaling and two sparse Fq6 products.
        """
        f0, f1 = self.c0, self.c1
        t0 = f0 * l0
        t1 = f1.mul_by_01(l1, l3)
        c1 = (f0 + f1).mul_by_01(l1 + l0, l3) - t0 - t1
        return Fq12(t0 + t1.mul_by_v(), c1)

    def conjugate(self) -> Fq12:
        """c0 - c1 w = x^(p^6). For x in the cyclotomic subgroup this is 1/x."""
        return Fq12(self.c0, -self.c1)

    def inverse(self) -> Fq12:
        """1/(a0 + a1 w) = (a0 - a1 w) / (a0^2 - a1^2 v): one Fq6 inversion."""
        a0, a1 = self.c0, self.c1
        inv = (a0.square() - a1.square().mul_by_v()).inverse()
        return Fq12(a0 * inv, -(a1 * inv))

    def frobenius(self, n: int = 1) -> Fq12:
        """x -> x^(p^n). The w-part picks up one more factor gamma_n (w^(p^n) = gamma_n w)."""
        n %= 12
        return Fq12(self.c0.frobenius(n), self.c1.frobenius(n) * frobenius_gamma(n))

    def __pow__(self, exponent: int) -> Fq12:
        """Square-and-multiply; negative exponents use the inverse."""
        base = self.inverse() if exponent < 0 else self
        result = Fq12.one()
        for bit in bin(abs(exponent))[2:]:
            result = result.square()
            if bit == "1":
                result = result * base
        return result

    # -- the cyclotomic subgroup ------------------------------------------------------
    def cyclotomic_square(self) -> Fq12:
        """x^2 for x in the cyclotomic subgroup (Granger–Scott; formula in the module doc).

        Wrong for other elements: callers use it only after the easy part of the final
        exponentiation.
        """
        c0, c1 = self.c0, self.c1
        # x = a + b w + c w^2 over Fq4, each y0 + y1 t with t = w^3 (table in module doc)
        a0, a1 = c0.c0, c1.c1
        b0, b1 = c1.c0, c0.c2
        d0, d1 = c0.c1, c1.c2
        sa0, sa1 = _fq4_square(a0, a1)
        sb0, sb1 = _fq4_square(b0, b1)
        sc0, sc1 = _fq4_square(d0, d1)
        new_a0 = 3 * sa0 - 2 * a0  # 3 a^2 - 2 conj(a)
        new_a1 = 3 * sa1 + 2 * a1
        new_b0 = 3 * sc1.mul_by_nonresidue() + 2 * b0  # 3 t c^2 + 2 conj(b), t * t = xi
        new_b1 = 3 * sc0 - 2 * b1
        new_c0 = 3 * sb0 - 2 * d0  # 3 b^2 - 2 conj(c)
        new_c1 = 3 * sb1 + 2 * d1
        return Fq12(Fq6(new_a0, new_c0, new_b1), Fq6(new_b0, new_a1, new_c1))

    def cyclotomic_pow(self, exponent: int) -> Fq12:
        """x^e for x in the cyclotomic subgroup: cyclotomic squarings, and conjugation
        (a free inverse there) for negative exponents."""
        base = self.conjugate() if exponent < 0 else self
        result = Fq12.one()
        for bit in bin(abs(exponent))[2:]:
            result = result.cyclotomic_square()
            if bit == "1":
                result = result * base
        return result

    # -- comparisons ------------------------------------------------------------------
    def is_one(self) -> bool:
        return self == Fq12.one()

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Fq12):
            return NotImplemented
        return self.c0 == other.c0 and self.c1 == other.c1

    def __hash__(self) -> int:
        return hash(("Fq12", self.c0, self.c1))

    def __repr__(self) -> str:
        return f"Fq12({self.c0!r}, {self.c1!r})"


def _fq4_square(y0: Fq2, y1: Fq2) -> tuple[Fq2, Fq2]:
    """(y0 + y1 t)^2 = (y0^2 + xi y1^2) + 2 y0 y1 t in Fq4 = Fq2[t]/(t^2 - xi)."""
    s0, s1 = y0.square(), y1.square()
    return s0 + s1.mul_by_nonresidue(), (y0 + y1).square() - s0 - s1
