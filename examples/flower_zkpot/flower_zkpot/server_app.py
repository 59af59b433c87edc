"""The server: publishes the task, gates every round on the clients' ZKPoT proofs."""

from __future__ import annotations

import json
import logging
from pathlib import Path

from flwr.app import ArrayRecord, Context, MetricRecord
from flwr.serverapp import Grid, ServerApp
from flwr.serverapp.strategy import FedAvg, Result

from flower_zkpot.task import global_accuracy, public_task, sizes
from zkpot_ref.fl.model import init_params
from zkpot_ref.integrations.flower import ZkpotStrategy, arrays_to_params, params_to_arrays
from zkpot_ref.plonk.preprocess import domain_size_for
from zkpot_ref.pot.keys import choose_srs, default_cache, load_or_build
from zkpot_ref.pot.statement import build

app = ServerApp()
LOG = logging.getLogger("flwr")


def run(grid: Grid, context: Context) -> tuple[Result, ZkpotStrategy]:
    """The whole run; returns Flower's result and the strategy (its ``rejections``)."""
    cfg = context.run_config
    seed, hidden = int(cfg["seed"]), int(cfg["hidden"])
    task = public_task(int(cfg["test-size"]), hidden, seed)
    cache = Path(str(cfg["cache"])) if cfg["cache"] else default_cache()
    srs = choose_srs(str(cfg["srs"]) or None, domain_size_for(build(task).circuit) + 5, cache)
    keys = load_or_build(task, srs, cache)
    nodes = int(cfg["min-nodes"])  # wait for them all, then train on them all
    strategy = ZkpotStrategy(task, keys, FedAvg(fraction_evaluate=0.0, min_train_nodes=nodes,
                                                min_available_nodes=nodes),
                             mode=str(cfg["mode"]))

    def evaluate(server_round: int, arrays: ArrayRecord) -> MetricRecord:
        return MetricRecord({"accuracy": global_accuracy(arrays_to_params(arrays), seed)})

    result = strategy.start(grid, params_to_arrays(init_params(sizes(hidden), seed)),
                            num_rounds=int(cfg["num-server-rounds"]), evaluate_fn=evaluate)
    final = result.evaluate_metrics_serverapp[max(result.evaluate_metrics_serverapp)]
    LOG.info("ZKPoT: final accuracy %.3f on the 450 public test images; %d replies dropped",
             final["accuracy"], len(strategy.rejections))
    if cfg["summary"]:
        Path(str(cfg["summary"])).write_text(json.dumps({
            "accuracy": {r: m["accuracy"] for r, m in result.evaluate_metrics_serverapp.items()},
            "rejections": [vars(r) for r in strategy.rejections],
            "leaders": strategy.leaders,
            "train_metrics": {r: dict(m) for r, m in result.train_metrics_clientapp.items()},
        }, indent=1))
    return result, strategy


@app.main()
def main(grid: Grid, context: Context) -> None:
    run(grid, context)
