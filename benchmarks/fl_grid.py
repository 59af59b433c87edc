"""The FL grid: aggregation mode x attack x Dirichlet alpha x seed (``zkpot_ref/fl/grid.py``).

    python benchmarks/fl_grid.py [--quick] [--json] [--out DIR] [--modes ...] [--attacks ...]
        [--alphas 0.1,0.5,1,iid] [--seeds 1,2,3] [--rounds R] [--epochs E]
        [--clients N] [--byzantine F]

Writes DIR/grid.csv (one row per run, appended as each finishes: rerun the same command
to resume) and DIR/grid.md (the tables), and prints the tables. ``--quick``: a few
seconds' grid (the smoke test). ``--json``: the last line is one JSON object with the
mean final accuracy of every cell (``<mode>__<attack>__<alpha>_accuracy``), the wall time
and the CPU time. The verifier is the no-crypto simulation (``fl.verify.RecomputeVerifier``,
the same verdicts as the proofs): real proofs would take hours for one grid.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # the checkout's zkpot_ref, even when run from elsewhere

from zkpot_ref.errors import MalformedInput  # noqa: E402

DEFAULT_MODES = "leader,top-k,gated-fedavg,fedavg-all,krum,median,trimmed-mean,fltrust"
DEFAULT_ATTACKS = "none,noise,label-flip,free-rider,alie,ipm,backdoor"


def parse(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="a tiny grid (seconds)")
    parser.add_argument("--json", action="store_true", help="end with one JSON line")
    parser.add_argument("--out", default="grid-out", help="folder for grid.csv and grid.md")
    parser.add_argument("--modes", default=DEFAULT_MODES, help="comma-separated modes")
    parser.add_argument("--attacks", default=DEFAULT_ATTACKS, help="comma-separated attacks")
    parser.add_argument("--alphas", default="0.1,0.5,1,iid",
                        help="comma-separated Dirichlet alphas; 'iid' for IID shards")
    parser.add_argument("--seeds", default="1,2,3", help="comma-separated seeds")
    parser.add_argument("--rounds", type=int, default=10, help="rounds per run (10)")
    parser.add_argument("--epochs", type=int, default=2, help="local epochs per round (2)")
    parser.add_argument("--clients", type=int, default=7, help="clients (7)")
    parser.add_argument("--byzantine", type=int, default=2, help="Byzantine clients (2)")
    return parser.parse_args(argv)


def spec_of(args: argparse.Namespace):  # noqa: ANN201 - GridSpec, imported late
    """The grid the options name; MalformedInput for the first bad one."""
    from zkpot_ref.fl.grid import GridSpec

    def items(text: str, option: str) -> list[str]:
        parts = [p.strip() for p in text.split(",") if p.strip()]
        if not parts:
            raise MalformedInput(f"--{option} needs at least one comma-separated value")
        return parts

    def alpha(text: str) -> float | None:
        if text.lower() == "iid":
            return None
        try:
            return float(text)
        except ValueError:
            raise MalformedInput(f"--alphas: {text!r} is neither a number nor 'iid'") from None

    try:
        seeds = tuple(int(s) for s in items(args.seeds, "seeds"))
    except ValueError:
        raise MalformedInput(f"--seeds takes comma-separated integers, not {args.seeds!r}") \
            from None
    if any(not 0 <= s < 2**63 for s in seeds):
        raise MalformedInput("--seeds: every seed must lie in 0..2^63-1")
    if args.quick:
        return GridSpec(("gated-fedavg", "median"), ("none", "ipm"), (0.5,), (1,),
                        clients=4, byzantine=1, rounds=1, epochs=1)
    if not 1 <= args.rounds <= 1000 or not 1 <= args.epochs <= 100:
        raise MalformedInput("--rounds must lie in 1..1000 and --epochs in 1..100")
    if not 2 <= args.clients <= 1000:
        raise MalformedInput("--clients must lie in 2..1000")
    return GridSpec(tuple(items(args.modes, "modes")), tuple(items(args.attacks, "attacks")),
                    tuple(alpha(a) for a in items(args.alphas, "alphas")), seeds,
                    clients=args.clients, byzantine=args.byzantine, rounds=args.rounds,
                    epochs=args.epochs)


def machine() -> str:
    cpu = "unknown CPU"
    try:
        cpu = next(line.split(":", 1)[1].strip()
                   for line in Path("/proc/cpuinfo").read_text().splitlines()
                   if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    return (f"{os.cpu_count()} cores ({cpu}), {platform.system()} {platform.release()}, "
            f"Python {platform.python_version()}; load average {load:.1f} at the start")


def main(argv: list[str] | None = None) -> int:
    args = parse(argv)
    try:
        spec = spec_of(args)
        out = Path(args.out)
        out.mkdir(parents=True, exist_ok=True)
        from zkpot_ref.fl.grid import read_rows

        read_rows(out / "grid.csv")  # a foreign CSV is refused before any work
    except (MalformedInput, OSError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    from zkpot_ref.fl.grid import markdown, run_grid, summarize

    where = machine()
    wall, cpu = time.perf_counter(), time.process_time()
    print(f"{len(spec)} runs: {len(spec.modes)} modes x {len(spec.attacks)} attacks x "
          f"{len(spec.alphas)} alphas x {len(spec.seeds)} seeds; {spec.clients} clients "
          f"({spec.byzantine} Byzantine), {spec.rounds} rounds x {spec.epochs} epochs",
          flush=True)
    rows = run_grid(spec, out / "grid.csv", progress=lambda m: print(m, flush=True))
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    summed = sum(float(r["wall_s"]) for r in rows)
    table = markdown(rows, spec)
    header = (f"Machine: {where}. This invocation: {wall:.0f} s wall, {cpu:.0f} s CPU; the "
              f"{len(rows)} runs' own wall times sum to {summed:.0f} s.\n\n")
    (out / "grid.md").write_text(header + table)
    print(header + table)
    if args.json:
        figures: dict[str, float] = {"runs": len(rows), "wall_s": round(wall, 1),
                                     "cpu_s": round(cpu, 1)}
        for (mode, attack, alpha), (mean, _, _) in sorted(summarize(rows).items()):
            name = f"{mode}__{attack}__{alpha}_accuracy".replace("-", "_").replace(".", "_")
            figures[name] = round(mean, 4)
        print(json.dumps(figures))
    return 0


if __name__ == "__main__":
    sys.exit(main())
