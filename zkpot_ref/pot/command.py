"""``zkpot prove`` and ``zkpot verify``: the statement from the command line.

Lesson: the two halves of a ZKPoT exchange as files a person can pass around.

    zkpot prove  --task tasks/digits16 --srs srs.zkptau --model model.zkm \\
                 --round 1 --client-key <64 hex digits> --out claim.proof
    zkpot verify --task tasks/digits16 claim.proof          # exit 0 valid, 1 invalid

A task directory (``zkpot task create``) holds ``task.zkt`` (the public task) and
``vk.bin`` (its verification key). ``prove`` loads the proving key from the cache
(``keys.load_or_build``: rebuilt from the SRS when missing or damaged), proves the
model's true count and writes the proof file (``prove.AccuracyProof``). The salt is the
model's opening: pass ``--salt``, or a fresh one is drawn and written beside the proof
as ``<out>.salt`` — keep it private, it is what the model is revealed with if it leads.
``verify`` needs only the task directory and the proof file. Mistakes end in one
``error:`` line and exit status 2 (``cli.py``).

Read next: ``../ledger/edwards25519.py`` (part 7, the ledger, starts with the group its signatures
use).
"""

from __future__ import annotations

import argparse
import os
import secrets
import sys
import time
from pathlib import Path

from zkpot_ref.errors import MalformedInput
from zkpot_ref.field import R_MODULUS

TASK_FILE, VK_FILE = "task.zkt", "vk.bin"


def _progress(message: str) -> None:
    print(f"  {message}", file=sys.stderr, flush=True)


def parse_field_hex(text: str, what: str) -> int:
    """A field element written in hex ('0x...' or bare digits)."""
    try:
        value = int(text, 16)
    except (TypeError, ValueError):
        raise MalformedInput(f"{what} must be a hexadecimal number, not {text!r}") from None
    if not 0 <= value < R_MODULUS:
        raise MalformedInput(f"{what} must be below the field modulus r")
    return value


def parse_public_key(text: str) -> bytes:
    """A 32-byte Ed25519 public key in hex."""
    try:
        key = bytes.fromhex(text)
    except ValueError:
        key = b""
    if len(key) != 32:
        raise MalformedInput("--client-key must be 64 hex digits (a 32-byte Ed25519 key)")
    return key


def load_task_dir(directory: str | Path):
    """(task, verification key) from a task directory."""
    from zkpot_ref.pot.keys import read_verification_key
    from zkpot_ref.pot.task import Task

    directory = Path(directory)
    if not directory.is_dir():
        raise MalformedInput(f"task directory {directory} does not exist")
    return Task.load(directory / TASK_FILE), read_verification_key(directory / VK_FILE)


def add_prove_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--task", required=True, help="task directory (zkpot task create)")
    parser.add_argument("--srs", required=True, help="ceremony file or snarkjs .ptau")
    parser.add_argument("--model", required=True, help="quantized model file (.zkm)")
    parser.add_argument("--round", required=True, type=int, help="the FL round (>= 0)")
    parser.add_argument("--client-key", required=True, help="your Ed25519 public key, hex")
    parser.add_argument("--out", required=True, help="the proof file to write")
    parser.add_argument("--salt", default=None, help="the commitment's salt, hex (default: "
                        "fresh, written to OUT.salt)")
    parser.add_argument("--count", type=int, default=None,
                        help="the count to claim (refused unless it is the true one)")
    parser.add_argument("--backend", default=os.environ.get("ZKPOT_BACKEND") or "reference",
                        help="proving backend: reference, processes (the reference on two "
                        "cores), jax, jax-all (default: $ZKPOT_BACKEND or reference)")
    parser.add_argument("--cache", default=None, help="key cache directory")


def run_prove(args: argparse.Namespace) -> int:
    from zkpot_ref import backend
    from zkpot_ref.pot.commit import load_model
    from zkpot_ref.pot.keys import default_cache, load_or_build, load_srs
    from zkpot_ref.pot.prove import AccuracyProof, claim, prove_accuracy
    from zkpot_ref.pot.statement import client_id_of

    if not 0 <= args.round < 2**32:
        raise MalformedInput(f"--round must be in 0..2^32-1, not {args.round}")
    client = client_id_of(parse_public_key(args.client_key))
    salt = secrets.randbelow(R_MODULUS) if args.salt is None else parse_field_hex(args.salt,
                                                                                   "--salt")
    out = Path(args.out)
    if not out.parent.is_dir():
        raise MalformedInput(f"cannot write {out}: directory {out.parent} does not exist")
    chosen = backend.use(args.backend)
    task, vk = load_task_dir(args.task)
    model = load_model(args.model)
    task.check_model(model)
    start = time.perf_counter()
    keys = load_or_build(task, load_srs(args.srs, _progress), args.cache or default_cache(),
                         chosen, _progress)
    if keys.vk != vk:
        raise MalformedInput("the SRS gives another verification key than the task's vk.bin")
    public = claim(task, model, salt, client, args.round)
    proof = prove_accuracy(task, model, salt, client, args.round, keys, chosen,
                           count=args.count, progress=_progress)
    AccuracyProof(public, proof).save(out)
    if args.salt is None:
        salt_path = out.with_name(out.name + ".salt")
        salt_path.write_text(f"{salt:064x}\n")
        print(f"salt written to {salt_path} (private: it opens your commitment)")
    print(f"proved {public.count}/{task.n} correct for round {args.round} in "
          f"{time.perf_counter() - start:.1f} s: {out} ({len(proof.to_bytes())}-byte proof, "
          f"commitment {public.commitment:064x})")
    return 0


def add_verify_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("proof", help="a proof file (zkpot prove)")
    parser.add_argument("--task", required=True, help="task directory (zkpot task create)")


def run_verify(args: argparse.Namespace) -> int:
    from zkpot_ref.pot.prove import AccuracyProof, verify_accuracy

    task, vk = load_task_dir(args.task)
    claimed = AccuracyProof.load(args.proof)
    p = claimed.public
    what = f"{p.count}/{task.n} correct, round {p.round}, client {p.client_id:064x}"
    if p.task_id != task.task_id:
        print(f"INVALID: the proof is for another task ({p.task_id:064x})")
        return 1
    start = time.perf_counter()
    valid = verify_accuracy(vk, p, claimed.proof)
    took = time.perf_counter() - start
    print(f"{'valid' if valid else 'INVALID'}: {what} ({took:.2f} s)")
    return 0 if valid else 1
