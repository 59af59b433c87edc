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
import zlib
from pathlib import Path

import pytest

from zkpot_ref.errors import MalformedInput, StoreError
from zkpot_ref.ledger import log as log_module
from zkpot_ref.ledger.log import (
    FRAME_BYTES,
    HEADER_BYTES,
    MAX_RECORD_BYTES,
    BlockLog,
    frame,
    replay,
    scan,
)

RECORDS = [b"block one", b"", b"block three, a little longer", bytes(range(256))]


def _write_log(path: Path, records: list[bytes]) -> bytes:
    with BlockLog(path) as log:
        for record in records:
            log.append(record)
    return path.read_bytes()


def _ends(records: list[bytes]) -> list[int]:
    """Offsets where each record starts, then where the last one ends."""
    ends = [HEADER_BYTES]
    for record in records:
        ends.append(ends[-1] + FRAME_BYTES + len(record))
    return ends


def test_roundtrip_and_format(tmp_path: Path) -> None:
    path = tmp_path / "node" / "blocks.log"  # the directory is created too
    data = _write_log(path, RECORDS)
    assert data[:HEADER_BYTES] == b"zkpotlog\x02"
    assert data == data[:HEADER_BYTES] + b"".join(frame(r) for r in RECORDS)
    length = (9).to_bytes(4, "big")  # the first record, by hand
    assert frame(b"block one") == (length + zlib.crc32(length).to_bytes(4, "big")
                                   + zlib.crc32(length + b"block one").to_bytes(4, "big")
                                   + b"block one")  # fmt: skip
    with BlockLog(path) as log:
        assert log.records() == RECORDS
        assert log.truncated_bytes == 0
        log.append(b"five")
        assert log.records() == [*RECORDS, b"five"]
    assert not list(tmp_path.glob("node/.tmp-*"))  # the creation temp file was renamed


def test_every_torn_tail_is_dropped_and_nothing_before_it(tmp_path: Path) -> None:
    full = _write_log(tmp_path / "full.log", RECORDS)
    ends = _ends(RECORDS)
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


def test_power_cut_tails_dropped_only_when_they_cannot_hide_a_record(tmp_path: Path) -> None:
    path = tmp_path / "z.log"
    full = _write_log(path, RECORDS)
    for tail in (bytes(100), bytes(5), b"\xff" * 7, frame(b"partial")[:-1]):
        path.write_bytes(full + tail)
        with BlockLog(path) as log:
            assert log.records() == RECORDS
        assert path.read_bytes() == full
    # 12 or more bytes of garbage are not the remains of one append: refuse, change nothing
    for tail in (b"\xff" * 12, b"\x00" * 11 + b"\x01", os.urandom(50)):
        path.write_bytes(full + tail)
        with pytest.raises(StoreError, match=f"damaged at byte {len(full)}"):
            BlockLog(path)
        assert path.read_bytes() == full + tail


def test_a_record_hidden_in_a_payload_changes_nothing(tmp_path: Path) -> None:
    """Blocks carry client-chosen bytes; records are read front to back by their
    checksummed lengths, so a frame inside a payload is never parsed as a record."""
    path = tmp_path / "s.log"
    _write_log(path, RECORDS)
    payload = b"block with " + frame(b"fake record") + b"!"
    with BlockLog(path) as log:
        log.append(payload)
    torn = path.read_bytes()[:-1]  # the append was cut short by one byte
    path.write_bytes(torn)
    with BlockLog(path) as log:
        assert log.records() == RECORDS
        log.append(payload)
        assert log.records() == [*RECORDS, payload]


def test_replay_reads_without_repairing(tmp_path: Path) -> None:
    path = tmp_path / "r.log"
    full = _write_log(path, RECORDS)
    torn = full + frame(b"in progress")[:5]
    path.write_bytes(torn)
    assert replay(path) == RECORDS
    assert path.read_bytes() == torn  # untouched
    with pytest.raises(StoreError, match="cannot read"):
        replay(tmp_path / "missing.log")
    path.write_bytes(b"zkpotlog\x07")
    with pytest.raises(StoreError, match="r.log: block-log version 7"):
        replay(path)


def test_damage_is_an_error_naming_the_record_and_changes_nothing(tmp_path: Path) -> None:
    path = tmp_path / "m.log"
    full = _write_log(path, RECORDS)
    ends = _ends(RECORDS)
    for start in ends[:-1]:  # every record, the last one included
        for position, why in ((start, "length fails"), (start + 5, "length fails"),
                              (start + 9, "payload fails")):  # fmt: skip
            damaged = bytearray(full)
            damaged[position] ^= 0x40
            path.write_bytes(bytes(damaged))
            with pytest.raises(StoreError, match=f"damaged at byte {start}: .*{why}"):
                BlockLog(path)
            assert path.read_bytes() == bytes(damaged)
    # a flipped payload bit of the last, complete record: it may have been acted on
    damaged = bytearray(full)
    damaged[-1] ^= 1
    path.write_bytes(bytes(damaged))
    with pytest.raises(StoreError, match="the last record, but complete"):
        BlockLog(path)
    # a checksummed but impossible length is damage too
    huge = (MAX_RECORD_BYTES + 1).to_bytes(4, "big")
    path.write_bytes(full + huge + zlib.crc32(huge).to_bytes(4, "big") + bytes(8))
    with pytest.raises(StoreError, match="exceeds the maximum"):
        BlockLog(path)


def test_bad_headers_and_bad_use(tmp_path: Path) -> None:
    path = tmp_path / "h.log"
    for content, message in ((b"notalog!\x02", "magic"), (b"zkpotlog\x01", "version 1"),
                             (b"zkpot", "shorter than its header"), (b"", "shorter")):
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
    with pytest.raises(StoreError, match="cannot open"):
        BlockLog(tmp_path / "ok.log" / "below-a-file.log")


def test_a_failed_append_stops_the_log(tmp_path: Path, monkeypatch) -> None:  # noqa: ANN001
    """After a failed fsync the data may be gone: refuse every later append, so the node
    stops instead of acting on a record that might not survive."""
    log = BlockLog(tmp_path / "f.log")
    log.append(b"kept")

    def broken_fsync(fd: int) -> None:
        raise OSError(5, "Input/output error")

    monkeypatch.setattr(os, "fsync", broken_fsync)
    with pytest.raises(StoreError, match="cannot append.*Input/output error"):
        log.append(b"lost")
    monkeypatch.undo()
    with pytest.raises(StoreError, match="failed earlier"):
        log.append(b"later")
    log.close()
    with BlockLog(tmp_path / "f.log") as again:  # the unsynced record was written, complete
        assert again.records() == [b"kept", b"lost"]


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


def test_record_size_limit_is_exact(monkeypatch: pytest.MonkeyPatch) -> None:
    """A record of exactly MAX_RECORD_BYTES is data; one byte more is damage (the limit
    lowered to 16 bytes so the test need not write 64 MiB)."""
    monkeypatch.setattr(log_module, "MAX_RECORD_BYTES", 16)
    header = log_module.MAGIC + bytes([log_module.LOG_VERSION])
    assert scan(header + frame(bytes(range(16)))) == ([bytes(range(16))], HEADER_BYTES + 28)
    with pytest.raises(StoreError, match="exceeds the maximum 16"):
        scan(header + frame(bytes(range(17))))


def test_a_clean_log_is_neither_truncated_nor_warned_about(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "blocks.log"
    _write_log(path, RECORDS)
    with caplog.at_level("WARNING", logger="zkpot_ref.ledger.log"), BlockLog(path) as log:
        assert log.records() == RECORDS and log.truncated_bytes == 0
    assert not [r for r in caplog.records if "torn" in r.getMessage()]
    assert path.read_bytes() == _write_log(tmp_path / "again.log", RECORDS)
