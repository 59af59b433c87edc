"""Ed25519 signatures, from scratch, following RFC 8032 (section 5.1).

Lesson: how a validator proves "I voted for this block". Ed25519 is a Schnorr-style
signature in the edwards25519 group (``edwards25519.py``): a base point B of prime order
L = 2^252 + 2774...8493 on a curve over F_p, p = 2^255 - 19, with cofactor 8.

- Keys (RFC 8032 5.1.5): the secret is a random 32-byte seed; h = SHA-512(seed); the
  scalar a is h[0:32] "clamped" (low 3 bits cleared, bit 254 set, bit 255 cleared); the
  public key is A = [a]B, encoded in 32 bytes.
- Sign (5.1.6): r = SHA-512(h[32:64] || M) mod L (deterministic: no RNG to fail),
  R = [r]B, k = SHA-512(R || A || M) mod L, S = (r + k a) mod L; the signature is R || S.
- Verify (5.1.7): decode A and R, *reject S >= L* (else S and S + L would both verify:
  malleability), recompute k and check the group equation.

Choices that a reader should know about (all allowed by RFC 8032 5.1.7):

- **Cofactorless** verification: we check [S]B = R + [k]A, not the cofactored
  [8][S]B = [8]R + [8][k]A. Honest signatures pass both; they differ only on crafted
  signatures involving small-order points, where other libraries disagree with each other
  too. Cofactorless is what OpenSSL (hence the ``cryptography`` package the tests compare
  with) does. Small-order public keys are not rejected (RFC 8032 does not ask for it); a
  validator set is fixed in the genesis configuration, so a weak key cannot sneak in.
- R is compared as bytes: we compute the encoding of [S]B - [k]A and compare it with the
  32 bytes of R. Our encoding is canonical, so this accepts exactly the canonical
  encodings RFC 8032 decoding accepts, and saves a square root.
- ``verify`` never raises: any garbage (wrong type, wrong length, a point off the curve,
  a non-canonical encoding) returns ``False``.

Speed (the simulator verifies many thousands of votes) comes from ``edwards25519.py``'s
fast layer and three memos. [r]B uses B's precomputed comb table (64 additions, no
doublings). ``verify`` computes [S]B - [k]A by Straus's double-scalar multiplication the
first few times it sees a key; once a key has been used ``COMB_AFTER_USES`` times (a
validator's key, soon) it gets its own comb table, ~10 ms once, after which a
verification is two comb multiplications, about 2.5x faster. A bounded LRU memo remembers
recent verify results: in a broadcast network every node receives the *same* vote, and in
the simulator all nodes share one process, so each distinct vote is checked once.

Read next: ``store.py`` (where the big things live), then ``tx.py`` (what is signed).
"""

from __future__ import annotations

import hashlib
import secrets
import threading
from collections import OrderedDict
from functools import lru_cache

from zkpot_ref.errors import MalformedInput
from zkpot_ref.ledger.edwards25519 import (
    L,
    Niels,
    base_mult,
    comb_mult,
    comb_table,
    double_scalar_mult,
    odd_multiples,
    point_add,
    point_decode,
    point_encode,
    point_neg,
)

SECRET_BYTES = 32
PUBLIC_BYTES = 32
SIGNATURE_BYTES = 64


# --------------------------------------------------------------------------------------
# The signature scheme (RFC 8032 5.1.5 - 5.1.7)
# --------------------------------------------------------------------------------------


def _check_secret(secret: bytes) -> bytes:
    if not isinstance(secret, bytes | bytearray) or len(secret) != SECRET_BYTES:
        raise MalformedInput(f"an Ed25519 secret key is {SECRET_BYTES} bytes (a random seed)")
    return bytes(secret)


@lru_cache(maxsize=64)
def _expand(secret: bytes) -> tuple[int, bytes, bytes]:
    """RFC 8032 5.1.5: (clamped scalar a, the nonce prefix, public key encoding).

    Memoised because a validator signs every vote with the same key.
    """
    h = hashlib.sha512(secret).digest()
    a = int.from_bytes(h[:32], "little")
    a &= (1 << 254) - 8  # clear the 3 low bits (cofactor) and bit 255
    a |= 1 << 254  # set bit 254: constant-length ladders in other implementations
    return a, h[32:], point_encode(base_mult(a))


def generate_keypair(seed: bytes | None = None) -> tuple[bytes, bytes]:
    """A key pair (secret seed, public key), each 32 bytes; random seed unless given."""
    secret = secrets.token_bytes(SECRET_BYTES) if seed is None else _check_secret(seed)
    return secret, public_key(secret)


def public_key(secret: bytes) -> bytes:
    """The 32-byte public key A = [a] B of a 32-byte secret seed."""
    return _expand(_check_secret(secret))[2]


def _challenge(r_bytes: bytes, public: bytes, message: bytes) -> int:
    """k = SHA-512(R || A || M) as a little-endian integer, reduced mod L."""
    return int.from_bytes(hashlib.sha512(r_bytes + public + message).digest(), "little") % L


def sign(secret: bytes, message: bytes) -> bytes:
    """The 64-byte signature R || S of ``message`` (RFC 8032 5.1.6)."""
    a, prefix, public = _expand(_check_secret(secret))
    if not isinstance(message, bytes | bytearray | memoryview):
        raise MalformedInput(f"a message to sign is bytes, not {type(message).__name__}")
    message = bytes(message)
    r = int.from_bytes(hashlib.sha512(prefix + message).digest(), "little") % L
    r_bytes = point_encode(base_mult(r))
    s = (r + _challenge(r_bytes, public, message) * a) % L
    return r_bytes + s.to_bytes(32, "little")


@lru_cache(maxsize=1024)
def _key_odd_multiples(public: bytes) -> list[Niels] | None:
    """-A, -3A, ..., -15A for Straus's method, or None if ``public`` is not a canonical point."""
    point = point_decode(public)
    return None if point is None else odd_multiples(point_neg(point), 8)


@lru_cache(maxsize=32)
def _key_comb_table(public: bytes) -> list[list[Niels]]:
    """The comb table of -A (960 points): built only for keys that keep coming back."""
    point = point_decode(public)
    assert point is not None  # only called after _key_odd_multiples accepted the key
    return comb_table(point_neg(point))


#: A key gets its own comb table after this many verifications under it.
COMB_AFTER_USES = 8
_key_uses: dict[bytes, int] = {}


def _verify_uncached(public: bytes, message: bytes, signature: bytes) -> bool:
    """RFC 8032 5.1.7 with the cofactorless equation [S]B - [k]A = R (see the module notes)."""
    s = int.from_bytes(signature[32:], "little")
    if s >= L:  # canonical S only: S + L would be a second valid signature
        return False
    neg_a_odd = _key_odd_multiples(public)
    if neg_a_odd is None:  # A is not a canonical curve point
        return False
    r_bytes = signature[:32]
    k = _challenge(r_bytes, public, message)
    if len(_key_uses) > 4096:  # keep the usage counts bounded
        _key_uses.clear()
    uses = _key_uses[public] = _key_uses.get(public, 0) + 1
    if uses > COMB_AFTER_USES:
        point = point_add(base_mult(s), comb_mult(_key_comb_table(public), k))
    else:
        point = double_scalar_mult(s, k, neg_a_odd)
    return point_encode(point) == r_bytes


#: Bounded memo of recent verification results, keyed by SHA-256 of the length-framed inputs.
VERIFY_MEMO_SIZE = 8192
_memo: OrderedDict[bytes, bool] = OrderedDict()
_memo_lock = threading.Lock()


def verify(public: bytes, message: bytes, signature: bytes) -> bool:
    """True iff ``signature`` is a valid Ed25519 signature of ``message`` under ``public``.

    Never raises: anything that is not (32 bytes, bytes, 64 bytes) is simply invalid.
    Results are memoised (at most ``VERIFY_MEMO_SIZE`` entries, least recently used out).
    """
    if not all(isinstance(x, bytes | bytearray | memoryview) for x in (public, message, signature)):
        return False
    public, message, signature = bytes(public), bytes(message), bytes(signature)
    if len(public) != PUBLIC_BYTES or len(signature) != SIGNATURE_BYTES:
        return False
    key = hashlib.sha256(public + signature + len(message).to_bytes(8, "little") + message).digest()
    with _memo_lock:
        cached = _memo.get(key)
        if cached is not None:
            _memo.move_to_end(key)
            return cached
    result = _verify_uncached(public, message, signature)
    with _memo_lock:
        _memo[key] = result
        if len(_memo) > VERIFY_MEMO_SIZE:
            _memo.popitem(last=False)
    return result


def clear_verify_memo() -> None:
    """Forget memoised verification results (tests and benchmarks measure the real work)."""
    with _memo_lock:
        _memo.clear()
