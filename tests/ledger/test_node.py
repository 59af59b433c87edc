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
from pathlib import Path

import pytest
from ledger_cluster import Cluster, framed, free_ports

from zkpot_ref.cli import main
from zkpot_ref.errors import StoreError
from zkpot_ref.ledger import log as block_log
from zkpot_ref.ledger import messages
from zkpot_ref.ledger.block import Block, verify_certificate
from zkpot_ref.ledger.log import BlockLog
from zkpot_ref.ledger.messages import Kind, Message
from zkpot_ref.ledger.node import load_config, write_configs
from zkpot_ref.ledger.replica import SEAL_RECORD

N = 4


@pytest.mark.slow
def test_four_processes_commit_survive_a_kill_and_catch_up(tmp_path: Path) -> None:
    cluster = Cluster(tmp_path, log_burst=10**6)  # every dropped-input line shown
    try:
        for i in range(N):
            cluster.start(i)
        cluster.wait(lambda: min(cluster.height(i) for i in range(N)) >= 20, "20 blocks")
        print(f"\nheights with 4 nodes: {[cluster.height(i) for i in range(N)]}")

        # Bad input to node 0 from validator 1's key (a Byzantine validator): garbage, a
        # forged vote, wrong heights, a STATUS in validator 2's name, an oversized frame.
        height = cluster.height(0) + 1
        forged = [Message(Kind.PREVOTE, h, 0, 1, value_id=None, signature=bytes(64))
                  for h in range(height, height + 40)]  # fmt: skip
        wrong = Message(Kind.PREVOTE, 10**6, 0, 1, value_id=None, signature=bytes(64))
        frames = [framed(b"\x01garbage"), framed(messages.encode(wrong))]
        frames += [framed(messages.encode(m)) for m in forged]
        frames.append(framed(messages.encode(Message(Kind.STATUS, 1, 0, 2))))
        with cluster.connect_as(1, 0) as byzantine:
            byzantine.sendall(b"".join(frames))
            byzantine.sendall(struct.pack(">I", 2_000_000_000))
            assert byzantine.recv(1) == b""  # node 0 hung up on the oversized frame
        # ... and from a stranger: the same bytes never get past the handshake
        with socket.create_connection(("127.0.0.1", cluster.ports[0]), timeout=10) as s:
            s.sendall(b"".join(frames)[:200])
            try:
                assert s.recv(100) == b""
            except ConnectionResetError:
                pass  # closed with our bytes unread: just as well
        before = cluster.height(0)
        cluster.wait(lambda: cluster.height(0) >= before + 5, "node 0 going on after bad input")
        text = cluster.output(0)
        for line in ("dropped 8 bytes", "height 1000000", "bad signature",
                     "sender 2 forged by validator 1", "frame of 2000000000 bytes",
                     "handshake failed: handshake: not a zkpot HELLO"):  # fmt: skip
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


def test_a_failing_disk_stops_the_node_with_one_error_line(tmp_path: Path, capsys,
                                                           monkeypatch) -> None:  # noqa: ANN001
    """A lone validator commits a few blocks, then its disk 'fills up': the node stops
    (exit 2, one error line) instead of voting on without durability."""
    [config] = write_configs(tmp_path, 1, free_ports(1), tick=0.05, pause=0.02)
    real, calls = BlockLog.append, []

    def filling_up(self: BlockLog, record: bytes) -> None:
        calls.append(record)
        if len(calls) > 6:
            raise StoreError(f"cannot append to block log {self.path}: No space left")
        real(self, record)

    monkeypatch.setattr(BlockLog, "append", filling_up)
    assert main(["node", "--config", str(config)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err[-1].startswith("error: cannot append") and "No space left" in err[-1]
    monkeypatch.undo()
    assert len(BlockLog(tmp_path / "node0" / "blocks.log").records()) == 6  # all kept


def test_a_log_that_does_not_verify_keeps_the_node_from_starting(tmp_path: Path,
                                                                 capsys) -> None:  # noqa: ANN001
    [config] = write_configs(tmp_path, 1, free_ports(1))
    with BlockLog(tmp_path / "node0" / "blocks.log") as log:
        log.append(b"B" + messages.encode(Message(Kind.COMMIT, 1, 0, 0, value=b"no block")))
    assert main(["node", "--config", str(config)]) == 2
    err = capsys.readouterr().err
    assert "error: block log record 0 (after 0 blocks) does not verify" in err
    assert "Traceback" not in err
