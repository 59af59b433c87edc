"""Benchmark: native Poseidon hashes per second for t = 2, 3, 5, 17, and the commitment.

Prints, per width, the median (over >= 5 runs) hashes per second of ``poseidon()`` (the
plain-int fast path) and of the step-by-step ``permute_rounds``; the one-off cost of
generating the width's constants with the Grain LFSR; and the time to commit to 1,000 and
10,000 8-bit values. Peer: circomlibjs 0.1.7 under node, measured in the same run when
``node`` can ``require('circomlibjs')`` (from the current directory or the folder named by
ZKPOT_CIRCOMLIBJS, e.g. after ``npm install circomlibjs@0.1.7`` there); skipped with a
message otherwise.

``--quick`` hashes fewer times per run; ``--json`` ends with one JSON line of the figures.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import subprocess
import time

from timing import median_seconds

from zkpot_ref.field import R_MODULUS
from zkpot_ref.gadgets.commitment import commit, permutations_for
from zkpot_ref.gadgets.poseidon import permute_rounds, poseidon
from zkpot_ref.gadgets.poseidon_constants import _checked_params, params

WIDTHS = (2, 3, 5, 17)

NODE_PEER = """
const { buildPoseidon } = require("circomlibjs");
(async () => {
  const p = await buildPoseidon();
  const out = {};
  for (const t of %(widths)s) {
    const inputs = Array.from({length: t - 1}, (_, i) => BigInt(i + 1));
    const count = %(count)d, runs = [];
    for (let r = 0; r < %(runs)d; r++) {
      const start = process.hrtime.bigint();
      for (let k = 0; k < count; k++) p(inputs);
      runs.push(Number(process.hrtime.bigint() - start) / 1e9);
    }
    runs.sort((a, b) => a - b);
    out[t] = count / runs[Math.floor(runs.length / 2)];
  }
  console.log(JSON.stringify(out));
})();
"""




def circomlibjs_rates(count: int, runs: int) -> dict[int, float] | None:
    """Hashes per second of circomlibjs per width, or None (with a message) if unavailable."""
    node = shutil.which("node")
    if node is None:
        print("peer circomlibjs: skipped (no node on PATH)")
        return None
    folder = os.environ.get("ZKPOT_CIRCOMLIBJS", os.getcwd())
    script = NODE_PEER % {"widths": list(WIDTHS), "count": count, "runs": runs}
    try:
        done = subprocess.run(
            [node, "-e", script], cwd=folder, capture_output=True, text=True, timeout=600
        )
    except (OSError, subprocess.TimeoutExpired) as err:
        print(f"peer circomlibjs: skipped ({err})")
        return None
    if done.returncode != 0:
        print(
            "peer circomlibjs: skipped (node cannot require('circomlibjs') in "
            f"{folder}; set ZKPOT_CIRCOMLIBJS to a folder where it is installed)"
        )
        return None
    return {int(t): rate for t, rate in json.loads(done.stdout).items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="fewer hashes per run")
    parser.add_argument("--json", action="store_true", help="print a JSON line at the end")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    count = 20 if args.quick else 200
    rng = random.Random(6)
    results: dict[str, float] = {}

    print(f"Poseidon over BN254, median of {args.runs} runs of {count} hashes (t=17: 1/4)")
    print(
        f"{'t':>3} {'constants (s)':>14} {'poseidon/s':>11} {'step-by-step/s':>15}"
        f" {'circomlibjs/s':>14} {'ratio':>6}"
    )
    peer = circomlibjs_rates(count, args.runs)
    for t in WIDTHS:
        _checked_params.cache_clear()
        start = time.perf_counter()
        p = params(t)  # Grain LFSR generation + checksum, once per process
        generation = time.perf_counter() - start
        n = count if t < 17 else max(count // 4, 5)
        inputs = [rng.randrange(R_MODULUS) for _ in range(t - 1)]
        fast = n / median_seconds(lambda i=inputs, n=n: [poseidon(i) for _ in range(n)], args.runs)
        state = [0, *inputs]
        slow = n / median_seconds(
            lambda s=state, p=p, n=n: [permute_rounds(s, p) for _ in range(n)], args.runs
        )
        results[f"poseidon_t{t}_hashes_per_s"] = fast
        results[f"poseidon_t{t}_step_by_step_hashes_per_s"] = slow
        results[f"poseidon_t{t}_constants_generation_s"] = generation
        peer_text, ratio_text = "-", "-"
        if peer is not None:
            results[f"poseidon_t{t}_circomlibjs_hashes_per_s"] = peer[t]
            results[f"poseidon_t{t}_ratio_vs_circomlibjs"] = fast / peer[t]
            peer_text, ratio_text = f"{peer[t]:14.0f}", f"{fast / peer[t]:6.2f}"
        print(
            f"{t:>3} {generation:14.3f} {fast:11.0f} {slow:15.0f} {peer_text:>14} {ratio_text:>6}",
            flush=True,
        )

    print("\ncommitment (8-bit values, Poseidon t=3 sponge)")
    for n in (1_000, 10_000):
        values = [rng.randrange(256) for _ in range(n)]
        seconds = median_seconds(lambda v=values: commit(v, 8), args.runs)
        results[f"commit_{n}_values_8bit_s"] = seconds
        print(f"{n:>7} values: {permutations_for(n, 8):5d} permutations, {seconds:.4f} s")
    if args.json:
        print(json.dumps(results))


if __name__ == "__main__":
    main()
