"""Prime fields: the arithmetic every later lesson is written in.

Lesson. A prime field F_p is the set {0, 1, ..., p-1} with addition and multiplication
taken mod p. Because p is prime, every non-zero element has an inverse (Fermat:
a^(p-2) * a = 1), so we can divide. Two BN254 fields appear throughout zkpot:

- ``Fr``: the *scalar* field, r = 2188...5617 (254 bits). Circuits, witnesses and
  polynomials live here. r - 1 is divisible by 2^28 ("2-adicity 28"), so Fr has
  multiplicative subgroups of every size 2^k <= 2^28 — the evaluation domains of the
  NTT (next lesson).
- ``Fq``: the *base* field, p = 2188...8583. Coordinates of BN254 curve points live here.

What this lesson teaches, in order: the readable element class ``PrimeField`` (with
``Fr`` and ``Fq``), inversion two ways (Fermat and the extended Euclidean algorithm),
Montgomery's batch-inversion trick, square roots by Tonelli–Shanks, canonical byte
encoding that *rejects* non-canonical input, secure random sampling, and roots of unity.

Hot loops elsewhere in zkpot work on plain ``int`` values mod p for speed; the helpers at
the bottom of this file (``batch_inverse_ints``, ``sqrt_mod``) are the plain-int forms of
the same ideas, and the classes are built on them.

Read next: ``poly.py`` (polynomials and the NTT).
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Sequence
from typing import ClassVar, TypeVar

from zkpot_ref.errors import MalformedInput

#: BN254 scalar-field modulus r (the order of the curve's prime subgroup).
R_MODULUS = 21888242871839275222246405745257275088548364400416034343698204186575808495617
#: BN254 base-field modulus p (coordinates of curve points).
P_MODULUS = 21888242871839275222246405745257275088696311157297823662689037894645226208583

#: Every field element is encoded as this many big-endian bytes (254-bit moduli).
ELEMENT_BYTES = 32

F = TypeVar("F", bound="PrimeField")


# --------------------------------------------------------------------------------------
# Plain-int helpers (the fast forms; the classes below call them)
# --------------------------------------------------------------------------------------


# --8<-- [start:inverse_mod]
def inverse_mod(a: int, p: int) -> int:
    """Inverse of ``a`` modulo the prime ``p`` by the extended Euclidean algorithm.

    Keeps the invariant ``old_s * a = old_r (mod p)`` while running Euclid on (a, p); when
    the remainder reaches gcd = 1, ``old_s`` is the inverse. Raises ``ZeroDivisionError``
    for a = 0 mod p, like integer division by zero.
    """
    a %= p
    if a == 0:
        raise ZeroDivisionError("0 has no inverse in a field")
    # BEGIN TASK 1.1: inverse_mod, the extended Euclidean algorithm
    old_r, r = a, p
    old_s, s = 1, 0
    while r:
        q = old_r // r
        old_r, r = r, old_r - q * r
        old_s, s = s, old_s - q * s
    return old_s % p
    # END TASK 1.1

# --8<-- [end:inverse_mod]

def inverse_mod_fermat(a: int, p: int) -> int:
    """Inverse by Fermat's little theorem: a^(p-1) = 1, so a^(p-2) = a^-1 (mod prime p)."""
    if a % p == 0:
        raise ZeroDivisionError("0 has no inverse in a field")
    return pow(a, p - 2, p)


# --8<-- [start:batch_inverse]
def batch_inverse_ints(values: Sequence[int], p: int) -> list[int]:
    """Invert many non-zero values mod p with ONE inversion (Montgomery's trick).

    Prefix products ``acc_i = v_0 * ... * v_i`` are built going forward; the single inverse
    ``acc_{n-1}^-1`` is then peeled apart going backward: ``v_i^-1 = acc_{i-1} * acc_i^-1``
    and ``acc_{i-1}^-1 = acc_i^-1 * v_i``. Cost: 3(n-1) multiplications + 1 inversion.
    Zeros are not allowed (they would zero every prefix product).
    """
    n = len(values)
    if n == 0:
        return []
    prefix = [0] * n
    acc = 1
    for i, v in enumerate(values):
        if v % p == 0:
            raise ZeroDivisionError(f"batch inverse: element {i} is 0")
        acc = acc * v % p
        prefix[i] = acc
    inv_acc = inverse_mod(acc, p)
    out = [0] * n
    for i in range(n - 1, 0, -1):
        out[i] = inv_acc * prefix[i - 1] % p
        inv_acc = inv_acc * values[i] % p
    out[0] = inv_acc
    return out

# --8<-- [end:batch_inverse]

def legendre_symbol(a: int, p: int) -> int:
    """Euler's criterion: a^((p-1)/2) is 1 for non-zero squares, p-1 for non-squares, 0 for 0."""
    ls = pow(a % p, (p - 1) // 2, p)
    return -1 if ls == p - 1 else ls


def sqrt_mod(a: int, p: int) -> int | None:
    """A square root of ``a`` modulo the odd prime ``p`` (Tonelli–Shanks), or None.

    Write p - 1 = 2^s * q with q odd. Start from the guess x = a^((q+1)/2), whose "error"
    t = a^q lies in the 2-power subgroup of order 2^s. Each step multiplies x by a suitable
    power of a 2^s-th root of unity c (from a non-residue z) to halve the order of t, until
    t = 1 and x^2 = a. Returns the root ``x`` with ``x <= p - x`` (the smaller of the two),
    so the answer is deterministic.
    """
    a %= p
    if a == 0:
        return 0
    if legendre_symbol(a, p) != 1:
        return None
    if p % 4 == 3:  # shortcut (Fq is such a prime): a^((p+1)/4) squares to a
        x = pow(a, (p + 1) // 4, p)
        return min(x, p - x)
    # BEGIN TASK 1.2: sqrt_mod, Tonelli-Shanks
    s, q = 0, p - 1
    while q % 2 == 0:
        s, q = s + 1, q // 2
    z = 2
    while legendre_symbol(z, p) != -1:
        z += 1
    m, c, t, x = s, pow(z, q, p), pow(a, q, p), pow(a, (q + 1) // 2, p)
    while t != 1:
        # find the least i with t^(2^i) = 1
        i, t2 = 0, t
        while t2 != 1:
            t2, i = t2 * t2 % p, i + 1
        b = pow(c, 1 << (m - i - 1), p)
        m, c = i, b * b % p
        t, x = t * c % p, x * b % p
    return min(x, p - x)
    # END TASK 1.2


# --------------------------------------------------------------------------------------
# The readable element class
# --------------------------------------------------------------------------------------


class PrimeField:
    """An element of the prime field F_MODULUS; subclasses set ``MODULUS``.

    Elements are immutable. Arithmetic accepts another element of the *same* field or a
    plain ``int`` (taken mod p); mixing two different fields raises ``TypeError`` because
    it is always a bug.
    """

    __slots__ = ("value",)
    MODULUS: ClassVar[int]
    #: the largest s with 2^s | p - 1
    TWO_ADICITY: ClassVar[int]
    #: a generator of the multiplicative group (used for roots of unity and cosets)
    GENERATOR: ClassVar[int]

    value: int

    def __init__(self, value: int = 0) -> None:
        if isinstance(value, PrimeField):
            value = value.value
        object.__setattr__(self, "value", int(value) % self.MODULUS)

    def __setattr__(self, name: str, _: object) -> None:
        raise AttributeError(f"{type(self).__name__} elements are immutable")

    # -- coercion -------------------------------------------------------------------
    def _coerce(self, other: object) -> int:
        if type(other) is type(self):
            return other.value  # type: ignore[attr-defined]
        if isinstance(other, int):
            return other % self.MODULUS
        if isinstance(other, PrimeField):
            raise TypeError(f"cannot mix {type(self).__name__} and {type(other).__name__}")
        return NotImplemented  # type: ignore[return-value]

    def _new(self: F, value: int) -> F:
        out = object.__new__(type(self))
        object.__setattr__(out, "value", value)
        return out

    # -- arithmetic -----------------------------------------------------------------
    def __add__(self: F, other: F | int) -> F:
        o = self._coerce(other)
        if o is NotImplemented:
            return NotImplemented
        return self._new((self.value + o) % self.MODULUS)

    __radd__ = __add__

    def __sub__(self: F, other: F | int) -> F:
        o = self._coerce(other)
        if o is NotImplemented:
            return NotImplemented
        return self._new((self.value - o) % self.MODULUS)

    def __rsub__(self: F, other: int) -> F:
        o = self._coerce(other)
        if o is NotImplemented:
            return NotImplemented
        return self._new((o - self.value) % self.MODULUS)

    def __mul__(self: F, other: F | int) -> F:
        o = self._coerce(other)
        if o is NotImplemented:
            return NotImplemented
        return self._new(self.value * o % self.MODULUS)

    __rmul__ = __mul__

    def __truediv__(self: F, other: F | int) -> F:
        o = self._coerce(other)
        if o is NotImplemented:
            return NotImplemented
        return self._new(self.value * inverse_mod(o, self.MODULUS) % self.MODULUS)

    def __rtruediv__(self: F, other: int) -> F:
        o = self._coerce(other)
        if o is NotImplemented:
            return NotImplemented
        return self._new(o * inverse_mod(self.value, self.MODULUS) % self.MODULUS)

    def __pow__(self: F, exponent: int) -> F:
        # negative exponents mean powers of the inverse, as for real numbers
        if exponent < 0:
            return self._new(pow(inverse_mod(self.value, self.MODULUS), -exponent, self.MODULUS))
        return self._new(pow(self.value, exponent, self.MODULUS))

    def __neg__(self: F) -> F:
        return self._new(-self.value % self.MODULUS)

    def __eq__(self, other: object) -> bool:
        if type(other) is type(self):
            return self.value == other.value  # type: ignore[attr-defined]
        if isinstance(other, int) and not isinstance(other, bool):
            return self.value == other % self.MODULUS
        return NotImplemented

    def __hash__(self) -> int:
        return hash((type(self).__name__, self.value))

    def __int__(self) -> int:
        return self.value

    __index__ = __int__

    def __bool__(self) -> bool:
        return self.value != 0

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.value})"

    # -- field operations -----------------------------------------------------------
    def inverse(self: F) -> F:
        """Multiplicative inverse (extended Euclid); ``ZeroDivisionError`` for zero."""
        return self._new(inverse_mod(self.value, self.MODULUS))

    def sqrt(self: F) -> F | None:
        """A square root (the smaller representative), or None if this is a non-residue."""
        root = sqrt_mod(self.value, self.MODULUS)
        return None if root is None else self._new(root)

    def is_square(self) -> bool:
        """True for 0 and for quadratic residues."""
        return legendre_symbol(self.value, self.MODULUS) != -1

    # -- constructors ---------------------------------------------------------------
    @classmethod
    def zero(cls: type[F]) -> F:
        return cls(0)

    @classmethod
    def one(cls: type[F]) -> F:
        return cls(1)

    @classmethod
    def random(cls: type[F]) -> F:
        """A uniformly random element from the OS's secure random source."""
        return cls(secrets.randbelow(cls.MODULUS))

    # -- canonical encoding ---------------------------------------------------------
    def to_bytes(self) -> bytes:
        """32-byte big-endian encoding (the layout of Ethereum and snarkjs)."""
        return self.value.to_bytes(ELEMENT_BYTES, "big")

    @classmethod
    def from_bytes(cls: type[F], data: bytes) -> F:
        """Decode exactly 32 big-endian bytes; reject values >= the modulus.

        Accepting ``v + p`` as ``v`` would give one element two encodings, and a proof
        verifier that hashes encodings could then be fed two transcripts for one proof
        (malleability). So non-canonical encodings are errors, not reduced.
        """
        if not isinstance(data, (bytes, bytearray, memoryview)):
            raise MalformedInput(f"{cls.__name__}: expected bytes, got {type(data).__name__}")
        if len(data) != ELEMENT_BYTES:
            raise MalformedInput(
                f"{cls.__name__}: expected {ELEMENT_BYTES} bytes, got {len(data)}"
            )
        value = int.from_bytes(data, "big")
        if value >= cls.MODULUS:
            raise MalformedInput(
                f"{cls.__name__}: encoded value is >= the modulus (non-canonical encoding)"
            )
        return cls(value)

    @classmethod
    def from_canonical_int(cls: type[F], value: int) -> F:
        """Like the constructor, but reject integers outside [0, p) instead of reducing."""
        if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value < cls.MODULUS:
            raise MalformedInput(f"{cls.__name__}: {value!r} is not an integer in [0, modulus)")
        return cls(value)

    # -- roots of unity -------------------------------------------------------------
    @classmethod
    def root_of_unity(cls: type[F], k: int) -> F:
        """A primitive 2^k-th root of unity: GENERATOR^((p-1)/2^k).

        This is the same choice sympy's ``ntt`` makes (it uses the smallest primitive root
        of p, which for r is 5), so our NTT and sympy's agree value for value.
        """
        if not 0 <= k <= cls.TWO_ADICITY:
            raise MalformedInput(
                f"{cls.__name__} has 2^k-th roots of unity only for 0 <= k <= {cls.TWO_ADICITY}"
            )
        return cls(pow(cls.GENERATOR, (cls.MODULUS - 1) >> k, cls.MODULUS))


class Fr(PrimeField):
    """The BN254 scalar field (order of the curve's prime subgroup)."""

    __slots__ = ()
    MODULUS = R_MODULUS
    TWO_ADICITY = 28
    GENERATOR = 5


class Fq(PrimeField):
    """The BN254 base field (coordinates of curve points). p = 3 mod 4, p - 1 = 2 * odd."""

    __slots__ = ()
    MODULUS = P_MODULUS
    TWO_ADICITY = 1
    GENERATOR = 3


def batch_inverse(elements: Iterable[F]) -> list[F]:
    """Invert a list of non-zero field elements with one inversion (Montgomery's trick)."""
    elems = list(elements)
    if not elems:
        return []
    field = type(elems[0])
    inverses = batch_inverse_ints([e.value for e in elems], field.MODULUS)
    return [field(v) for v in inverses]
