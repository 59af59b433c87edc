"""Durability: an append-only log that never loses a record it said was written.

Lesson: what "committed" means on one machine. A validator that has signed a commit must
still know the block after a crash, so every committed block is appended to a log file and
``fsync``-ed *before* the node acts on it. A crash can interrupt only the last append, so
recovery may cut away exactly one thing: an *incomplete* final record. Everything else
that does not verify is damage, and a validator with a damaged log must stop, not guess.

File format (all integers big-endian)::

    header = b"zkpotlog" || u8 version (= 2)
    record = u32 length || u32 CRC-32(length) || u32 CRC-32(length || payload) || payload

The length has its own checksum so that recovery can *trust* it: a record whose checksummed
length reaches past the end of the file was cut short by a crash, while a length that
fails its checksum is damage. CRC-32 detects accidental damage (torn writes, bit rot;
every single-bit error and every burst up to 32 bits), not malice: the log is local state,
and the blocks inside carry their own hashes and signatures, which ``replica.py`` checks
again when it replays them (``recovery.py``).

Recovery rule (``scan``, run when the log is opened). Records are read front to back
until the first one, at offset o, that does not verify. Then the bytes from o on are
a **torn tail** — truncated away, and the truncation fsynced — only if

- fewer than 12 bytes are left (the file ends inside a record header), or
- the header verifies and its length reaches past the end of the file (the file ends
  inside the payload), or
- every byte left is zero (a power cut can persist a file's new size before its data).

Anything else — a bad magic or version, a header that fails its checksum, a complete
record whose payload fails its checksum (even the last one: it may be a lock state that
was fsynced and acted on), an impossible length — raises ``StoreError`` naming the offset
and the reason, and changes nothing. So at most the final record is ever truncated, and a
flipped bit can never make recovery drop committed blocks or lock state.

Durability steps: the file is created by writing the header to a temporary file, fsyncing
it, renaming it into place and fsyncing the directory (so the new name survives a power
cut); ``append`` writes the whole record at the known end of file with one ``pwrite`` and
returns only after ``fsync``. If writing or syncing fails the log refuses every later
append (after a failed fsync the kernel may have dropped the data: retrying could lie),
so the node stops instead of running on without durability. One process writes a log at
a time; other readers use ``replay(path)``, which never truncates (a torn tail may be an
append in progress).

Read next: ``messages.py``; then ``recovery.py`` for what a restarted validator does with
these records.
"""

from __future__ import annotations

import logging
import os
import tempfile
import zlib
from pathlib import Path
from types import TracebackType

from zkpot_ref.errors import MalformedInput, StoreError
from zkpot_ref.ledger.store import fsync_directory

MAGIC = b"zkpotlog"
LOG_VERSION = 2
HEADER_BYTES = len(MAGIC) + 1
#: Bytes before each payload: u32 length, u32 CRC-32 of the length, u32 CRC-32 of both.
FRAME_BYTES = 12
#: The largest record accepted; a checksummed length above it is damage, not data.
MAX_RECORD_BYTES = 64 * 1024 * 1024

_logger = logging.getLogger(__name__)


def _crc(data: bytes) -> bytes:
    return zlib.crc32(data).to_bytes(4, "big")


def frame(payload: bytes) -> bytes:
    """One record as written to disk: length, CRC(length), CRC(length || payload), payload."""
    length = len(payload).to_bytes(4, "big")
    return length + _crc(length) + _crc(length + payload) + payload


def check_header(data: bytes) -> None:
    """``StoreError`` unless ``data`` starts with this code's log header."""
    if data[: len(MAGIC)] != MAGIC[: len(data)]:
        raise StoreError("not a zkpot block log (bad magic bytes at byte 0)")
    if len(data) < HEADER_BYTES:
        raise StoreError(f"block log of {len(data)} bytes is shorter than its header")
    if data[len(MAGIC)] != LOG_VERSION:
        raise StoreError(
            f"block-log version {data[len(MAGIC)]} at byte {len(MAGIC)}: this code reads "
            f"version {LOG_VERSION} (the header is damaged, or the log is from another release)"
        )


def _torn_or_damaged(data: bytes, offset: int) -> str:
    """The record at ``offset`` does not verify: say why it is a torn tail, or raise."""
    left = len(data) - offset
    if left < FRAME_BYTES:
        return f"the file ends inside a record header ({left} bytes)"
    if not any(data[offset:]):
        return f"{left} zero bytes (a power cut after the size reached the disk)"
    length_bytes = data[offset : offset + 4]
    length = int.from_bytes(length_bytes, "big")
    if _crc(length_bytes) != data[offset + 4 : offset + 8]:
        reason = "its length fails its checksum"
    elif length > MAX_RECORD_BYTES:
        reason = f"its length {length} exceeds the maximum {MAX_RECORD_BYTES}"
    elif offset + FRAME_BYTES + length > len(data):
        return f"the file ends inside a record of {length} bytes ({left} bytes present)"
    else:
        more = len(data) - offset - FRAME_BYTES - length
        reason = "its payload fails its checksum" + (
            f" ({more} more bytes follow)" if more else " (the last record, but complete:"
            " it may have been acted on)")  # fmt: skip
    raise StoreError(f"block log damaged at byte {offset}: the record there is bad, {reason}")


def scan(data: bytes) -> tuple[list[bytes], int]:
    """Parse a whole log file: (complete records, offset where the valid part ends).

    Bytes after that offset are a torn tail (see the module docstring); anything else
    that does not verify raises ``StoreError``.
    """
    check_header(data)
    records, offset = [], HEADER_BYTES
    while offset + FRAME_BYTES <= len(data):
        length_bytes = data[offset : offset + 4]
        length = int.from_bytes(length_bytes, "big")
        end = offset + FRAME_BYTES + length
        if (_crc(length_bytes) != data[offset + 4 : offset + 8] or length > MAX_RECORD_BYTES
                or end > len(data)):  # fmt: skip
            break
        payload = data[offset + FRAME_BYTES : end]
        if _crc(length_bytes + payload) != data[offset + 8 : offset + 12]:
            break
        records.append(payload)
        offset = end
    if offset < len(data):
        _torn_or_damaged(data, offset)  # raises unless it is a torn tail
    return records, offset


def replay(path: str | os.PathLike[str]) -> list[bytes]:
    """Read-only replay for processes that are *not* the writer (tests, monitoring).

    Returns the complete records and leaves the file alone: a torn tail here may be an
    append still in progress, which only the writer may cut. ``StoreError`` as ``scan``.
    """
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise StoreError(f"cannot read block log {path}: {exc.strerror}") from exc
    try:
        return scan(data)[0]
    except StoreError as exc:
        raise StoreError(f"{path}: {exc}") from None


class BlockLog:
    """An append-only, checksummed, fsynced record log in one file (see the module docstring)."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        try:
            if not self.path.exists():
                self._create()
            self._fd: int | None = os.open(self.path, os.O_RDWR)
        except OSError as exc:
            raise StoreError(f"cannot open block log {self.path}: {exc.strerror}") from None
        #: Torn-tail bytes that recovery removed since this log was opened (0: it was clean).
        self.truncated_bytes = 0
        self._end = 0
        self._failed: str | None = None
        try:
            self.records()  # recover now, so appends never land after a torn tail
        except BaseException:
            self.close()
            raise

    def _create(self) -> None:
        """Atomically create an empty log: header to a temp file, fsync, rename, fsync dir."""
        directory = self.path.parent
        directory.mkdir(parents=True, exist_ok=True)
        fd, temp_name = tempfile.mkstemp(prefix=".tmp-", dir=directory)
        try:
            os.write(fd, MAGIC + bytes([LOG_VERSION]))
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(temp_name, self.path)
        fsync_directory(directory)

    def _require_open(self) -> int:
        if self._fd is None:
            raise StoreError(f"block log {self.path} is closed")
        if self._failed is not None:
            raise StoreError(f"block log {self.path} failed earlier ({self._failed})")
        return self._fd

    def records(self) -> list[bytes]:
        """Replay: every complete record in order, truncating a torn final record away."""
        fd = self._require_open()
        size = os.fstat(fd).st_size
        data = os.pread(fd, size, 0)
        try:
            records, end = scan(data)
        except StoreError as exc:
            raise StoreError(
                f"{self.path}: {exc}; refusing to start (nothing was changed: restore the "
                "log from a backup, or move it away to resync every block from peers)"
            ) from None
        if end < size:
            _logger.warning(
                "block log %s: dropping a torn final record at byte %d: %s",
                self.path, end, _torn_or_damaged(data, end),
            )  # fmt: skip
            os.ftruncate(fd, end)
            os.fsync(fd)
            self.truncated_bytes += size - end
        self._end = end
        return records

    def append(self, record: bytes) -> None:
        """Append one record; when this returns, it is on disk (written and fsynced)."""
        if not isinstance(record, bytes | bytearray | memoryview):
            raise MalformedInput("a log record is bytes")
        if len(record) > MAX_RECORD_BYTES:
            raise MalformedInput(f"a log record is at most {MAX_RECORD_BYTES} bytes")
        fd = self._require_open()
        data = frame(bytes(record))
        try:
            written = 0
            while written < len(data):
                written += os.pwrite(fd, data[written:], self._end + written)
            os.fsync(fd)
        except OSError as exc:
            self._failed = f"append: {exc.strerror}"
            raise StoreError(f"cannot append to block log {self.path}: {exc.strerror}") from exc
        self._end += len(data)

    def close(self) -> None:
        """Close the file (idempotent)."""
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None

    def __enter__(self) -> BlockLog:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()
