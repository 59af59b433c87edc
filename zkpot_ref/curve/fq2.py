"""Fq2 = Fq[u] / (u^2 + 1): the first floor of the BN254 extension-field tower.

Lesson. The pairing needs the field with p^12 elements. We build it as a *tower* of
small extensions, each adjoining a root of an irreducible polynomial (the textbook tower
of Beuchat et al., "High-speed software implementation of the optimal ate pairing over
Barreto–Naehrig curves", Pairing 2010, Section 3; the same as go-ethereum's and the
EIP-197 byte layouts):

    Fq2  = Fq[u]  / (u^2 + 1)        p = 3 mod 4, so -1 is not a square in Fq
    Fq6  = Fq2[v] / (v^3 - xi)       xi = 9 + u is neither a square nor a cube in Fq2
    Fq12 = Fq6[w] / (w^2 - v)        so w^6 = v^3 = xi

This module is the bottom floor. An element is ``c0 + c1*u`` with ``c0, c1`` plain ints mod
p (not ``Fq`` objects: every floor above multiplies thousands of these, and plain ints are
several times faster while reading the same). Multiplication uses Karatsuba's trick: three
base-field products instead of four,

    (a0 + a1 u)(b0 + b1 u) = (a0 b0 - a1 b1) + ((a0 + a1)(b0 + b1) - a0 b0 - a1 b1) u.

The *conjugate* ``c0 - c1 u`` is also the Frobenius map x -> x^p (because u^p = -u when
p = 3 mod 4), and x * conj(x) = c0^2 + c1^2 lies in Fq, which gives the inverse.

Read next: ``fq6.py`` (the cubic floor).
"""

from __future__ import annotations

from zkpot_ref.errors import MalformedInput
from zkpot_ref.field import P_MODULUS, inverse_mod

P = P_MODULUS


class Fq2:
    """An element c0 + c1*u of Fq2 (u^2 = -1); hashable, treated as immutable.

    Arithmetic accepts another ``Fq2`` or a plain ``int`` (an element of the base field).
    """

    __slots__ = ("c0", "c1")

    c0: int
    c1: int

    def __init__(self, c0: int = 0, c1: int = 0) -> None:
        self.c0 = c0 % P
        self.c1 = c1 % P

    @classmethod
    def _raw(cls, c0: int, c1: int) -> Fq2:
        """Build from already-reduced ints (skips the two ``% P`` of ``__init__``)."""
        out = object.__new__(cls)
        out.c0 = c0
        out.c1 = c1
        return out

    @classmethod
    def zero(cls) -> Fq2:
        return cls._raw(0, 0)

    @classmethod
    def one(cls) -> Fq2:
        return cls._raw(1, 0)

    @classmethod
    def from_canonical(cls, c0: int, c1: int) -> Fq2:
        """Like the constructor, but reject coefficients outside [0, p) instead of reducing."""
        for name, c in (("c0", c0), ("c1", c1)):
            if not isinstance(c, int) or isinstance(c, bool) or not 0 <= c < P:
                raise MalformedInput(f"Fq2: coefficient {name}={c!r} is not an integer in [0, p)")
        return cls._raw(c0, c1)

    # -- ring operations --------------------------------------------------------------
    def __add__(self, other: Fq2 | int) -> Fq2:
        if isinstance(other, Fq2):
            return Fq2._raw((self.c0 + other.c0) % P, (self.c1 + other.c1) % P)
        if isinstance(other, int):
            return Fq2._raw((self.c0 + other) % P, self.c1)
        return NotImplemented

    __radd__ = __add__

    def __sub__(self, other: Fq2 | int) -> Fq2:
        if isinstance(other, Fq2):
            return Fq2._raw((self.c0 - other.c0) % P, (self.c1 - other.c1) % P)
        if isinstance(other, int):
            return Fq2._raw((self.c0 - other) % P, self.c1)
        return NotImplemented

    def __rsub__(self, other: int) -> Fq2:
        if isinstance(other, int):
            return Fq2._raw((other - self.c0) % P, -self.c1 % P)
        return NotImplemented

    def __neg__(self) -> Fq2:
        return Fq2._raw(-self.c0 % P, -self.c1 % P)

    def __mul__(self, other: Fq2 | int) -> Fq2:
        if isinstance(other, Fq2):
            a0, a1, b0, b1 = self.c0, self.c1, other.c0, other.c1
            # BEGIN TASK 2.1: Karatsuba multiplication in Fq2
            t0 = a0 * b0
            t1 = a1 * b1
            # Karatsuba: the cross term from one product of sums
            return Fq2._raw((t0 - t1) % P, ((a0 + a1) * (b0 + b1) - t0 - t1) % P)
            # END TASK 2.1
        if isinstance(other, int):
            return Fq2._raw(self.c0 * other % P, self.c1 * other % P)
        return NotImplemented

    __rmul__ = __mul__

    def square(self) -> Fq2:
        """(a0 + a1 u)^2 = (a0 + a1)(a0 - a1) + 2 a0 a1 u: two products instead of three."""
        a0, a1 = self.c0, self.c1
        return Fq2._raw((a0 + a1) * (a0 - a1) % P, 2 * a0 * a1 % P)

    def mul_by_nonresidue(self) -> Fq2:
        """Multiply by xi = 9 + u (the constant of the next floor): (9 a0 - a1) + (a0 + 9 a1) u."""
        a0, a1 = self.c0, self.c1
        return Fq2._raw((9 * a0 - a1) % P, (a0 + 9 * a1) % P)

    def conjugate(self) -> Fq2:
        """c0 - c1 u. Equal to the Frobenius map x -> x^p, since u^p = -u for p = 3 mod 4."""
        return Fq2._raw(self.c0, -self.c1 % P)

    def frobenius(self, power: int = 1) -> Fq2:
        """x -> x^(p^power): the conjugate for odd powers, the identity for even ones."""
        return self.conjugate() if power % 2 else self

    def norm(self) -> int:
        """x * conj(x) = c0^2 + c1^2, an element of the base field Fq."""
        return (self.c0 * self.c0 + self.c1 * self.c1) % P

    def inverse(self) -> Fq2:
        """1/x = conj(x) / norm(x); one base-field inversion. ZeroDivisionError for 0."""
        inv = inverse_mod(self.norm(), P)  # norm = 0 only for x = 0: -1 is not a square
        return Fq2._raw(self.c0 * inv % P, -self.c1 * inv % P)

    def __truediv__(self, other: Fq2 | int) -> Fq2:
        if isinstance(other, int):
            other = Fq2(other)
        if not isinstance(other, Fq2):
            return NotImplemented
        return self * other.inverse()

    def __pow__(self, exponent: int) -> Fq2:
        """Square-and-multiply, most significant bit first; negative exponents invert."""
        base = self.inverse() if exponent < 0 else self
        result = Fq2.one()
        for bit in bin(abs(exponent))[2:]:
            result = result.square()
            if bit == "1":
                result = result * base
        return result

    # -- comparisons and conversions --------------------------------------------------
    def is_zero(self) -> bool:
        return self.c0 == 0 and self.c1 == 0

    def __bool__(self) -> bool:
        return not self.is_zero()

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Fq2):
            return self.c0 == other.c0 and self.c1 == other.c1
        if isinstance(other, int) and not isinstance(other, bool):
            return self.c0 == other % P and self.c1 == 0
        return NotImplemented

    def __hash__(self) -> int:
        return hash(("Fq2", self.c0, self.c1))

    def __repr__(self) -> str:
        return f"Fq2({self.c0}, {self.c1})"

    def to_tuple(self) -> tuple[int, int]:
        """(c0, c1) = (real part, imaginary part)."""
        return (self.c0, self.c1)


#: xi = 9 + u, the non-residue that defines Fq6 (v^3 = xi) and the twist of G2 (b' = 3/xi).
XI = Fq2(9, 1)
