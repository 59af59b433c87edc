"""ZKPoT for Flower: clients prove their model's accuracy, the server aggregates what verifies.

Lesson: how the statement of ``pot/`` drops into an existing federated-learning framework,
Flower (Beutel et al., arXiv 2007.14390; its Message API: ``ClientApp``, ``ServerApp``,
``flwr.serverapp.strategy.Strategy``). Nothing in the reference imports this module; it
needs the optional extra ``pip install -e '.[flower]'``.

The protocol, one Flower round r (``server-round`` in the train config):

1. ``ZkpotStrategy.configure_train`` adds the public task (its file bytes), the SRS digest
   the keys were made from and the mode to the train config, then lets the wrapped
   strategy (FedAvg by default) sample nodes and build the messages.
2. The client trains as it always did, then :meth:`ProvingClient.train_reply` quantizes
   the float arrays with the task's shifts (``quant.py``), commits with a fresh salt and
   proves the exact count (``pot/prove.py``) for round r and for its **client id**, which
   is derived from the Flower node id (:func:`node_client_id`): the SuperLink stamps each
   reply with the sender's node id, so a proof copied from another node names the wrong
   client and fails. (Insecure mode trusts the SuperLink's node ids; with SuperNode
   authentication they are tied to the nodes' keys.)
3. ``ZkpotStrategy.aggregate_train`` checks every reply against the task's verification
   key with the public inputs IT knows — task id, round r, the sender's client id — and
   the commitment and count the reply states; a reply that fails is dropped, logged with
   the reason and counted (``zkpot-rejected`` in the round's metrics, ``rejections``).

Two modes:

- ``fedavg``: every client reveals its committed model (the reply's ``reveal``: model file
  and salt) and sends its dequantized arrays (r = S(q - Z)); the server checks the reveal
  opens the commitment and the arrays are exactly that model, then the wrapped strategy
  aggregates the survivors. FedAvg sees every model anyway; the proof stops the clients
  whose claims are false, and what is averaged is exactly what was proven.
- ``leader`` (Fu et al., arXiv 2503.13255): replies carry only the proof; the server asks
  the best proven node (highest count, then smaller commitment) for its reveal
  (``query.zkpot_reveal``), checks it opens the commitment — else the next best — and the
  leader's model is the next global model. The other models stay private.

Wire format, the ``zkpot`` ConfigRecord of a train reply: ``proof`` (``AccuracyProof``
bytes: the five public inputs, then the PLONK proof) and, in fedavg mode, ``reveal``
(``pot.commit.reveal_bytes``).

Read next: ``examples/flower_zkpot/`` and ``docs/flower.md``.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from flwr.app import (
    ArrayRecord,
    ConfigRecord,
    Context,
    Message,
    MessageType,
    MetricRecord,
    RecordDict,
)
from flwr.serverapp import Grid
from flwr.serverapp.strategy import FedAvg, Strategy

from zkpot_ref import quant
from zkpot_ref.errors import MalformedInput
from zkpot_ref.field import R_MODULUS
from zkpot_ref.kzg import SRS
from zkpot_ref.plonk.preprocess import domain_size_for
from zkpot_ref.pot.commit import open_model, parse_reveal, reveal_bytes
from zkpot_ref.pot.keys import Keys, choose_srs, default_cache, load_or_build, srs_digest
from zkpot_ref.pot.prove import AccuracyProof, claim, prove_accuracy, verify_accuracy
from zkpot_ref.pot.statement import PublicInputs, build, client_id_of
from zkpot_ref.pot.task import Task

LOG = logging.getLogger("flwr")
RECORD = "zkpot"  # the ConfigRecord of a reply
TASK_KEY, SRS_KEY, MODE_KEY = "zkpot-task", "zkpot-srs", "zkpot-mode"  # train config keys
REVEAL_ACTION = "zkpot_reveal"  # leader mode: message type "query.zkpot_reveal"
MODES = ("fedavg", "leader")
NODE_DOMAIN = b"zkpot/flower/node/v1\x00"


def node_client_id(node_id: int) -> int:
    """The client id a Flower node proves under: ``client_id_of`` of a 32-byte key
    derived from its node id (SHA-256 with a domain tag)."""
    key = hashlib.sha256(NODE_DOMAIN + int(node_id).to_bytes(8, "big")).digest()
    return client_id_of(key)


def params_to_arrays(params: quant.FloatParams) -> ArrayRecord:
    """Float (W, b) pairs as a Flower ArrayRecord: W_1, b_1, W_2, b_2, ..."""
    return ArrayRecord([np.asarray(a) for layer in params for a in layer])


def arrays_to_params(arrays: ArrayRecord) -> tuple[tuple[np.ndarray, np.ndarray], ...]:
    """The inverse of :func:`params_to_arrays`."""
    flat = arrays.to_numpy_ndarrays()
    if len(flat) % 2:
        raise MalformedInput("expected (W, b) pairs of arrays")
    return tuple((flat[i], flat[i + 1]) for i in range(0, len(flat), 2))


# -- the client -------------------------------------------------------------------------


@dataclass(frozen=True)
class Update:
    """A proven update: the quantized model, its salt, the public inputs and the proof."""

    model: quant.IntModel
    salt: int
    proof: AccuracyProof
    prove_s: float  # wall seconds
    prove_cpu_s: float  # CPU seconds of this process


def prove_update(params: quant.FloatParams, task: Task, keys: Keys, round: int, node_id: int,
                 calibration: np.ndarray, salt: int | None = None) -> Update:
    """Quantize ``params`` with the task's shifts (activation ranges calibrated on the
    client's own ``calibration`` images), commit with a fresh salt, prove the true count."""
    ranges = quant.activation_ranges(params, calibration, task.pixel_max)
    model = quant.quantize_model(params, ranges, task.pixel_max, task.shifts)
    salt = secrets.randbelow(R_MODULUS) if salt is None else salt
    client = node_client_id(node_id)
    wall, cpu = time.perf_counter(), time.process_time()
    proof = prove_accuracy(task, model, salt, client, round, keys)
    public = claim(task, model, salt, client, round)
    return Update(model, salt, AccuracyProof(public, proof), time.perf_counter() - wall,
                  time.process_time() - cpu)


@dataclass
class ProvingClient:
    """A client's proving side: where its SRS comes from (a ceremony or .ptau file, an
    ``SRS`` in tests, None: the cached one-party ceremony, as ``pot.keys.choose_srs``) and
    where keys are cached. Keys are made once per task and reused."""

    srs: str | Path | SRS | None = None
    cache: str | Path | None = None
    _keys: dict[tuple[int, str], Keys] = field(default_factory=dict, repr=False)

    def keys_for(self, task: Task, digest_hex: str) -> Keys:
        """The task's keys from this client's SRS, which must be the server's (digest)."""
        if (task.task_id, digest_hex) not in self._keys:
            cache = Path(self.cache) if self.cache else default_cache()
            degree = domain_size_for(build(task).circuit) + 5
            srs = choose_srs(self.srs, degree, cache)
            if srs_digest(srs).hex() != digest_hex:
                raise MalformedInput("this client's SRS is not the server's: point both at "
                                     "the same ceremony or .ptau file")
            self._keys[task.task_id, digest_hex] = load_or_build(task, srs, cache)
        return self._keys[task.task_id, digest_hex]

    def train_reply(self, message: Message, context: Context, params: quant.FloatParams,
                    calibration: np.ndarray, num_examples: int,
                    metrics: dict[str, float] | None = None) -> Message:
        """The reply to a ``ZkpotStrategy`` train message for the trained ``params``."""
        config = next(iter(message.content.config_records.values()))  # the train config
        task = Task.from_file_bytes(bytes(config[TASK_KEY]), "the server's task")
        round_, mode = int(config["server-round"]), str(config[MODE_KEY])
        update = prove_update(params, task, self.keys_for(task, str(config[SRS_KEY])), round_,
                              context.node_id, calibration)
        record = ConfigRecord({"proof": update.proof.to_bytes()})
        content = RecordDict({RECORD: record, "metrics": MetricRecord({
            "num-examples": int(num_examples), "zkpot-count": update.proof.public.count,
            "zkpot-prove-s": update.prove_s, "zkpot-prove-cpu-s": update.prove_cpu_s,
            **(metrics or {})})})
        reveal = reveal_bytes(update.model, update.salt)
        if mode == "fedavg":
            record["reveal"] = reveal
            content["arrays"] = params_to_arrays(quant.dequantize_model(update.model))
        else:  # leader: keep the opening until the server asks for it
            context.state[RECORD] = ConfigRecord({"round": round_, "reveal": reveal})
        return Message(content, reply_to=message)


def reveal_reply(message: Message, context: Context) -> Message:
    """Leader mode's ``query.zkpot_reveal`` handler: the stored opening for the round asked."""
    stored = context.state.get(RECORD)
    asked = message.content[RECORD]["round"]
    reveal = stored["reveal"] if stored is not None and stored["round"] == asked else b""
    return Message(RecordDict({RECORD: ConfigRecord({"reveal": reveal})}), reply_to=message)


# -- the server -------------------------------------------------------------------------


@dataclass(frozen=True)
class Rejection:
    """A dropped reply: the round, the sender's node id and why."""

    round: int
    node_id: int
    reason: str


class ZkpotStrategy(Strategy):
    """Proof-gated training rounds around ``inner`` (FedAvg by default); module docstring."""

    def __init__(self, task: Task, keys: Keys, inner: Strategy | None = None,
                 mode: str = "fedavg", reveal_timeout: float = 600.0) -> None:
        if mode not in MODES:
            raise MalformedInput(f"unknown ZKPoT mode {mode!r}; choose one of {MODES}")
        if keys.task_id != task.task_id:
            raise MalformedInput("these keys were made for another task")
        self.task, self.keys, self.mode = task, keys, mode
        self.inner = inner if inner is not None else FedAvg()
        self.reveal_timeout = reveal_timeout
        self.rejections: list[Rejection] = []
        self.leaders: dict[int, int] = {}  # round -> node id (leader mode)
        self._grid: Grid | None = None

    def summary(self) -> None:
        LOG.info("ZKPoT gate (%s mode, %d public test images) around:", self.mode, self.task.n)
        self.inner.summary()

    def configure_train(self, server_round: int, arrays: ArrayRecord, config: ConfigRecord,
                        grid: Grid) -> Iterable[Message]:
        self._grid = grid
        config[TASK_KEY] = self.task.file_bytes()
        config[SRS_KEY] = self.keys.srs_digest.hex()
        config[MODE_KEY] = self.mode
        return self.inner.configure_train(server_round, arrays, config, grid)

    def reject_reason(self, reply: Message, server_round: int) -> str | None:
        """The first failed check of ``reply`` as a phrase, or None when it is proven."""
        node = reply.metadata.src_node_id
        record = reply.content.config_records.get(RECORD)
        if record is None or "proof" not in record:
            return "no ZKPoT proof in the reply"
        try:
            sent = AccuracyProof.from_bytes(bytes(record["proof"]))
        except MalformedInput as exc:
            return f"malformed proof ({exc})"
        p = sent.public
        if p.task_id != self.task.task_id:
            return "the proof is for another task"
        if p.round != server_round:
            return f"the proof is for round {p.round}, not {server_round}"
        if p.client_id != node_client_id(node):
            return f"the proof names another client, not node {node}"
        public = PublicInputs(self.task.task_id, server_round, node_client_id(node),
                              p.commitment, p.count)
        try:
            ok = verify_accuracy(self.keys.vk, public, sent.proof)
        except MalformedInput as exc:
            return f"malformed proof ({exc})"
        if not ok:
            return f"the proof does not verify for the claimed count {p.count}/{self.task.n}"
        if self.mode == "fedavg":
            return self._revealed_reason(reply, record, p.commitment)
        return None

    def _revealed_reason(self, reply: Message, record: ConfigRecord,
                         commitment: int) -> str | None:
        try:
            model, salt = parse_reveal(bytes(record.get("reveal", b"")))
        except MalformedInput as exc:
            return f"malformed reveal ({exc})"
        if not open_model(commitment, model, salt, self.task):
            return "the revealed model does not open its commitment"
        sent = list(reply.content.array_records.values())
        want = [a for layer in quant.dequantize_model(model) for a in layer]
        got = sent[0].to_numpy_ndarrays() if len(sent) == 1 else []
        if len(got) != len(want) or not all(
                g.shape == w.shape and np.array_equal(g, w) for g, w in zip(got, want)):
            return "the arrays sent are not the committed model"
        return None

    def aggregate_train(self, server_round: int, replies: Iterable[Message],
                        ) -> tuple[ArrayRecord | None, MetricRecord | None]:
        kept, proven, before = [], [], len(self.rejections)
        verify_s, verify_cpu_s = 0.0, 0.0
        for reply in replies:
            if reply.has_error():  # transport errors: the wrapped strategy logs them
                kept.append(reply)
                continue
            start, cpu = time.perf_counter(), time.process_time()
            reason = self.reject_reason(reply, server_round)
            verify_s += time.perf_counter() - start
            verify_cpu_s += time.process_time() - cpu
            if reason is None:
                kept.append(reply)
                proven.append(reply)
            else:
                self._reject(server_round, reply.metadata.src_node_id, reason)
        counts = [AccuracyProof.from_bytes(bytes(r.content[RECORD]["proof"])).public.count
                  for r in proven]
        gated = len(self.rejections)
        if self.mode == "fedavg":
            arrays, metrics = self.inner.aggregate_train(server_round, kept)
        else:
            arrays, metrics = self._leader(server_round, proven), None
        failed_reveals = len(self.rejections) - gated
        metrics = metrics if metrics is not None else MetricRecord()
        metrics.update({"zkpot-accepted": len(proven) - failed_reveals,
                        "zkpot-rejected": len(self.rejections) - before,
                        "zkpot-verify-s": verify_s, "zkpot-verify-cpu-s": verify_cpu_s,
                        "zkpot-best-count": max(counts, default=0)})
        return arrays, metrics

    def _reject(self, server_round: int, node: int, reason: str) -> None:
        self.rejections.append(Rejection(server_round, node, reason))
        LOG.warning("ZKPoT: round %d: dropped the reply of node %d: %s", server_round, node,
                    reason)

    def _leader(self, server_round: int, proven: Sequence[Message]) -> ArrayRecord | None:
        """Ask the best proven nodes, in order, for their reveal; the first that opens its
        commitment leads and its model is the next global one."""
        def rank(reply: Message) -> tuple[int, int, int]:
            p = AccuracyProof.from_bytes(bytes(reply.content[RECORD]["proof"])).public
            return (-p.count, p.commitment, reply.metadata.src_node_id)

        for reply in sorted(proven, key=rank):
            node = reply.metadata.src_node_id
            commitment = rank(reply)[1]
            ask = Message(RecordDict({RECORD: ConfigRecord({"round": server_round})}),
                          dst_node_id=node, message_type=f"{MessageType.QUERY}.{REVEAL_ACTION}")
            answers = list(self._grid.send_and_receive([ask], timeout=self.reveal_timeout)
                           ) if self._grid else []
            model = None
            if answers and not answers[0].has_error():
                try:
                    model, salt = parse_reveal(bytes(answers[0].content[RECORD]["reveal"]))
                except MalformedInput:
                    model = None
            if model is not None and open_model(commitment, model, salt, self.task):
                self.leaders[server_round] = node
                return params_to_arrays(quant.dequantize_model(model))
            self._reject(server_round, node, "the leader's revealed model does not open its "
                                             "commitment")
        return None

    def configure_evaluate(self, server_round: int, arrays: ArrayRecord, config: ConfigRecord,
                           grid: Grid) -> Iterable[Message]:
        return self.inner.configure_evaluate(server_round, arrays, config, grid)

    def aggregate_evaluate(self, server_round: int,
                           replies: Iterable[Message]) -> MetricRecord | None:
        return self.inner.aggregate_evaluate(server_round, replies)
