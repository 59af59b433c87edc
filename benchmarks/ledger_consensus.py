"""Consensus benchmarks: one Tendermint height in process, and the fault simulator.

    .venv/bin/python benchmarks/ledger_consensus.py            # 5 repeats, 50 seeds
    .venv/bin/python benchmarks/ledger_consensus.py --quick    # smallest sizes, a smoke run
    .venv/bin/python benchmarks/ledger_consensus.py --json     # last line: one JSON object

Figures (median of ``--repeat`` runs, CPU time of this process — the machines are shared):

- ``bft_height_ms``: four validators decide one height over a perfect in-process network
  (Tendermint state machines only, value validity trivial): signing and verifying the
  1 proposal + 4 prevotes + 4 precommits dominates.
- ``zkpot_height_ms``: the same with ZKPoT blocks (four signed submissions per block,
  block decoding and ``validate_block`` with the dummy checks).
- ``sim_run_ms``: one seeded simulator run (f = 1 of 4 Byzantine, every network fault,
  3 heights), averaged over the seed range; signatures memoised across runs as in the tests.

There is no outside peer to compare with (no pure-Python Tendermint on PyPI that runs
these messages); the numbers are for tracking our own regressions.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import statistics
import sys
import time
from collections import deque
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from zkpot_ref.ledger import signatures  # noqa: E402
from zkpot_ref.ledger.app import ZkpotApp  # noqa: E402
from zkpot_ref.ledger.bft import Tendermint  # noqa: E402
from zkpot_ref.ledger.messages import Validators  # noqa: E402
from zkpot_ref.ledger.simulator import run_seed, validator_keys  # noqa: E402

KEYS = validator_keys(4)
VALIDATORS = Validators(tuple(public for _, public in KEYS))


def one_height(app: ZkpotApp | None, salt: int) -> bytes:
    """Run four in-process validators to a decision; return the decided value."""
    if app is None:
        get_value = lambda: b"value %d" % salt  # noqa: E731 - a fresh value each time
        is_valid = lambda v: True  # noqa: E731
    else:
        get_value = lambda: app.propose([], 0, variant=salt)  # noqa: E731
        is_valid = lambda v: app.is_valid([], v)  # noqa: E731
    nodes = [Tendermint(height=1, validators=VALIDATORS, me=i, secret=KEYS[i][0],
                        proposer=lambda r: r % 4, get_value=get_value, is_valid=is_valid,
                        value_id=lambda v: hashlib.sha256(v).digest())
             for i in range(4)]  # fmt: skip
    inbox, decided = deque(), []
    for i, node in enumerate(nodes):
        inbox += [(j, m) for m in node.start().broadcast for j in range(4) if j != i]
    while inbox:
        j, message = inbox.popleft()
        out = nodes[j].on_message(message)
        inbox += [(k, m) for m in out.broadcast for k in range(4) if k != j]
        decided += [out.decision.value] if out.decision else []
    assert len(decided) == 4 and len(set(decided)) == 1
    return decided[0]


def median_ms(fn, repeat: int) -> float:  # noqa: ANN001
    times = []
    for _ in range(repeat):
        start = time.process_time()
        fn()
        times.append(time.process_time() - start)
    return statistics.median(times) * 1e3


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smallest sizes")
    parser.add_argument("--json", action="store_true", help="print one JSON object last")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    repeat = 3 if args.quick else args.repeat
    seeds = 5 if args.quick else 50
    counter = iter(range(10**9))

    def fresh_height(app: ZkpotApp | None) -> None:
        signatures.clear_verify_memo()  # measure the real verification work
        ZkpotApp._decoded.clear()  # and the real block decoding and validation
        ZkpotApp._valid.clear()
        one_height(app, next(counter))

    bft = median_ms(lambda: fresh_height(None), repeat)
    zkpot = median_ms(lambda: fresh_height(ZkpotApp(VALIDATORS)), repeat)
    sim = median_ms(lambda: [run_seed(s, ZkpotApp) for s in range(seeds)], repeat) / seeds
    print(f"{'figure':<44}{'ms':>10}")
    print(f"{'one height, 4 validators, trivial values':<44}{bft:>10.1f}")
    print(f"{'one height, 4 validators, ZKPoT blocks':<44}{zkpot:>10.1f}")
    label = f"one simulator run (seeds 0-{seeds - 1}, mean)"
    print(f"{label:<44}{sim:>10.1f}")
    if args.json:
        print(json.dumps({"bft_height_ms": round(bft, 2), "zkpot_height_ms": round(zkpot, 2),
                          "sim_run_ms": round(sim, 2), "sim_seeds": seeds}))  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
