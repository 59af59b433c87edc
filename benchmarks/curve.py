"""BN254 benchmarks: our curve next to py_ecc's optimized_bn128, and Pippenger vs the naive MSM.

    .venv/bin/python benchmarks/curve.py            # full sizes (about two minutes)
    .venv/bin/python benchmarks/curve.py --quick    # smallest sizes, a smoke run
    .venv/bin/python benchmarks/curve.py --json     # last line: one JSON object of figures

Every figure is the median of ``--repeat`` runs (default 5), both sides measured in the
same process on the same inputs (the MSM rows take their runs in turn, Pippenger then
naive, so that both see the same load). The clock is this process's CPU time
(``time.process_time``) by default: the machines are shared, and wall time under load
measures the neighbours (``--clock wall`` gives ``time.perf_counter`` instead). The
naive MSM at 2^12 takes seconds per run, so it is measured ``--naive-repeat`` times
(default 3). py_ecc is an outside peer (a test-only dependency); when it is missing its
rows are skipped with a message.

Targets from issue 3: pairing >= 2x faster than py_ecc, MSM 2^12 >= 20x faster than naive.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from zkpot_ref.curve import G1, G2, msm, msm_naive, pairing  # noqa: E402
from zkpot_ref.curve.msm import window_bits  # noqa: E402
from zkpot_ref.field import R_MODULUS  # noqa: E402

try:
    from py_ecc import optimized_bn128 as ob
except ImportError:  # pragma: no cover - the peer is optional
    ob = None


CLOCK = {"cpu": time.process_time, "wall": time.perf_counter}
clock = time.process_time


def median_time(fn: Callable[[], object], repeat: int, inner: int = 1) -> float:
    """Median over ``repeat`` runs of the time of ``inner`` calls, divided by ``inner``."""
    times = []
    for _ in range(repeat):
        start = clock()
        for _ in range(inner):
            fn()
        times.append((clock() - start) / inner)
    return statistics.median(times)


def median_times_interleaved(fns: list[Callable[[], object]], repeats: list[int]) -> list[float]:
    """Median time of each fn, the runs taken in turn (fn0, fn1, fn0, fn1, ...) so that
    every fn sees the same changes of load on a shared machine; fn i runs repeats[i] times."""
    times: list[list[float]] = [[] for _ in fns]
    for r in range(max(repeats)):
        for fn, rep, out in zip(fns, repeats, times, strict=True):
            if r < rep:
                start = clock()
                fn()
                out.append(clock() - start)
    return [statistics.median(t) for t in times]


def affine(p: G1) -> G1:
    """The same point with Z = 1 (how SRS points arrive: decoded from bytes)."""
    return G1.from_affine(*p.to_affine())


def row(name: str, ours: float, peer: float | None, peer_name: str) -> float | None:
    ratio = None if peer is None else peer / ours
    peer_text = "skipped (not installed)" if peer is None else f"{peer * 1e3:10.3f} ms"
    ratio_text = "" if ratio is None else f"{ratio:8.1f}x"
    print(f"{name:<24} {ours * 1e3:10.3f} ms   {peer_name:<10} {peer_text}   {ratio_text}")
    return ratio


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smallest sizes, fewer runs")
    parser.add_argument("--json", action="store_true", help="print a JSON object last")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--naive-repeat", type=int, default=3)
    parser.add_argument("--clock", choices=sorted(CLOCK), default="cpu")
    args = parser.parse_args(argv)
    global clock
    clock = CLOCK[args.clock]
    print(f"clock: {args.clock} time, median of {3 if args.quick else args.repeat} runs")
    repeat = 3 if args.quick else args.repeat
    rng = random.Random(1)
    figures: dict[str, float | None] = {}

    g1, g2 = G1.generator(), G2.generator()
    a, b = rng.randrange(1, R_MODULUS), rng.randrange(1, R_MODULUS)
    p, q = g1 * a, g2 * b
    p2 = g1 * rng.randrange(1, R_MODULUS)
    k = rng.randrange(R_MODULUS)
    print(f"{'operation':<24} {'zkpot':>13}   {'peer':<10} {'peer time':>13}   ratio")

    # -- pairing and group operations, side by side with py_ecc --------------------------
    t_pair = median_time(lambda: pairing(p, q), repeat)
    peer = None
    if ob is not None:
        pp, qp = ob.multiply(ob.G1, a), ob.multiply(ob.G2, b)
        peer = median_time(lambda: ob.pairing(qp, pp), repeat)
    figures["pairing_ms"] = t_pair * 1e3
    figures["pairing_py_ecc_ms"] = None if peer is None else peer * 1e3
    figures["pairing_ratio_vs_py_ecc"] = row("pairing", t_pair, peer, "py_ecc")

    inner = 200 if args.quick else 1000
    t_add = median_time(lambda: p + p2, repeat, inner)
    peer = None
    if ob is not None:
        pa, pb = ob.multiply(ob.G1, a), ob.multiply(ob.G1, 12345)
        peer = median_time(lambda: ob.add(pa, pb), repeat, inner)
    figures["g1_add_ratio_vs_py_ecc"] = row("G1 add", t_add, peer, "py_ecc")

    inner = 5 if args.quick else 20
    t_mul = median_time(lambda: p * k, repeat, inner)
    peer = None if ob is None else median_time(lambda: ob.multiply(ob.G1, k), repeat, inner)
    figures["g1_mul_ms"] = t_mul * 1e3
    figures["g1_mul_ratio_vs_py_ecc"] = row("G1 scalar mul", t_mul, peer, "py_ecc")

    inner = 2 if args.quick else 5
    t_mul2 = median_time(lambda: q * k, repeat, inner)
    peer = None if ob is None else median_time(lambda: ob.multiply(ob.G2, k), repeat, inner)
    figures["g2_mul_ms"] = t_mul2 * 1e3
    figures["g2_mul_ratio_vs_py_ecc"] = row("G2 scalar mul", t_mul2, peer, "py_ecc")

    # -- MSM: Pippenger vs the naive sum --------------------------------------------------
    # the points are affine (Z = 1), as an SRS decoded from bytes is; msm_naive gains nothing
    # from that (its wNAF table is Jacobian anyway), msm skips one batch inversion
    for log_n in [8] if args.quick else [8, 10, 12]:
        n = 1 << log_n
        points = [affine(g1 * rng.randrange(1, R_MODULUS)) for _ in range(n)]
        scalars = [rng.randrange(R_MODULUS) for _ in range(n)]
        figures[f"msm_2_{log_n}_window_bits"] = window_bits(n)
        naive_repeat = repeat if log_n < 12 else min(repeat, args.naive_repeat)
        t_msm, t_naive = median_times_interleaved(
            [lambda: msm(points, scalars), lambda: msm_naive(points, scalars)],  # noqa: B023
            [repeat, naive_repeat],
        )
        figures[f"msm_2_{log_n}_ms"] = t_msm * 1e3
        figures[f"msm_naive_2_{log_n}_ms"] = t_naive * 1e3
        figures[f"msm_2_{log_n}_speedup_vs_naive"] = row(
            f"MSM 2^{log_n}", t_msm, t_naive, "naive sum"
        )

    # the same naive sum with py_ecc's scalar multiplication, for scale (2^8 only: slow)
    if ob is not None and not args.quick:
        n = 1 << 8
        points = [affine(g1 * rng.randrange(1, R_MODULUS)) for _ in range(n)]
        scalars = [rng.randrange(R_MODULUS) for _ in range(n)]
        py_points = [(ob.FQ(x), ob.FQ(y), ob.FQ(1)) for x, y in (p.to_affine() for p in points)]

        def py_ecc_naive() -> object:
            acc = ob.Z1
            for pt, s in zip(py_points, scalars, strict=True):
                acc = ob.add(acc, ob.multiply(pt, s))
            return acc

        t_msm = median_time(lambda: msm(points, scalars), repeat)
        t_peer = median_time(py_ecc_naive, min(repeat, args.naive_repeat))
        figures["msm_2_8_speedup_vs_py_ecc_naive"] = row(
            "MSM 2^8 (py_ecc naive)", t_msm, t_peer, "py_ecc"
        )

    if args.json:
        figures_out = {k: (round(v, 3) if v is not None else None) for k, v in figures.items()}
        print(json.dumps({"clock": args.clock, **figures_out}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
