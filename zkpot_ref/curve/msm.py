"""Multi-scalar multiplication sum_i k_i P_i: Pippenger's bucket method.

Lesson 3.9. A KZG commitment to a polynomial of degree n is an MSM of size n + 1 over G1,
so the PLONK prover spends most of its time here. Computed naively (``msm_naive``), each
k_i P_i costs ~254 doublings and ~51 additions.

Pippenger's idea ("On the evaluation of powers and related problems", FOCS 1976; the
form used by every SNARK library): cut each 254-bit scalar into windows of c bits,

    k_i = sum_j d_ij 2^(c j),     so     sum_i k_i P_i = sum_j 2^(c j) * W_j,
    W_j = sum_i d_ij P_i = sum_{b >= 1} b * B_{j,b},   B_{j,b} = sum_{i: d_ij = b} P_i.

1. *Buckets*: put each P_i into the bucket B_{j,b} of its digit: n additions per window.
2. *Aggregation*: sum_b b B_b with a running sum, from the top bucket down (S += B_b;
   W += S): two additions per bucket, 2 * 2^c per window, and no multiplications.
3. *Windows*: combine W_j by Horner's rule with c doublings between windows.

With signed digits (below) the cost is ~ (255/c) (n + 2^c) additions instead of ~305 n
group operations: with n = 4096 and c = 9 about 130,000 additions against 1.25 million.
Refinements, in the order they pay off:

- *signed digits* d in [-2^(c-1), 2^(c-1)] (a digit above half borrows one from the next
  window): a negative digit adds -P_i, which is free, so only 2^(c-1) buckets are needed;
- *batch-affine additions* (G1): the additions inside a round are independent, so we do
  them in affine coordinates and invert all the denominators x2 - x1 at once with
  Montgomery's trick (``field.batch_inverse_ints``, written out inline in the hot loop).
  An affine addition then costs 6 multiplications instead of the ~16 of a Jacobian one.
  Bucket sums proceed in rounds that add the points of every bucket in pairs; the
  aggregation runs the running sums of *all windows* side by side, one batch per bucket.

Why not more? In CPython a 254-bit multiplication plus reduction costs hundreds of
nanoseconds, so the count of modular multiplications is the whole story: the naive sum
needs ~5,400 of them per point (254 Jacobian doublings, ~51 additions), Pippenger here
~380 per point at n = 4096 plus interpreter overhead: ~10x, measured by
``benchmarks/curve.py``. (GLV endomorphism splitting halves the scalars but doubles the
points, so it does not reduce the bucket work. Dealing the windows to two forked processes
was tried and dropped: on the shared 2-core machines it was slower, 1.4 s against 1.1 s
at n = 4096.)

``msm_generic`` is the plain algorithm on the point classes (it also serves G2);
``msm`` dispatches G1 inputs to the plain-int batch-affine version ``_msm_g1``.

Read next: ``eip197.py``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypeVar

from zkpot_ref.curve.g1 import G1, g1_add, g1_double
from zkpot_ref.curve.g2 import G2
from zkpot_ref.curve.points import Jac, JacobianPoint
from zkpot_ref.errors import MalformedInput
from zkpot_ref.field import P_MODULUS, R_MODULUS, batch_inverse_ints, inverse_mod

P = P_MODULUS
Pt = TypeVar("Pt", bound=JacobianPoint)
Affine = tuple[int, int]


def msm_naive(points: Sequence[Pt], scalars: Sequence[int]) -> Pt:
    """sum_i k_i P_i one scalar multiplication at a time (for teaching and testing)."""
    group = _check_inputs(points, scalars)
    acc = group.identity()
    for p, k in zip(points, scalars, strict=True):
        acc = acc + p * k
    return acc


def window_bits(n: int) -> int:
    """The window width c for n points: about (3/4) log2(n), measured best at n = 2^8, 2^10,
    2^12 (c = 6, 8, 9); the cost (255/c)(n + 2^c) is flat near its minimum."""
    if n < 16:
        return 3
    return max(4, min(16, (3 * (n.bit_length() - 1) + 2) // 4))


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
    """
    group = _check_inputs(points, scalars)
    if group is G1:
        return _msm_g1(points, scalars)  # type: ignore[arg-type,return-value]
    return msm_generic(points, scalars)


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
    return result


# --------------------------------------------------------------------------------------
# The G1 fast path: plain ints, batch-affine bucket sums
# --------------------------------------------------------------------------------------


def _sum_buckets_affine(buckets: list[list[tuple[int, int]]]) -> None:
    """Reduce every bucket (a list of affine points) to at most one point, in place.

    Each round adds the points of every bucket in pairs; all slopes of a round share one
    inversion (Montgomery's trick, written out inline: this loop is the MSM's hot spot).
    P + P uses the tangent slope 3x^2 / 2y, and P + (-P) drops both points.
    """
    active = [b for b, pts in enumerate(buckets) if len(pts) > 1]
    while active:
        # forward: slope numerators/denominators and the running product of denominators
        jobs = []  # (output list, x1, y1, x2, numerator, denominator, product before it)
        acc = 1
        for b in active:
            pts = buckets[b]
            out = [pts[-1]] if len(pts) & 1 else []
            buckets[b] = out
            pairs = iter(pts)
            for (x1, y1), (x2, y2) in zip(pairs, pairs):
                if x1 != x2:
                    num, den = y2 - y1, x2 - x1
                elif y1 == y2:  # doubling: tangent slope
                    num, den = 3 * x1 * x1, 2 * y1
                else:  # P + (-P) is the identity, nothing to keep
                    continue
                jobs.append((out, x1, y1, x2, num, den, acc))
                acc = acc * den % P
        # backward: peel 1/den_k = (d_0 ... d_{k-1}) / (d_0 ... d_k) off the one inverse
        inv = inverse_mod(acc, P) if jobs else 1
        for out, x1, y1, x2, num, den, before in reversed(jobs):
            lam = num * inv * before % P  # one reduction of the triple product
            inv = inv * den % P
            x3 = (lam * lam - x1 - x2) % P
            out.append((x3, (lam * (x1 - x3) - y1) % P))
        active = [b for b in active if len(buckets[b]) > 1]


def _msm_g1(points: Sequence[G1], scalars: Sequence[int]) -> G1:
    """Pippenger on G1 with signed digits and batch-affine buckets (plain ints)."""
    # affine coordinates of the non-trivial terms, with one shared inversion of the Z's
    terms = [(pt, k % R_MODULUS) for pt, k in zip(points, scalars, strict=True)]
    terms = [(pt, k) for pt, k in terms if k and not pt.is_identity()]
    if not terms:
        return G1.identity()
    zinvs = batch_inverse_ints([pt.z for pt, _ in terms], P)
    c = window_bits(len(terms))
    nbuckets = 1 << (c - 1)
    windows = (R_MODULUS.bit_length() + c) // c  # one more than needed: room for the borrow
    # bucket lists of all windows, filled in one pass over the points
    buckets = [[[] for _ in range(nbuckets + 1)] for _ in range(windows)]
    mask, half, full = (1 << c) - 1, 1 << (c - 1), 1 << c
    for (pt, k), zi in zip(terms, zinvs, strict=True):
        zi2 = zi * zi % P
        x, y = pt.x * zi2 % P, pt.y * zi2 * zi % P
        j = 0
        while k:  # signed_digits(k, c), inlined: digit d of window j goes to bucket |d|
            d = k & mask
            k >>= c
            if d > half:
                k += 1
                buckets[j][full - d].append((x, P - y))  # digit d - 2^c < 0: add -P
            elif d:
                buckets[j][d].append((x, y))
            j += 1
    window_sums = _window_sums(buckets)
    acc: Jac = (1, 1, 0)
    for ws in reversed(window_sums):  # Horner: acc = 2^c * acc + W_j
        for _ in range(c):
            acc = g1_double(acc)
        if ws is not None:
            acc = g1_add(acc, (ws[0], ws[1], 1))
    return G1(*acc)


def _window_sums(buckets: list[list[list[Affine]]]) -> list[Affine | None]:
    """W_j = sum_b b * B_{j,b} for every window j, from the windows' bucket lists."""
    for window in buckets:
        _sum_buckets_affine(window)
    # aggregation in every window at once, top bucket first: S += B_b; W += S. The windows'
    # additions are independent, so each step is one batch-affine addition.
    running: list[Affine | None] = [None] * len(buckets)
    window_sums: list[Affine | None] = [None] * len(buckets)
    for b in range(len(buckets[0]) - 1, 0, -1):
        running = _batch_add_affine(running, [w[b][0] if w[b] else None for w in buckets])
        window_sums = _batch_add_affine(window_sums, running)
    return window_sums


def _batch_add_affine(
    lefts: list[Affine | None], rights: list[Affine | None]
) -> list[Affine | None]:
    """Element-wise sums of two lists of affine points (None = identity), one inversion."""
    out: list[Affine | None] = [None] * len(lefts)
    jobs = []
    acc = 1
    for i, (p1, p2) in enumerate(zip(lefts, rights, strict=True)):
        if p1 is None or p2 is None:
            out[i] = p2 if p1 is None else p1
            continue
        (x1, y1), (x2, y2) = p1, p2
        if x1 != x2:
            num, den = y2 - y1, x2 - x1
        elif y1 == y2:
            num, den = 3 * x1 * x1, 2 * y1
        else:
            continue  # P + (-P): the identity
        jobs.append((i, x1, y1, x2, num, den, acc))
        acc = acc * den % P
    inv = inverse_mod(acc, P) if jobs else 1
    for i, x1, y1, x2, num, den, before in reversed(jobs):
        lam = num * inv * before % P  # one reduction of the triple product
        inv = inv * den % P
        x3 = (lam * lam - x1 - x2) % P
        out[i] = (x3, (lam * (x1 - x3) - y1) % P)
    return out


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
