"""The experiment grid: aggregation mode x attack x Dirichlet alpha x seed, one CSV row each.

Lesson: how to compare defences honestly — the same clients, data splits, attackers and
seeds for every mode, many seeds, mean and spread, and nothing lost if a long sweep stops.

- :class:`GridSpec` names the grid; :func:`configs` lists its runs in a fixed order. The
  attack "none" runs every client honestly, but the robust baselines are still told
  ``f = byzantine`` (a server cannot know that nobody attacks), so its row shows what each
  defence costs when there is nothing to defend against. The attack "absent" drops the
  Byzantine clients instead (``experiment.ABSENT``): the reference for what losing their
  data costs.
- :func:`run_grid` runs them one by one and APPENDS each finished row to the CSV (flushed),
  skipping the rows the CSV already has: an interrupted sweep resumes where it stopped.
  Each run is ``experiment.run_experiment`` with the no-crypto verifier
  (``verify.RecomputeVerifier``: the proof verifier's verdicts without the proofs — a
  proof takes seconds to minutes, and a grid has hundreds of runs x rounds x clients).
- :func:`summarize` and :func:`markdown` turn rows into mean and sample standard deviation
  over seeds, one table per alpha (attacks down, modes across), plus the backdoor's
  attack success rate.

Everything a run draws comes from its seed (``experiment.py``), so a row depends only on
its configuration: ``tests/fl/test_grid.py`` runs a small grid twice and compares.
``benchmarks/fl_grid.py`` is the command; ``docs/fl_grid.md`` has the full table.

Read next: ``../chain.py`` (part 9: the chain a federation writes, and its checks).
"""

from __future__ import annotations

import csv
import math
import statistics
import time
from collections.abc import Callable, Iterable
from contextlib import nullcontext
from dataclasses import dataclass
from pathlib import Path

from zkpot_ref.errors import MalformedInput
from zkpot_ref.fl.aggregation import BASELINE_MODES, MODES
from zkpot_ref.fl.attacks import ATTACKS
from zkpot_ref.fl.client import stand_in_commitments
from zkpot_ref.fl.experiment import ABSENT, ExperimentConfig, run_experiment
from zkpot_ref.fl.model import TrainConfig

FIELDS = ("mode", "attack", "alpha", "seed", "clients", "byzantine", "rounds", "epochs",
          "final_accuracy", "backdoor_success", "byzantine_selected", "wall_s", "cpu_s")


@dataclass(frozen=True)
class GridSpec:
    """Which runs: every (mode, attack, alpha, seed); alpha None means IID shards."""

    modes: tuple[str, ...]
    attacks: tuple[str, ...]
    alphas: tuple[float | None, ...]
    seeds: tuple[int, ...]
    clients: int = 7
    byzantine: int = 2
    rounds: int = 10
    epochs: int = 2
    k: int = 2

    def __post_init__(self) -> None:
        bad = [m for m in self.modes if m not in MODES]
        bad += [a for a in self.attacks if a not in ("none", ABSENT) and a not in ATTACKS]
        if bad:
            raise MalformedInput(f"unknown mode or attack {bad[0]!r}; modes {MODES}, "
                                 f"attacks {['none', ABSENT, *sorted(ATTACKS)]}")
        if not (self.modes and self.attacks and self.alphas and self.seeds):
            raise MalformedInput("a grid needs >= 1 mode, attack, alpha and seed")
        if any(a is not None and not (math.isfinite(a) and a > 0) for a in self.alphas):
            raise MalformedInput("every alpha must be positive and finite (or IID)")
        if not 1 <= self.byzantine < self.clients or self.rounds < 1 or self.epochs < 1:
            raise MalformedInput("need 1 <= byzantine < clients, rounds >= 1, epochs >= 1")

    def __len__(self) -> int:
        return len(self.modes) * len(self.attacks) * len(self.alphas) * len(self.seeds)


def alpha_label(alpha: float | None) -> str:
    """'iid' or the alpha as written in the CSV ('0.5')."""
    return "iid" if alpha is None else f"{alpha:g}"


def configs(spec: GridSpec) -> list[ExperimentConfig]:
    """Every run of ``spec``: seed, then alpha, then attack, then mode (the seed changes
    least, so a sweep stopped early already holds whole tables over fewer seeds)."""
    return [
        ExperimentConfig(clients=spec.clients, rounds=spec.rounds,
                         byzantine=0 if attack == "none" else spec.byzantine,
                         attack=attack, alpha=alpha, mode=mode, k=spec.k, seed=seed,
                         train=TrainConfig(epochs=spec.epochs), f=spec.byzantine)
        for seed in spec.seeds for alpha in spec.alphas for attack in spec.attacks
        for mode in spec.modes
    ]


def key(row: dict) -> tuple[str, str, str, str]:
    """What identifies a row (with the spec's sizes): mode, attack, alpha, seed."""
    return (str(row["mode"]), str(row["attack"]), str(row["alpha"]), str(row["seed"]))


def run_one(config: ExperimentConfig) -> dict:
    """One run as a CSV row (accuracy and the backdoor's success after the last round).

    The modes that verify nothing run with ``client.stand_in_commitments()``: they never
    open a commitment, so the sweep skips the Poseidon hashing (~90% of their time)."""
    wall, cpu = time.perf_counter(), time.process_time()
    cheap = config.mode in BASELINE_MODES and config.proofs is None
    with stand_in_commitments() if cheap else nullcontext():
        result = run_experiment(config)
    last = result.rounds[-1]
    return {
        "mode": config.mode, "attack": config.attack, "alpha": alpha_label(config.alpha),
        "seed": config.seed, "clients": config.clients, "byzantine": config.byzantine,
        "rounds": config.rounds, "epochs": config.train.epochs,
        "final_accuracy": f"{last.accuracy:.4f}",
        "backdoor_success": f"{last.backdoor_success:.4f}",
        "byzantine_selected": sum(r.byzantine_selected for r in result.rounds),
        "wall_s": f"{time.perf_counter() - wall:.2f}", "cpu_s": f"{time.process_time() - cpu:.2f}",
    }


def read_rows(path: Path) -> list[dict]:
    """The rows of a grid CSV (none if the file does not exist)."""
    if not path.exists():
        return []
    with path.open(newline="") as handle:
        reader = csv.DictReader(handle)
        if tuple(reader.fieldnames or ()) != FIELDS:
            raise MalformedInput(f"{path}: not a grid CSV (expected the columns {FIELDS})")
        return list(reader)


def run_grid(spec: GridSpec, path: Path | None = None,
             progress: Callable[[str], None] | None = None) -> list[dict]:
    """Run every configuration of ``spec`` not yet in the CSV at ``path``; append each row
    as it finishes. Returns the rows of this spec (read back, so all values are strings)."""
    done = {key(r) for r in read_rows(path)} if path else set()
    rows: list[dict] = []
    todo = configs(spec)
    for index, config in enumerate(todo, 1):
        ident = (config.mode, config.attack, alpha_label(config.alpha), str(config.seed))
        if ident in done:
            continue
        row = {name: str(value) for name, value in run_one(config).items()}
        rows.append(row)
        if path is not None:
            fresh = not path.exists()
            with path.open("a", newline="") as handle:
                writer = csv.DictWriter(handle, FIELDS, lineterminator="\n")
                if fresh:
                    writer.writeheader()
                writer.writerow(row)
        if progress:
            progress(f"[{index}/{len(todo)}] {' '.join(ident)}: "
                     f"{100 * float(row['final_accuracy']):.1f}% ({row['wall_s']} s)")
    if path is None:
        return rows
    wanted = {(c.mode, c.attack, alpha_label(c.alpha), str(c.seed)) for c in todo}
    return [r for r in read_rows(path) if key(r) in wanted]


def summarize(rows: Iterable[dict], column: str = "final_accuracy") -> dict[
    tuple[str, str, str], tuple[float, float, int]
]:
    """(mode, attack, alpha) -> (mean, sample std (0 for one seed), number of seeds)."""
    groups: dict[tuple[str, str, str], list[float]] = {}
    for row in rows:
        groups.setdefault((row["mode"], row["attack"], row["alpha"]), []).append(
            float(row[column]))
    return {k: (statistics.fmean(v), statistics.stdev(v) if len(v) > 1 else 0.0, len(v))
            for k, v in groups.items()}


def _cell(stats: tuple[float, float, int] | None) -> str:
    return "-" if stats is None else f"{100 * stats[0]:.1f} ± {100 * stats[1]:.1f}"


def markdown(rows: list[dict], spec: GridSpec) -> str:
    """One table per alpha: final accuracy (%) mean ± std over seeds, attacks down, modes
    across; then the backdoor's success rate next to its clean accuracy."""
    acc, asr = summarize(rows), summarize(rows, "backdoor_success")
    out = []
    for alpha in map(alpha_label, spec.alphas):
        title = "IID shards" if alpha == "iid" else f"Dirichlet alpha = {alpha}"
        out += [f"**{title}** — final global accuracy (%), mean ± std over "
                f"{len(spec.seeds)} seeds", "",
                "| attack | " + " | ".join(spec.modes) + " |",
                "|:---|" + "---:|" * len(spec.modes)]
        for attack in spec.attacks:
            out.append(f"| {attack} | " + " | ".join(
                _cell(acc.get((m, attack, alpha))) for m in spec.modes) + " |")
        if "backdoor" in spec.attacks:
            out.append("| backdoor: attack success | " + " | ".join(
                _cell(asr.get((m, "backdoor", alpha))) for m in spec.modes) + " |")
            if "none" in spec.attacks:
                out.append("| (no attack: trigger -> 0 anyway) | " + " | ".join(
                    _cell(asr.get((m, "none", alpha))) for m in spec.modes) + " |")
        out.append("")
    return "\n".join(out)
