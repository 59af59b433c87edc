"""``zkpot demo``: the whole ZKPoT system, on the bundled digits, in a few minutes.

Lesson: the course's last command, and what it shows. With no arguments: 4 clients (one
a free rider that claims a perfect count its model does not reach), 4 validators, 3
rounds, real proofs and real verification (``round.py``), a 64-4-10 MLP proven on 8
public test images (sizes chosen by measurement so the whole run stays within 5 minutes
on 2 cores with the reference backend). Each round prints a table — client, claimed
count, proven?, the reason when not, proof and verification time, the leader — and the
global model's accuracy on the whole public test set; at the end the chain written to
``--out`` is verified from genesis (``chain.verify_chain``), ending in

    chain verified: 3 blocks, 3 rounds, final accuracy X%

``--no-gating`` turns proof checking off: the same free rider then leads every round
with a model it never trained, and the accuracy shows it (the chain no longer verifies —
the final line says where). ``--rounds 1 --clients 2`` is the run CI makes.

The first lessons' tour is ``zkpot tour``.

Read next: ``tour.py`` (``zkpot tour``: the course in one command).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

from zkpot_ref.errors import MalformedInput

DEFAULT_OUT = "zkpot-demo-out"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--clients", type=int, default=4, help="FL clients (default 4)")
    parser.add_argument("--rounds", type=int, default=3, help="rounds = blocks (default 3)")
    parser.add_argument("--byzantine", type=int, default=1, help="Byzantine clients (1)")
    parser.add_argument("--attack", default="free-rider",
                        help="their attack: free-rider, over-claim, replay, stale, "
                        "forged-commitment, label-flip, noise (default free-rider)")
    parser.add_argument("--validators", type=int, default=4, help="validators (default 4)")
    parser.add_argument("--byzantine-validators", type=int, default=0,
                        help="Byzantine validators, at most (n - 1) // 3 (default 0)")
    parser.add_argument("--validator-behaviour", default="forged-proof",
                        help="equivocate, double-vote, forged-proof, wrong-leader, withhold")
    parser.add_argument("--hidden", default="4", help="hidden widths, comma separated ('4')")
    parser.add_argument("--test-size", type=int, default=8,
                        help="public test images every claim is proven on (default 8)")
    parser.add_argument("--epochs", type=int, default=5, help="local epochs a round (5)")
    parser.add_argument("--seed", type=int, default=0, help="the run's seed (default 0)")
    parser.add_argument("--backend", default=os.environ.get("ZKPOT_BACKEND") or "reference",
                        help="proving backend: reference, processes (the reference on two "
                        "cores), jax, jax-all (default: $ZKPOT_BACKEND or reference)")
    parser.add_argument("--workers", type=int, default=2, help="proving processes (2)")
    parser.add_argument("--mnist", nargs=2, metavar=("IMAGES", "LABELS"), default=None,
                        help="MNIST IDX files (gzip or not) instead of the bundled digits")
    parser.add_argument("--srs", default=None, help="a ceremony or .ptau file (default: a "
                        "cached one-party ceremony, fine for a demo, not for a real task)")
    parser.add_argument("--cache", default=None, help="key and SRS cache directory")
    parser.add_argument("--out", default=DEFAULT_OUT, help=f"the chain directory to write "
                        f"(default {DEFAULT_OUT}; must be new or empty)")
    parser.add_argument("--no-gating", action="store_true",
                        help="believe every claim (no proof checks): see what ZKPoT stops")


def _out_dir(path: str) -> Path:
    out = Path(path)
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise MalformedInput(f"--out {out} exists and is not an empty directory")
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise MalformedInput(f"cannot create --out {out}: {exc.strerror}") from None
    return out


def table(report) -> str:  # noqa: ANN001 - a round.RoundReport
    """The round as a markdown table."""
    rows = ["| client | claimed | proven | reason if rejected | prove s | verify s | leader |",
            "|---:|---:|:---:|:---|---:|---:|:---:|"]
    for line in report.lines:
        who = f"{line.client}{' (Byzantine)' if line.byzantine else ''}"
        rows.append(f"| {who} | {line.claimed} | {'yes' if line.proven else 'NO'} | "
                    f"{line.reason or ''} | {line.prove_s:.1f} | {line.verify_s:.2f} | "
                    f"{'*' if line.leader else ''} |")
    return "\n".join(rows)


class Progress:
    """Progress on stderr: tqdm bars on a terminal, one timestamped line a step elsewhere."""

    def __init__(self) -> None:
        self.tty, self.start, self.bar = sys.stderr.isatty(), time.perf_counter(), None

    def step(self, message: str) -> None:
        if self.tty and self.bar is not None:
            self.bar.set_description(message[:70])
        else:
            print(f"  [{time.perf_counter() - self.start:6.1f} s] {message}", file=sys.stderr,
                  flush=True)

    def begin(self, total: int, what: str) -> None:
        from tqdm import tqdm

        self.done, self.total, self.what = 0, total, what
        self.bar = tqdm(total=total, desc=what, file=sys.stderr, disable=not self.tty)

    def tick(self) -> None:
        self.done += 1
        if self.bar is not None and self.tty:
            self.bar.update(1)
        else:
            self.step(f"{self.what}: {self.done}/{self.total}")

    def end(self) -> None:
        if self.bar is not None:
            self.bar.close()
        self.bar = None


def run(args: argparse.Namespace) -> int:
    from zkpot_ref import backend
    from zkpot_ref.chain import verify_chain
    from zkpot_ref.fl.command import parse_hidden
    from zkpot_ref.fl.data import load_mnist_idx
    from zkpot_ref.round import Federation, RoundConfig

    config = RoundConfig(
        clients=args.clients, rounds=args.rounds, byzantine=args.byzantine,
        attack=args.attack, validators=args.validators,
        byzantine_validators=args.byzantine_validators,
        validator_behaviour=args.validator_behaviour, hidden=parse_hidden(args.hidden),
        test_size=args.test_size, seed=args.seed, epochs=args.epochs,
        gating=not args.no_gating, workers=args.workers, srs=args.srs, cache=args.cache,
        backend=args.backend)
    backend.use(args.backend)  # an unknown name fails here, before any work
    data = load_mnist_idx(*args.mnist) if args.mnist else None
    out = _out_dir(args.out)
    start = time.perf_counter()
    print(f"zkpot demo: {config.clients} clients ({config.byzantine} Byzantine: "
          f"{config.attack if config.byzantine else '-'}), {config.validators} validators "
          f"({config.byzantine_validators} Byzantine), {config.rounds} rounds, proof gating "
          f"{'ON' if config.gating else 'OFF'}", flush=True)
    progress = Progress()
    progress.begin(1, "setup")
    federation = Federation(config, out, data, progress.step)
    progress.end()
    federation.proof_done = progress.tick
    try:
        for r in range(1, config.rounds + 1):
            progress.begin(config.clients, f"round {r}: proofs")
            report = federation.play(r)
            progress.end()
            leader = "none" if report.leader is None else f"client {report.leader}"
            print(f"\nround {r}: leader {leader}; block {r} committed by {config.validators} "
                  f"validators in {report.consensus_s:.1f} s; global model: "
                  f"{100 * report.accuracy:.1f}% of the {len(federation.test)} public test "
                  "images")
            print(table(report), flush=True)
    finally:
        federation.close()
    summary = verify_chain(out)
    print(f"\n{summary.line()}  ({time.perf_counter() - start:.0f} s in all; accuracy on the "
          f"task's {federation.task.n} images; chain in {out})")
    if summary.problem and config.gating:
        return 1
    return 0
