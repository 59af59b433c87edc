"""zkpot_ref/ledger/handshake.py: each side proves its validator key, bound to both nonces,
the chain, the roles and both indices; replays, reflections and strangers fail."""

from __future__ import annotations

import asyncio
import os
import socket

import pytest

from zkpot_ref.errors import MalformedInput
from zkpot_ref.ledger import handshake
from zkpot_ref.ledger.handshake import (
    DIALER,
    HELLO_BYTES,
    LISTENER,
    Identity,
    auth,
    chain_digest,
    check_auth,
    hello,
    read_hello,
)
from zkpot_ref.ledger.messages import Validators
from zkpot_ref.ledger.simulator import validator_keys

KEYS = validator_keys(4)
VALIDATORS = Validators(tuple(public for _, public in KEYS))
DIGEST = chain_digest("test-chain", VALIDATORS)


def me(i: int, digest: bytes = DIGEST) -> Identity:
    return Identity(i, KEYS[i][0], VALIDATORS, digest)


def run_handshake(dialer: int, listener: int) -> tuple[bytes, bytes, tuple[bytes, bytes]]:
    """Both sides, sans IO: (AUTH_D, AUTH_L, nonces), every check done."""
    d, l_ = me(dialer), me(listener)
    n_d, n_l = os.urandom(32), os.urandom(32)
    assert read_hello(l_, hello(d, n_d)) == (dialer, n_d)
    assert read_hello(d, hello(l_, n_l), expect=listener) == (listener, n_l)
    nonces = (n_d, n_l)
    auth_d = auth(DIALER, d, nonces, listener)
    check_auth(DIALER, l_, nonces, dialer, auth_d)
    auth_l = auth(LISTENER, l_, nonces, dialer)
    check_auth(LISTENER, d, nonces, listener, auth_l)
    return auth_d, auth_l, nonces


def test_the_handshake_and_its_layout() -> None:
    run_handshake(1, 0)
    data = hello(me(2), bytes(range(32)))
    assert len(data) == HELLO_BYTES == 8 + 1 + 32 + 32 + 2
    assert data[:9] == b"zkpot-hs\x01" and data[9:41] == DIGEST and data[-2:] == b"\x00\x02"
    assert chain_digest("test-chain", VALIDATORS) == DIGEST
    assert chain_digest("other-chain", VALIDATORS) != DIGEST
    assert chain_digest("test-chain", Validators(VALIDATORS.public_keys[:3])) != DIGEST


def test_bad_hellos_are_refused() -> None:
    good = hello(me(1), bytes(32))
    other_chain = hello(me(1, chain_digest("x", VALIDATORS)), bytes(32))
    cases = {
        "HELLO of 10 bytes": good[:10],
        "bad magic": b"X" + good[1:],
        "version 2": good[:8] + b"\x02" + good[9:],
        "another chain": other_chain,
        "not another validator": hello(me(0), bytes(32)),  # our own index
        "4 is not": good[:-2] + b"\x00\x04",  # out of range
    }
    for message, data in cases.items():
        with pytest.raises(MalformedInput, match=message):
            read_hello(me(0), data)
    with pytest.raises(MalformedInput, match="dialed validator 2, validator 1 answered"):
        read_hello(me(0), good, expect=2)


def test_replayed_reflected_misdirected_and_forged_auths_fail() -> None:
    auth_d, auth_l, nonces = run_handshake(1, 0)
    fresh = (nonces[0], os.urandom(32))  # the listener's nonce differs next time
    with pytest.raises(MalformedInput, match="bad signature from claimed validator 1"):
        check_auth(DIALER, me(0), fresh, 1, auth_d)  # replay
    with pytest.raises(MalformedInput):
        check_auth(DIALER, me(1), nonces, 0, auth_l)  # a listener's AUTH as a dialer's
    with pytest.raises(MalformedInput):
        check_auth(DIALER, me(2), nonces, 1, auth_d)  # shown to validator 2, made for 0
    forged = auth(DIALER, me(2), nonces, 0)  # validator 2's key, claiming to be 1
    with pytest.raises(MalformedInput):
        check_auth(DIALER, me(0), nonces, 1, forged)
    other = me(0, chain_digest("other", VALIDATORS))
    with pytest.raises(MalformedInput):
        check_auth(DIALER, other, nonces, 1, auth_d)  # another chain


def test_asyncio_and_blocking_drivers_over_loopback() -> None:
    results: dict[str, object] = {}

    async def main() -> None:
        async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            try:
                results.setdefault("peers", []).append(
                    await handshake.accept(reader, writer, me(0)))
                await writer.drain()
            except (MalformedInput, EOFError, ConnectionError) as exc:
                results.setdefault("refused", []).append(type(exc).__name__)
            finally:
                writer.close()

        server = await asyncio.start_server(serve, "127.0.0.1", 0)
        port = server.sockets[0].getsockname()[1]
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        await handshake.dial(reader, writer, me(3), 0)
        writer.close()

        def blocking(index: int, expect: int) -> None:
            with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
                try:
                    handshake.dial_blocking(sock, me(index), expect)
                except MalformedInput as exc:
                    results["dialer refused"] = str(exc)

        await asyncio.to_thread(blocking, 2, 0)
        await asyncio.to_thread(blocking, 1, 3)  # dials "3" but 0 answers
        server.close()
        await server.wait_closed()

    asyncio.run(main())
    assert results["peers"] == [3, 2]
    assert "dialed validator 3, validator 0 answered" in str(results["dialer refused"])
    assert results["refused"] == ["IncompleteReadError"]  # the dialer gave up on it


def test_dial_blocking_sees_a_listener_hang_up() -> None:
    with socket.create_server(("127.0.0.1", 0)) as server:
        port = server.getsockname()[1]
        with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
            conn, _ = server.accept()
            conn.close()
            with pytest.raises(MalformedInput, match="closed the connection"):
                handshake.dial_blocking(sock, me(1), 0)
