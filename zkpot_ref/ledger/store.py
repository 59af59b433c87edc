"""Content addressing: name a blob by the hash of its bytes, the way IPFS does.

Lesson: models, proofs and keys are megabytes; blocks are kilobytes. A block therefore
records only the *identifier* of each big object, and the identifier is derived from the
bytes themselves, so whoever fetches the object (from any peer, any disk) can check it is
the right one: ``get`` re-hashes and refuses content that does not match its name.

The identifier is a CIDv1 (multiformats CID specification, https://github.com/multiformats/cid),
exactly the one IPFS gives a "raw" block (``ipfs add --raw-leaves``, ``ipfs block put``):

    binary CID = <version 1> <codec 0x55 "raw"> <multihash>
    multihash  = <hash function 0x12 "sha2-256"> <digest length 0x20> <32-byte SHA-256>
    text CID   = "b" + base32(binary CID)   # multibase "b": RFC 4648, lowercase, no padding

All four numbers are unsigned varints that happen to fit in one byte, so the binary form is
always ``01 55 12 20`` followed by the digest (36 bytes) and the text form is always
59 characters starting with ``bafkrei``. We accept only this one kind of CID: anything else
(another version, codec, hash, base, or a non-canonical spelling) is ``MalformedInput``.

On disk, ``BlobStore(root)`` keeps blob ``cid`` at ``root/<first 2 hex digits of the
digest>/<cid>`` (a fan-out of 256 directories keeps directories small, like git's objects).
Writes are atomic: write a temporary file in the same directory, fsync it, then
``os.replace`` it onto the final name and fsync the directory, so a crash leaves either
no file or the complete file, never a half-written blob under a valid name.

Read next: ``encoding.py`` (the byte layout of transactions and blocks).
"""

from __future__ import annotations

import base64
import hashlib
import os
import tempfile
from pathlib import Path

from zkpot_ref.errors import MalformedInput, StoreError

#: CID version 1, multicodec "raw" (0x55), multihash "sha2-256" (0x12) of 32 (0x20) bytes.
CID_PREFIX = bytes([0x01, 0x55, 0x12, 0x20])
CID_BYTES = len(CID_PREFIX) + 32
#: Length of the text form: "b" + ceil(36 * 8 / 5) base32 characters.
CID_TEXT_LENGTH = 1 + (CID_BYTES * 8 + 4) // 5
_BASE32_ALPHABET = frozenset("abcdefghijklmnopqrstuvwxyz234567")


def cid_from_digest(digest: bytes) -> str:
    """The text CID of a blob whose SHA-256 is ``digest``."""
    if len(digest) != 32:
        raise MalformedInput("a sha2-256 digest is 32 bytes")
    text = base64.b32encode(CID_PREFIX + digest).decode("ascii").rstrip("=").lower()
    return "b" + text


def cid_of(data: bytes) -> str:
    """The CIDv1 (raw, sha2-256, base32) of ``data``: what IPFS would call this raw block."""
    return cid_from_digest(hashlib.sha256(data).digest())


def cid_to_bytes(cid: str) -> bytes:
    """The 36-byte binary form of a text CID; ``MalformedInput`` unless it is one of ours.

    Strict: exactly 59 characters, multibase prefix "b", lowercase base32 alphabet, the
    fixed prefix 01 55 12 20, and the canonical spelling (the unused low bits of the last
    character must be zero, so no two strings name the same blob).
    """
    if not isinstance(cid, str) or len(cid) != CID_TEXT_LENGTH or cid[0] != "b":
        raise MalformedInput(
            f"not a CIDv1 raw/sha2-256/base32 identifier (expected {CID_TEXT_LENGTH} "
            f"characters starting with 'bafkrei'): {str(cid)[:80]!r}"
        )
    body = cid[1:]
    if not set(body) <= _BASE32_ALPHABET:
        raise MalformedInput(f"CID {cid[:80]!r} has characters outside lowercase base32")
    padded = body.upper() + "=" * (-len(body) % 8)
    binary = base64.b32decode(padded)
    if binary[:4] != CID_PREFIX:
        raise MalformedInput(
            f"CID {cid!r} is not version 1 / raw codec / sha2-256 (prefix {binary[:4].hex()})"
        )
    if cid_from_digest(binary[4:]) != cid:
        raise MalformedInput(f"CID {cid!r} is not in canonical form")
    return binary


def cid_from_bytes(binary: bytes) -> str:
    """The text CID of a 36-byte binary CID; ``MalformedInput`` unless it is one of ours."""
    if len(binary) != CID_BYTES or bytes(binary[:4]) != CID_PREFIX:
        raise MalformedInput(
            "a binary CID here is 36 bytes: 01 55 12 20 (v1, raw, sha2-256, 32) + digest"
        )
    return cid_from_digest(bytes(binary[4:]))


def cid_digest(cid: str) -> bytes:
    """The SHA-256 digest a (valid) text CID names."""
    return cid_to_bytes(cid)[4:]


def fsync_directory(path: Path) -> None:
    """Make a rename or a new file in ``path`` durable (POSIX: the directory entry is data too)."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class BlobStore:
    """A directory of immutable blobs, each stored under (and checked against) its CID."""

    def __init__(self, root: str | os.PathLike[str]) -> None:
        self.root = Path(root)
        self.root.mkdir(parents=True, exist_ok=True)

    @staticmethod
    def cid_of(data: bytes) -> str:
        """The CID ``put(data)`` returns, without storing anything."""
        return cid_of(data)

    def path_of(self, cid: str) -> Path:
        """Where blob ``cid`` lives: ``root/<2 hex digits of its digest>/<cid>``."""
        return self.root / cid_digest(cid).hex()[:2] / cid

    def put(self, data: bytes) -> str:
        """Store ``data`` (idempotent) and return its CID. Atomic: temp file + fsync + rename."""
        if not isinstance(data, bytes | bytearray | memoryview):
            raise MalformedInput(f"a blob is bytes, not {type(data).__name__}")
        data = bytes(data)
        cid = cid_of(data)
        path = self.path_of(cid)
        if path.exists():
            try:
                self.get(cid)
                return cid  # already there and intact
            except StoreError:
                pass  # corrupted copy: write a good one over it
        path.parent.mkdir(exist_ok=True)
        fd, temp_name = tempfile.mkstemp(prefix=".tmp-", dir=path.parent)
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(temp_name, path)
            fsync_directory(path.parent)
        except OSError as exc:
            Path(temp_name).unlink(missing_ok=True)
            raise StoreError(f"cannot write blob {cid} under {self.root}: {exc}") from exc
        except BaseException:
            Path(temp_name).unlink(missing_ok=True)
            raise
        return cid

    def get(self, cid: str) -> bytes:
        """The bytes named ``cid``; ``StoreError`` if missing or if they no longer hash to it."""
        path = self.path_of(cid)
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            raise StoreError(f"blob {cid} is not in the store at {self.root}") from None
        except OSError as exc:
            raise StoreError(f"cannot read blob {cid}: {exc}") from None
        if hashlib.sha256(data).digest() != cid_digest(cid):
            raise StoreError(
                f"blob {cid} is corrupted on disk ({path}): its bytes hash to {cid_of(data)}; "
                "fetch it again from a peer"
            )
        return data

    def has(self, cid: str) -> bool:
        """Whether a file for ``cid`` is present (``get`` still checks its content)."""
        return self.path_of(cid).is_file()
