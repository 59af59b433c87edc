"""Benchmark: KZG commit / open / verify and the powers-of-tau ceremony, 2^10 .. 2^14.

For each size n = 2^k: a ceremony of degree n - 1 gets one contribution (timed: n G1 scalar
multiplications), its transcript is verified (timed: two n-point MSMs with 128-bit scalars,
one multi-pairing), and its SRS commits to a random polynomial of degree n - 1 (timed: one
n-point MSM). Opening (division + MSM) and verifying an opening (one pairing check) are timed
too. Peer: snarkjs ``powersoftau contribute`` and ``verify`` at power k, when snarkjs is
installed (note: snarkjs' contribution does more work — 2n-1 tauG1, n tauG2, alphaTauG1 and
betaTauG1 points — in WebAssembly, so the ratio is indicative, not like for like).

Medians of ``--runs`` (default 5) runs; contribute and verify at 2^13 and 2^14 use
min(runs, 3) runs (each contribution is tens of seconds in pure Python), and snarkjs
min(runs, 3). ``--quick`` runs 2^6 and 2^8 only; ``--max-log`` caps the largest size;
``--json`` ends with one JSON line.
"""

from __future__ import annotations

import argparse
import json
import random
import subprocess
import tempfile
from pathlib import Path

from timing import median_seconds

from zkpot_ref.ceremony import check_ceremony, contribute, start
from zkpot_ref.field import R_MODULUS
from zkpot_ref.kzg import commit, open_at, verify_opening
from zkpot_ref.ptau import find_snarkjs


def snarkjs_seconds(snarkjs: Path, power: int, runs: int) -> tuple[float, float]:
    """Median seconds of snarkjs powersoftau contribute and verify at ``power``."""
    with tempfile.TemporaryDirectory() as tmp:
        run = lambda *a: subprocess.run([str(snarkjs), "powersoftau", *a], cwd=tmp,  # noqa: E731
                                        check=True, capture_output=True)
        run("new", "bn128", str(power), "p0.ptau")
        t_add = median_seconds(lambda: run("contribute", "p0.ptau", "p1.ptau", "--name=b",
                                           "-e=bench"), runs)
        t_verify = median_seconds(lambda: run("verify", "p1.ptau"), runs)
    return t_add, t_verify


def measure(k: int, runs: int, rng: random.Random) -> dict[str, float]:
    """Median seconds of each step at size n = 2^k (see the module docstring)."""
    n = 1 << k
    slow_runs = min(runs, 3) if k >= 13 else runs
    base = start(n - 1)
    made = []
    t_add = median_seconds(lambda: made.append(contribute(base, "bench")), slow_runs)
    ceremony = made[-1]
    t_check = median_seconds(lambda: check_ceremony(ceremony), slow_runs)
    srs = ceremony.srs
    coeffs = [rng.randrange(R_MODULUS) for _ in range(n)]
    z = rng.randrange(R_MODULUS)
    t_commit = median_seconds(lambda: commit(srs, coeffs), runs)
    t_open = median_seconds(lambda: open_at(srs, coeffs, z), runs)
    c, (value, proof) = commit(srs, coeffs), open_at(srs, coeffs, z)
    assert verify_opening(srs, c, z, value, proof)
    t_verify = median_seconds(lambda: verify_opening(srs, c, z, value, proof), runs)
    return {"commit": t_commit, "open": t_open, "verify_opening": t_verify,
            "ceremony_contribute": t_add, "ceremony_verify": t_check}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="2^6 and 2^8 only")
    parser.add_argument("--json", action="store_true", help="print a JSON line at the end")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--max-log", type=int, default=14, help="largest size 2^K (default 14)")
    parser.add_argument("--no-peer", action="store_true", help="skip snarkjs")
    args = parser.parse_args()
    sizes = [6, 8] if args.quick else [k for k in range(10, 15) if k <= args.max_log]
    snarkjs = None if args.no_peer else find_snarkjs()
    if snarkjs is None and not args.no_peer:
        print("snarkjs not found: peer columns skipped (npm ci installs it)")
    rng = random.Random(1)
    results: dict[str, float] = {}
    print(f"{'size':>5} {'commit':>8} {'open':>8} {'verify':>7} {'contribute':>11} "
          f"{'ceremony verify':>16} {'snarkjs contrib':>16} {'snarkjs verify':>15}  (seconds)")
    for k in sizes:
        row = measure(k, args.runs, rng)
        t_commit, t_open, t_verify, t_add, t_check = row.values()
        peer = ""
        if snarkjs is not None:
            s_add, s_verify = snarkjs_seconds(snarkjs, k, min(args.runs, 3))
            row |= {"snarkjs_contribute": s_add, "snarkjs_verify": s_verify}
            peer = f"{s_add:16.2f} {s_verify:15.2f}"
        print(f"{'2^' + str(k):>5} {t_commit:8.3f} {t_open:8.3f} {t_verify:7.3f} {t_add:11.2f} "
              f"{t_check:16.2f} {peer}", flush=True)
        results |= {f"{name}_2_{k}_s": value for name, value in row.items()}
    if args.json:
        print(json.dumps(results))


if __name__ == "__main__":
    main()
