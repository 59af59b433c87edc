"""A local cluster of ``zkpot node`` processes on 127.0.0.1, for the node and fault tests.

Everything binds to 127.0.0.1 only, every wait is bounded, and ``stop`` ends every process
this harness started (SIGTERM, then SIGKILL after a bound).
"""

from __future__ import annotations

import signal
import socket
import struct
import subprocess
import sys
import time
from pathlib import Path

import pytest

from zkpot_ref.ledger import handshake, messages
from zkpot_ref.ledger import log as block_log
from zkpot_ref.ledger.config import load_config, write_configs
from zkpot_ref.ledger.replica import BLOCK_RECORD

HOST = "127.0.0.1"
WAIT = 90.0  # seconds: generous for two shared cores, and still bounded
TIMEOUTS = {"propose": 0.5, "prevote": 0.5, "precommit": 0.5, "delta": 0.25}


def free_ports(count: int) -> list[int]:
    sockets = [socket.socket() for _ in range(count)]
    try:
        for s in sockets:
            s.bind((HOST, 0))
        return [s.getsockname()[1] for s in sockets]
    finally:
        for s in sockets:
            s.close()


def framed(data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + data


def rss_kib(pid: int) -> int:
    """Resident set size of a process, from /proc (Linux)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise AssertionError("no VmRSS line")


class Cluster:
    def __init__(self, directory: Path, n: int = 4, **options: object) -> None:
        self.directory, self.n = directory, n
        self.ports = free_ports(n)
        self.configs = write_configs(directory, n, self.ports, tick=0.1, pause=0.05,
                                     timeouts=TIMEOUTS, **options)  # fmt: skip
        self.processes: dict[int, subprocess.Popen] = {}
        self.outputs: dict[int, list[Path]] = {i: [] for i in range(n)}
        self.killed: set[int] = set()  # killed on purpose: not a failure

    def start(self, i: int) -> None:
        out = self.directory / f"node{i}-{len(self.outputs[i])}.out"
        self.outputs[i].append(out)
        self.processes[i] = subprocess.Popen(
            [sys.executable, "-m", "zkpot_ref.cli", "node", "--config", str(self.configs[i])],
            stdout=out.open("wb"), stderr=subprocess.STDOUT,
        )  # fmt: skip

    def output(self, i: int) -> str:
        return "".join(path.read_text(errors="replace") for path in self.outputs[i])

    def chain(self, i: int) -> list[bytes]:
        path = self.directory / f"node{i}" / "blocks.log"
        if not path.exists():
            return []
        records = block_log.replay(path)
        return [messages.decode(r[1:]).value for r in records if r[:1] == BLOCK_RECORD]

    def height(self, i: int) -> int:
        return len(self.chain(i))

    def heights(self) -> list[int]:
        return [self.height(i) for i in sorted(self.processes)]

    def wait(self, condition, what: str, bound: float = WAIT) -> None:  # noqa: ANN001
        deadline = time.monotonic() + bound
        while not condition():
            for i, p in self.processes.items():
                assert p.poll() is None or i in self.killed, f"node {i} died:\n{self.output(i)}"
            if time.monotonic() > deadline:
                pytest.fail(f"timed out waiting for {what}; heights {self.heights()}")
            time.sleep(0.1)

    def wait_all_commit(self, blocks: int, what: str) -> None:
        """Wait until every live node has committed ``blocks`` more blocks."""
        live = [i for i in sorted(self.processes) if i not in self.killed]
        start = {i: self.height(i) for i in live}
        self.wait(lambda: all(self.height(i) >= start[i] + blocks for i in live), what)

    def identity(self, i: int) -> handshake.Identity:
        """Validator ``i``'s handshake identity (the tests play a Byzantine validator)."""
        config = load_config(self.configs[i])
        digest = handshake.chain_digest(config.chain_id, config.validators)
        return handshake.Identity(i, config.secret, config.validators, digest)

    def connect_as(self, i: int, target: int) -> socket.socket:
        """A connection to node ``target`` authenticated as validator ``i``."""
        sock = socket.create_connection((HOST, self.ports[target]), timeout=10)
        handshake.dial_blocking(sock, self.identity(i), target)
        return sock

    def stop(self) -> dict[int, float]:
        """SIGTERM every process; returns the seconds each took to exit."""
        began = {}
        for i, p in self.processes.items():
            if p.poll() is None:
                p.send_signal(signal.SIGTERM)
                began[i] = time.monotonic()
        took = {}
        for i, p in self.processes.items():
            try:
                p.wait(timeout=10)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait(timeout=10)
            if i in began:
                took[i] = time.monotonic() - began[i]
        return took
