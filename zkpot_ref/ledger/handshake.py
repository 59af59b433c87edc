"""Authenticated connections: before a validator listens to a socket, it learns who is there.

Lesson: a signature on every vote proves who *said* something, but not who is *asking*.
An unsigned STATUS("I am validator 1 at height 3") costs its receiver real work (it
answers with blocks), so on an open port anyone could make a validator work for them,
pretending to be a peer. The fix is to authenticate the connection once, when it opens,
and then accept messages only from connections that passed: the idea of CometBFT's
SecretConnection (itself after the Station-to-Station protocol), without the encryption.

The handshake. The dialer D connects to the listener L; both know the validator set and
the chain id, each has its validator key pair::

    D -> L   HELLO(version, chain digest, nonce_D, index D)
    L -> D   HELLO(version, chain digest, nonce_L, index L)
    D -> L   AUTH_D = Sign(sk_D, challenge("dialer",   digest, nonce_D, nonce_L, D, L))
    L -> D   AUTH_L = Sign(sk_L, challenge("listener", digest, nonce_D, nonce_L, L, D))

Each side checks the other's HELLO (same version and chain digest, a validator index that
is not its own; D also checks that L is the validator it dialed) and the other's AUTH
under the public key of the index it claimed. The signed challenge binds

- **both fresh nonces** (32 random bytes each): a recorded AUTH is useless in any other
  connection, since the other side's nonce will differ (no replay);
- **the chain digest** (SHA-256 of the chain id and the validator keys): a signature made
  for one cluster, or for another validator set, means nothing in this one;
- **the role and both indices**: an AUTH made as a listener cannot be reflected back as
  a dialer's, nor one made for validator j be shown to validator k.

The listener signs only *after* the dialer's AUTH verified, so a stranger without a key
costs it one signature check per connection, and no signing at all.

What we leave out, on purpose (and what SecretConnection adds):

- **encryption** — consensus messages are public anyway (votes are signed, blocks are
  published), so we do not hide them;
- **channel binding** — SecretConnection derives the session keys from an ephemeral
  Diffie–Hellman exchange and the challenge from those keys, so nobody can take over a
  connection after the handshake. Ours binds only the nonces: an attacker *on the network
  path* between two validators could let the handshake pass and then inject bytes into
  the TCP stream. Such bytes can still not forge a vote (votes are signed), but they can
  ask questions in the peer's name. On 127.0.0.1, or over a VPN/TLS tunnel, there is no
  such path; on an open network, use an encrypted transport.

This module is sans-IO (bytes in, bytes out) plus two small drivers: :func:`dial` /
:func:`accept` for asyncio streams (``node.py``) and :func:`dial_blocking` for a plain
socket (tests and the flood benchmark play a validator with it).

Read next: ``guards.py`` (what a node does about peers that flood it).
"""

from __future__ import annotations

import asyncio
import hashlib
import os
import socket
import struct
from dataclasses import dataclass

from zkpot_ref.errors import MalformedInput
from zkpot_ref.ledger import signatures
from zkpot_ref.ledger.messages import Validators

MAGIC = b"zkpot-hs"
HANDSHAKE_VERSION = 1
NONCE_BYTES = 32
_HELLO = struct.Struct(f">{len(MAGIC)}sB32s{NONCE_BYTES}sH")
#: HELLO is fixed-size, so a listener never reads more than this from a stranger.
HELLO_BYTES = _HELLO.size
AUTH_BYTES = signatures.SIGNATURE_BYTES
DIALER, LISTENER = b"dialer", b"listener"
DOMAIN = b"zkpot/handshake/v1/"


def chain_digest(chain_id: str, validators: Validators) -> bytes:
    """What both sides must agree on: SHA-256 of the chain id and the validator keys."""
    name = chain_id.encode()
    data = DOMAIN + struct.pack(">H", len(name)) + name + b"".join(validators.public_keys)
    return hashlib.sha256(data).digest()


@dataclass(frozen=True)
class Identity:
    """One validator's side of the handshake: who it is, and which cluster it is in."""

    index: int
    secret: bytes
    validators: Validators
    digest: bytes  # chain_digest(chain_id, validators)


def hello(me: Identity, nonce: bytes) -> bytes:
    """This side's HELLO with a fresh ``nonce``."""
    return _HELLO.pack(MAGIC, HANDSHAKE_VERSION, me.digest, nonce, me.index)


def read_hello(me: Identity, data: bytes, expect: int | None = None) -> tuple[int, bytes]:
    """The other side's (index, nonce) from its HELLO; ``MalformedInput`` if it is not one
    for this chain, or not from ``expect`` (the validator we dialed) when given."""
    if len(data) != HELLO_BYTES:
        raise MalformedInput(f"handshake: HELLO of {len(data)} bytes, expected {HELLO_BYTES}")
    magic, version, digest, nonce, index = _HELLO.unpack(data)
    if magic != MAGIC:
        raise MalformedInput("handshake: not a zkpot HELLO (bad magic bytes)")
    if version != HANDSHAKE_VERSION:
        raise MalformedInput(f"handshake: version {version}, expected {HANDSHAKE_VERSION}")
    if digest != me.digest:
        raise MalformedInput("handshake: another chain (chain id or validator set differ)")
    if not 0 <= index < me.validators.n or index == me.index:
        raise MalformedInput(f"handshake: {index} is not another validator's index")
    if expect is not None and index != expect:
        raise MalformedInput(f"handshake: dialed validator {expect}, validator {index} answered")
    return index, nonce


def challenge(role: bytes, me: Identity, nonces: tuple[bytes, bytes], signer: int,
              peer: int) -> bytes:  # fmt: skip
    """The bytes an AUTH signs: role, chain digest, (dialer, listener) nonces, who to whom."""
    return DOMAIN + role + me.digest + nonces[0] + nonces[1] + struct.pack(">HH", signer, peer)


def auth(role: bytes, me: Identity, nonces: tuple[bytes, bytes], peer: int) -> bytes:
    """This side's AUTH: its signature of the challenge, as ``role``, talking to ``peer``."""
    return signatures.sign(me.secret, challenge(role, me, nonces, me.index, peer))


def check_auth(role: bytes, me: Identity, nonces: tuple[bytes, bytes], peer: int,
               signature: bytes) -> None:  # fmt: skip
    """``MalformedInput`` unless ``signature`` is ``peer``'s AUTH (as ``role``) to us."""
    message = challenge(role, me, nonces, peer, me.index)
    if not signatures.verify(me.validators.public_keys[peer], message, signature):
        raise MalformedInput(f"handshake: bad signature from claimed validator {peer}")


# ------------------------------------------------------------------------ drivers
async def dial(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, me: Identity,
               peer: int) -> None:  # fmt: skip
    """Run the dialer's side on an open connection to ``peer`` (the caller sets a deadline)."""
    nonce = os.urandom(NONCE_BYTES)
    writer.write(hello(me, nonce))
    _, theirs = read_hello(me, await reader.readexactly(HELLO_BYTES), expect=peer)
    nonces = (nonce, theirs)
    writer.write(auth(DIALER, me, nonces, peer))
    check_auth(LISTENER, me, nonces, peer, await reader.readexactly(AUTH_BYTES))


async def accept(reader: asyncio.StreamReader, writer: asyncio.StreamWriter,
                 me: Identity) -> int:  # fmt: skip
    """Run the listener's side; returns the authenticated peer's index."""
    peer, theirs = read_hello(me, await reader.readexactly(HELLO_BYTES))
    nonce = os.urandom(NONCE_BYTES)
    writer.write(hello(me, nonce))
    nonces = (theirs, nonce)
    check_auth(DIALER, me, nonces, peer, await reader.readexactly(AUTH_BYTES))
    writer.write(auth(LISTENER, me, nonces, peer))
    return peer


def dial_blocking(sock: socket.socket, me: Identity, peer: int) -> None:
    """:func:`dial` on a blocking socket (set its timeout first)."""

    def read(n: int) -> bytes:
        data = b""
        while len(data) < n:
            chunk = sock.recv(n - len(data))
            if not chunk:
                raise MalformedInput("handshake: the listener closed the connection")
            data += chunk
        return data

    nonce = os.urandom(NONCE_BYTES)
    sock.sendall(hello(me, nonce))
    _, theirs = read_hello(me, read(HELLO_BYTES), expect=peer)
    nonces = (nonce, theirs)
    sock.sendall(auth(DIALER, me, nonces, peer))
    check_auth(LISTENER, me, nonces, peer, read(AUTH_BYTES))
