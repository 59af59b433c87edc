"""The ``zkpot`` command line: one entry point, one sub-command per job.

The last lesson, and the only module allowed to import every layer. Each sub-command
lives next to the code it drives, in a module that offers two functions:

- ``add_arguments(parser: argparse.ArgumentParser) -> None`` declares its options;
- ``run(args: argparse.Namespace) -> int`` does the work and returns the exit status.

Command modules keep heavy imports (JAX) inside ``run`` so ``zkpot --help`` stays instant.

Errors: a :class:`~zkpot_ref.errors.ZkpotError` (a user mistake or a refused input) is
printed as one line ``error: ...`` with exit status 2, never a traceback; so is an option
argparse cannot parse (an unknown flag, ``--k abc``). Each command checks its options in
one ``validate`` step before it starts any work. Ctrl-C exits 130.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence
from typing import NoReturn

from zkpot_ref.errors import MalformedInput, ZkpotError

#: name -> (module offering add_arguments/run, one-line help[, prefix of those two
#: functions' names, when one module offers several commands]). Add new commands here.
COMMANDS: dict[str, tuple[str, ...]] = {
    "demo": ("zkpot_ref.demo", "the whole system: FL clients prove, validators verify, a "
             "chain commits"),
    "tour": ("zkpot_ref.tour", "a short tour: fields, NTT, a PLONK proof, a Poseidon commitment"),
    "chain": ("zkpot_ref.chain", "a ZKPoT chain directory: verify (from genesis)"),
    "task": ("zkpot_ref.fl.task_command",
             "a ZKPoT task: create (test set + keys) | train (a model for it) | show"),
    "prove": ("zkpot_ref.pot.command", "prove a model's exact test count (ZKPoT)", "prove"),
    "verify": ("zkpot_ref.pot.command", "verify a ZKPoT proof file: exit 0 valid, 1 not",
               "verify"),
    "ceremony": ("zkpot_ref.ceremony_format",
                 "powers-of-tau ceremony: new | contribute | verify (the KZG SRS)"),
    "experiment": ("zkpot_ref.fl.command", "a federated-learning run: per-round accuracy table"),
    "simulate": ("zkpot_ref.ledger.simulator",
                 "BFT consensus under injected faults, over a seed range (virtual time)"),
    "node": ("zkpot_ref.chain", "run one validator over TCP (--init writes a cluster)", "node"),
}


class Parser(argparse.ArgumentParser):
    """argparse, but a usage mistake is a MalformedInput: one ``error:`` line, exit 2."""

    def error(self, message: str) -> NoReturn:
        raise MalformedInput(f"{self.prog}: {message} (see {self.prog} --help)")


def build_parser() -> argparse.ArgumentParser:
    """The full argument parser with every registered sub-command."""
    parser = Parser(
        prog="zkpot",
        description="Zero-Knowledge Proof of Training: a readable reference implementation.",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, (module_name, help_text, *prefix) in COMMANDS.items():
        module = importlib.import_module(module_name)
        command_parser = sub.add_parser(name, help=help_text, description=help_text)
        infix = f"{prefix[0]}_" if prefix else ""
        getattr(module, f"add_{infix}arguments")(command_parser)
        command_parser.set_defaults(_run=getattr(module, f"run_{infix}".rstrip("_")))
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Parse ``argv`` (default: ``sys.argv[1:]``), run the command, return its exit status."""
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
        if args.command is None:
            parser.print_help()
            return 0
        return int(args._run(args) or 0)
    except ZkpotError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
