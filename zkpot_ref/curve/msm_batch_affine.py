"""Pippenger on G1 with batch-affine additions: the MSM that the prover actually runs.

Lesson. The windows, buckets and signed digits are those of ``msm.py``'s ``msm_generic``
(next module; ``docs/curve_msm.md`` reads them first); what changes here is how two points
are added, and ``msm.msm`` sends every G1 input this way. In CPython
the price of a group operation is its count of 254-bit multiplications (~2,300 machine
instructions each) and reductions mod p (~3,200: ``%`` is the most expensive operator
here); the interpreter's own work around them is small next to that.

1. **Affine points and batch inversion.** Adding two affine points costs a slope
   lambda = (y2 - y1) / (x2 - x1), then x3 = lambda^2 - x1 - x2, y3 = lambda (x1 - x3) - y1:
   3 multiplications and one inversion. An inversion alone costs ~45 multiplications, but
   the additions inside one *round* (each bucket's points added in pairs) are independent,
   so their denominators are inverted together with Montgomery's trick
   (``field.batch_inverse_ints``; written out inline below, where it costs 3
   multiplications an addition). Total 6 multiplications and 5 reductions an addition,
   against ~16 and ~12 for a Jacobian addition (``g1_add``). Every fast MSM (gnark,
   arkworks, the ZPrize entries) does its bucket sums this way.
2. **Small batches.** A round is cut into batches of ``BATCH`` additions, one inversion
   each: the numbers of a batch stay in the CPU cache (measured: an addition costs
   ~2.4 us in batches of 256, ~3.4 us in one batch of 32,768).
3. **Half-size scalars.** k P = (r - k)(-P), so every scalar above r/2 is replaced by
   r - k < 2^253: signed digits then need exactly ceil(254 / c) windows (``windows_for``).

Edge cases of the affine formula, which a batch must not trip over (a zero denominator
would zero the whole product of the batch): x1 = x2 means P + P (tangent slope
3 x^2 / 2y; BN254 has no point with y = 0) or P + (-P) (the pair is dropped: it sums to
the identity). The identity never enters a bucket: zero scalars and identity points are
removed up front, and the aggregation reads an empty bucket as ``None`` (the identity).

Aggregation (sum_b b B_b = sum of running sums) runs all windows side by side, so each
step is one batch; the step adds the *previous* running sum into the window sum while it
adds the next bucket into the running sum, two independent additions in the same batch.

Read next: ``msm.py`` (Pippenger's method, which uses these additions on G1).
"""

from __future__ import annotations

from collections.abc import Sequence

from zkpot_ref.curve.g1 import G1, g1_add, g1_double
from zkpot_ref.curve.points import Jac
from zkpot_ref.field import P_MODULUS, R_MODULUS, batch_inverse_ints

P = P_MODULUS
R = R_MODULUS
HALF_R = R // 2
#: additions per shared inversion (one batch); measured flat between 256 and 1024
BATCH = 512
Affine = tuple[int, int]
#: scalars after the r - k trick have at most this many bits
SCALAR_BITS = (HALF_R).bit_length()


def windows_for(c: int) -> int:
    """Windows of c bits that signed digits of a scalar k <= r/2 (253 bits) need.

    The top window takes what is left, k >> c(W-1) plus a borrow, at most 2^(253-c(W-1));
    that is a digit <= 2^(c-1) (no new borrow) exactly when c W >= 254.
    """
    return -(-(SCALAR_BITS + 1) // c)


def affine_terms(points: Sequence[G1], scalars: Sequence[int]) -> list[tuple[int, int, int]]:
    """(x, y, k) for every term with k P != 0: affine coordinates, 0 < k <= r/2.

    Points with Z = 1 (decoded from bytes or built by ``from_affine``: an SRS) are taken as
    they are; the others share one batch inversion of their Z. A scalar above r/2 becomes
    r - k on the point (x, -y).
    """
    terms = []
    pending = []  # Jacobian points still to normalise, with their scalars
    for pt, k in zip(points, scalars, strict=True):
        k %= R
        if k == 0 or pt.z == 0:
            continue
        if pt.z == 1:
            x, y = pt.x, pt.y
            terms.append((x, y, k) if k <= HALF_R else (x, P - y, R - k))
        else:
            pending.append((pt, k))
    zinvs = batch_inverse_ints([pt.z for pt, _ in pending], P)
    for (pt, k), zi in zip(pending, zinvs, strict=True):
        zi2 = zi * zi % P
        x, y = pt.x * zi2 % P, pt.y * zi2 * zi % P
        terms.append((x, y, k) if k <= HALF_R else (x, P - y, R - k))
    return terms


def fill_buckets(terms: list[tuple[int, int, int]], c: int, first: int = 0,
                 last: int | None = None) -> list[list[list[Affine]]]:
    """``windows[j][b]``: the points whose signed digit j is +-b (as +-P), b = 1..2^(c-1).

    ``msm.signed_digits`` inlined: digit d > 2^(c-1) borrows, d - 2^c < 0 puts -P in
    bucket 2^c - d. Only windows ``first`` .. ``last - 1`` (all by default): the borrow
    into window ``first`` is read off the bits below it (``borrow_threshold``), so two
    processes can each fill their own windows (``backend.TwoProcessBackend``).
    """
    last = windows_for(c) if last is None else last
    half, full, mask = 1 << (c - 1), 1 << c, (1 << c) - 1
    skipped, threshold = c * first, borrow_threshold(c, first)
    below = (1 << skipped) - 1
    windows: list[list[list[Affine]]] = [
        [[] for _ in range(half + 1)] for _ in range(last - first)
    ]
    for x, y, k in terms:
        if skipped:
            k = (k >> skipped) + ((k & below) > threshold)
        pos, neg = (x, y), (x, P - y)
        for buckets in windows:
            if not k:
                break
            d = k & mask
            k >>= c
            if d > half:
                k += 1
                buckets[full - d].append(neg)
            elif d:
                buckets[d].append(pos)
    return windows


def borrow_threshold(c: int, j: int) -> int:
    """Window j receives a borrow exactly when k mod 2^(cj) exceeds this.

    Digits lie in [1 - 2^(c-1), 2^(c-1)], so windows 0..j-1 sum to
    (k mod 2^(cj)) - borrow * 2^(cj), a number between -(2^(c-1) - 1) S and 2^(c-1) S
    with S = 1 + 2^c + ... + 2^(c(j-1)) = (2^(cj) - 1) / (2^c - 1); the two cases never
    overlap, and the borrow is 1 exactly when k mod 2^(cj) > 2^(c-1) S.
    """
    return (1 << (c - 1)) * (((1 << (c * j)) - 1) // ((1 << c) - 1))


def sum_buckets(buckets: list[list[Affine]]) -> None:
    """Reduce every bucket (a list of affine points) to at most one point, in place.

    Rounds: each bucket's points are added in pairs, [P0, P1, P2, P3, P4] -> [P4, P0+P1,
    P2+P3], until one point is left; a bucket of m points needs m - 1 additions in
    ceil(log2 m) rounds. The additions of a round are independent: they are collected as
    *jobs* and finished ``BATCH`` at a time, each batch with one inversion.
    """
    active = [pts for pts in buckets if len(pts) > 1]
    while active:
        jobs: list[tuple] = []
        acc = 1  # product of the denominators of the jobs so far (Montgomery's trick)
        for pts in active:
            pairs = iter(pts[:])
            del pts[: len(pts) & ~1]  # keep the odd one out; the sums are appended later
            for (x1, y1), (x2, y2) in zip(pairs, pairs, strict=False):
                if x1 != x2:
                    num, den = y2 - y1, x2 - x1
                elif y1 == y2:  # P + P: the tangent slope
                    num, den = 3 * x1 * x1, 2 * y1
                else:  # P + (-P): nothing to keep
                    continue
                jobs.append((pts, x1, y1, x2, num, den, acc))
                acc = acc * den % P
            if len(jobs) >= BATCH:
                _finish_jobs(jobs, acc)
                jobs, acc = [], 1
        _finish_jobs(jobs, acc)
        active = [pts for pts in active if len(pts) > 1]


def _finish_jobs(jobs: list[tuple], acc: int) -> None:
    """Second half of Montgomery's trick, fused with the affine addition formula.

    With d_0..d_m the denominators, ``acc`` = d_0 ... d_m and job k carrying
    ``before`` = d_0 ... d_(k-1): walking backwards from inv = 1/acc,
    1/d_k = inv * before and then inv <- inv * d_k = 1/(d_0 ... d_(k-1)).
    The slope lambda = num / d_k = num * inv * before takes one reduction.
    """
    if not jobs:
        return
    inv = pow(acc, -1, P)  # the one inversion (CPython's C version of field.inverse_mod)
    for out, x1, y1, x2, num, den, before in reversed(jobs):
        lam = num * inv * before % P
        inv = inv * den % P
        x3 = (lam * lam - x1 - x2) % P
        out.append((x3, (lam * (x1 - x3) - y1) % P))


def batch_add(lefts: list[Affine | None], rights: list[Affine | None]) -> list[Affine | None]:
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
            continue  # P + (-P): out[i] stays the identity
        jobs.append((i, x1, y1, x2, num, den, acc))
        acc = acc * den % P
    if jobs:
        inv = pow(acc, -1, P)
        for i, x1, y1, x2, num, den, before in reversed(jobs):
            lam = num * inv * before % P
            inv = inv * den % P
            x3 = (lam * lam - x1 - x2) % P
            out[i] = (x3, (lam * (x1 - x3) - y1) % P)
    return out


def fixed_base_multiples(base: G1, scalars: Sequence[int], w: int = 8) -> list[G1]:
    """[k base for k in scalars] (reduced mod r), affine: many multiples of ONE point.

    A powers-of-tau SRS is exactly this (k = tau^i, base = the generator). With the
    table T[j][d] = d 2^(wj) base (d < 2^w), a scalar's w-bit digits d_j pick one entry
    per window, k base = sum_j T[j][d_j]: ceil(254 / w) additions against ~380 group
    operations for a lone double-and-add, and the additions of one window for all the
    scalars share one inversion (``batch_add``).
    """
    windows = -(-R.bit_length() // w)
    steps, step = [], base  # S_j = 2^(wj) base
    for _ in range(windows):
        steps.append(step.to_affine())
        for _ in range(w):
            step = step.double()
    columns: list[list[Affine | None]] = [[None] * windows, steps]
    for _ in range(2, 1 << w):  # column d = column d-1 + S_j, all windows in one batch
        columns.append(batch_add(columns[-1], steps))
    table = [[column[j] for column in columns] for j in range(windows)]
    mask = (1 << w) - 1
    reduced = [k % R for k in scalars]
    acc: list[Affine | None] = [None] * len(reduced)
    for j, row in enumerate(table):
        acc = batch_add(acc, [row[(k >> (w * j)) & mask] for k in reduced])
    return [G1.identity() if p is None else G1(p[0], p[1], 1) for p in acc]


def window_sums(windows: list[list[list[Affine]]]) -> list[Affine | None]:
    """W_j = sum_b b B_{j,b} for all windows at once, from their summed buckets.

    The running sum S_b = S_(b+1) + B_b and the window sum W = sum_b S_b, top bucket
    first. Step b adds S_(b+1) into W and B_b into S in the same batch (both use the old
    S), so W lags one step behind and takes S_1 after the loop.
    """
    nwin = len(windows)
    running: list[Affine | None] = [None] * nwin
    total: list[Affine | None] = [None] * nwin
    for b in range(len(windows[0]) - 1, 0, -1):
        bucket = [w[b][0] if w[b] else None for w in windows]
        both = batch_add(total + running, running + bucket)
        total, running = both[:nwin], both[nwin:]
    return batch_add(total, running)


def msm_windows(terms: list[tuple[int, int, int]], c: int, first: int, last: int) -> Jac:
    """sum over windows j = first .. last - 1 of 2^(c (j - first)) W_j (Jacobian)."""
    windows = fill_buckets(terms, c, first, last)
    for buckets in windows:
        sum_buckets(buckets)
    acc: Jac = (1, 1, 0)
    for ws in reversed(window_sums(windows)):  # Horner: acc = 2^c acc + W_j
        for _ in range(c):
            acc = g1_double(acc)
        if ws is not None:
            acc = g1_add(acc, (ws[0], ws[1], 1))
    return acc


def msm_g1_batch_affine(points: Sequence[G1], scalars: Sequence[int], c: int) -> G1:
    """sum_i k_i P_i on G1 by Pippenger with c-bit signed windows and batch-affine sums."""
    terms = affine_terms(points, scalars)
    if not terms:
        return G1.identity()
    return G1(*msm_windows(terms, c, 0, windows_for(c)))
