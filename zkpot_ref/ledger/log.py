"""Durability: an append-only log that never loses a record it said was written.

Lesson: what "committed" means on one machine. A validator that has signed a commit must
still know the block after a crash, so every committed block is appended to a log file and
``fsync``-ed *before* the node acts on it. A crash can interrupt only the last append, so
recovery is: read records until the first one that is incomplete or fails its checksum,
and cut that torn tail away. Nothing earlier is ever dropped.

File format (all integers big-endian)::

    header  = b"zkpotlog" || u8 version (= 1) || 8-byte random salt
    record  = u32 length || u32 CRC-32 of (salt || length || payload) || payload

The CRC covers the length too, so a damaged length is caught like damaged data. CRC-32
detects accidental damage (torn writes, bit rot), not malice: the log is local state,
and the blocks inside carry their own hashes and signatures. The salt, chosen when the
log is created, makes valid checksums unpredictable to whoever chose a payload: a
client cannot put bytes into a block that look like a complete record inside a torn
tail, which would make recovery mistake a crash for mid-log damage and refuse to start.

Recovery rule (``records()``, also run when the log is opened). Let o be the offset of
the first record that does not verify. Either

- no complete, checksummed record exists anywhere after o: the bytes from o on are the
  remains of one interrupted append (a prefix of it, or zeros/garbage after a power cut);
  they are truncated away (and the truncation fsynced);
- or some complete record follows: the damage is in the *middle* of the log, dropping it
  would lose a committed block, so ``StoreError`` is raised and nothing is changed.

Durability steps: the file is created by writing the header to a temporary file, fsyncing
it, renaming it into place and fsyncing the directory (so the new name survives a power
cut); ``append`` writes the whole record at the known end of file with one ``pwrite`` and
returns only after ``fsync`` (on failure it truncates back, so the tail stays clean).
One process writes a log at a time; other readers use ``replay(path)``, which never
truncates (a torn tail may be an append in progress).

Read next: ``bft.py`` (consensus appends each committed block here before moving on).
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
LOG_VERSION = 1
SALT_BYTES = 8
HEADER_BYTES = len(MAGIC) + 1 + SALT_BYTES
#: Bytes before each payload: u32 length and u32 CRC-32.
FRAME_BYTES = 8
#: The largest record accepted; a length field above it is damage, not data.
MAX_RECORD_BYTES = 64 * 1024 * 1024

_logger = logging.getLogger(__name__)


def frame(payload: bytes, salt: bytes) -> bytes:
    """One record as written to disk: length, CRC-32 of (salt || length || payload), payload."""
    length = len(payload).to_bytes(4, "big")
    return length + zlib.crc32(salt + length + payload).to_bytes(4, "big") + payload


def _record_at(data: bytes, offset: int, salt: bytes) -> bytes | None:
    """The payload of a complete, checksummed record starting at ``offset``, else None."""
    if len(data) - offset < FRAME_BYTES:
        return None
    length_bytes = data[offset : offset + 4]
    length = int.from_bytes(length_bytes, "big")
    end = offset + FRAME_BYTES + length
    if length > MAX_RECORD_BYTES or end > len(data):
        return None
    payload = data[offset + FRAME_BYTES : end]
    crc = zlib.crc32(salt + length_bytes + payload)
    if crc != int.from_bytes(data[offset + 4 : offset + 8], "big"):
        return None
    return payload


def scan(data: bytes) -> tuple[list[bytes], int]:
    """Parse a whole log file: (complete records, offset where the valid part ends).

    Raises ``StoreError`` for a bad header or for damage followed by a complete record.
    """
    if data[: len(MAGIC)] != MAGIC:
        raise StoreError("not a zkpot block log (bad magic bytes)")
    if len(data) < HEADER_BYTES or data[len(MAGIC)] != LOG_VERSION:
        raise StoreError(f"unsupported block-log version (this code reads version {LOG_VERSION})")
    salt = data[len(MAGIC) + 1 : HEADER_BYTES]
    records, offset = [], HEADER_BYTES
    while offset < len(data):
        payload = _record_at(data, offset, salt)
        if payload is None:
            break
        records.append(payload)
        offset += FRAME_BYTES + len(payload)
    # Torn tail or damage in the middle? Look for any complete record after the bad one.
    for later in range(offset + 1, len(data) - FRAME_BYTES + 1):
        if _record_at(data, later, salt) is not None:
            raise StoreError(
                f"block log damaged at byte {offset}, before a complete record at byte "
                f"{later}: refusing to drop committed data (restore the log from a peer)"
            )
    return records, offset


def replay(path: str | os.PathLike[str]) -> list[bytes]:
    """Read-only replay for processes that are *not* the writer (tests, monitoring).

    Returns the complete records and leaves the file alone: a torn tail here may be an
    append still in progress, which only the writer may cut. ``StoreError`` as ``scan``.
    """
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise StoreError(f"cannot read block log {path}: {exc}") from exc
    return scan(data)[0]


class BlockLog:
    """An append-only, checksummed, fsynced record log in one file (see the module docstring)."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        if not self.path.exists():
            self._create()
        self._fd: int | None = os.open(self.path, os.O_RDWR)
        #: Torn-tail bytes that recovery removed since this log was opened (0: it was clean).
        self.truncated_bytes = 0
        self._end = 0
        self._salt = b""
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
            os.write(fd, MAGIC + bytes([LOG_VERSION]) + os.urandom(SALT_BYTES))
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(temp_name, self.path)
        fsync_directory(directory)

    def _require_open(self) -> int:
        if self._fd is None:
            raise StoreError(f"block log {self.path} is closed")
        return self._fd

    def records(self) -> list[bytes]:
        """Replay: every complete record in order, truncating a torn final record away."""
        fd = self._require_open()
        size = os.fstat(fd).st_size
        data = os.pread(fd, size, 0)
        records, end = scan(data)
        self._salt = data[len(MAGIC) + 1 : HEADER_BYTES]
        if end < size:
            _logger.warning(
                "block log %s: dropping a torn final record (%d bytes at offset %d)",
                self.path, size - end, end,
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
        data = frame(bytes(record), self._salt)
        try:
            written = 0
            while written < len(data):
                written += os.pwrite(fd, data[written:], self._end + written)
            os.fsync(fd)
        except OSError as exc:
            os.ftruncate(fd, self._end)  # keep the tail clean for the next append
            raise StoreError(f"cannot append to block log {self.path}: {exc}") from exc
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
