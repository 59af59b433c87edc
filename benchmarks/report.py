"""The results page: one command, one machine, one run -> docs/results.md and its plots.

    python benchmarks/report.py [--quick] [--json] [--out docs/results.md]

1. **Attacks, with and without proof gating**: per-round global accuracy (the integer
   model on the 450 public test digits) of a 4-client federation with one Byzantine
   client, for every attack of ``fl/attacks.py``, under the paper's leader mode (only a
   proven count can lead) and under plain FedAvg of every submission (nothing checked).
   These runs use the verifier's no-crypto simulation (``fl.verify.RecomputeVerifier``,
   the same verdicts as the proofs — ``tests/fl/test_proofs.py`` checks it), so ten rounds
   take seconds instead of hours; the real proofs are timed in part 2 and run end to end
   by ``zkpot demo``.
2. **Proof costs**: ``benchmarks/zkpot.py``'s child runs — key setup, prove, verify, proof
   size, peak memory — against the number of public test images (64-32-10) and against
   the model size (64-h-10 at 4 images).
3. **Peers**: ``benchmarks/plonk.py`` (our PLONK prover and verifier next to snarkjs 0.7.6
   on the same gate count) and ``benchmarks/curve.py`` (pairing and scalar multiplication
   next to py_ecc), run here, now; ezkl when installed.

The page states the machine, the load when it started and the wall time of every part.
``--quick`` makes a small page (2 rounds, one proof size) for a smoke test.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ATTACKS = ("none", "free-rider", "over-claim", "replay", "stale", "forged-commitment",
           "label-flip", "noise")


def machine() -> str:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        memory = next(int(line.split()[1]) for line in Path("/proc/meminfo").read_text()
                      .splitlines() if line.startswith("MemTotal"))
    except (OSError, StopIteration):
        memory = 0
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    return (f"{os.cpu_count()} cores ({cpu}), {memory / 2**20:.0f} GiB, "
            f"{platform.system()} {platform.release()}, Python {platform.python_version()}; "
            f"load average {load:.1f} when the run started")


def attacks(rounds: int) -> dict:
    from zkpot_ref.fl.experiment import ExperimentConfig, run_experiment

    out = {}
    for attack in ATTACKS:
        for mode in ("leader", "fedavg-all"):
            config = ExperimentConfig(clients=4, rounds=rounds, byzantine=0 if attack == "none"
                                      else 1, attack=attack, mode=mode, seed=0)
            result = run_experiment(config)
            out[(attack, mode)] = [row.accuracy for row in result.rounds]
            print(f"  {attack:>18} {mode:>10}: final {100 * out[(attack, mode)][-1]:.1f}%",
                  flush=True)
    return out


def plot_attacks(results: dict, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(2, 4, figsize=(12, 5.5), sharex=True, sharey=True)
    for ax, attack in zip(axes.flat, ATTACKS):
        for mode, style in (("leader", "o-"), ("fedavg-all", "s--")):
            series = results[(attack, mode)]
            label = "proof-gated (leader)" if mode == "leader" else "no gating (FedAvg of all)"
            ax.plot(range(1, len(series) + 1), [100 * a for a in series], style, label=label,
                    markersize=3)
        ax.set_title(attack, fontsize=10)
        ax.set_ylim(0, 100)
    axes[0, 0].legend(fontsize=7, loc="lower right")
    fig.supxlabel("round")
    fig.supylabel("global test accuracy (%)")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def proof_costs(quick: bool) -> list[dict]:
    sys.path.insert(0, str(ROOT / "benchmarks"))
    from zkpot import run_child

    points = [(1, 4)] if quick else [(1, 32), (4, 32), (16, 32), (4, 4), (4, 8), (4, 16)]
    rows = []
    for n, hidden in points:
        r = run_child(n, hidden, 1)
        r["hidden"] = hidden
        rows.append(r)
        print(f"  64-{hidden}-10, n = {n}: domain {r['domain']}, prove {r['prove_s']:.1f} s, "
              f"verify {r['verify_s']:.3f} s", flush=True)
    return rows


def plot_costs(rows: list[dict], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (by_n, by_model) = plt.subplots(1, 2, figsize=(10, 3.6))
    for ax, pick, key, label in ((by_n, lambda r: r["hidden"] == 32, "n", "public test images"),
                                 (by_model, lambda r: r["n"] == 4, "hidden",
                                  "hidden width (64-h-10, 4 images)")):
        chosen = sorted((r for r in rows if pick(r)), key=lambda r: r[key])
        xs = [r[key] for r in chosen]
        ax.plot(xs, [r["prove_s"] for r in chosen], "o-", label="prove (s)")
        ax.plot(xs, [r["setup_s"] for r in chosen], "s--", label="key setup (s)")
        ax.plot(xs, [100 * r["verify_s"] for r in chosen], "^:", label="verify (s x 100)")
        ax.set_xlabel(label)
        ax.set_xscale("log", base=2)
        ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def peers(quick: bool) -> dict:
    runs = {}
    for script, args in (("plonk.py", ["--sizes", "10", "12", "--runs", "3"] if not quick
                          else ["--quick"]), ("curve.py", ["--quick"])):
        start = time.perf_counter()
        done = subprocess.run([sys.executable, str(ROOT / "benchmarks" / script), *args,
                               "--json"], capture_output=True, text=True, timeout=3600)
        lines = done.stdout.strip().splitlines()
        runs[script] = {"table": "\n".join(lines[:-1]), "seconds": time.perf_counter() - start,
                        "json": json.loads(lines[-1]) if done.returncode == 0 else None}
    runs["ezkl"] = shutil.which("ezkl") is not None
    return runs


def page(info: dict) -> str:
    lines = ["# Results", "",
             f"Produced by `python benchmarks/report.py{' --quick' if info['quick'] else ''}` "
             f"on {info['date']} in {info['wall_s'] / 60:.1f} minutes, on one machine: "
             f"{info['machine']}. The machine was shared with other work while it ran; the "
             "timings are process wall times, and the ratios within one table were measured "
             "side by side.", "",
             "## Attacks, with and without proof gating", "",
             f"4 clients (IID shards of the bundled digits), one of them Byzantine, "
             f"{info['rounds']} rounds, seed 0. *Proof-gated*: the paper's leader mode — only "
             "a proven count can lead, and the leader's reveal must open its commitment. "
             "*No gating*: FedAvg of every submission. The verdicts come from the "
             "verifier's no-crypto simulation (same verdicts as the proofs); part 2 times the "
             "proofs themselves.", "",
             "![accuracy per round under each attack](img/results_attacks.png)", "",
             "| attack | proof-gated, final | no gating, final |", "|---|---:|---:|"]
    for attack in ATTACKS:
        gated, open_ = info["attacks"][(attack, "leader")], info["attacks"][(attack, "fedavg-all")]
        lines.append(f"| {attack} | {100 * gated[-1]:.1f}% | {100 * open_[-1]:.1f}% |")
    lines += ["", "Every aggregation mode (the paper's, `gated-fedavg`, Krum, median, trimmed "
              "mean, FLTrust) against every attack (with ALIE, IPM and a backdoor), IID and "
              "Dirichlet(0.5), three seeds: [the FL grid](fl_grid.md), from "
              "`benchmarks/fl_grid.py` (about an hour, so not rerun by this page)."]
    lines += ["", "## Proof costs (reference backend)", "",
              "Key setup, one proof and the median of five verifications, each size in a "
              "fresh process (`benchmarks/zkpot.py`).", "",
              "![proof and verification time](img/results_costs.png)", "",
              "| model | test images | domain | key setup s | prove s | verify s | proof bytes "
              "| peak MB |", "|---|---:|---:|---:|---:|---:|---:|---:|"]
    for r in info["costs"]:
        lines.append(f"| 64-{r['hidden']}-10 | {r['n']} | 2^{r['domain'].bit_length() - 1} | "
                     f"{r['setup_s']:.1f} | {r['prove_s']:.1f} | {r['verify_s']:.3f} | "
                     f"{r['proof_bytes']} | {r['peak_rss_mb']:.0f} |")
    lines += ["", "## Peers", ""]
    for script in ("plonk.py", "curve.py"):
        peer = info["peers"][script]
        lines += [f"`benchmarks/{script}` ({peer['seconds']:.0f} s):", "", "```text",
                  peer["table"], "```", ""]
    lines.append("ezkl: " + ("installed, but not scripted here." if info["peers"]["ezkl"] else
                 "not installed here (optional); measured earlier on these machines for the "
                 "64-32-10 statement at 16 images: 87 s setup, 120 s prove, 5.4 GiB."))
    return "\n".join(lines) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--out", default=None, help="default docs/results.md "
                        "(benchmarks/.cache/results-quick.md with --quick)")
    args = parser.parse_args()
    if args.out is None:
        args.out = str(ROOT / ("benchmarks/.cache/results-quick.md" if args.quick
                               else "docs/results.md"))
    start = time.perf_counter()
    info = {"quick": args.quick, "machine": machine(), "rounds": 2 if args.quick else 10,
            "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")}
    out = Path(args.out)
    images = out.parent / "img"
    images.mkdir(parents=True, exist_ok=True)
    print("1. attacks", flush=True)
    info["attacks"] = attacks(info["rounds"])
    plot_attacks(info["attacks"], images / "results_attacks.png")
    print("2. proof costs", flush=True)
    info["costs"] = proof_costs(args.quick)
    plot_costs(info["costs"], images / "results_costs.png")
    print("3. peers", flush=True)
    info["peers"] = peers(args.quick)
    info["wall_s"] = time.perf_counter() - start
    out.write_text(page(info))
    print(f"wrote {out} in {info['wall_s']:.0f} s")
    if args.json:
        final = {f"{a}_{m}_final": round(v[-1], 4) for (a, m), v in info["attacks"].items()}
        final.update({f"prove_s_n{r['n']}_h{r['hidden']}": round(r["prove_s"], 2)
                      for r in info["costs"]})
        print(json.dumps(final))
    return 0


if __name__ == "__main__":
    sys.exit(main())
