"""zkpot_ref/ledger/node.py: four validator processes over TCP on 127.0.0.1.

The must-show: four node processes commit >= 20 blocks (ZKPoT blocks with dummy-verifier
submissions); killing one (SIGKILL) keeps the other three committing; restarting it, it
replays its log and catches up on the blocks it missed. Bad input sent to a node's port
is dropped with a log line. Everything binds to 127.0.0.1 only, every wait is bounded,
and every process is stopped in ``finally``.
"""

from __future__ import annotations

import json
import signal
import socket
import struct
import subprocess
import sys
import time
from pathlib import Path

import pytest

from zkpot_ref.cli import main
from zkpot_ref.errors import MalformedInput
from zkpot_ref.ledger import log as block_log
from zkpot_ref.ledger import messages
from zkpot_ref.ledger.block import Block, verify_certificate
from zkpot_ref.ledger.messages import Kind, Message
from zkpot_ref.ledger.node import load_config, write_configs
from zkpot_ref.ledger.replica import BLOCK_RECORD, SEAL_RECORD

N = 4
WAIT = 90.0  # seconds: generous for two shared cores, and still bounded


def free_ports(count: int) -> list[int]:
    sockets = [socket.socket() for _ in range(count)]
    try:
        for s in sockets:
            s.bind(("127.0.0.1", 0))
        return [s.getsockname()[1] for s in sockets]
    finally:
        for s in sockets:
            s.close()


class Cluster:
    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.ports = free_ports(N)
        timeouts = {"propose": 0.5, "prevote": 0.5, "precommit": 0.5, "delta": 0.25}
        self.configs = write_configs(directory, N, self.ports, tick=0.1, pause=0.05,
                                     timeouts=timeouts)  # fmt: skip
        self.processes: dict[int, subprocess.Popen] = {}
        self.outputs: dict[int, list[Path]] = {i: [] for i in range(N)}
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

    def wait(self, condition, what: str) -> None:  # noqa: ANN001
        deadline = time.monotonic() + WAIT
        while not condition():
            for i, p in self.processes.items():
                assert p.poll() is None or i in self.killed, f"node {i} died:\n{self.output(i)}"
            if time.monotonic() > deadline:
                heights = [self.height(i) for i in range(N)]
                pytest.fail(f"timed out waiting for {what}; heights {heights}")
            time.sleep(0.1)

    def stop(self) -> None:
        for p in self.processes.values():
            if p.poll() is None:
                p.send_signal(signal.SIGTERM)
        for p in self.processes.values():
            try:
                p.wait(timeout=10)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait(timeout=10)


def send_frames(port: int, frames: list[bytes]) -> None:
    with socket.create_connection(("127.0.0.1", port), timeout=5) as s:
        for frame in frames:
            s.sendall(frame)


def framed(data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + data


@pytest.mark.slow
def test_four_processes_commit_survive_a_kill_and_catch_up(tmp_path: Path) -> None:
    cluster = Cluster(tmp_path)
    try:
        for i in range(N):
            cluster.start(i)
        cluster.wait(lambda: min(cluster.height(i) for i in range(N)) >= 20, "20 blocks")
        print(f"\nheights with 4 nodes: {[cluster.height(i) for i in range(N)]}")

        # Bad input to node 0: garbage, a forged vote, wrong heights, an oversized frame.
        height = cluster.height(0) + 1
        forged = [Message(Kind.PREVOTE, h, 0, 1, value_id=None, signature=bytes(64))
                  for h in range(height, height + 40)]  # fmt: skip
        wrong = Message(Kind.PREVOTE, 10**6, 0, 1, value_id=None, signature=bytes(64))
        frames = [framed(b"\x01garbage"), framed(messages.encode(wrong))]
        frames += [framed(messages.encode(m)) for m in forged]
        send_frames(cluster.ports[0], frames)
        send_frames(cluster.ports[0], [struct.pack(">I", 2_000_000_000)])
        before = cluster.height(0)
        cluster.wait(lambda: cluster.height(0) >= before + 5, "node 0 going on after bad input")
        text = cluster.output(0)
        for line in ("dropped 8 bytes", "height 1000000", "bad signature",
                     "frame of 2000000000 bytes"):  # fmt: skip
            assert line in text, line

        # Kill validator 3 without warning; the other three keep committing.
        cluster.processes[3].send_signal(signal.SIGKILL)
        cluster.processes[3].wait(timeout=10)
        cluster.killed.add(3)
        at_kill = cluster.height(3)
        others = max(cluster.height(i) for i in range(3))
        cluster.wait(lambda: min(cluster.height(i) for i in range(3)) >= others + 5,
                     "three nodes committing without the fourth")  # fmt: skip
        assert cluster.height(3) == at_kill

        # Restart it: it replays its log and syncs the blocks it missed.
        cluster.killed.discard(3)
        target = max(cluster.height(i) for i in range(3))
        cluster.start(3)
        cluster.wait(lambda: cluster.height(3) >= target + 2, "the restarted node catching up")
        text = cluster.output(3)
        assert f"replayed {at_kill} blocks" in text or at_kill == 0
        assert "caught up" in text
        print(f"killed at {at_kill}, others went on to {target}, restarted node now at "
              f"{cluster.height(3)}")  # fmt: skip
    finally:
        cluster.stop()
    # Agreement: every height that all four logs hold is the same block in all four.
    chains = [cluster.chain(i) for i in range(N)]
    common = min(len(c) for c in chains)
    assert common >= 20
    for height in range(common):
        assert len({c[height] for c in chains}) == 1, f"disagreement at height {height + 1}"
    # Seals: Block.certificate filled by 2f+1 validators after the decision, checked with
    # block.verify_certificate, for most blocks of every log.
    keys = list(load_config(cluster.configs[0]).validators.public_keys)
    for i in range(N):
        records = block_log.replay(tmp_path / f"node{i}" / "blocks.log")
        sealed = {int.from_bytes(r[1:9], "big"): Block.decode(r[9:])
                  for r in records if r[:1] == SEAL_RECORD}  # fmt: skip
        assert len(sealed) >= common // 2
        for height, block in sealed.items():
            assert verify_certificate(block, keys, 1)
            assert block.block_hash() == Block.decode(chains[i][height - 1]).block_hash()
        block_log.BlockLog(tmp_path / f"node{i}" / "blocks.log").close()  # verifies


def test_load_config_checks_every_field(tmp_path: Path) -> None:
    path, other = write_configs(tmp_path, 4, [26601, 26602, 26603, 26604])[:2]
    config = load_config(path)
    assert config.index == 0 and config.addresses[1] == ("127.0.0.1", 26602)
    assert config.validators.n == 4 and config.data_dir == tmp_path / "node0"
    raw = json.loads(path.read_text())
    broken = {
        "version": {**raw, "version": 2},
        "missing key": {k: v for k, v in raw.items() if k != "secret_key"},
        "not hex": {**raw, "secret_key": "zz"},
        "someone else's key": {**raw, "secret_key": json.loads(other.read_text())["secret_key"]},
        "index": {**raw, "index": 9},
        "timeouts": {**raw, "timeouts": {"never": 1}},
    }
    for name, content in broken.items():
        bad = tmp_path / f"bad-{name.replace(' ', '-')}.json"
        bad.write_text(json.dumps(content))
        with pytest.raises(MalformedInput):
            load_config(bad)
    (tmp_path / "not-json.json").write_text("{")
    with pytest.raises(MalformedInput):
        load_config(tmp_path / "not-json.json")


def test_node_command_init_and_errors(tmp_path: Path, capsys) -> None:
    assert main(["node", "--init", str(tmp_path / "c"), "--validators", "4",
                 "--base-port", "27000"]) == 0  # fmt: skip
    files = capsys.readouterr().out.split()
    assert len(files) == 4
    ports = [json.loads(Path(f).read_text())["validators"][0]["port"] for f in files]
    assert ports == [27000] * 4
    assert main(["node"]) == 2
    assert "error: give --config" in capsys.readouterr().err
    assert main(["node", "--config", str(tmp_path / "missing.json")]) == 2
    with socket.socket() as busy:  # a port someone else holds: one error line, exit 2
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        [config] = write_configs(tmp_path / "busy", 1, [busy.getsockname()[1]])
        assert main(["node", "--config", str(config)]) == 2
    assert "cannot listen on 127.0.0.1" in capsys.readouterr().err
