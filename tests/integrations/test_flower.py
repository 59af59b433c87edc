"""ZKPoT for Flower (zkpot_ref/integrations/flower.py) and its example app
(examples/flower_zkpot/), run end to end: in one process through a Grid that calls the
ClientApps directly, and on Flower's Deployment Engine (a SuperLink and three SuperNodes as
real processes on loopback). Three clients, one over-claims: its reply is dropped with the
reason, the other two are aggregated, the final accuracy is reported."""

from __future__ import annotations

import copy
import dataclasses
import functools
import json
import os
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterable
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("flwr", reason="flwr is not installed: pip install -e '.[flower]'")

from flwr.app import ConfigRecord, Context, Error, Message, RecordDict  # noqa: E402
from flwr.serverapp import Grid  # noqa: E402
from flwr.serverapp.strategy import FedAvg  # noqa: E402
from flwr.supercore.run import Run  # noqa: E402
from flwr.supercore.task_identity import TaskIdentity  # noqa: E402

from zkpot_ref import ceremony  # noqa: E402
from zkpot_ref.ceremony_format import save_ceremony  # noqa: E402
from zkpot_ref.fl.model import init_params  # noqa: E402
from zkpot_ref.integrations import flower  # noqa: E402
from zkpot_ref.pot.commit import reveal_bytes  # noqa: E402
from zkpot_ref.pot.keys import load_or_build, load_srs  # noqa: E402
from zkpot_ref.pot.prove import AccuracyProof  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "flower_zkpot"
sys.path.insert(0, str(EXAMPLE))
from flower_zkpot import client_app, server_app, task  # noqa: E402

# one xdist worker for the whole file (make test: --dist loadgroup): the ceremony, the keys
# and the one proof of the unit tests are made once
pytestmark = pytest.mark.xdist_group("flower")
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
    config = {"num-server-rounds": 1, "min-nodes": 3, "mode": "fedavg", "test-size": 2, "hidden": 2,
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
        self.delivered: list[Message] = []  # every reply, as sent

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
            self.delivered.append(copy.deepcopy(reply))
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
    accuracy = summary["accuracy"]  # the global model's, before round 1 and after each
    assert sorted(accuracy) == [str(r) for r in range(rounds + 1)]
    assert all(0.0 <= a <= 1.0 for a in accuracy.values())


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
    # the global model is exactly the FedAvg of the two honest, proven models
    honest = [r for r in grid.delivered if r.metadata.src_node_id != 1000 + BYZANTINE]
    weights = [r.content["metrics"]["num-examples"] for r in honest]
    sent = [r.content["arrays"].to_numpy_ndarrays() for r in honest]
    want = [sum(w * a[i] for w, a in zip(weights, sent)) / sum(weights)
            for i in range(len(sent[0]))]
    got = result.arrays.to_numpy_ndarrays()
    assert len(honest) == 2 and all(np.allclose(g, w, rtol=1e-5, atol=1e-7)
                                    for g, w in zip(got, want, strict=True))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(path: Path, processes: list[subprocess.Popen], seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if path.exists() and path.stat().st_size:
            return True
        if any(p.poll() is not None for p in processes):
            return False
        time.sleep(1)
    return False


@pytest.mark.slow
def test_deployment_engine_drops_the_over_claimer(shared, tmp_path: Path) -> None:  # noqa: ANN001
    """One SuperLink and three SuperNodes as processes on free loopback ports (insecure
    mode), the example submitted with `flwr run`, everything torn down by PID."""
    bin_dir = Path(sys.executable).parent
    if not (bin_dir / "flower-superlink").exists():
        pytest.skip(f"flwr's commands are not next to {sys.executable}")
    port = free_port()
    home = tmp_path / "flwr-home"
    home.mkdir()
    (home / "config.toml").write_text(
        f'[superlink]\ndefault = "test"\n\n[superlink.test]\n'
        f'address = "127.0.0.1:{port}"\ninsecure = true\n')
    env = {**os.environ, "FLWR_HOME": str(home), "PATH": f"{bin_dir}:{os.environ['PATH']}",
           "FLWR_DISABLE_UPDATE_CHECK": "1"}
    logs, processes = [], []

    def start(name: str, *args: str) -> subprocess.Popen:
        logs.append(tmp_path / f"{name}.log")
        process = subprocess.Popen([str(bin_dir / args[0]), *args[1:]], env=env,
                                   stdout=logs[-1].open("w"), stderr=subprocess.STDOUT,
                                   start_new_session=True)  # its own group: its children die too
        processes.append(process)
        return process

    summary = tmp_path / "summary.json"
    try:
        start("superlink", "flower-superlink", "--insecure", "--host", "127.0.0.1", "--port",
              str(port), "--disable-runtime-dependency-installation")
        for i in range(3):
            start(f"supernode{i}", "flower-supernode", "--insecure", "--superlink",
                  f"127.0.0.1:{port}", "--port", str(free_port()), "--node-config",
                  f"partition-id={i} num-partitions=3")
        config = run_config(shared, summary)
        overrides = " ".join(f"{k}={json.dumps(v)}" for k, v in config.items())
        submitted = None
        for _ in range(30):  # the SuperLink may still be starting
            submitted = subprocess.run([str(bin_dir / "flwr"), "run", str(EXAMPLE), "test",
                                        "--run-config", overrides], env=env, text=True,
                                       capture_output=True, timeout=120)
            if submitted.returncode == 0:
                break
            time.sleep(2)
        assert submitted is not None and submitted.returncode == 0, submitted.stdout
        finished = wait_for(summary, processes, 900)
        tails = "\n".join(f"--- {log.name}\n{log.read_text()[-3000:]}" for log in logs)
        assert finished, f"no summary; a process died or the run failed:\n{tails}"
    finally:
        for process in processes:  # torn down by PID (each one's process group)
            if process.poll() is None:
                os.killpg(process.pid, 15)
        for process in processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, 9)
                process.wait()
    check_summary(json.loads(summary.read_text()), 1, None)


# -- the checks, each broken alone, on one honest reply --------------------------------


@functools.cache
def _task():  # noqa: ANN202
    return task.public_task(2, 2, 0)


@pytest.fixture
def honest(shared, server_identity, tmp_path_factory):  # noqa: ANN001, ANN201
    """(strategy, its train message to node 1000, the node's context, the fedavg reply)."""
    keys = load_or_build(_task(), load_srs(shared[0]), shared[1])
    strategy = flower.ZkpotStrategy(_task(), keys, FedAvg(min_train_nodes=1,
                                                          min_available_nodes=1))
    grid = InProcessGrid(None, {})
    params = init_params(task.sizes(2), 0)
    messages = strategy.configure_train(1, flower.params_to_arrays(params), ConfigRecord(), grid)
    message = copy.deepcopy(next(m for m in messages if m.metadata.dst_node_id == 1000))
    message.metadata.__dict__["_message_id"] = "m1"
    context = grid.contexts[message.metadata.dst_node_id]
    reply = _honest_reply(str(shared[0]), str(shared[1]), message, context)
    return strategy, message, context, copy.deepcopy(reply)


_REPLIES: dict[str, Message] = {}


def _honest_reply(srs: str, cache: str, message: Message, context: Context) -> Message:
    """One proof for the whole module (it is the expensive part)."""
    if "r" not in _REPLIES:
        shard = task.shard(0, 3, 0)
        params = task.train_local(init_params(task.sizes(2), 0), shard, 3, 5)
        _REPLIES["r"] = flower.ProvingClient(srs, cache).train_reply(
            message, context, params, shard.images, len(shard))
    reply = copy.deepcopy(_REPLIES["r"])
    reply.metadata.__dict__["_src_node_id"] = message.metadata.dst_node_id
    return reply


def _proof(reply: Message) -> AccuracyProof:
    return AccuracyProof.from_bytes(bytes(reply.content["zkpot"]["proof"]))


def test_each_check_of_a_reply(honest) -> None:  # noqa: ANN001
    strategy, _, _, reply = honest
    assert strategy.reject_reason(reply, 1) is None
    assert strategy.reject_reason(reply, 2) == "the proof is for round 1, not 2"
    moved = copy.deepcopy(reply)
    moved.metadata.__dict__["_src_node_id"] = 999  # another node sends this node's proof
    assert strategy.reject_reason(moved, 1).startswith("the proof names another client")

    def edited(**public) -> Message:  # noqa: ANN003
        out = copy.deepcopy(reply)
        sent = _proof(out)
        out.content["zkpot"]["proof"] = AccuracyProof(
            dataclasses.replace(sent.public, **public), sent.proof).to_bytes()
        return out

    assert strategy.reject_reason(edited(task_id=5), 1) == "the proof is for another task"
    count = _proof(reply).public.count
    assert strategy.reject_reason(edited(count=count ^ 1), 1).startswith(
        f"the proof does not verify for the claimed count {count ^ 1}/2")
    assert strategy.reject_reason(edited(commitment=7), 1).startswith("the proof does not verify")
    junk = copy.deepcopy(reply)
    junk.content["zkpot"]["proof"] = b"junk"
    assert strategy.reject_reason(junk, 1).startswith("malformed proof")
    bare = copy.deepcopy(reply)
    del bare.content["zkpot"]
    assert strategy.reject_reason(bare, 1) == "no ZKPoT proof in the reply"


def test_fedavg_mode_checks_the_reveal_and_the_arrays(honest) -> None:  # noqa: ANN001
    strategy, _, _, reply = honest
    model, salt = flower.parse_reveal(bytes(reply.content["zkpot"]["reveal"]))
    other = copy.deepcopy(reply)
    other.content["zkpot"]["reveal"] = reveal_bytes(model, salt + 1)
    assert strategy.reject_reason(other, 1) == "the revealed model does not open its commitment"
    other.content["zkpot"]["reveal"] = b"ZKPOTRVL"
    assert strategy.reject_reason(other, 1).startswith("malformed reveal")
    nudged = copy.deepcopy(reply)
    arrays = nudged.content["arrays"].to_numpy_ndarrays()
    arrays[1] = arrays[1] + 1e-3  # a bias the commitment does not hold
    nudged.content["arrays"] = flower.ArrayRecord(arrays)
    assert strategy.reject_reason(nudged, 1) == "the arrays sent are not the committed model"
    arrays, metrics = strategy.aggregate_train(1, [reply, nudged])
    assert metrics["zkpot-accepted"] == 1 and metrics["zkpot-rejected"] == 1
    assert [r.reason for r in strategy.rejections] == [
        "the arrays sent are not the committed model"]
    got, want = arrays.to_numpy_ndarrays(), reply.content["arrays"].to_numpy_ndarrays()
    assert all(np.allclose(g, w, rtol=1e-6) for g, w in zip(got, want, strict=True))


def test_leader_mode_takes_the_revealed_model_that_opens(honest) -> None:  # noqa: ANN001
    fedavg, message, context, reply = honest
    strategy = flower.ZkpotStrategy(fedavg.task, fedavg.keys, mode="leader")
    grid = InProcessGrid(client_app.app, {})
    grid.contexts[message.metadata.dst_node_id] = context
    strategy._grid = grid
    reveal = bytes(reply.content["zkpot"]["reveal"])
    del reply.content["zkpot"]["reveal"], reply.content["arrays"]  # leader replies: proof only
    context.state["zkpot"] = ConfigRecord({"round": 1, "reveal": reveal})
    arrays, metrics = strategy.aggregate_train(1, [reply])
    model, _ = flower.parse_reveal(reveal)
    want = flower.params_to_arrays(flower.quant.dequantize_model(model)).to_numpy_ndarrays()
    assert all(np.array_equal(g, w) for g, w in zip(arrays.to_numpy_ndarrays(), want))
    assert strategy.leaders == {1: message.metadata.dst_node_id}
    assert metrics["zkpot-accepted"] == 1 and metrics["zkpot-best-count"] == _proof(
        reply).public.count
    model, salt = flower.parse_reveal(reveal)
    context.state["zkpot"] = ConfigRecord({"round": 1, "reveal": reveal_bytes(model, salt + 1)})
    arrays, metrics = strategy.aggregate_train(1, [reply])
    assert arrays is None and metrics["zkpot-accepted"] == 0
    assert strategy.rejections[-1].reason.startswith("the leader's revealed model does not open")
    context.state["zkpot"] = ConfigRecord({"round": 2, "reveal": reveal})  # another round's
    assert strategy.aggregate_train(1, [reply])[0] is None


def test_client_ids_and_arrays() -> None:
    assert flower.node_client_id(1) != flower.node_client_id(2)
    assert flower.node_client_id(1) == flower.node_client_id(1) < flower.R_MODULUS
    params = init_params(task.sizes(2), 0)
    back = flower.arrays_to_params(flower.params_to_arrays(params))
    assert all(np.array_equal(a, b) for x, y in zip(params, back) for a, b in zip(x, y))
    with pytest.raises(flower.MalformedInput):
        flower.arrays_to_params(flower.ArrayRecord([np.zeros(2)]))
    with pytest.raises(flower.MalformedInput):
        flower.ZkpotStrategy(_task(), None, mode="median")  # type: ignore[arg-type]
