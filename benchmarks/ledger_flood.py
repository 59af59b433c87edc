"""A validator under a flood: four ``zkpot node`` processes on 127.0.0.1, one flooded.

    .venv/bin/python benchmarks/ledger_flood.py            # 10 s windows, two pairs
    .venv/bin/python benchmarks/ledger_flood.py --quick    # 3 s windows, one pair
    .venv/bin/python benchmarks/ledger_flood.py --json     # last line: one JSON object

The cluster runs with the defaults of ``zkpot node --init`` (tick 0.2 s, pause 0.1 s,
timeouts 1 s). Time is cut into windows that alternate *quiet* and *flooded* (quiet,
flood, quiet, flood, ...), so both rates are measured side by side in one run, under
the same machine load. During a flooded window one unauthenticated client (a separate
process) connects to validator 0 and sends STATUS frames and garbage as fast as it can,
reconnecting whenever it is cut off — the attack of issue 16.

Figures:

- ``quiet_blocks_per_10s``, ``flooded_blocks_per_10s``: blocks the cluster committed
  (the highest of the four chains), scaled to 10 s; ``flood_commit_ratio`` = flooded /
  quiet (issue 16 asks for >= 0.8);
- ``flooded_node_blocks_ratio``: the same for validator 0's own chain;
- ``flooded_node_rss_ratio``: validator 0's peak resident memory during the floods over
  its peak during the quiet windows (asks for < 2);
- ``sigterm_exit_s``: seconds from SIGTERM to exit for validator 0, sent while a flood
  is on (asks for <= 2);
- ``flood_connections``: connections the flooder got (the node accepts 20 a second).

Everything binds to 127.0.0.1; every process is stopped at the end. The machine may be
shared: the ratios (side by side) are what to compare, not the absolute rates.
"""

from __future__ import annotations

import argparse
import json
import signal
import socket
import statistics
import struct
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from zkpot_ref.ledger import log as block_log  # noqa: E402
from zkpot_ref.ledger import messages  # noqa: E402
from zkpot_ref.ledger.config import write_configs  # noqa: E402
from zkpot_ref.ledger.messages import Kind, Message  # noqa: E402
from zkpot_ref.ledger.replica import BLOCK_RECORD  # noqa: E402

HOST = "127.0.0.1"
N = 4


def flood_worker(port: int, seconds: float) -> None:
    """The flooder: STATUS frames and garbage, reconnecting; prints connections, bytes."""
    status = messages.encode(Message(Kind.STATUS, 1, 0, 1))
    payload = (struct.pack(">I", len(status)) + status) * 500 + b"\xff" * 4096
    deadline, connections, sent = time.monotonic() + seconds, 0, 0
    while time.monotonic() < deadline:
        try:
            with socket.create_connection((HOST, port), timeout=0.5) as sock:
                connections += 1
                while time.monotonic() < deadline:
                    sent += sock.send(payload)
        except OSError:
            pass
    print(connections, sent, flush=True)


def free_ports(count: int) -> list[int]:
    sockets = [socket.socket() for _ in range(count)]
    try:
        for s in sockets:
            s.bind((HOST, 0))
        return [s.getsockname()[1] for s in sockets]
    finally:
        for s in sockets:
            s.close()


def height(directory: Path, i: int) -> int:
    path = directory / f"node{i}" / "blocks.log"
    if not path.exists():
        return 0
    return sum(1 for r in block_log.replay(path) if r[:1] == BLOCK_RECORD)


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def window(directory: Path, seconds: float, pid: int) -> tuple[int, int, int]:
    """(cluster blocks, validator 0's blocks, validator 0's peak RSS) over one window."""
    before = [height(directory, i) for i in range(N)]
    peak, end = 0, time.monotonic() + seconds
    while time.monotonic() < end:
        peak = max(peak, rss_kib(pid))
        time.sleep(0.2)
    after = [height(directory, i) for i in range(N)]
    return max(after) - max(before), after[0] - before[0], peak


def start_flood(port: int, seconds: float) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, __file__, "--flood-worker", str(port),
                             str(seconds)], stdout=subprocess.PIPE, text=True)  # fmt: skip


def measure(seconds: float, pairs: int) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as tmp:
        directory = Path(tmp)
        ports = free_ports(N)
        configs = write_configs(directory, N, ports)  # the defaults of `zkpot node --init`
        nodes = [subprocess.Popen([sys.executable, "-m", "zkpot_ref.cli", "node", "--config",
                                   str(c)], stdout=subprocess.DEVNULL,
                                  stderr=subprocess.DEVNULL) for c in configs]  # fmt: skip
        floods: list[subprocess.Popen] = []
        try:
            deadline = time.monotonic() + 120
            while min(height(directory, i) for i in range(N)) < 3:
                if time.monotonic() > deadline:
                    raise SystemExit("the cluster did not start committing within 120 s")
                time.sleep(0.2)
            quiet, flooded = [], []
            for _ in range(pairs):
                quiet.append(window(directory, seconds, nodes[0].pid))
                floods.append(start_flood(ports[0], seconds))
                flooded.append(window(directory, seconds, nodes[0].pid))
                floods[-1].wait(timeout=60)
            # SIGTERM validator 0 while a flood is on
            floods.append(start_flood(ports[0], 5.0))
            time.sleep(2.0)
            began = time.monotonic()
            nodes[0].send_signal(signal.SIGTERM)
            nodes[0].wait(timeout=60)
            exit_s = time.monotonic() - began
            floods[-1].wait(timeout=60)
        finally:
            for p in nodes + floods:
                if p.poll() is None:
                    p.send_signal(signal.SIGTERM)
            for p in nodes + floods:
                try:
                    p.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    p.kill()
                    p.wait()
        connections = [int(p.stdout.read().split()[0]) for p in floods[:-1] if p.stdout]
    scale = 10.0 / seconds
    q_cluster = statistics.mean(w[0] for w in quiet) * scale
    f_cluster = statistics.mean(w[0] for w in flooded) * scale
    q_node = statistics.mean(w[1] for w in quiet) * scale
    f_node = statistics.mean(w[1] for w in flooded) * scale
    return {
        "window_s": seconds,
        "pairs": pairs,
        "quiet_blocks_per_10s": round(q_cluster, 1),
        "flooded_blocks_per_10s": round(f_cluster, 1),
        "flood_commit_ratio": round(f_cluster / q_cluster, 3) if q_cluster else 0.0,
        "flooded_node_blocks_ratio": round(f_node / q_node, 3) if q_node else 0.0,
        "quiet_rss_kib": max(w[2] for w in quiet),
        "flooded_rss_kib": max(w[2] for w in flooded),
        "flooded_node_rss_ratio": round(max(w[2] for w in flooded)
                                        / max(w[2] for w in quiet), 3),  # fmt: skip
        "sigterm_exit_s": round(exit_s, 3),
        "flood_connections": sum(connections),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="3 s windows, one pair")
    parser.add_argument("--json", action="store_true", help="print one JSON object last")
    parser.add_argument("--flood-worker", nargs=2, metavar=("PORT", "SECONDS"),
                        help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.flood_worker:
        flood_worker(int(args.flood_worker[0]), float(args.flood_worker[1]))
        return
    figures = measure(3.0, 1) if args.quick else measure(10.0, 2)
    print(f"{'window':>8} {'quiet blocks/10s':>17} {'flooded blocks/10s':>19} "
          f"{'ratio':>6} {'node-0 ratio':>13} {'RSS ratio':>10} {'SIGTERM exit':>13}")
    print(f"{figures['window_s']:>7.0f}s {figures['quiet_blocks_per_10s']:>17.1f} "
          f"{figures['flooded_blocks_per_10s']:>19.1f} {figures['flood_commit_ratio']:>6.2f} "
          f"{figures['flooded_node_blocks_ratio']:>13.2f} "
          f"{figures['flooded_node_rss_ratio']:>10.2f} {figures['sigterm_exit_s']:>12.2f}s")
    print(f"(x{figures['pairs']} quiet/flooded window pairs, side by side; flooder got "
          f"{figures['flood_connections']} connections; RSS KiB quiet "
          f"{figures['quiet_rss_kib']}, flooded {figures['flooded_rss_kib']})")
    if args.json:
        print(json.dumps(figures))


if __name__ == "__main__":
    main()
