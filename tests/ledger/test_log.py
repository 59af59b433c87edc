"""The durable block log (zkpot_ref/ledger/log.py): torn tails, damage, and real crashes.

The crash test runs a real child process that appends records in a loop and reports each
one after ``append`` returned (after fsync), kills it with SIGKILL at random moments, and
checks that every reported record survived, intact and in order.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from zkpot_ref.errors import MalformedInput, StoreError
from zkpot_ref.ledger.log import FRAME_BYTES, HEADER_BYTES, BlockLog, frame, replay, scan

RECORDS = [b"block one", b"", b"block three, a little longer", bytes(range(256))]


def _write_log(path: Path, records: list[bytes]) -> bytes:
    with BlockLog(path) as log:
        for record in records:
            log.append(record)
    return path.read_bytes()


def test_roundtrip_and_format(tmp_path: Path) -> None:
    path = tmp_path / "node" / "blocks.log"  # the directory is created too
    data = _write_log(path, RECORDS)
    salt = data[9:HEADER_BYTES]
    assert data[:9] == b"zkpotlog\x01" and len(salt) == 8
    assert data == data[:HEADER_BYTES] + b"".join(frame(r, salt) for r in RECORDS)
    assert _write_log(tmp_path / "other.log", [])[9:] != salt  # a fresh salt per log
    with BlockLog(path) as log:
        assert log.records() == RECORDS
        assert log.truncated_bytes == 0
        log.append(b"five")
        assert log.records() == [*RECORDS, b"five"]
    assert not list(tmp_path.glob("node/.tmp-*"))  # the creation temp file was renamed


def test_every_torn_tail_is_dropped_and_nothing_before_it(tmp_path: Path) -> None:
    full = _write_log(tmp_path / "full.log", RECORDS)
    ends = [HEADER_BYTES]
    for record in RECORDS:
        ends.append(ends[-1] + FRAME_BYTES + len(record))
    for cut in range(HEADER_BYTES, len(full)):
        path = tmp_path / f"cut{cut}.log"
        path.write_bytes(full[:cut])
        complete = sum(1 for end in ends[1:] if end <= cut)
        with BlockLog(path) as log:
            assert log.records() == RECORDS[:complete], cut
            assert log.truncated_bytes == cut - ends[complete]
            assert path.stat().st_size == ends[complete]  # the torn bytes are gone
            log.append(b"after the crash")
            assert log.records() == [*RECORDS[:complete], b"after the crash"]
        path.unlink()


def test_garbage_tail_after_power_cut_is_dropped(tmp_path: Path) -> None:
    path = tmp_path / "z.log"
    full = _write_log(path, RECORDS)
    salt = full[9:HEADER_BYTES]
    for tail in (bytes(100), b"\xff" * 7, frame(b"partial", salt)[:-1], os.urandom(50)):
        path.write_bytes(full + tail)
        with BlockLog(path) as log:
            assert log.records() == RECORDS
        assert path.read_bytes() == full


def test_a_record_hidden_in_a_payload_cannot_fake_mid_log_damage(tmp_path: Path) -> None:
    """A block may carry attacker-chosen bytes. Without the secret salt they cannot form a
    valid record, so a torn append of such a block is still recognised as a torn tail."""
    path = tmp_path / "s.log"
    full = _write_log(path, RECORDS)
    guessed_salts = [bytes(8), full[9:HEADER_BYTES][::-1]]
    payload = b"block with " + b"".join(frame(b"fake record", s) for s in guessed_salts) + b"!"
    with BlockLog(path) as log:
        log.append(payload)
    torn = path.read_bytes()[:-1]  # the append was cut short by one byte
    path.write_bytes(torn)
    with BlockLog(path) as log:
        assert log.records() == RECORDS
    # whoever knew the salt could do it: recovery would then (rightly) refuse to guess
    knows_salt = b"block with " + frame(b"fake record", full[9:HEADER_BYTES]) + b"!"
    with BlockLog(path) as log:
        log.append(knows_salt)
    path.write_bytes(path.read_bytes()[:-1])
    with pytest.raises(StoreError, match="damaged"):
        BlockLog(path)


def test_replay_reads_without_repairing(tmp_path: Path) -> None:
    path = tmp_path / "r.log"
    full = _write_log(path, RECORDS)
    torn = full + frame(b"in progress", full[9:HEADER_BYTES])[:5]
    path.write_bytes(torn)
    assert replay(path) == RECORDS
    assert path.read_bytes() == torn  # untouched
    with pytest.raises(StoreError, match="cannot read"):
        replay(tmp_path / "missing.log")


def test_damage_in_the_middle_is_an_error_and_changes_nothing(tmp_path: Path) -> None:
    path = tmp_path / "m.log"
    full = _write_log(path, RECORDS)
    first = HEADER_BYTES
    for position in (first, first + 5, first + FRAME_BYTES + 2):  # length, CRC, payload
        damaged = bytearray(full)
        damaged[position] ^= 0x40
        path.write_bytes(bytes(damaged))
        with pytest.raises(StoreError, match="damaged"):
            BlockLog(path)
        assert path.read_bytes() == bytes(damaged)
    # damage in the last record is indistinguishable from a torn write: it is cut away
    damaged = bytearray(full)
    damaged[-1] ^= 1
    path.write_bytes(bytes(damaged))
    with BlockLog(path) as log:
        assert log.records() == RECORDS[:-1]


def test_bad_headers_and_bad_use(tmp_path: Path) -> None:
    path = tmp_path / "h.log"
    for content, message in ((b"notalog!\x01", "magic"), (b"zkpotlog\x02", "version")):
        path.write_bytes(content)
        with pytest.raises(StoreError, match=message):
            BlockLog(path)
    with pytest.raises(StoreError):
        scan(b"zkpotlog")
    log = BlockLog(tmp_path / "ok.log")
    with pytest.raises(MalformedInput):
        log.append("text")  # type: ignore[arg-type]
    log.close()
    log.close()
    with pytest.raises(StoreError, match="closed"):
        log.append(b"x")
    with pytest.raises(StoreError, match="closed"):
        log.records()


_CHILD = textwrap.dedent(
    """
    import sys
    from zkpot_ref.ledger.log import BlockLog

    def record(i):  # varied sizes so that kills land inside writes, not only between them
        return (b"%08d:" % i) * (1 + (i * 7919) % 3000)

    log = BlockLog(sys.argv[1])
    i = len(log.records())
    print("ready", i, flush=True)
    while True:
        log.append(record(i))
        print(i, flush=True)  # reported only after append (write + fsync) returned
        i += 1
    """
)


def _expected(i: int) -> bytes:
    return (b"%08d:" % i) * (1 + (i * 7919) % 3000)


@pytest.mark.slow
def test_sigkill_never_loses_a_reported_record(tmp_path: Path) -> None:
    path = tmp_path / "crash.log"
    rng = random.Random(2024)
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
    reported, torn = -1, 0
    kills = 12
    for _ in range(kills):
        child = subprocess.Popen(
            [sys.executable, "-c", _CHILD, str(path)],
            stdout=subprocess.PIPE,
            env=env,
        )
        assert child.stdout is not None
        first = child.stdout.readline().split()
        assert first[0] == b"ready" and int(first[1]) >= reported + 1
        time.sleep(rng.uniform(0.05, 0.25))
        child.send_signal(signal.SIGKILL)
        out, _ = child.communicate()
        assert child.returncode == -signal.SIGKILL
        lines = out.split()
        if lines:
            reported = int(lines[-1])
        with BlockLog(path) as log:
            records = log.records()
            torn += log.truncated_bytes > 0
        # every reported record is there, intact and in order; at most one more was
        # fsynced but killed before it could be reported
        assert len(records) >= reported + 1
        assert records == [_expected(i) for i in range(len(records))]
    assert reported > kills  # the children really did append between kills
    print(f"{kills} SIGKILLs, {torn} torn tails recovered, {reported + 1} records reported")
