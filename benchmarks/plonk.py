"""Benchmark: PLONK prove and verify time, proof size, at 2^10, 2^12, 2^14 gates.

Reference prover (pure Python) on random satisfiable circuits that fill the domain.
Median of --runs runs (default 5; sizes >= 2^14 use --big-runs, default 1, stated in
the table). The peer — snarkjs `plonk prove` on a circom circuit of the same size —
runs when the circom compiler (npm package circom2) is installed next to snarkjs,
and is skipped with a message otherwise. ``--quick``: 2^6 and 2^8 only.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "plonk"))

from plonk_helpers import random_circuit  # noqa: E402

from zkpot_ref.kzg import SRS  # noqa: E402
from zkpot_ref.plonk.preprocess import setup  # noqa: E402
from zkpot_ref.plonk.prover import prove  # noqa: E402
from zkpot_ref.plonk.verifier import verify  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]


def timed(fn, runs: int) -> tuple[float, object]:
    times, result = [], None
    for _ in range(runs):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--big-runs", type=int, default=1)
    parser.add_argument("--sizes", type=int, nargs="*", help="log2 sizes to run")
    args = parser.parse_args()
    sizes = args.sizes or ([6, 8] if args.quick else [10, 12, 14])
    print("building the test SRS (known tau: benchmarks only) ...", flush=True)
    srs = SRS.insecure_from_tau(0xBE7C4, (1 << max(sizes)) + 8)
    circom = ROOT / "node_modules" / ".bin" / "circom2"
    if not circom.exists():
        print("peer: snarkjs plonk prove skipped — the circom compiler (npm circom2) is not "
              "installed, so there is no circom circuit to prove")
    results: dict[str, float] = {}
    print(f"{'gates':>6} {'prove (s)':>10} {'verify (s)':>11} {'proof bytes':>12} {'runs':>5}")
    for k in sizes:
        runs = args.runs if k < 14 else args.big_runs
        circuit = random_circuit(k, (1 << k) - 4, 4)
        pk, vk = setup(circuit, srs)
        assert pk.domain.size == 1 << k
        t_prove, proof = timed(lambda pk=pk, c=circuit: prove(pk, c), runs)
        t_verify, ok = timed(lambda vk=vk, c=circuit, p=proof: verify(vk, c.public_values(), p),
                             runs)
        assert ok
        size = len(proof.to_bytes())
        print(f"{'2^' + str(k):>6} {t_prove:10.2f} {t_verify:11.3f} {size:12d} {runs:5d}",
              flush=True)
        results[f"plonk_2_{k}_prove_s"] = t_prove
        results[f"plonk_2_{k}_verify_s"] = t_verify
        results["proof_bytes"] = size
    if args.json:
        print(json.dumps(results))


if __name__ == "__main__":
    main()
