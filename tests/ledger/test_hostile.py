"""Hostile peers against real ``zkpot node`` processes on 127.0.0.1 (the fault suite,
docs/ledger_faults.md): floods, slowloris, oversized and half frames, forged sender ids,
200 idle connections, and SIGTERM under load.

One cluster goes through every attack in turn; after each, every node must still be
committing. It has five validators of which four run as processes; the tests hold the
fifth one's key and play it as a Byzantine validator (a validator that *runs* would
replace our connection with its own: one connection per peer). Every attack is short
(the 10-second measurement lives in ``benchmarks/ledger_flood.py``), every wait is
bounded, every socket is on 127.0.0.1, and every process is stopped in ``finally``. The
bounds asserted here are loose on purpose (the machine is shared); the benchmark
reports the real numbers.
"""

from __future__ import annotations

import re
import signal
import socket
import struct
import threading
import time
from collections.abc import Callable

import pytest
from ledger_cluster import HOST, Cluster, framed, rss_kib

from zkpot_ref.ledger import handshake, messages
from zkpot_ref.ledger.messages import Kind, Message

STATUS = framed(messages.encode(Message(Kind.STATUS, 1, 0, 1)))
GARBAGE = STATUS * 200 + framed(b"\xff" * 300) + b"\x00" * 1000


def flood(port: int, seconds: float, payload: Callable[[], socket.socket]) -> int:
    """Send ``GARBAGE`` as fast as possible for ``seconds``; returns connections made."""
    deadline, connections = time.monotonic() + seconds, 0
    while time.monotonic() < deadline:
        try:
            with payload() as sock:
                connections += 1
                sock.settimeout(0.2)
                while time.monotonic() < deadline:
                    sock.sendall(GARBAGE)
        except OSError:
            pass  # closed on us, or the backlog is full: try again
    return connections


def in_background(work: Callable[[], object]) -> threading.Thread:
    thread = threading.Thread(target=work, daemon=True)
    thread.start()
    return thread


def closed_within(sock: socket.socket, seconds: float) -> bool:
    """True when the peer closes ``sock`` (EOF or reset) within ``seconds``."""
    sock.settimeout(seconds)
    try:
        while sock.recv(4096):
            pass
    except TimeoutError:
        return False
    except ConnectionResetError:
        pass
    return True


@pytest.mark.slow
def test_hostile_peers_cannot_stop_a_validator(tmp_path) -> None:  # noqa: ANN001
    cluster = Cluster(tmp_path, n=5)
    port, byzantine = cluster.ports[0], 4
    stranger = lambda: socket.create_connection((HOST, port), timeout=1)  # noqa: E731
    try:
        for i in range(4):
            cluster.start(i)
        cluster.wait_all_commit(3, "a first few blocks")
        node0 = cluster.processes[0].pid
        baseline = rss_kib(node0)

        # 1. a stranger floods STATUS frames and garbage, reconnecting whenever cut off
        made = []
        thread = in_background(lambda: made.append(flood(port, 3.0, stranger)))
        cluster.wait_all_commit(2, "blocks during an unauthenticated flood")
        thread.join(timeout=30)
        peak = rss_kib(node0)

        # 2. the Byzantine validator floods authenticated STATUS frames, reconnecting
        thread = in_background(
            lambda: flood(port, 3.0, lambda: cluster.connect_as(byzantine, 0)))
        cluster.wait_all_commit(2, "blocks during an authenticated flood")
        thread.join(timeout=30)

        # 3. slowloris: a HELLO one byte at a time, slower than the handshake deadline
        with stranger() as slow:
            hello = handshake.hello(cluster.identity(byzantine), bytes(32))
            for byte in hello[:3]:
                slow.sendall(bytes([byte]))
                time.sleep(0.5)
            assert closed_within(slow, 10.0), "a slow handshake was not cut off"

        # 4. half frames: a stranger's half HELLO; a peer's frame that never ends
        with stranger() as half:
            half.sendall(hello[:40])
            assert closed_within(half, 10.0), "a half HELLO held its connection"
        with cluster.connect_as(byzantine, 0) as peer:
            peer.sendall(struct.pack(">I", 5000) + b"x" * 100)  # 4900 bytes never come
            assert closed_within(peer, 20.0), "a half frame held its connection"

        # 5. an oversized frame, forged sender ids, a stranger claiming a validator's index
        with cluster.connect_as(byzantine, 0) as peer:
            forged_status = Message(Kind.STATUS, 1, 0, 2)  # validator 2's name
            forged_vote = Message(Kind.PREVOTE, cluster.height(0) + 1, 0, 2, value_id=None,
                                  signature=bytes(64))  # fmt: skip
            peer.sendall(framed(messages.encode(forged_status))
                         + framed(messages.encode(forged_vote))
                         + struct.pack(">I", 2**31))  # fmt: skip
            assert closed_within(peer, 10.0), "an oversized frame was read"
        with stranger() as liar:
            liar.settimeout(10)
            liar.sendall(hello)  # validator 4's HELLO, but no key behind it
            assert liar.recv(handshake.HELLO_BYTES)  # the listener's HELLO
            liar.sendall(bytes(64))  # a made-up AUTH
            assert closed_within(liar, 10.0)

        # 6. 200 idle connections, none of which ever says anything
        idle = []
        for _ in range(200):
            sock = socket.socket()
            sock.setblocking(False)
            sock.connect_ex((HOST, port))
            idle.append(sock)
        try:
            cluster.wait_all_commit(2, "blocks with 200 idle connections open")
            idle_rss = rss_kib(node0)
        finally:
            for sock in idle:
                sock.close()
        cluster.wait_all_commit(2, "blocks after all that")

        # 7. SIGTERM while a flood is on: the node stops promptly and cleanly
        thread = in_background(lambda: flood(port, 4.0, stranger))
        time.sleep(1.0)
        began = time.monotonic()
        cluster.processes[0].send_signal(signal.SIGTERM)
        cluster.processes[0].wait(timeout=30)
        took = time.monotonic() - began
        cluster.killed.add(0)
        thread.join(timeout=30)
    finally:
        cluster.stop()
    text = cluster.output(0)
    print(f"\nflood connections {made}, RSS KiB: baseline {baseline}, flooded {peak}, "
          f"200 idle {idle_rss}; SIGTERM -> exit {took:.2f} s")
    assert cluster.processes[0].returncode == 0 and took < 10.0
    assert peak < 2 * baseline and idle_rss < 2 * baseline
    for line in ("handshake failed: handshake: not a zkpot HELLO", "no handshake within 2 s",
                 "from validator 4: a frame took more than 5 s",
                 "from validator 4: frame of 2147483648 bytes exceeds",
                 "sender 2 forged by validator 4", "stopped at height",
                 "input turned away since the start"):  # fmt: skip
        assert line in text, line
    # dropped input is counted, but each kind of line is shown at most 20 times in 10 s
    counts = {kind: (int(seen), int(shown)) for seen, kind, shown in re.findall(
        r"since the start: (\d+) x '(.*)' \((\d+) shown\)", text)}  # fmt: skip
    seen, shown = counts["dropped a connection: handshake failed: %s"]
    assert seen > shown and shown <= 20 * (1 + 60 // 10), counts  # (at most ~60 s of test)
    # agreement among the four logs, whatever they went through
    chains = [cluster.chain(i) for i in range(4)]
    common = min(len(c) for c in chains)
    assert common >= 10
    assert all(len({c[h] for c in chains}) == 1 for h in range(common))
