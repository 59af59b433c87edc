"""ZKPoT for Flower (zkpot_ref/integrations/flower.py) and its example app
(examples/flower_zkpot/), run end to end: in one process through a Grid that calls the
ClientApps directly, and on Flower's Deployment Engine (a SuperLink and three SuperNodes as
real processes on loopback). Three clients, one over-claims: its reply is dropped with the
reason, the other two are aggregated, the final accuracy is reported."""

from __future__ import annotations

import copy
import dataclasses
import json
import os
import shutil
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterable
from pathlib import Path

import pytest

pytest.importorskip("flwr", reason="flwr is not installed: pip install -e '.[flower]'")

from flwr.app import ArrayRecord, ConfigRecord, Context, Error, Message, RecordDict  # noqa: E402
from flwr.serverapp import Grid  # noqa: E402
from flwr.supercore.run import Run  # noqa: E402
from flwr.supercore.task_identity import TaskIdentity  # noqa: E402

from zkpot_ref import ceremony  # noqa: E402
from zkpot_ref.ceremony_format import save_ceremony  # noqa: E402
from zkpot_ref.integrations import flower  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "flower_zkpot"
sys.path.insert(0, str(EXAMPLE))
from flower_zkpot import client_app, server_app  # noqa: E402

DEGREE = 4096 + 5  # the tiny task's domain (hidden 2, 2 test images) + 5
BYZANTINE = 2


@pytest.fixture(scope="module")
def shared(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """(ceremony file, cache directory) every party of a run reads: a one-party ceremony
    with a fixed secret (tests only), made once."""
    root = tmp_path_factory.mktemp("flower")
    made = ceremony.contribute(ceremony.start(DEGREE), "zkpot flower tests", secret=0xF10E)
    save_ceremony(made, root / "srs.zkptau")
    return root / "srs.zkptau", root / "cache"


def run_config(shared: tuple[Path, Path], summary: Path, **more: object) -> dict:
    config = {"num-server-rounds": 1, "mode": "fedavg", "test-size": 2, "hidden": 2,
              "epochs": 3, "seed": 0, "byzantine-partition": BYZANTINE,
              "srs": str(shared[0]), "cache": str(shared[1]), "summary": str(summary)}
    return {**config, **more}


class InProcessGrid(Grid):
    """A Grid that delivers each message to a ClientApp in this process (what a SuperLink
    and SuperNodes do over the network), stamping ids as the SuperLink would."""

    def __init__(self, app, run_config: dict, nodes: int = 3) -> None:  # noqa: ANN001
        self.app, self._run = app, Run.create_empty(1)
        self.contexts = {
            1000 + i: Context(1, 1000 + i, {"partition-id": i, "num-partitions": nodes},
                              RecordDict(), dict(run_config)) for i in range(nodes)}
        self.replies: dict[str, Message] = {}

    def set_run(self, run: Run) -> None:
        self._run = run

    @property
    def run(self) -> Run:
        return self._run

    def create_message(self, content: RecordDict, message_type: str, dst_node_id: int,
                       group_id: str, ttl: float | None = None) -> Message:
        return Message(content, dst_node_id, message_type, ttl=ttl, group_id=group_id)

    def get_node_ids(self) -> Iterable[int]:
        return list(self.contexts)

    def push_messages(self, messages: Iterable[Message]) -> Iterable[str]:
        ids = []
        for message in messages:
            message = copy.deepcopy(message)  # nothing is shared, as over the network
            message.metadata.__dict__["_message_id"] = uuid.uuid4().hex
            try:
                reply = self.app(message, self.contexts[message.metadata.dst_node_id])
            except Exception as exc:  # noqa: BLE001 - a ClientApp error becomes an error reply
                reply = Message(Error(0, repr(exc)), reply_to=message)
            self.replies[message.metadata.message_id] = copy.deepcopy(reply)
            ids.append(message.metadata.message_id)
        return ids

    def pull_messages(self, message_ids: Iterable[str]) -> Iterable[Message]:
        return [self.replies.pop(i) for i in message_ids]

    def send_and_receive(self, messages: Iterable[Message], *,
                         timeout: float | None = None) -> Iterable[Message]:
        return self.pull_messages(self.push_messages(messages))


def check_summary(summary: dict, rounds: int, byzantine_node: int | None) -> None:
    """One drop per round, the over-claimer's, for its claim; the others aggregated."""
    assert len(summary["rejections"]) == rounds
    for r, rejection in enumerate(summary["rejections"], start=1):
        assert rejection["round"] == r
        assert "does not verify for the claimed count" in rejection["reason"]
        if byzantine_node is not None:
            assert rejection["node_id"] == byzantine_node
    for r in range(1, rounds + 1):
        metrics = summary["train_metrics"][str(r)]
        assert metrics["zkpot-accepted"] == 2 and metrics["zkpot-rejected"] == 1
    accuracy = summary["accuracy"]
    assert 0.0 <= accuracy[str(rounds)] <= 1.0 and accuracy[str(rounds)] > accuracy["0"]


@pytest.fixture
def server_identity():  # noqa: ANN201
    """Who this process is to Flower's Message constructor (a SuperLink sets this for a
    real ServerApp process); reset afterwards."""
    TaskIdentity.run_id, TaskIdentity.node_id, TaskIdentity.task_id = 1, 0, 1
    yield
    TaskIdentity.run_id = TaskIdentity.node_id = TaskIdentity.task_id = None


@pytest.mark.usefixtures("server_identity")
def test_in_process_run_drops_the_over_claimer(shared, tmp_path: Path) -> None:  # noqa: ANN001
    grid = InProcessGrid(client_app.app, run_config(shared, tmp_path / "summary.json"))
    context = Context(1, 0, {}, RecordDict(), run_config(shared, tmp_path / "summary.json"))
    result, strategy = server_app.run(grid, context)
    summary = json.loads((tmp_path / "summary.json").read_text())
    check_summary(summary, 1, 1000 + BYZANTINE)
    assert strategy.rejections[0].node_id == 1000 + BYZANTINE
    assert result.arrays is not None and 1 in result.evaluate_metrics_serverapp
