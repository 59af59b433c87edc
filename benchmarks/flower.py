"""What ZKPoT costs a Flower client and server: one proven reply, one gated reply.

    .venv-flower/bin/python benchmarks/flower.py            # the example's task, 5 runs
    .venv-flower/bin/python benchmarks/flower.py --quick    # 1 run, a smoke run
    .venv-flower/bin/python benchmarks/flower.py --json     # last line: one JSON object

The task is the example app's (examples/flower_zkpot: a 64-2-10 MLP, 2 public test
images, a 2^12-row circuit) unless --hidden / --test-size say otherwise. The client's
cost is ``ProvingClient.train_reply`` after training (quantize, commit, prove, pack); the
server's is ``ZkpotStrategy.reject_reason`` on that reply (parse, verify the PLONK proof,
open the revealed model, compare the arrays). Each figure is the median of --repeat runs,
in wall seconds and in this process's CPU seconds (the machines are shared: wall time
under load measures the neighbours too). The one-time costs (the SRS, the keys) are
printed apart. Skipped with a message when flwr is not installed.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "examples" / "flower_zkpot"))


def timed(fn):  # noqa: ANN001, ANN201
    wall, cpu = time.perf_counter(), time.process_time()
    out = fn()
    return out, time.perf_counter() - wall, time.process_time() - cpu


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--hidden", type=int, default=2)
    parser.add_argument("--test-size", type=int, default=2)
    args = parser.parse_args()
    try:
        from flwr.app import ConfigRecord, Context, RecordDict
        from flwr.serverapp.strategy import FedAvg
        from flwr.supercore.task_identity import TaskIdentity
    except ImportError:
        print("skipped: flwr is not installed (pip install -e '.[flower]')")
        if args.json:
            print(json.dumps({}))
        return 0
    from flower_zkpot import task as app_task

    from zkpot_ref.fl.model import init_params
    from zkpot_ref.integrations import flower
    from zkpot_ref.kzg import SRS
    from zkpot_ref.pot.keys import load_or_build

    repeat = 1 if args.quick else max(args.repeat, 1)
    TaskIdentity.run_id, TaskIdentity.node_id, TaskIdentity.task_id = 1, 0, 1
    task = app_task.public_task(args.test_size, args.hidden, 0)
    degree = flower.domain_size_for(flower.build(task).circuit) + 5
    cache = Path(tempfile.mkdtemp(prefix="zkpot-flower-bench-"))
    srs, _, srs_cpu = timed(lambda: SRS.insecure_from_tau(0xBE7C, degree))  # benchmark only
    keys, _, keys_cpu = timed(lambda: load_or_build(task, srs, cache))
    strategy = flower.ZkpotStrategy(task, keys, FedAvg(min_train_nodes=1,
                                                       min_available_nodes=1))

    class OneNode:
        def get_node_ids(self) -> list[int]:
            return [7]

    shard = app_task.shard(0, 3, 0)
    params = app_task.train_local(init_params(app_task.sizes(args.hidden), 0), shard, 3, 5)
    message = next(iter(strategy.configure_train(1, flower.params_to_arrays(params),
                                                 ConfigRecord(), OneNode())))
    message.metadata.__dict__["_message_id"] = "bench"
    client = flower.ProvingClient(srs, cache)
    client.keys_for(task, keys.srs_digest.hex())  # the keys are a one-time cost
    prove, verify = [], []
    for _ in range(repeat):
        context = Context(1, 7, {}, RecordDict(), {})
        reply, wall, cpu = timed(lambda c=context: client.train_reply(
            message, c, params, shard.images, len(shard)))
        prove.append((wall, cpu))
        reason, wall, cpu = timed(lambda r=reply: strategy.reject_reason(r, 1))
        assert reason is None, reason
        verify.append((wall, cpu))
    sizes = {"proof_bytes": len(bytes(reply.content["zkpot"]["proof"])),
             "reveal_bytes": len(bytes(reply.content["zkpot"]["reveal"])),
             "arrays_bytes": reply.content["arrays"].count_bytes()}
    figures = {
        "rows": keys.vk.n, "test_images": task.n, "repeat": repeat,
        "client_prove_wall_s": statistics.median(w for w, _ in prove),
        "client_prove_cpu_s": statistics.median(c for _, c in prove),
        "server_verify_wall_s": statistics.median(w for w, _ in verify),
        "server_verify_cpu_s": statistics.median(c for _, c in verify),
        "once_srs_cpu_s": srs_cpu, "once_keys_cpu_s": keys_cpu, **sizes,
    }
    print(f"task: 64-{args.hidden}-10 MLP, {task.n} public test images, {keys.vk.n} rows; "
          f"medians of {repeat} run(s)")
    print(f"{'':28}{'wall s':>10}{'CPU s':>10}")
    print(f"{'client: train_reply':28}{figures['client_prove_wall_s']:10.2f}"
          f"{figures['client_prove_cpu_s']:10.2f}")
    print(f"{'server: reject_reason':28}{figures['server_verify_wall_s']:10.3f}"
          f"{figures['server_verify_cpu_s']:10.3f}")
    print(f"once: SRS {srs_cpu:.1f} CPU s, keys {keys_cpu:.1f} CPU s; reply: proof "
          f"{sizes['proof_bytes']} B, reveal {sizes['reveal_bytes']} B, arrays "
          f"{sizes['arrays_bytes']} B")
    if args.json:
        print(json.dumps(figures))
    return 0


if __name__ == "__main__":
    sys.exit(main())
