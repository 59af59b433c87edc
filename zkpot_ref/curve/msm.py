"""Multi-scalar multiplication sum_i k_i P_i: Pippenger's bucket method.

Lesson. A KZG commitment to a polynomial of degree n is an MSM of size n + 1 over G1,
so the PLONK prover spends most of its time here. Computed naively (``msm_naive``), each
k_i P_i costs ~254 doublings and ~51 additions: ~305 group operations per point.

Pippenger's idea ("On the evaluation of powers and related problems", FOCS 1976; the
form used by every SNARK library): cut each 254-bit scalar into windows of c bits,

    k_i = sum_j d_ij 2^(c j),     so     sum_i k_i P_i = sum_j 2^(c j) * W_j,
    W_j = sum_i d_ij P_i = sum_{b >= 1} b * B_{j,b},   B_{j,b} = sum_{i: d_ij = b} P_i.

1. *Buckets*: put each P_i into the bucket B_{j,b} of its digit: n additions per window
   (exactly n minus the number of non-empty buckets).
2. *Aggregation*: sum_b b B_b with a running sum, from the top bucket down (S += B_b;
   W += S): two additions per bucket, 2 * 2^(c-1) per window, and no multiplications.
3. *Windows*: combine W_j by Horner's rule with c doublings between windows.

*Signed digits* d in [-2^(c-1), 2^(c-1)] (a digit above half borrows one from the next
window, ``signed_digits``) halve the buckets: a negative digit adds -P_i, which is free.
The cost is then ~ (254/c)(n + 2^(c-1)) additions instead of ~305 n group operations:
with n = 4096 and c = 10 about 120,000 additions against 1.25 million.

``msm_generic`` is this textbook algorithm on the point classes' own + and double; it
serves G2 and is the readable reference. ``msm`` sends G1 inputs to the batch-affine
version in ``msm_batch_affine.py`` (same buckets; affine additions that share one
inversion per batch), which is what makes the method pay in Python: see there.

Read next: ``eip197.py`` (the Ethereum precompiles, built on these operations).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypeVar

from zkpot_ref.curve.g1 import G1
from zkpot_ref.curve.g2 import G2
from zkpot_ref.curve.msm_batch_affine import msm_g1_batch_affine, windows_for
from zkpot_ref.curve.points import JacobianPoint
from zkpot_ref.errors import MalformedInput
from zkpot_ref.field import R_MODULUS

Pt = TypeVar("Pt", bound=JacobianPoint)

#: cost of one bucket in "addition equivalents", fitted to measurements (see window_bits)
BUCKET_COST = 3


def msm_naive(points: Sequence[Pt], scalars: Sequence[int]) -> Pt:
    """sum_i k_i P_i one scalar multiplication at a time (for teaching and testing)."""
    group = _check_inputs(points, scalars)
    acc = group.identity()
    for p, k in zip(points, scalars, strict=True):
        acc = acc + p * k
    return acc


def window_cost(n: int, c: int) -> int:
    """Estimated work of Pippenger on n points with c-bit signed windows, in additions.

    windows_for(c) windows, each with n - B bucket additions (B = 2^(c-1) buckets, all
    used when n >> B), 2B aggregation additions, and per-bucket bookkeeping of the batch
    rounds worth about one addition more: n + BUCKET_COST * B. (The plain count n + B
    prefers windows one bit too wide; the constant 3 reproduces the measured best c at
    n = 2^8 .. 2^14, table in docs/curve_msm.md.)
    """
    return windows_for(c) * (n + BUCKET_COST * (1 << (c - 1)))


def window_bits(n: int) -> int:
    """The window width c that minimises ``window_cost`` for n points (2 <= c <= 16)."""
    return min(range(2, 17), key=lambda c: window_cost(n, c))


def signed_digits(k: int, c: int) -> list[int]:
    """Digits d_j in [-2^(c-1), 2^(c-1)] with k = sum_j d_j 2^(c j), least significant first."""
    half, full, mask = 1 << (c - 1), 1 << c, (1 << c) - 1
    digits = []
    while k:
        d = k & mask
        k >>= c
        if d > half:  # borrow: d - 2^c now, one more unit in the next window
            d -= full
            k += 1
        digits.append(d)
    return digits


def msm(points: Sequence[Pt], scalars: Sequence[int]) -> Pt:
    """sum_i k_i P_i by Pippenger's method; scalars are reduced mod r.

    All points must be of one group (G1 or G2); an empty input gives the G1 identity.
    G1 goes to the batch-affine version, G2 to the textbook ``msm_generic``.
    """
    group = _check_inputs(points, scalars)
    if group is G1:
        c = window_bits(len(points))
        return msm_g1_batch_affine(points, scalars, c)  # type: ignore[arg-type,return-value]
    return msm_generic(points, scalars)


# --8<-- [start:msm_generic]
def msm_generic(points: Sequence[Pt], scalars: Sequence[int]) -> Pt:
    """Pippenger with signed digits on the point classes' own + and double (G1 or G2)."""
    group = _check_inputs(points, scalars)
    c = window_bits(len(points))
    nbuckets = 1 << (c - 1)
    digit_rows = [signed_digits(k % R_MODULUS, c) for k in scalars]
    windows = max((len(row) for row in digit_rows), default=0)
    result = group.identity()
    for j in reversed(range(windows)):
        for _ in range(c):  # Horner: result = 2^c * result + W_j
            result = result.double()
        # BEGIN TASK 2.4: Pippenger's buckets and running sum
        buckets = [group.identity() for _ in range(nbuckets + 1)]
        for p, row in zip(points, digit_rows, strict=True):
            if j < len(row) and row[j]:
                d = row[j]
                buckets[abs(d)] = buckets[abs(d)] + (p if d > 0 else -p)
        running, window_sum = group.identity(), group.identity()
        for b in range(nbuckets, 0, -1):  # sum_b b * B_b as a running sum
            running = running + buckets[b]
            window_sum = window_sum + running
        result = result + window_sum
        # END TASK 2.4
    return result

# --8<-- [end:msm_generic]

def _check_inputs(points: Sequence[Pt], scalars: Sequence[int]) -> type:
    """The common group of the points (G1 for an empty input); MalformedInput otherwise."""
    if len(points) != len(scalars):
        raise MalformedInput(f"msm: {len(points)} points but {len(scalars)} scalars")
    if not points:
        return G1
    group = type(points[0])
    if group not in (G1, G2) or any(type(p) is not group for p in points):
        raise MalformedInput("msm: points must all be G1 or all be G2 points")
    if any(not isinstance(k, int) or isinstance(k, bool) for k in scalars):
        raise MalformedInput("msm: scalars must be integers")
    return group
