"""Benchmark: the ZKPoT statement for the 64-32-10 MLP on the bundled digits.

For each test-set size n (1, 4, 16; 64 with --big): the row budget by category (exact,
from the circuit's structure), then — each n in a fresh child process, so its peak memory
is its own — key setup, proving and verifying with the reference backend: wall time AND
process CPU time (on a machine shared with other work, CPU time is what the process
itself used), the proof size and the peak resident memory (ru_maxrss). The task is the
one `zkpot task create --test-size n --seed 0` makes (a seeded sample of the public test
split, the table width with the smaller domain).

The SRS is a known-tau one (benchmarks and tests only), cached in benchmarks/.cache/ as
raw points; where the SRS comes from changes no timing. Proving at n >= 16 runs once by
default (minutes each; --runs N for more, the median is reported); verification is the
median of 5. ezkl, when installed (not a dependency), is run side by side; otherwise the
figures measured here earlier (issue text: 87 s setup, 120 s prove, 5.4 GiB at n = 16)
are printed for reference.

Each size is timed with each backend of ``--backend`` (default: ``reference``, one
process, and ``processes``, the same kernels in two forked halves — ``backend.py``), one
after the other in the same run; CPU seconds then include the forked halves, and the
largest child's peak resident memory is reported apart (it counts pages it shares with
its parent). ``--sizes`` picks the test-set sizes to time.

    python benchmarks/zkpot.py [--quick] [--big] [--json] [--runs N] [--sizes N ...]
        [--backend NAME ...]

``--quick``: row budgets for n = 1, 4, 16 and one proof of a 64-4-10 task at n = 1.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
CACHE = ROOT / "benchmarks" / ".cache"
EZKL_REFERENCE = {"setup_s": 87, "prove_s": 120, "peak_gib": 5.4}


def make_task(n: int, hidden: int = 32):
    from zkpot_ref.fl.data import load_digits, train_test_split
    from zkpot_ref.pot.statement import smallest_table
    from zkpot_ref.pot.task import Task

    _, test = train_test_split(load_digits())
    pick = np.sort(np.random.default_rng(0).choice(len(test), n, replace=False))
    task = Task("digits", (64, hidden, 10), 16, (32,), test.images[pick], test.labels[pick])
    return smallest_table(task)


def trained_model(task):
    from zkpot_ref import quant
    from zkpot_ref.fl.data import load_digits, train_test_split
    from zkpot_ref.fl.model import TrainConfig, init_params, train

    train_set, _ = train_test_split(load_digits())
    params = train(init_params(task.sizes, 0), train_set, TrainConfig(epochs=3), 0)
    ranges = quant.activation_ranges(params, train_set.images, task.pixel_max)
    return quant.quantize_model(params, ranges, task.pixel_max, task.shifts)


def cached_srs(degree: int):
    """A known-tau SRS of ``degree`` (benchmarks only), cached as raw 64-byte points."""
    from zkpot_ref.curve import G1, G2
    from zkpot_ref.kzg import SRS

    path = CACHE / f"srs-known-tau-{degree}.bin"
    if path.exists():
        data = path.read_bytes()
        points = [G1.from_bytes(data[i : i + 64]) for i in range(0, len(data) - 128, 64)]
        if len(points) == degree + 1:
            return SRS(points, G2.generator(), G2.from_bytes(data[-128:]))
    print(f"  making a known-tau SRS of degree {degree} (cached for next time)", flush=True)
    srs = SRS.insecure_from_tau(0xBE4C4, degree)
    CACHE.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"".join(p.to_bytes() for p in srs.g1_powers) + srs.g2_tau.to_bytes())
    return srs


def clock():
    """(wall, CPU) where CPU counts this process and its finished children (the forked
    halves of the "processes" backend)."""
    t = os.times()
    return time.perf_counter(), t.user + t.system + t.children_user + t.children_system


def since(start) -> tuple[float, float]:
    wall, cpu = clock()
    return wall - start[0], cpu - start[1]


def child(n: int, hidden: int, runs: int, backend_name: str) -> dict:
    """Setup, prove (``runs`` times) and verify (5 times) for one n, in this process."""
    from zkpot_ref.backend import use
    from zkpot_ref.plonk.preprocess import domain_size_for
    from zkpot_ref.pot.keys import build_keys
    from zkpot_ref.pot.prove import claim, prove_accuracy, verify_accuracy

    task, built = make_task(n, hidden)
    model = trained_model(task)
    srs = cached_srs(domain_size_for(built.circuit) + 5)
    backend = use(backend_name)
    start = clock()
    keys = build_keys(task, srs, backend)
    setup_wall, setup_cpu = since(start)
    proves, proof = [], None
    for _ in range(runs):
        start = clock()
        proof = prove_accuracy(task, model, 1234, 5678, 1, keys, backend)
        proves.append(since(start))
    public = claim(task, model, 1234, 5678, 1)
    verifies = []
    for _ in range(5):
        start = clock()
        assert verify_accuracy(keys.vk, public, proof)
        verifies.append(since(start)[0])
    return {
        "n": n, "rows": len(built.circuit.gates), "domain": keys.vk.n, "count": public.count,
        "setup_s": setup_wall, "setup_cpu_s": setup_cpu, "runs": runs,
        "prove_s": statistics.median(w for w, _ in proves),
        "prove_cpu_s": statistics.median(c for _, c in proves),
        "verify_s": statistics.median(verifies), "proof_bytes": len(proof.to_bytes()),
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        # a forked child's resident set counts the pages it shares with its parent too
        "peak_child_rss_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024,
        "backend": backend_name,
    }


def run_child(n: int, hidden: int, runs: int, backend_name: str) -> dict:
    done = subprocess.run([sys.executable, __file__, "--child", str(n), "--hidden", str(hidden),
                           "--runs", str(runs), "--backend", backend_name],
                          capture_output=True, text=True, timeout=7200)
    if done.returncode != 0:
        raise RuntimeError(f"child for n = {n} failed:\n{done.stderr[-2000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def row_budgets(sizes: list[int]) -> dict[int, dict]:
    from zkpot_ref.plonk.preprocess import domain_size_for

    out = {}
    for n in sizes:
        task, built = make_task(n)
        out[n] = {"table_bits": task.table_bits, "rows": len(built.circuit.gates),
                  "domain": domain_size_for(built.circuit), "budget": dict(built.budget),
                  "per_image": built.budget.per_image(n)}
    return out


def ezkl_peer() -> str:
    if shutil.which("ezkl") is None:
        try:
            import ezkl  # noqa: F401
        except ImportError:
            return (f"ezkl is not installed: skipped (measured earlier on these machines: "
                    f"{EZKL_REFERENCE['setup_s']} s setup, {EZKL_REFERENCE['prove_s']} s prove, "
                    f"{EZKL_REFERENCE['peak_gib']} GiB at n = 16)")
    return "ezkl is installed, but its side-by-side run is not scripted here (see the docs)"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--big", action="store_true", help="also n = 64")
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--runs", type=int, default=None, help="proofs per n (median)")
    parser.add_argument("--child", type=int, default=None, help=argparse.SUPPRESS)
    parser.add_argument("--hidden", type=int, default=32, help=argparse.SUPPRESS)
    parser.add_argument("--sizes", type=int, nargs="*", default=None,
                        help="test-set sizes to time (default 1 4 16, with --big 64 too)")
    parser.add_argument("--backend", nargs="*", default=None,
                        help="backends to measure (default: reference and processes)")
    args = parser.parse_args()
    if args.child is not None:
        print(json.dumps(child(args.child, args.hidden, args.runs or 1, args.backend[0])))
        return 0
    backends = args.backend or ["reference", "processes"]
    if any(n < 1 for n in args.sizes or []):
        parser.error("--sizes: test-set sizes must be >= 1")
    sizes = [1, 4, 16] + ([64] if args.big else [])
    budgets = row_budgets(sizes)
    print("rows of the statement, 64-32-10 on the digits (exact):")
    print(f"{'n':>4} {'table':>6} {'rows':>8} {'domain':>8}  per image by category")
    for n, b in budgets.items():
        per = ", ".join(f"{k} {v:.0f}" for k, v in b["per_image"].items())
        print(f"{n:>4} {b['table_bits']:>5}b {b['rows']:>8} {b['domain']:>8}  "
              f"{sum(b['per_image'].values()):.0f} = {per}")
    once = {k: v for k, v in budgets[1]["budget"].items() if k not in budgets[1]["per_image"]}
    print("paid once (n = 1):", ", ".join(f"{k} {v}" for k, v in once.items()))
    figures: dict[str, float] = {"gates_per_image": round(sum(budgets[16]["per_image"].values()))}
    for n, b in budgets.items():
        figures[f"rows_n{n}"] = b["rows"]
    measured = [(1, 4)] if args.quick else [(n, 32) for n in (args.sizes or sizes)]
    print("\nwall seconds, with CPU seconds (this process and its forked halves) in brackets;")
    print("reference = one process, processes = the same kernels in two (backend.py)")
    print(f"\n{'backend':>10} {'n':>4} {'MLP':>9} {'domain':>7} {'setup s (cpu)':>15} "
          f"{'prove s (cpu)':>15} {'runs':>4} {'verify s':>9} {'proof B':>8} {'peak MB':>8} "
          f"{'child MB':>8}")
    for backend_name in backends:
        for n, hidden in measured:
            runs = args.runs or (3 if n < 16 else 1)
            r = run_child(n, hidden, runs, backend_name)
            print(f"{backend_name:>10} {n:>4} {f'64-{hidden}-10':>9} {r['domain']:>7} "
                  f"{r['setup_s']:>7.1f} ({r['setup_cpu_s']:5.1f}) {r['prove_s']:>7.1f} "
                  f"({r['prove_cpu_s']:5.1f}) {r['runs']:>4} {r['verify_s']:>9.3f} "
                  f"{r['proof_bytes']:>8} {r['peak_rss_mb']:>8.0f} "
                  f"{r['peak_child_rss_mb']:>8.0f}", flush=True)
            tag = f"n{n}" if hidden == 32 else f"n{n}_hidden{hidden}"
            if backend_name != "reference":
                tag += "_" + backend_name
            for key in ("setup_s", "setup_cpu_s", "prove_s", "prove_cpu_s", "verify_s",
                        "peak_rss_mb", "peak_child_rss_mb"):
                figures[f"{key}_{tag}"] = round(r[key], 3)
    print(ezkl_peer())
    if args.json:
        print(json.dumps(figures))
    return 0


if __name__ == "__main__":
    sys.exit(main())
