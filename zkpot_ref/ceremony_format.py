"""Ceremony files and the ``zkpot ceremony`` command: pass the transcript from hand to hand.

Lesson 6b. A ceremony travels as one file: participant k downloads it, verifies it, adds a
contribution (``ceremony.contribute``) and uploads the new file; anyone can verify the
final file from scratch. The format is binary, big-endian, versioned, and checksummed:

    magic "ZKPOTTAU" (8 bytes) | version u8 (= 1) | degree u32 | n_contributions u32
    [tau^0]_1 ... [tau^degree]_1          (degree + 1) x 64 bytes, EIP-196 x || y
    [tau]_2                               128 bytes, EIP-197 x_im || x_re || y_im || y_re
    n_contributions x Contribution.to_bytes()   (u8 name length, name, 5 points, s)
    SHA-256 of everything above           32 bytes

([1]_2 is always the generator, so it is not stored.) The checksum catches accidental
corruption with a clear message; it is *not* what makes the file trustworthy — a forger can
recompute it. Trust comes from ``check_ceremony``: loading validates every point (on the
curve, in G2's subgroup, canonical coordinates, via ``G1/G2.from_bytes``), and verification
replays the whole transcript.

The command line (registered in ``cli.py``)::

    zkpot ceremony new pot.zkptau --degree 1024
    zkpot ceremony contribute pot.zkptau pot2.zkptau --name alice
    zkpot ceremony verify pot2.zkptau

``contribute`` verifies its input first (a participant should not build on a broken
transcript) and shows a progress indicator; mistakes end in one ``error:`` line.

Read next: ``ptau.py`` (reading the big public ceremonies' snarkjs files).
"""

from __future__ import annotations

import argparse
import hashlib
import os
import struct
import sys
import time
from pathlib import Path

from zkpot_ref.ceremony import (
    MAX_NAME_BYTES,
    Ceremony,
    Contribution,
    check_ceremony,
    check_name,
    contribute,
    start,
)
from zkpot_ref.curve import G1, G2
from zkpot_ref.errors import MalformedInput, SetupError
from zkpot_ref.field import R_MODULUS
from zkpot_ref.kzg import SRS

MAGIC = b"ZKPOTTAU"
VERSION = 1
HEADER = struct.Struct(">8sBII")
CHECKSUM_BYTES = 32
#: the largest degree a file may declare (2^28: the largest NTT domain of Fr)
MAX_DEGREE = 1 << 28


def ceremony_to_bytes(ceremony: Ceremony) -> bytes:
    """Encode a ceremony in the format above (checksum included)."""
    srs = ceremony.srs
    parts = [HEADER.pack(MAGIC, VERSION, srs.max_degree, len(ceremony.contributions))]
    parts += [p.to_bytes() for p in srs.g1_powers]
    parts.append(srs.g2_tau.to_bytes())
    parts += [c.to_bytes() for c in ceremony.contributions]
    body = b"".join(parts)
    return body + hashlib.sha256(body).digest()


class _Reader:
    """Consume bytes front to back; running out is a MalformedInput, not an IndexError."""

    def __init__(self, data: bytes) -> None:
        self.data, self.pos = data, 0

    def take(self, n: int, what: str) -> bytes:
        if self.pos + n > len(self.data):
            raise MalformedInput(f"ceremony file: truncated inside {what}")
        chunk = self.data[self.pos : self.pos + n]
        self.pos += n
        return chunk


def ceremony_from_bytes(data: bytes) -> Ceremony:
    """Decode and validate a ceremony file's bytes (MalformedInput on anything off)."""
    if not isinstance(data, (bytes, bytearray)):
        raise MalformedInput("ceremony file: expected bytes")
    if len(data) < HEADER.size + CHECKSUM_BYTES:
        raise MalformedInput("ceremony file: too short to be a ceremony file")
    magic, version, degree, count = HEADER.unpack_from(data)
    if magic != MAGIC:
        raise MalformedInput("not a zkpot ceremony file (wrong magic bytes)")
    if version != VERSION:
        raise MalformedInput(f"ceremony file version {version}; this zkpot reads {VERSION}")
    if not 1 <= degree <= MAX_DEGREE:
        raise MalformedInput(f"ceremony file: degree {degree} is outside 1..2^28")
    body, checksum = data[:-CHECKSUM_BYTES], data[-CHECKSUM_BYTES:]
    if hashlib.sha256(body).digest() != checksum:
        raise MalformedInput("ceremony file: checksum mismatch (the file is corrupted)")
    # Cheap size check before any allocation: every contribution has at least 1 + 1 +
    # 448 + 32 bytes, so a hostile count cannot make us loop for long.
    fixed = HEADER.size + (degree + 1) * 64 + 128
    if fixed + count * (1 + 1 + 448 + 32) > len(body):
        raise MalformedInput("ceremony file: shorter than its header says")
    reader = _Reader(body)
    reader.take(HEADER.size, "the header")
    powers = [G1.from_bytes(reader.take(64, f"[tau^{i}]_1")) for i in range(degree + 1)]
    g2_tau = G2.from_bytes(reader.take(128, "[tau]_2"))
    contributions = tuple(_read_contribution(reader, k + 1) for k in range(count))
    if reader.pos != len(body):
        raise MalformedInput("ceremony file: trailing bytes after the last contribution")
    return Ceremony(SRS(powers, G2.generator(), g2_tau), contributions)


def _read_contribution(reader: _Reader, number: int) -> Contribution:
    what = f"contribution {number}"
    (length,) = reader.take(1, what)
    if not 1 <= length <= MAX_NAME_BYTES:
        raise MalformedInput(f"{what}: name length {length} is outside 1..{MAX_NAME_BYTES}")
    try:
        name = reader.take(length, what).decode("utf-8")
    except UnicodeDecodeError as exc:
        raise MalformedInput(f"{what}: the name is not UTF-8") from exc
    tau_g1 = G1.from_bytes(reader.take(64, what))
    tau_g2 = G2.from_bytes(reader.take(128, what))
    key_g1 = G1.from_bytes(reader.take(64, what))
    key_g2 = G2.from_bytes(reader.take(128, what))
    pok_r = G1.from_bytes(reader.take(64, what))
    pok_s = int.from_bytes(reader.take(32, what), "big")
    if pok_s >= R_MODULUS:
        raise MalformedInput(f"{what}: Schnorr response >= r (non-canonical)")
    return Contribution(name, tau_g1, tau_g2, key_g1, key_g2, pok_r, pok_s)


def save_ceremony(ceremony: Ceremony, path: str | Path) -> None:
    """Write atomically (temporary file, then rename): a crash never leaves half a file."""
    path = Path(path)
    temporary = path.with_name(path.name + ".tmp")
    try:
        temporary.write_bytes(ceremony_to_bytes(ceremony))
        os.replace(temporary, path)
    except OSError as exc:
        raise SetupError(f"cannot write {path}: {exc.strerror}") from exc


def load_ceremony(path: str | Path) -> Ceremony:
    """Read and validate a ceremony file (it still needs ``check_ceremony`` to be trusted)."""
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise SetupError(f"cannot read {path}: {exc.strerror}") from exc
    return ceremony_from_bytes(data)


# --------------------------------------------------------------------------------------
# The ``zkpot ceremony`` command
# --------------------------------------------------------------------------------------


def add_arguments(parser: argparse.ArgumentParser) -> None:
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    new = actions.add_parser("new", help="start a ceremony (generator-only SRS)")
    new.add_argument("out", help="ceremony file to create")
    new.add_argument("--degree", type=int, default=1024,
                     help="largest polynomial degree the SRS will support (default 1024)")
    add = actions.add_parser("contribute", help="verify a ceremony file and add a contribution")
    add.add_argument("input", help="current ceremony file")
    add.add_argument("out", help="where to write the ceremony with your contribution")
    add.add_argument("--name", required=True, help="your name, bound into your proof")
    add.add_argument("--skip-verify", action="store_true",
                     help="do not verify the input first (only if you just did)")
    check = actions.add_parser("verify", help="replay and verify a whole ceremony")
    check.add_argument("input", help="ceremony file")


def _step(message: str) -> None:
    print(f"  {message}", file=sys.stderr, flush=True)


def _bar(done: int, total: int) -> None:
    end = "\n" if done == total else ""
    print(f"\r  updating powers: {done}/{total} ({100 * done // total}%)", end=end,
          file=sys.stderr, flush=True)


def check_writable(path: str | Path) -> None:
    """``MalformedInput`` unless a file can be written at ``path`` (checked before the work:
    a contribution takes minutes, and a typo in the output path should not waste them)."""
    path = Path(path)
    folder = path.parent
    if path.is_dir():
        raise MalformedInput(f"cannot write {path}: it is a directory")
    if not folder.is_dir():
        raise MalformedInput(f"cannot write {path}: the folder {folder} does not exist")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise MalformedInput(f"cannot write {path}: the folder {folder} is not writable")


def run(args: argparse.Namespace) -> int:
    began = time.perf_counter()
    if args.action in ("new", "contribute"):
        check_writable(args.out)
    if args.action == "new":
        if not 1 <= args.degree <= MAX_DEGREE:
            raise MalformedInput(f"--degree must be in 1..2^28, got {args.degree}")
        save_ceremony(start(args.degree), args.out)
        print(f"new ceremony of degree {args.degree} written to {args.out}")
        return 0
    if args.action == "contribute":
        check_name(args.name)  # a typo should fail before minutes of verification
    ceremony = load_ceremony(args.input)
    print(f"{args.input}: degree {ceremony.degree}, {len(ceremony.contributions)} contributions")
    if args.action == "verify" or not args.skip_verify:
        check_ceremony(ceremony, _step, allow_empty=args.action == "contribute")
        print(f"transcript verified ({len(ceremony.contributions)} contributions)")
    if args.action == "contribute":
        ceremony = contribute(ceremony, args.name, progress=_bar)
        save_ceremony(ceremony, args.out)
        print(f"contribution of {args.name!r} written to {args.out}; your secret was not "
              "stored anywhere")
    print(f"done in {time.perf_counter() - began:.1f} s")
    return 0
