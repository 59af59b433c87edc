"""G1: the BN254 curve y^2 = x^3 + 3 over Fq, with the EIP-196 encoding.

Lesson. BN254 ("alt_bn128" in Ethereum, Barreto–Naehrig 2005 with the parameter
x = 4965661367192848881) has exactly r points over Fq: the cofactor is 1, so *every* point
on the curve is in the prime-order group G1 and decoding needs only the on-curve check.
The generator is (1, 2): 2^2 = 1 + 3.

Coordinates here are plain ints mod p, and ``g1_double`` / ``g1_add`` are the formulas of
``points.py`` line by line with ``% P`` added (G1 is the hot spot: commitments, MSMs and
the ceremony are all G1 arithmetic). ``msm.py`` reuses them.

Encoding (EIP-196): 64 bytes, x || y, each 32-byte big-endian and < p; the identity is 64
zero bytes ((0, 0) is not on the curve, so there is no ambiguity). Decoding rejects wrong
lengths, coordinates >= p (non-canonical) and points off the curve with ``MalformedInput``.

Read next: ``g2.py``.
"""

from __future__ import annotations

from zkpot_ref.curve.points import Jac, JacobianPoint
from zkpot_ref.errors import MalformedInput
from zkpot_ref.field import P_MODULUS, inverse_mod

P = P_MODULUS
#: b in y^2 = x^3 + b
B1 = 3


def g1_double(pt: Jac) -> Jac:
    """``points.jacobian_double`` on plain ints mod p."""
    x, y, z = pt
    if z == 0:
        return pt
    a = x * x % P
    b = y * y % P
    c = b * b % P
    d = 2 * ((x + b) * (x + b) - a - c) % P
    e = 3 * a % P
    x3 = (e * e - 2 * d) % P
    return (x3, (e * (d - x3) - 8 * c) % P, 2 * y * z % P)


def g1_add(p1: Jac, p2: Jac) -> Jac:
    """``points.jacobian_add`` on plain ints mod p (same edge cases)."""
    x1, y1, z1 = p1
    x2, y2, z2 = p2
    if z1 == 0:
        return p2
    if z2 == 0:
        return p1
    z1z1 = z1 * z1 % P
    z2z2 = z2 * z2 % P
    u1 = x1 * z2z2 % P
    u2 = x2 * z1z1 % P
    s1 = y1 * z2 * z2z2 % P
    s2 = y2 * z1 * z1z1 % P
    h = (u2 - u1) % P
    r = 2 * (s2 - s1) % P
    if h == 0:
        return g1_double(p1) if r == 0 else (1, 1, 0)
    i = 4 * h * h % P
    j = h * i % P
    v = u1 * i % P
    x3 = (r * r - j - 2 * v) % P
    y3 = (r * (v - x3) - 2 * s1 * j) % P
    z3 = ((z1 + z2) * (z1 + z2) - z1z1 - z2z2) * h % P
    return (x3, y3, z3)


class G1(JacobianPoint):
    """A point of G1 = E(Fq), y^2 = x^3 + 3, in Jacobian coordinates (plain ints)."""

    __slots__ = ()
    B = B1
    ZERO = 0
    ONE = 1

    _double = staticmethod(g1_double)
    _add = staticmethod(g1_add)

    @classmethod
    def generator(cls) -> G1:
        """(1, 2), the generator fixed by EIP-196."""
        return cls(1, 2, 1)

    @classmethod
    def from_affine(cls, x: int, y: int) -> G1:
        """The point (x, y); raises MalformedInput unless 0 <= x, y < p and y^2 = x^3 + 3."""
        for name, c in (("x", x), ("y", y)):
            if not isinstance(c, int) or isinstance(c, bool) or not 0 <= c < P:
                raise MalformedInput(f"G1: coordinate {name} is not an integer in [0, p)")
        if (y * y - x * x * x - B1) % P:
            raise MalformedInput("G1: point is not on the curve y^2 = x^3 + 3")
        return cls(x, y, 1)

    # plain-int versions of the comparisons of JacobianPoint (which assume a field type)
    def _neg_coords(self) -> Jac:
        return (self.x, -self.y % P, self.z)

    def _affine_coords(self) -> tuple[int, int]:
        zinv = inverse_mod(self.z, P)
        zinv2 = zinv * zinv % P
        return self.x * zinv2 % P, self.y * zinv2 * zinv % P

    def __eq__(self, other: object) -> bool:
        if type(other) is not G1:
            return NotImplemented
        if self.z == 0 or other.z == 0:
            return self.z == other.z == 0
        z1z1, z2z2 = self.z * self.z % P, other.z * other.z % P
        return (
            (self.x * z2z2 - other.x * z1z1) % P == 0
            and (self.y * z2z2 * other.z - other.y * z1z1 * self.z) % P == 0
        )

    __hash__ = JacobianPoint.__hash__

    def is_on_curve(self) -> bool:
        if self.z == 0:
            return True
        z2 = self.z * self.z % P
        z6 = z2 * z2 * z2 % P
        return (self.y * self.y - self.x * self.x * self.x - B1 * z6) % P == 0

    # -- EIP-196 encoding ---------------------------------------------------------------
    def to_bytes(self) -> bytes:
        """64 bytes x || y (big-endian); the identity is 64 zero bytes."""
        affine = self.to_affine()
        if affine is None:
            return bytes(64)
        x, y = affine
        return x.to_bytes(32, "big") + y.to_bytes(32, "big")

    @classmethod
    def from_bytes(cls, data: bytes) -> G1:
        """Decode 64 bytes (EIP-196 layout); MalformedInput on any invalid encoding."""
        if not isinstance(data, (bytes, bytearray, memoryview)):
            raise MalformedInput(f"G1: expected bytes, got {type(data).__name__}")
        data = bytes(data)
        if len(data) != 64:
            raise MalformedInput(f"G1: expected 64 bytes, got {len(data)}")
        x = int.from_bytes(data[:32], "big")
        y = int.from_bytes(data[32:], "big")
        if x >= P or y >= P:
            raise MalformedInput("G1: coordinate >= p (non-canonical encoding)")
        if x == 0 and y == 0:
            return cls.identity()
        return cls.from_affine(x, y)
