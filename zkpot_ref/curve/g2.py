"""G2: the order-r subgroup of the sextic twist E'(Fq2), with the EIP-197 encoding.

Lesson. The pairing's second argument must come from a group of order r that is
*different* from G1; it lives in E(Fq12). Points there have 12 coordinates each, but a
sextic twist lets us store them with two: the curve

    E': y^2 = x^3 + b',   b' = 3 / xi,  xi = 9 + u,   over Fq2,

is isomorphic to E over Fq12 via psi(x, y) = (x w^2, y w^3) (check: (y w^3)^2 = y^2 xi and
(x w^2)^3 + 3 = xi (x^3 + 3/xi), because w^6 = xi). ``pairing.py`` applies psi implicitly
when it evaluates line functions. The group law is the same formula as for G1, over Fq2:
this class uses ``points.JacobianPoint`` unchanged, with ``Fq2`` coordinates.

Unlike G1, E'(Fq2) has a large cofactor: #E'(Fq2) = r * (2p - r). A point on the twist
need not be in G2, and feeding such a point to a pairing breaks its security, so decoding
checks membership: r * Q must be the identity.

The Frobenius endomorphism pi(x, y) = (x^p, y^p) of E, pulled back through psi, acts on
the twist as ``(x, y) -> (conj(x) gamma_1^2, conj(y) gamma_1^3)`` with gamma_1 =
xi^((p-1)/6). On G2 it equals multiplication by p; the Miller loop needs it for its two
correction lines.

Encoding (EIP-197): 128 bytes x_im || x_re || y_im || y_re (imaginary part first), each
32-byte big-endian < p; the identity is 128 zero bytes.

Read next: ``final_exp.py`` (the pairing's last step), then ``pairing.py`` (the Miller loop
before it).
"""

from __future__ import annotations

from zkpot_ref.curve.fq2 import XI, Fq2
from zkpot_ref.curve.fq6 import frobenius_gamma
from zkpot_ref.curve.points import JacobianPoint
from zkpot_ref.errors import MalformedInput
from zkpot_ref.field import P_MODULUS, R_MODULUS

P = P_MODULUS
#: b' = 3 / xi of the twist y^2 = x^3 + b'
B2 = Fq2(3) / XI

#: the generator of G2 fixed by EIP-197 (re, im parts)
GENERATOR_X = Fq2(
    10857046999023057135944570762232829481370756359578518086990519993285655852781,
    11559732032986387107991004021392285783925812861821192530917403151452391805634,
)
GENERATOR_Y = Fq2(
    8495653923123431417604973247489272438418190587263600148770280649306958101930,
    4082367875863433681332203403145435568316851327593401208105741076214120093531,
)


class G2(JacobianPoint):
    """A point of the twist E'(Fq2): y^2 = x^3 + 3/(9+u), Jacobian coordinates in Fq2."""

    __slots__ = ()
    B = B2
    ZERO = Fq2.zero()
    ONE = Fq2.one()

    @classmethod
    def generator(cls) -> G2:
        return cls(GENERATOR_X, GENERATOR_Y, Fq2.one())

    @classmethod
    def from_affine(cls, x: Fq2, y: Fq2, check_subgroup: bool = True) -> G2:
        """The point (x, y); MalformedInput if it is off the twist or (by default) not in G2."""
        if not isinstance(x, Fq2) or not isinstance(y, Fq2):
            raise MalformedInput("G2: coordinates must be Fq2 elements")
        point = cls(x, y, Fq2.one())
        if not point.is_on_curve():
            raise MalformedInput("G2: point is not on the twist y^2 = x^3 + 3/(9+u)")
        if check_subgroup and not point.is_in_subgroup():
            raise MalformedInput("G2: point is on the twist but not in the order-r subgroup")
        return point

    def is_in_subgroup(self) -> bool:
        """r * Q == identity (membership in the order-r subgroup G2)."""
        return self._mul_unreduced(R_MODULUS).is_identity()

    def frobenius(self) -> G2:
        """The twisted Frobenius endomorphism (x, y) -> (conj(x) g^2, conj(y) g^3), g = gamma_1.

        Acting coordinate-wise on Jacobian (X : Y : Z) is fine: conjugation is a field
        automorphism, and the constants scale X by g^2 and Y by g^3 exactly like Z^2, Z^3.
        """
        g = frobenius_gamma(1)
        g2 = g.square()
        return G2(self.x.conjugate() * g2, self.y.conjugate() * g2 * g, self.z.conjugate())

    # -- EIP-197 encoding ---------------------------------------------------------------
    def to_bytes(self) -> bytes:
        """128 bytes x_im || x_re || y_im || y_re; the identity is 128 zero bytes."""
        affine = self.to_affine()
        if affine is None:
            return bytes(128)
        x, y = affine
        return b"".join(c.to_bytes(32, "big") for c in (x.c1, x.c0, y.c1, y.c0))

    @classmethod
    def from_bytes(cls, data: bytes) -> G2:
        """Decode 128 bytes (EIP-197 layout): canonical, on the twist, and in G2."""
        if not isinstance(data, (bytes, bytearray, memoryview)):
            raise MalformedInput(f"G2: expected bytes, got {type(data).__name__}")
        data = bytes(data)
        if len(data) != 128:
            raise MalformedInput(f"G2: expected 128 bytes, got {len(data)}")
        x_im, x_re, y_im, y_re = (
            int.from_bytes(data[i : i + 32], "big") for i in range(0, 128, 32)
        )
        if max(x_im, x_re, y_im, y_re) >= P:
            raise MalformedInput("G2: coordinate >= p (non-canonical encoding)")
        if x_im == x_re == y_im == y_re == 0:
            return cls.identity()
        return cls.from_affine(Fq2(x_re, x_im), Fq2(y_re, y_im))
