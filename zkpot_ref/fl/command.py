"""``zkpot experiment``: run one federated experiment and write its per-round table.

Lesson: the reporting end of ``experiment.py`` — a CSV for scripts, a markdown table for
the docs, and, when matplotlib is installed (``pip install zkpot[plot]``), a PNG plot;
without matplotlib the plot is skipped with a one-line message.

    zkpot experiment --clients 4 --rounds 10 --byzantine 1 --attack noise --mode leader

JAX is imported only inside :func:`run` (through ``experiment.py``), so ``zkpot --help``
stays fast.

Every option is checked by :func:`validate` before any training starts (ranges, the
attack/byzantine pair, that input files are readable and ``--out`` is writable), so a
mistake costs one ``error:`` line, not a finished run; the outputs are written
atomically (a temporary file, then a rename), so an interrupted write loses nothing.
A new option gets its check in ``validate`` and a row in ``tests/test_cli_errors.py``.

Read next: ``task_command.py`` (``zkpot task``: the public task a federation proves against).
"""

from __future__ import annotations

import argparse
import csv
import io
import math
import os
import sys
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

from zkpot_ref.errors import MalformedInput

if TYPE_CHECKING:  # pragma: no cover
    from zkpot_ref.fl.experiment import ExperimentResult

CSV_FIELDS = ("round", "accuracy", "correct", "accepted", "rejected", "selected",
              "byzantine_selected", "model_digest")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The experiment's options (see ``ExperimentConfig``)."""
    parser.add_argument("--clients", type=int, default=4, help="number of clients (default 4)")
    parser.add_argument("--rounds", type=int, default=10, help="federated rounds (default 10)")
    parser.add_argument("--byzantine", type=int, default=0, help="Byzantine clients (default 0)")
    parser.add_argument("--attack", default="none",
                        help="label-flip, noise, free-rider, over-claim, replay, stale, "
                        "forged-commitment, alie, ipm or backdoor")
    parser.add_argument("--alpha", type=float, default=None,
                        help="Dirichlet alpha for non-IID shards (default: IID)")
    parser.add_argument("--mode", default="fedavg-all",
                        help="leader, top-k, gated-fedavg, fedavg-all, krum, multi-krum, "
                        "median, trimmed-mean or fltrust")
    parser.add_argument("--k", type=int, default=2, help="k of top-k (default 2)")
    parser.add_argument("--seed", type=int, default=0, help="the one seed of the run (default 0)")
    parser.add_argument("--epochs", type=int, default=2, help="local epochs a round (default 2)")
    parser.add_argument("--batch-size", type=int, default=32, help="minibatch size (default 32)")
    parser.add_argument("--lr", type=float, default=0.01, help="Adam learning rate (default 0.01)")
    parser.add_argument("--hidden", default="32", help="hidden widths, comma separated ('32')")
    parser.add_argument("--mnist", nargs=2, metavar=("IMAGES", "LABELS"), default=None,
                        help="use MNIST IDX files (gzip or not) instead of the bundled digits")
    parser.add_argument("--out", default="experiment-out",
                        help="folder for experiment.csv / .md / .png (default experiment-out)")
    parser.add_argument("--no-plot", action="store_true", help="skip the matplotlib plot")
    parser.add_argument("--proofs", action="store_true",
                        help="real ZKPoT proofs (default: the no-crypto simulated verifier)")
    parser.add_argument("--proof-test-size", type=int, default=8,
                        help="with --proofs: public test images every claim is proven on (8)")
    parser.add_argument("--srs", default=None, help="with --proofs: a ceremony or .ptau file "
                        "(default: a cached one-party ceremony, for experiments only)")
    parser.add_argument("--cache", default=None, help="with --proofs: the key cache directory")


def to_csv(result: ExperimentResult) -> str:
    """One row a round: the fields of ``RoundResult``; ``selected`` as ids joined by ';'."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_FIELDS)
    for row in result.rounds:
        writer.writerow([row.round, f"{row.accuracy:.4f}", row.correct, row.accepted,
                         row.rejected, ";".join(map(str, row.selected)),
                         row.byzantine_selected, row.model_digest])
    return out.getvalue()


def to_markdown(result: ExperimentResult) -> str:
    """A markdown table of per-round global accuracy, with the run's settings above it."""
    c = result.config
    alpha = "IID" if c.alpha is None else f"Dirichlet alpha = {c.alpha}"
    lines = [
        f"Clients {c.clients} ({c.byzantine} Byzantine"
        f"{f': {c.attack}, ids {list(result.byzantine_ids)}' if c.byzantine else ''}), "
        f"mode {c.mode}, {alpha}, seed {c.seed}, {c.train.epochs} local epochs; "
        f"{result.seconds:.1f} s.",
        "",
        "| round | global accuracy (integer model) | accepted | rejected | selected |",
        "|---:|---:|---:|---:|:---|",
    ]
    for row in result.rounds:
        selected = ", ".join(map(str, row.selected)) or "-"
        lines.append(f"| {row.round} | {100 * row.accuracy:.1f}% | {row.accepted} | "
                     f"{row.rejected} | {selected} |")
    return "\n".join(lines) + "\n"


def plot(result: ExperimentResult, path: Path) -> bool:
    """Save accuracy per round as a PNG; False (and nothing written) without matplotlib."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return False
    fig, ax = plt.subplots(figsize=(5, 3.2))
    ax.plot([r.round for r in result.rounds], [100 * r.accuracy for r in result.rounds], "o-")
    ax.set_xlabel("round")
    ax.set_ylabel("global test accuracy (%)")
    ax.set_title(f"{result.config.mode}, attack {result.config.attack}")
    fig.tight_layout()
    image = io.BytesIO()
    fig.savefig(image, format="png")
    write_atomically(path, image.getvalue())
    plt.close(fig)
    return True


def parse_hidden(text: str) -> tuple[int, ...]:
    """'32' -> (32,); '64,32' -> (64, 32); '' -> () (a linear model)."""
    try:
        widths = tuple(int(part) for part in text.split(",") if part.strip())
    except ValueError as exc:
        raise MalformedInput(f"--hidden takes comma-separated positive ints, not {text!r}") from exc
    if any(w < 1 for w in widths):
        raise MalformedInput(f"--hidden widths must be positive, not {text!r}")
    return widths


#: Upper bounds of the options: beyond them a run would take days (or it is a typo).
MAX_CLIENTS, MAX_ROUNDS, MAX_EPOCHS, MAX_BATCH, MAX_SEED = 1000, 100_000, 1000, 1 << 20, 1 << 63
MAX_PROOF_TEST = 450  # as ProofSettings


def validate(args: argparse.Namespace, attacks: list[str], modes: tuple[str, ...]) -> None:
    """Check every option before any work; raise ``MalformedInput`` naming the first bad one.

    ``attacks`` and ``modes`` are the registered names (passed in so that this check does
    not import JAX). ``--out`` is created if missing and must be writable."""
    checks = [
        (1 <= args.clients <= MAX_CLIENTS, f"--clients {args.clients}: choose 1..{MAX_CLIENTS}"),
        (0 <= args.rounds <= MAX_ROUNDS, f"--rounds {args.rounds}: choose 0..{MAX_ROUNDS}"),
        (0 <= args.byzantine <= args.clients,
         f"--byzantine {args.byzantine}: choose 0..--clients ({args.clients})"),
        (args.attack == "none" or args.attack in attacks,
         f"unknown attack {args.attack!r}; choose one of {attacks}"),
        (not args.byzantine or args.attack != "none",
         f"--byzantine {args.byzantine} needs --attack (one of {', '.join(attacks)})"),
        (args.byzantine or args.attack == "none",
         f"--attack {args.attack} needs --byzantine >= 1 (who would attack?)"),
        (args.alpha is None or (math.isfinite(args.alpha) and args.alpha > 0),
         f"--alpha {args.alpha}: the Dirichlet alpha must be a positive, finite number"),
        (args.mode in modes, f"unknown mode {args.mode!r}; choose one of {modes}"),
        (args.mode not in ("krum", "multi-krum") or args.clients - args.byzantine - 2 >= 1,
         f"--mode {args.mode} needs --clients - --byzantine - 2 >= 1 (Krum's neighbours)"),
        (args.k >= 1, f"--k {args.k}: top-k needs k >= 1"),
        (args.mode != "top-k" or args.k <= args.clients,
         f"--k {args.k}: top-k cannot pick more than --clients ({args.clients})"),
        (0 <= args.seed < MAX_SEED, f"--seed {args.seed}: choose 0..2^63-1"),
        (1 <= args.epochs <= MAX_EPOCHS, f"--epochs {args.epochs}: choose 1..{MAX_EPOCHS}"),
        (1 <= args.batch_size <= MAX_BATCH,
         f"--batch-size {args.batch_size}: choose 1..{MAX_BATCH}"),
        (math.isfinite(args.lr) and args.lr > 0,
         f"--lr {args.lr}: the learning rate must be a positive, finite number"),
        (1 <= args.proof_test_size <= MAX_PROOF_TEST,
         f"--proof-test-size {args.proof_test_size}: choose 1..{MAX_PROOF_TEST}"),
        (args.proofs or (args.srs is None and args.cache is None),
         "--srs and --cache work only with --proofs"),
        (args.srs is None or Path(args.srs).is_file(), f"--srs {args.srs}: not a file"),
        (args.cache is None or not Path(args.cache).exists() or Path(args.cache).is_dir(),
         f"--cache {args.cache}: not a directory"),
    ]  # fmt: skip
    for ok, message in checks:
        if not ok:
            raise MalformedInput(message)
    parse_hidden(args.hidden)
    for path in args.mnist or ():
        if not Path(path).is_file() or not os.access(path, os.R_OK):
            raise MalformedInput(f"--mnist {path}: not a readable file")
    prepare_out(Path(args.out))


def prepare_out(out: Path) -> None:
    """Create ``out`` if needed and prove it writable (by writing a temporary file)."""
    try:
        out.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=out):
            pass
    except OSError as exc:
        raise MalformedInput(f"--out {out}: cannot write there ({exc.strerror})") from None


def write_atomically(path: Path, data: str | bytes) -> None:
    """Write to a temporary file in the same folder, then rename it over ``path``."""
    fd, temp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as file:
            file.write(data.encode() if isinstance(data, str) else data)
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


def run(args: argparse.Namespace) -> int:
    """Check the options, run the experiment, write CSV + markdown (+ plot), print the table."""
    from zkpot_ref.fl.aggregation import MODES
    from zkpot_ref.fl.attacks import ATTACKS
    from zkpot_ref.fl.data import load_mnist_idx
    from zkpot_ref.fl.experiment import ExperimentConfig, ProofSettings, run_experiment
    from zkpot_ref.fl.model import TrainConfig

    validate(args, sorted(ATTACKS), MODES)
    proofs = None
    if args.proofs:
        proofs = ProofSettings(args.proof_test_size, args.srs, args.cache)
    config = ExperimentConfig(
        clients=args.clients, rounds=args.rounds, byzantine=args.byzantine, attack=args.attack,
        alpha=args.alpha, mode=args.mode, k=args.k, seed=args.seed,
        hidden=parse_hidden(args.hidden),
        train=TrainConfig(epochs=args.epochs, batch_size=args.batch_size,
                          learning_rate=args.lr),
        proofs=proofs,
    )
    data = load_mnist_idx(*args.mnist) if args.mnist else None
    result = run_experiment(config, data, progress=lambda m: print(f"  {m}", file=sys.stderr))
    out = Path(args.out)
    try:
        write_atomically(out / "experiment.csv", to_csv(result))
        markdown = to_markdown(result)
        write_atomically(out / "experiment.md", markdown)
    except OSError as exc:  # checked before the run, so only if it changed since
        raise MalformedInput(f"--out {out}: cannot write the results ({exc.strerror})") from None
    print(markdown, end="")
    if args.no_plot:
        pass
    elif plot(result, out / "experiment.png"):
        print(f"plot: {out / 'experiment.png'}")
    else:
        print("plot skipped: matplotlib is not installed (pip install zkpot[plot])")
    print(f"wrote {out / 'experiment.csv'} and {out / 'experiment.md'}")
    return 0
