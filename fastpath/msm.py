"""G1 multi-scalar multiplication on limb arrays: complete additions, sorted buckets.

Lesson. A vector unit wants every lane to run the same instructions, so the point
addition must have no branches: the complete projective formulas of Renes–Costello–Batina
(eprint 2015/1060, Algorithm 7, a = 0, b3 = 3b = 9) add any two points — equal, opposite,
or the identity (0 : 1 : 0) — with the same 12 multiplications (plus 2 by b3). Here the
14 products are issued as three batched ``mont_mul`` calls (6, 2 and 6 products side by
side), the dependency levels of Algorithm 7.

Buckets without scatter. Pippenger's method (see ``zkpot_ref/curve/msm.py``) adds each
point into the bucket of its c-bit digit; on a vector machine many lanes would write the
same bucket at once. Instead, per window: sort the points by digit (a permutation worked
out on the host), take the running sums of the sorted points (a blocked scan: lanes run
over contiguous blocks side by side, then the lane totals are chained), and read
E_b = "sum of the points with digit <= b" at each bucket boundary. The window sum is then

    sum_i d_i P_i = sum_{b=1}^{2^c - 1} (sum of points with digit >= b)
                  = sum_{b=0}^{2^c - 2} (Total - E_b),

one more blocked sum. Work: about 2n + 2^c additions per window, ceil(254 / c) windows;
the windows are combined on the host with the reference's doublings (Horner).

Read next: ``witness.py`` (the ZKPoT witness, vectorized over the test set).
"""

from __future__ import annotations

from collections.abc import Sequence

import jax
import jax.numpy as jnp
import numpy as np

from fastpath.field import (
    FQ,
    LIMBS,
    add,
    constant,
    from_limbs,
    from_mont,
    mont_mul,
    neg,
    sub,
    to_limbs,
    to_mont,
    x64,
)
from zkpot_ref.curve import G1
from zkpot_ref.errors import MalformedInput
from zkpot_ref.field import P_MODULUS, R_MODULUS, inverse_mod

P = P_MODULUS
B3 = 9
#: lanes of the blocked scans
LANES = 64
SCALAR_BITS = 254


def point_add(p: jax.Array, q: jax.Array) -> jax.Array:
    """RCB 2015/1060 Algorithm 7 on ``(3, 8, w)`` projective Montgomery-form arrays."""
    x1, y1, z1 = p[0], p[1], p[2]
    x2, y2, z2 = q[0], q[1], q[2]
    w = x1.shape[-1]

    def mul_many(pairs: list[tuple[jax.Array, jax.Array]]) -> list[jax.Array]:
        left = jnp.concatenate([a for a, _ in pairs], axis=1)
        right = jnp.concatenate([b for _, b in pairs], axis=1)
        out = mont_mul(left, right, FQ)
        return [out[:, i * w:(i + 1) * w] for i in range(len(pairs))]

    def plus(a: jax.Array, b: jax.Array) -> jax.Array:
        return add(a, b, FQ)

    t0, t1, t2, t3, t4, xz = mul_many([(x1, x2), (y1, y2), (z1, z2), (plus(x1, y1), plus(x2, y2)),
                                       (plus(y1, z1), plus(y2, z2)),
                                       (plus(x1, z1), plus(x2, z2))])
    t3 = sub(t3, plus(t0, t1), FQ)          # X1Y2 + X2Y1
    t4 = sub(t4, plus(t1, t2), FQ)          # Y1Z2 + Y2Z1
    y3 = sub(xz, plus(t0, t2), FQ)          # X1Z2 + X2Z1
    t0 = plus(plus(t0, t0), t0)             # 3 X1X2
    b3 = jnp.broadcast_to(constant(B3, FQ), (LIMBS, w))
    t2, y3 = mul_many([(b3, t2), (b3, y3)])
    z3 = plus(t1, t2)
    t1 = sub(t1, t2, FQ)
    x3, t2, y3, t1, t0, z3 = mul_many([(t4, y3), (t3, t1), (y3, t0), (t1, z3), (t0, t3),
                                       (z3, t4)])
    return jnp.stack([sub(t2, x3, FQ), plus(t1, y3), plus(z3, t0)])


def _identity(width: int) -> jax.Array:
    one = jnp.broadcast_to(constant(1, FQ), (LIMBS, width))
    zero = jnp.zeros((LIMBS, width), jnp.uint64)
    return jnp.stack([zero, one, zero])


def prefix_sums(points: jax.Array) -> tuple[jax.Array, jax.Array]:
    """Running sums and the total of ``(3, 8, m)`` points, m a multiple of ``LANES``.

    Lane l owns the block [l K, (l+1) K): a scan over K steps adds one point per lane, all
    lanes at once; then a scan over the lanes chains the block totals (the offsets), and
    one more vector addition adds each block's offset to its running sums.
    """
    m = points.shape[-1]
    lanes = min(LANES, m)
    steps = m // lanes
    grid = points.reshape(3, LIMBS, lanes, steps).transpose(3, 0, 1, 2)

    def run(acc: jax.Array, p: jax.Array) -> tuple[jax.Array, jax.Array]:
        acc = point_add(acc, p)
        return acc, acc

    totals, local = jax.lax.scan(run, _identity(lanes), grid)

    def chain(acc: jax.Array, p: jax.Array) -> tuple[jax.Array, jax.Array]:
        return point_add(acc, p), acc  # emit the sum of the blocks *before* this one

    total, offsets = jax.lax.scan(chain, _identity(1), totals.transpose(2, 0, 1)[..., None])
    offsets = offsets[..., 0].transpose(1, 2, 0)  # (3, 8, lanes)
    shifted = point_add(local.transpose(1, 2, 3, 0).reshape(3, LIMBS, m),
                        jnp.repeat(offsets, steps, axis=2))
    return shifted, total


@jax.jit
def _window_sum(points: jax.Array, order: jax.Array, boundaries: jax.Array) -> jax.Array:
    """sum_i d_i P_i for one window: the sorted prefix sums read at the bucket boundaries."""
    prefix, total = prefix_sums(jnp.take(points, order, axis=2))
    extended = jnp.concatenate([_identity(1), prefix], axis=2)  # E for "no point yet"
    below = jnp.take(extended, boundaries, axis=2)                # E_b, b = 0 .. 2^c - 2
    tops = jnp.broadcast_to(total, below.shape)
    minus = jnp.stack([below[0], neg(below[1], FQ), below[2]])
    _, window = prefix_sums(point_add(tops, minus))
    return jnp.stack([from_mont(window[i], FQ) for i in range(3)])


def window_bits(n: int) -> int:
    """c minimising ceil(254 / c) * (2n + 2^c) (the additions above), 2 <= c <= 16."""
    return min(range(2, 17), key=lambda c: -(-SCALAR_BITS // c) * (2 * n + (1 << c)))


def _round_up(m: int, lanes: int = LANES) -> int:
    return max(lanes, -(-m // lanes) * lanes)


#: the identity in projective coordinates
IDENTITY = (0, 1, 0)


def _to_device(points: Sequence[G1], size: int) -> jax.Array:
    """Jacobian (x, y, z) -> projective (x z, y, z^3) in Montgomery form, padded with O."""
    coords: list[list[int]] = [[], [], []]
    for pt in points:
        x, y, z = (int(pt.x), int(pt.y), int(pt.z))
        row = IDENTITY if z % P == 0 else (x * z % P, y % P, z * z * z % P)
        for k in range(3):
            coords[k].append(row[k])
    for k, pad in enumerate(IDENTITY):
        coords[k].extend([pad] * (size - len(points)))
    stacked = jnp.stack([jnp.asarray(to_limbs(c, P)) for c in coords])
    return jax.jit(lambda a: jnp.stack([to_mont(a[i], FQ) for i in range(3)]))(stacked)


def _digits(scalars: Sequence[int], size: int, c: int) -> np.ndarray:
    """``(windows, size)`` c-bit digits of the scalars mod r (zero digits for the padding)."""
    limbs = np.zeros((LIMBS + 1, size), dtype=np.uint64)
    limbs[:LIMBS, :len(scalars)] = to_limbs(scalars, R_MODULUS)
    windows = -(-SCALAR_BITS // c)
    out = np.zeros((windows, size), dtype=np.int64)
    for j in range(windows):
        q, o = divmod(c * j, 32)
        value = limbs[q] >> np.uint64(o)
        if q + 1 <= LIMBS and o + c > 32:
            value |= limbs[q + 1] << np.uint64(32 - o)
        out[j] = (value & np.uint64((1 << c) - 1)).astype(np.int64)
    return out


def msm(points: Sequence[G1], scalars: Sequence[int]) -> G1:
    """sum_i scalars[i] * points[i] (scalars mod r), equal to ``zkpot_ref.curve.msm``."""
    if len(points) != len(scalars):
        raise MalformedInput(f"{len(points)} points but {len(scalars)} scalars")
    if not points:
        return G1.identity()
    if any(not isinstance(p, G1) for p in points):
        raise MalformedInput("the fast MSM takes G1 points only")
    n = len(points)
    c = window_bits(n)
    size = _round_up(n)
    buckets = _round_up((1 << c) - 1)
    digits = _digits(scalars, size, c)
    result = G1.identity()
    with x64():
        device_points = _to_device(points, size)
        for row in reversed(digits):
            for _ in range(c):
                result = result.double()
            order = np.argsort(row, kind="stable").astype(np.int32)
            counts = np.searchsorted(row[order], np.arange((1 << c) - 1), side="right")
            boundaries = np.full(buckets, size, dtype=np.int32)  # padding: Total - Total = O
            boundaries[:len(counts)] = counts
            window = _window_sum(device_points, jnp.asarray(order), jnp.asarray(boundaries))
            xyz = from_limbs(np.asarray(window).reshape(3, LIMBS).T)
            result = result + _from_projective(*xyz)
    return result


def _from_projective(x: int, y: int, z: int) -> G1:
    if z == 0:
        return G1.identity()
    zinv = inverse_mod(z, P)
    return G1(x * zinv % P, y * zinv % P, 1)
