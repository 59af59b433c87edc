"""A client: trains on its shard, proves its count; partition `byzantine-partition` lies."""

from __future__ import annotations

import dataclasses

from flwr.app import Context, Message
from flwr.clientapp import ClientApp

from flower_zkpot.task import shard, train_local
from zkpot_ref.integrations.flower import (
    RECORD,
    REVEAL_ACTION,
    ProvingClient,
    arrays_to_params,
    reveal_reply,
)
from zkpot_ref.pot.prove import AccuracyProof

app = ClientApp()
_provers: dict[tuple[str, str], ProvingClient] = {}  # keys are made once per process


def prover(context: Context) -> ProvingClient:
    where = (str(context.run_config["srs"]), str(context.run_config["cache"]))
    if where not in _provers:
        _provers[where] = ProvingClient(where[0] or None, where[1] or None)
    return _provers[where]


@app.train()
def train(message: Message, context: Context) -> Message:
    cfg, node = context.run_config, context.node_config
    partition = int(node["partition-id"])
    data = shard(partition, int(node["num-partitions"]), int(cfg["seed"]))
    round_ = int(message.content["config"]["server-round"])
    params = train_local(arrays_to_params(message.content["arrays"]), data, int(cfg["epochs"]),
                         int(cfg["seed"]) * 1000 + round_ * 10 + partition)
    reply = prover(context).train_reply(message, context, params, data.images, len(data))
    if partition == int(cfg["byzantine-partition"]):
        over_claim(reply)
    return reply


def over_claim(reply: Message) -> None:
    """The Byzantine client: keeps its honest proof but claims one more correct answer."""
    record = reply.content[RECORD]
    sent = AccuracyProof.from_bytes(bytes(record["proof"]))
    lie = dataclasses.replace(sent.public, count=sent.public.count + 1)
    record["proof"] = AccuracyProof(lie, sent.proof).to_bytes()


app.query(REVEAL_ACTION)(reveal_reply)
