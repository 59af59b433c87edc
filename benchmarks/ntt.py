"""Benchmark: the reference NTT (pure Python) at 2^12, 2^14, 2^16.

Prints a table of median times (>= 5 runs) — the numbers the JAX fast path must beat
later. ``--quick`` runs 2^8 and 2^10 only; ``--json`` ends with one JSON line.
"""

from __future__ import annotations

import argparse
import json
import random

from timing import median_seconds

from zkpot_ref.field import R_MODULUS
from zkpot_ref.poly import Domain


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="smallest sizes only")
    parser.add_argument("--json", action="store_true", help="print a JSON line at the end")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    sizes = [8, 10] if args.quick else [12, 14, 16]
    rng = random.Random(1)
    results: dict[str, float] = {}
    print(f"{'size':>6} {'reference NTT (s)':>18} {'reference INTT (s)':>19}"
          f"  (median of {args.runs})")
    for k in sizes:
        domain = Domain(1 << k)
        values = [rng.randrange(R_MODULUS) for _ in range(1 << k)]
        t_ntt = median_seconds(lambda d=domain, v=values: d.ntt(v), args.runs)
        t_intt = median_seconds(lambda d=domain, v=values: d.intt(v), args.runs)
        print(f"{'2^' + str(k):>6} {t_ntt:18.4f} {t_intt:19.4f}", flush=True)
        results[f"ntt_2_{k}_reference_s"] = t_ntt
        results[f"intt_2_{k}_reference_s"] = t_intt
    if args.json:
        print(json.dumps(results))


if __name__ == "__main__":
    main()
