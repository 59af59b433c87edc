"""Big prime fields on arrays: 254-bit Fr and Fq as eight 32-bit limbs per element.

Lesson. A vector unit multiplies machine words, not 254-bit numbers, so an array of field
elements is stored *limb-major*: shape ``(8, n)``, row k holding limb k (bits 32k..32k+31)
of every element. Each row is a contiguous vector the CPU (or an accelerator) sweeps in
lock step; the same instruction stream computes n products at once.

Limb bound. A limb is < 2^32 and sits in a uint64, so one limb product a_i * b_j is exact
(< 2^64). The product is split at once into its low and high 32-bit halves, which are
added into their columns *without propagating carries*: a column receives at most 2 * 8
halves (< 2^36) per operand product, and in Montgomery's interleaved reduction (CIOS,
Koç–Acar–Kaliski 1996) at most ~40 terms over its life (< 2^38), so the uint64 accumulator
never overflows and carries are settled once per row shift, not once per product.

Montgomery form is only used where it pays: the NTT keeps data in normal form and stores
its *constants* as w * 2^256, so ``mont_mul(x, w*2^256) = x * w`` with no conversion at the
boundary. Values are kept lazily reduced in [0, 2m) (m the modulus): with m < 2^254 and
R = 2^256, inputs < 2m give a Montgomery product < 2m, so the final subtraction is done
once (``canonical``) when results leave the array world.

Carry chains (addition, subtraction, the last normalisation) run as ``lax.scan`` over the
8 limbs. Written as unrolled Python, XLA's CPU fusion re-computes shared sub-expressions
and one multiplication took seconds (measured, docs/fastpath.md). Large arrays are cut
into chunks of ``CHUNK`` elements (``lax.map``) so a product's working set stays in cache.

64-bit integers are switched on only inside the fast path (``x64()``): the FL training in
``zkpot_ref/fl`` keeps JAX's 32-bit defaults.

Read next: ``ntt.py``.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

import jax
import jax.numpy as jnp
import numpy as np

from zkpot_ref.field import P_MODULUS, R_MODULUS

LIMB_BITS = 32
LIMBS = 8
MASK = (1 << LIMB_BITS) - 1
MONT_R = 1 << (LIMB_BITS * LIMBS)
#: elements per chunk of a product (working set 9 x 512 x 8 bytes: fits L2)
CHUNK = 512


@contextlib.contextmanager
def x64() -> Iterator[None]:
    """64-bit integers for the duration of a fast-path call (JAX's default is 32-bit)."""
    with jax.enable_x64(True):
        yield


def split(value: int) -> np.ndarray:
    """The 8 little-endian 32-bit limbs of ``value`` < 2^256 (uint64)."""
    return np.array([(value >> (LIMB_BITS * k)) & MASK for k in range(LIMBS)], dtype=np.uint64)


@dataclass(frozen=True)
class FieldSpec:
    """A prime modulus m < 2^254 and the constants of Montgomery arithmetic mod m."""

    modulus: int
    limbs: np.ndarray = field(init=False, repr=False, compare=False)
    twice: np.ndarray = field(init=False, repr=False, compare=False)
    n_prime: int = field(init=False, repr=False)
    r2: int = field(init=False, repr=False)

    def __post_init__(self) -> None:
        if not 2 < self.modulus < 1 << 254:
            raise ValueError("lazy reduction needs a modulus below 2^254")
        object.__setattr__(self, "limbs", split(self.modulus))
        object.__setattr__(self, "twice", split(2 * self.modulus))
        object.__setattr__(self, "n_prime", (-pow(self.modulus, -1, 1 << LIMB_BITS)) & MASK)
        object.__setattr__(self, "r2", MONT_R * MONT_R % self.modulus)

    def mont(self, value: int) -> int:
        """value * 2^256 mod m: the Montgomery form of a constant."""
        return value * MONT_R % self.modulus


FR = FieldSpec(R_MODULUS)
FQ = FieldSpec(P_MODULUS)


# -- the boundary: Python ints <-> limb arrays (the only per-element Python work) ---------
def to_limbs(values: Sequence[int], modulus: int) -> np.ndarray:
    """``(8, n)`` uint64 limbs of ``v mod modulus`` for each value (n may be 0)."""
    data = b"".join((v % modulus).to_bytes(32, "little") for v in values)
    words = np.frombuffer(data, dtype="<u4").reshape(len(values), LIMBS)
    return np.ascontiguousarray(words.T).astype(np.uint64)


def from_limbs(array: np.ndarray | jax.Array) -> list[int]:
    """The ints of a normalised ``(8, n)`` limb array (every limb < 2^32)."""
    data = np.ascontiguousarray(np.asarray(array).T).astype("<u4").tobytes()
    return [int.from_bytes(data[32 * i:32 * i + 32], "little") for i in range(len(data) // 32)]


# -- elementwise arithmetic on (8, n) arrays (call under x64(), usually inside jit) -------
def _u(value: int) -> jax.Array:
    return jnp.asarray(value, dtype=jnp.uint64)


def _column(values: np.ndarray) -> jax.Array:
    return jnp.asarray(values, dtype=jnp.uint64)[:, None]


def _mont_mul_block(a: jax.Array, b: jax.Array, spec: FieldSpec) -> jax.Array:
    """a * b * 2^-256 mod m for a, b < 2m (result < 2m), CIOS: one scan step per limb of a.

    Step i adds a_i * b and m_i * modulus to the running total T (9 lazy rows), where
    m_i = T_0 * (-modulus^-1) mod 2^32 makes the lowest row divisible by 2^32; the row
    is then dropped (the division by 2^32), its carry moved up.
    """
    n = a.shape[-1]
    mask, n_prime, modulus = _u(MASK), _u(spec.n_prime), _column(spec.limbs)

    def accumulate(t: jax.Array, product: jax.Array) -> jax.Array:
        low = jnp.pad(product & mask, ((0, 1), (0, 0)))
        high = jnp.pad(product >> LIMB_BITS, ((1, 0), (0, 0)))
        return t + low + high

    def step(t: jax.Array, a_i: jax.Array) -> tuple[jax.Array, None]:
        t = accumulate(t, a_i[None] * b)
        m_i = (t[0] * n_prime) & mask
        t = accumulate(t, m_i[None] * modulus)
        t = jnp.concatenate([t[1:2] + (t[0] >> LIMB_BITS)[None], t[2:],
                             jnp.zeros((1, n), jnp.uint64)])
        return t, None

    t, _ = jax.lax.scan(step, jnp.zeros((LIMBS + 1, n), jnp.uint64), a)
    return normalise(t[:LIMBS])


def mont_mul(a: jax.Array, b: jax.Array, spec: FieldSpec) -> jax.Array:
    """Montgomery product of two ``(8, n)`` arrays (b may be ``(8, 1)``: a constant)."""
    n = a.shape[-1]
    if n <= CHUNK or n % CHUNK:
        return _mont_mul_block(a, jnp.broadcast_to(b, a.shape), spec)
    chunks = n // CHUNK

    def cut(x: jax.Array) -> jax.Array:
        return jnp.broadcast_to(x, a.shape).reshape(LIMBS, chunks, CHUNK).transpose(1, 0, 2)

    out = jax.lax.map(lambda ab: _mont_mul_block(ab[0], ab[1], spec), (cut(a), cut(b)))
    return out.transpose(1, 0, 2).reshape(LIMBS, n)


def normalise(t: jax.Array) -> jax.Array:
    """Settle lazy carries: rows < 2^63 in, limbs < 2^32 out (the top carry must be 0)."""
    def step(carry: jax.Array, row: jax.Array) -> tuple[jax.Array, jax.Array]:
        v = row + carry
        return v >> LIMB_BITS, v & _u(MASK)

    _, out = jax.lax.scan(step, jnp.zeros(t.shape[1:], jnp.uint64), t)
    return out


def _combine(a: jax.Array, b: jax.Array, offset: np.ndarray, sign: int,
             subtract: np.ndarray) -> jax.Array:
    """(a + sign*b + offset) minus ``subtract`` when that stays >= 0, in one carry scan.

    Signed 64-bit limbs: an arithmetic shift floors, so negative carries (borrows) work.
    """
    subtract_rows = jnp.asarray(subtract.astype(np.int64))
    offset_rows = jnp.asarray(offset.astype(np.int64))
    zero = jnp.zeros(a.shape[1:], jnp.int64)

    def step(state: tuple[jax.Array, jax.Array], limb: tuple[jax.Array, ...]
             ) -> tuple[tuple[jax.Array, jax.Array], tuple[jax.Array, jax.Array]]:
        carry, borrow = state
        a_k, b_k, o_k, s_k = limb
        total = a_k + sign * b_k + o_k + carry
        low = total & MASK
        diff = low - s_k + borrow
        return (total >> LIMB_BITS, diff >> LIMB_BITS), (low, diff & MASK)

    limbs = (a.astype(jnp.int64), b.astype(jnp.int64), offset_rows, subtract_rows)
    (_, borrow), (total, diff) = jax.lax.scan(step, (zero, zero), limbs)
    keep = borrow < 0  # the subtraction went negative: keep the plain total
    return jnp.where(keep[None], total, diff).astype(jnp.uint64)


def add_sub(a: jax.Array, b: jax.Array, spec: FieldSpec) -> tuple[jax.Array, jax.Array]:
    """(a + b, a - b) mod m in [0, 2m): ``add`` and ``sub`` sharing one carry scan."""
    twice = jnp.asarray(spec.twice.astype(np.int64))
    zero = jnp.zeros(a.shape[1:], jnp.int64)

    def step(state: tuple[jax.Array, ...], limb: tuple[jax.Array, ...]
             ) -> tuple[tuple[jax.Array, ...], tuple[jax.Array, ...]]:
        c_sum, b_sum, c_dif, b_dif = state
        a_k, b_k, t_k = limb
        total = a_k + b_k + c_sum
        low_sum = total & MASK
        red_sum = low_sum - t_k + b_sum
        delta = a_k - b_k + t_k + c_dif
        low_dif = delta & MASK
        red_dif = low_dif - t_k + b_dif
        return ((total >> LIMB_BITS, red_sum >> LIMB_BITS, delta >> LIMB_BITS,
                 red_dif >> LIMB_BITS), (low_sum, red_sum & MASK, low_dif, red_dif & MASK))

    state, rows = jax.lax.scan(step, (zero,) * 4, (a.astype(jnp.int64), b.astype(jnp.int64),
                                                   twice))
    plus = jnp.where((state[1] < 0)[None], rows[0], rows[1]).astype(jnp.uint64)
    minus = jnp.where((state[3] < 0)[None], rows[2], rows[3]).astype(jnp.uint64)
    return plus, minus


def add(a: jax.Array, b: jax.Array, spec: FieldSpec) -> jax.Array:
    """a + b mod m, inputs and output in [0, 2m)."""
    return _combine(a, b, np.zeros(LIMBS, np.uint64), 1, spec.twice)


def sub(a: jax.Array, b: jax.Array, spec: FieldSpec) -> jax.Array:
    """a - b mod m, inputs and output in [0, 2m) (adds 2m first, so nothing goes negative)."""
    return _combine(a, b, spec.twice, -1, spec.twice)


def neg(a: jax.Array, spec: FieldSpec) -> jax.Array:
    """-a mod m in [0, 2m)."""
    return sub(jnp.zeros_like(a), a, spec)


def canonical(a: jax.Array, spec: FieldSpec) -> jax.Array:
    """[0, 2m) -> [0, m): the one final subtraction lazy reduction put off."""
    zero = jnp.zeros_like(a)
    return _combine(a, zero, np.zeros(LIMBS, np.uint64), 1, spec.limbs)


def constant(value: int, spec: FieldSpec, *, montgomery: bool = True) -> jax.Array:
    """A ``(8, 1)`` constant, by default in Montgomery form (value * 2^256 mod m)."""
    return _column(split(spec.mont(value) if montgomery else value % spec.modulus))


def to_mont(a: jax.Array, spec: FieldSpec) -> jax.Array:
    """x -> x * 2^256 mod m (a Montgomery product with 2^512 mod m)."""
    return mont_mul(a, constant(spec.r2, spec, montgomery=False), spec)


def from_mont(a: jax.Array, spec: FieldSpec) -> jax.Array:
    """x * 2^256 -> x, canonical in [0, m)."""
    return canonical(mont_mul(a, constant(1, spec, montgomery=False), spec), spec)


def power(a: jax.Array, exponent: int, spec: FieldSpec) -> jax.Array:
    """a^exponent for Montgomery-form a (square-and-multiply, one fixed bit schedule)."""
    bits = jnp.asarray([int(b) for b in bin(exponent)[2:]], dtype=jnp.int32)

    def step(y: jax.Array, bit: jax.Array) -> tuple[jax.Array, None]:
        y = mont_mul(y, y, spec)
        return jnp.where(bit == 1, mont_mul(y, a, spec), y), None

    one = jnp.broadcast_to(constant(1, spec), a.shape)
    y, _ = jax.lax.scan(step, one, bits)
    return y


#: lanes of the blocked batch inversion (rows are scanned, lanes run side by side)
LANES = 256


def batch_inverse_mont(a: jax.Array, spec: FieldSpec) -> jax.Array:
    """Inverses of non-zero Montgomery-form elements with Montgomery's trick, blocked.

    The n elements are laid out as rows of ``LANES``; a forward scan keeps one running
    product per lane, ``LANES`` totals are inverted by Fermat (a^(m-2), side by side),
    and a backward scan peels them apart: 3n products + 381 products of ``LANES`` width.
    """
    n = a.shape[-1]
    lanes = min(LANES, max(n, 1))
    rows = -(-n // lanes)
    one = constant(1, spec)
    padded = jnp.concatenate([a, jnp.broadcast_to(one, (LIMBS, rows * lanes - n))], axis=1)
    grid = padded.reshape(LIMBS, rows, lanes).transpose(1, 0, 2)

    def forward(acc: jax.Array, row: jax.Array) -> tuple[jax.Array, jax.Array]:
        return mont_mul(acc, row, spec), acc  # emit the product *before* this row

    start = jnp.broadcast_to(one, (LIMBS, lanes))
    total, before = jax.lax.scan(forward, start, grid)
    inv_total = power(total, spec.modulus - 2, spec)

    def backward(inv_acc: jax.Array, row_before: tuple[jax.Array, jax.Array]
                 ) -> tuple[jax.Array, jax.Array]:
        row, prefix = row_before
        return mont_mul(inv_acc, row, spec), mont_mul(inv_acc, prefix, spec)

    _, out = jax.lax.scan(backward, inv_total, (grid, before), reverse=True)
    return out.transpose(1, 0, 2).reshape(LIMBS, rows * lanes)[:, :n]


# -- boundary-level conveniences (ints in, ints out) --------------------------------------
@jax.jit
def _inverse_fr(a: jax.Array) -> jax.Array:
    return from_mont(batch_inverse_mont(to_mont(a, FR), FR), FR)


@jax.jit
def _inverse_fq(a: jax.Array) -> jax.Array:
    return from_mont(batch_inverse_mont(to_mont(a, FQ), FQ), FQ)


def batch_inverse(values: Sequence[int], spec: FieldSpec = FR) -> list[int]:
    """Like ``zkpot_ref.field.batch_inverse_ints``: the inverses, ZeroDivisionError on 0."""
    for i, v in enumerate(values):
        if v % spec.modulus == 0:
            raise ZeroDivisionError(f"batch inverse: element {i} is 0")
    if not values:
        return []
    with x64():
        limbs = jnp.asarray(to_limbs(values, spec.modulus))
        out = (_inverse_fr if spec is FR else _inverse_fq)(limbs)
        return from_limbs(out)
