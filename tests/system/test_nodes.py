"""Four ``zkpot node`` processes commit a federation's real ZKPoT rounds over TCP; one is
killed with SIGKILL mid-run and restarted, catches up, and the chain verifies from genesis.

Everything binds to 127.0.0.1, every wait is bounded, every process is stopped."""

from __future__ import annotations

import shutil
import signal
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "ledger"))
from ledger_cluster import Cluster  # noqa: E402

from zkpot_ref.chain import GENESIS, LOG, STORE, Genesis, verify_chain  # noqa: E402
from zkpot_ref.ledger import log as block_log  # noqa: E402
from zkpot_ref.ledger.app import decode_batch  # noqa: E402
from zkpot_ref.ledger.block import Block  # noqa: E402
from zkpot_ref.ledger.config import load_config  # noqa: E402
from zkpot_ref.ledger.replica import SEAL_RECORD  # noqa: E402

N = 4


def sealed_blocks(directory: Path) -> dict[int, bytes]:
    records = block_log.replay(directory / "blocks.log")
    return {int.from_bytes(r[1:9], "big"): r[9:] for r in records if r[:1] == SEAL_RECORD}


@pytest.mark.slow
def test_nodes_commit_real_rounds_survive_a_kill_and_the_chain_verifies(
        chain_run, tmp_path: Path) -> None:  # noqa: ANN001
    federation, reports = chain_run
    rounds = len(reports)
    cluster = Cluster(tmp_path / "cluster", round_dir=str(federation))
    try:
        for i in range(N):
            cluster.start(i)
        cluster.wait(lambda: min(cluster.height(i) for i in range(N)) >= 1, "block 1")
        cluster.processes[3].send_signal(signal.SIGKILL)  # mid-run, without warning
        cluster.processes[3].wait(timeout=10)
        cluster.killed.add(3)
        at_kill = cluster.height(3)
        cluster.wait(lambda: min(cluster.height(i) for i in range(3)) >= rounds + 2,
                     "three nodes going on")
        cluster.killed.discard(3)
        cluster.start(3)
        node3, federation_rounds = tmp_path / "cluster" / "node3", set(range(1, rounds + 1))
        # Caught up *and* sealed: a seal arrives after its block, so waiting for the height
        # alone would stop the node before the last seals of the federation's rounds.
        cluster.wait(lambda: cluster.height(3) >= rounds + 2
                     and federation_rounds <= set(sealed_blocks(node3)),
                     "the restarted node catching up and sealing rounds 1..rounds")
        assert at_kill < rounds + 2
    finally:
        cluster.stop()
    chains = [cluster.chain(i) for i in range(N)]
    for height in range(rounds + 2):
        assert len({c[height] for c in chains}) == 1, f"disagreement at height {height + 1}"
    for height in range(1, rounds + 1):  # the federation's rounds, as it handed them over
        batch = decode_batch((federation / "batches" / f"{height:06d}.batch").read_bytes())
        block = Block.decode(chains[0][height - 1])
        assert block.submissions == tuple(sorted(batch.submissions, key=lambda t: t.client))
        assert block.leader_model_cid == batch.leader_model_cid and block.round == height
    # The restarted node's own log, as a chain directory: verifies from genesis.
    genesis = Genesis.from_json((federation / GENESIS).read_text())
    keys = tuple(load_config(cluster.configs[0]).validators.public_keys)
    check = tmp_path / "node3-chain"
    check.mkdir()
    (check / GENESIS).write_text(Genesis(genesis.task_cid, genesis.vk_cid, keys, 1,
                                         genesis.genesis_model_cid).to_json())
    shutil.copytree(federation / STORE, check / STORE)
    sealed = sealed_blocks(node3)
    heights = sorted(h for h in sealed if h <= rounds)
    assert heights == list(range(1, rounds + 1)), f"node 3 sealed {sorted(sealed)}"
    with block_log.BlockLog(check / LOG) as log:
        for height in heights:
            log.append(sealed[height])
    summary = verify_chain(check)
    assert summary.problem is None and summary.blocks == rounds, summary.line()
