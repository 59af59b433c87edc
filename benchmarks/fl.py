"""Benchmark: federated learning on the bundled digits (zkpot_ref.fl, zkpot_ref.quant).

Figures (all seeded, seed 0, 64-32-10, 2 local epochs of Adam, batch 32):

- accuracy: float vs integer model trained centrally 10 epochs; FedAvg IID 4 clients
  (round where it first reaches 90%, final accuracy after 10 rounds); FedAvg non-IID
  Dirichlet alpha = 0.1;
- the attack table: 1 Byzantine client of 4, every attack, final global accuracy after 10
  rounds under ``leader``, ``top-k`` (k = 2) and ``fedavg-all`` (``--table`` prints it
  as markdown for docs/fl_attacks.md);
- speed: wall time of 100 clients x 20 rounds (median of 5 runs; ``--quick``: 20 x 5,
  3 runs) and integer-inference throughput. No peer: no other ZKPoT FL simulator exists
  to compare with.

``--json`` ends with one JSON line.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time

from zkpot_ref import quant
from zkpot_ref.fl import client, data, model
from zkpot_ref.fl.attacks import ATTACKS
from zkpot_ref.fl.experiment import ExperimentConfig, run_experiment

ATTACK_MODES = ("leader", "top-k", "fedavg-all")


def attack_table() -> tuple[str, dict[str, float]]:
    """Markdown table and figures: final accuracy, 1 of 4 Byzantine, each attack and mode."""
    figures: dict[str, float] = {}
    lines = ["| attack (1 of 4 clients) | leader | top-k (k=2) | fedavg-all |",
             "|:---|---:|---:|---:|"]
    for attack in ("none", *sorted(ATTACKS)):
        cells = []
        for mode in ATTACK_MODES:
            config = ExperimentConfig(byzantine=0 if attack == "none" else 1,
                                      attack=attack, mode=mode)
            accuracy = run_experiment(config).final_accuracy
            figures[f"attack_{attack}_{mode}_accuracy".replace("-", "_")] = accuracy
            cells.append(f"{100 * accuracy:.1f}%")
        label = "none (all honest)" if attack == "none" else attack
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    return "\n".join(lines), figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="smallest sizes")
    parser.add_argument("--json", action="store_true", help="print a JSON line at the end")
    parser.add_argument("--table", action="store_true", help="print the attack table")
    args = parser.parse_args()
    results: dict[str, float] = {}

    train, test = data.train_test_split(data.load_digits())
    trained = model.train(model.init_params((64, 32, 10), 0), train, model.TrainConfig(10), 1)
    int_model = client.quantize_on(trained, train)
    results["central_float_accuracy"] = model.accuracy(trained, test)
    results["central_int_accuracy"] = quant.count_correct(int_model, test.images,
                                                          test.labels) / len(test)
    print(f"central 64-32-10, 10 epochs: float {results['central_float_accuracy']:.4f}, "
          f"integer {results['central_int_accuracy']:.4f}")

    for name, alpha in (("iid", None), ("dirichlet_0_1", 0.1)):
        run = run_experiment(ExperimentConfig(alpha=alpha, mode="fedavg-all"))
        curve = [r.accuracy for r in run.rounds]
        results[f"fedavg_{name}_final_accuracy"] = curve[-1]
        results[f"fedavg_{name}_first_round_90"] = next(
            (r.round for r in run.rounds if r.accuracy >= 0.9), -1)
        print(f"fedavg 4 clients {name}: " + " ".join(f"{a:.3f}" for a in curve))

    if not args.quick:
        table, figures = attack_table()
        results.update(figures)
        if args.table:
            print(table)

    clients, rounds, repeats = (20, 5, 3) if args.quick else (100, 20, 5)
    for mode in ("leader", "fedavg-all"):
        times = []
        for _ in range(repeats):
            start = time.perf_counter()
            run = run_experiment(ExperimentConfig(clients=clients, rounds=rounds, mode=mode))
            times.append(time.perf_counter() - start)
        key = f"{clients}x{rounds}_{mode.replace('-', '_')}"
        results[f"run_{key}_seconds"] = statistics.median(times)
        results[f"run_{key}_final_accuracy"] = run.final_accuracy
        print(f"{clients} clients x {rounds} rounds, {mode}: median {statistics.median(times):.2f}"
              f" s over {repeats} runs, final accuracy {run.final_accuracy:.3f}")

    times = []
    for _ in range(7):
        start = time.perf_counter()
        quant.predict_int(int_model, test.images)
        times.append(time.perf_counter() - start)
    results["predict_int_images_per_second"] = len(test) / statistics.median(times)
    print(f"integer inference: {results['predict_int_images_per_second']:.0f} images/s")
    if args.json:
        print(json.dumps(results))


if __name__ == "__main__":
    main()
