"""A deterministic fault simulator: the consensus under a hostile network, in virtual time.

Lesson: a safety argument is only as good as the cases it was tried on. This module
runs n :class:`~zkpot_ref.ledger.replica.Replica` objects — the same code the TCP node
runs — on a simulated network in *virtual* time: a priority queue of events (deliver a
message, fire a timer, tick, crash, recover) ordered by time and a sequence number, with
every random choice drawn from one ``random.Random(seed)``. The same seed replays the
same run, event for event, so any failure is a reproducible bug report.

Faults (a :class:`Scenario`, drawn from the seed by :func:`make_scenario`):

- the network: per-link base latency plus per-message jitter (which also *reorders*),
  drops, duplicates, and partitions that split the validators into two groups until
  they heal;
- crashes: crash-stop, and crash-recover — the recovered node is a fresh Replica whose
  only memory is its log (``replica.py`` replays it);
- Byzantine validators (``byzantine.py``): an equivocating proposer, double-voting,
  proposing a block with a forged proof or the wrong leader, withholding votes.

After a run three invariants are checked (:func:`check`): **agreement** — no two honest
validators committed different blocks at one height; **validity** — every committed
block is valid and carries a valid certificate; **progress** — once the last partition
healed and the last crashed node recovered, every live honest node commits again (and
reaches the target height) within a bounded virtual time. Tendermint promises liveness
only after such a "global stabilization time", so that is when the clock starts.

How to add a fault: ``docs/ledger_simulator.md``. Read next: ``config.py``, then ``node.py``.
"""

from __future__ import annotations

import argparse
import heapq
import logging
import random
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache

from zkpot_ref.errors import MalformedInput
from zkpot_ref.ledger import signatures
from zkpot_ref.ledger.bft import DEFAULT_TIMEOUTS, Timeouts, Validators
from zkpot_ref.ledger.byzantine import BEHAVIOURS, Byzantine
from zkpot_ref.ledger.replica import Effects, Replica, check_commit, replay, replay_seals

NETWORK_FAULTS = ("delay", "drop", "duplicate", "partition", "crash")
ALL_FAULTS = NETWORK_FAULTS + BEHAVIOURS
#: Virtual seconds between two gossip ticks of a node.
TICK = 0.5
#: After stabilization, honest nodes must commit again within this many virtual seconds.
PROGRESS_BOUND = 60.0


@lru_cache(maxsize=1 << 16)
def memo_sign(secret: bytes, message: bytes) -> bytes:
    """Ed25519 signing is deterministic (RFC 8032 5.1.6), so runs that sign the same
    vote again can reuse the signature: the simulator's main speed-up."""
    return signatures.sign(secret, message)


def validator_keys(n: int) -> list[tuple[bytes, bytes]]:
    """Deterministic validator key pairs (secret, public): the same in every run."""
    return [signatures.generate_keypair(bytes([i + 1]) * 32) for i in range(n)]


@dataclass
class MemoryLog:
    """A BlockLog stand-in: every appended record survives a crash (append fsyncs)."""

    saved: list[bytes] = field(default_factory=list)

    def append(self, record: bytes) -> None:
        self.saved.append(bytes(record))

    def records(self) -> list[bytes]:
        return list(self.saved)


@dataclass(frozen=True)
class Scenario:
    """Everything that goes wrong in one run (times in virtual seconds)."""

    seed: int
    latency: tuple[float, float] = (0.01, 0.05)  # base latency range; jitter up to base
    drop: float = 0.0
    duplicate: float = 0.0
    partitions: tuple[tuple[float, float, frozenset[int]], ...] = ()  # (start, heal, side)
    crashes: tuple[tuple[int, float, float | None], ...] = ()  # (node, at, recover | None)
    byzantine: tuple[tuple[int, str], ...] = ()  # (node, behaviour)

    @property
    def stable_at(self) -> float:
        """When the last partition heals and the last crashed node is back."""
        times = [heal for _, heal, _ in self.partitions]
        times += [back for _, _, back in self.crashes if back is not None]
        return max(times, default=0.0)

    def describe(self) -> str:
        parts = [f"latency {self.latency[0]:.2f}-{self.latency[1]:.2f}s"]
        if self.drop:
            parts.append(f"drop {self.drop:.0%}")
        if self.duplicate:
            parts.append(f"duplicate {self.duplicate:.0%}")
        parts += [f"partition {sorted(side)} {a:.1f}-{b:.1f}s" for a, b, side in self.partitions]
        parts += [
            f"crash {i} at {a:.1f}s" + (f" back {b:.1f}s" if b else " (stop)")
            for i, a, b in self.crashes
        ]
        parts += [f"byzantine {i} {kind}" for i, kind in self.byzantine]
        return ", ".join(parts)


def make_scenario(
    seed: int, n: int = 4, byzantine: int = 1, faults: tuple[str, ...] = ALL_FAULTS
) -> Scenario:
    """Draw a scenario from ``seed``: Byzantine nodes cycle through the chosen behaviours,
    network faults and crashes are mixed at random. Crash-*stop* hits only a Byzantine
    node (it is already one of the f faulty ones); honest nodes crash and recover."""
    rng = random.Random(seed)
    behaviours = [b for b in BEHAVIOURS if b in faults]
    nodes = list(range(n))
    rng.shuffle(nodes)
    bad = nodes[:byzantine] if behaviours else []
    honest = nodes[len(bad) :]
    kinds = tuple((node, behaviours[(seed + k) % len(behaviours)]) for k, node in enumerate(bad))
    low = rng.uniform(0.005, 0.05) if "delay" in faults else 0.01
    high = low + (rng.uniform(0.05, 0.4) if "delay" in faults else 0.0)
    drop = rng.choice((0.0, 0.05, 0.1, 0.2)) if "drop" in faults else 0.0
    duplicate = rng.choice((0.0, 0.05, 0.2)) if "duplicate" in faults else 0.0
    partitions = []
    if "partition" in faults and n >= 2:  # one validator cannot be split
        start = 0.0
        for _ in range(rng.randint(1, 2)):
            start += rng.uniform(0.0, 6.0)
            heal = start + rng.uniform(1.0, 10.0)
            side = frozenset(rng.sample(range(n), rng.randint(1, n // 2)))
            partitions.append((start, heal, side))
            start = heal
    crashes = []
    if "crash" in faults:
        at = rng.uniform(0.5, 8.0)
        crashes.append((rng.choice(honest), at, at + rng.uniform(0.5, 8.0)))
        if bad and rng.random() < 0.3:
            crashes.append((bad[0], rng.uniform(0.5, 8.0), None))
    return Scenario(seed, (low, high), drop, duplicate, tuple(partitions), tuple(crashes), kinds)


@dataclass
class RunResult:
    scenario: Scenario
    chains: dict[int, list[bytes]]  # honest node -> committed blocks
    commit_times: dict[int, list[float]]
    end_time: float
    messages: int
    faults: Counter[str]
    safety: list[str] = field(default_factory=list)
    liveness: str | None = None
    sealed: int = 0  # blocks whose Block.certificate (2f+1 seals) is complete, all nodes


class Simulation:
    """One run: ``Simulation(scenario, app_factory).run(target_height)``."""

    def __init__(
        self,
        scenario: Scenario,
        app_factory: Callable[[Validators], object],
        n: int = 4,
        timeouts: Timeouts = DEFAULT_TIMEOUTS,
        log_factory: Callable[[int], object] | None = None,
        keys: list[tuple[bytes, bytes]] | None = None,
    ) -> None:
        """``keys``: the validators' (secret, public) pairs (default: ``validator_keys(n)``)."""
        self.scenario, self.n, self.timeouts = scenario, n, timeouts
        self.rng = random.Random(scenario.seed ^ 0x5EED)
        self.keys = keys or validator_keys(n)
        self.validators = Validators(tuple(pub for _, pub in self.keys))
        self.app_factory = app_factory
        self.logs = {i: (log_factory(i) if log_factory else MemoryLog()) for i in range(n)}
        self.byzantine = dict(scenario.byzantine)
        self.honest = [i for i in range(n) if i not in self.byzantine]
        self.base_latency = {
            (a, b): self.rng.uniform(*scenario.latency) for a in range(n) for b in range(n)
        }
        self.nodes: dict[int, Replica | Byzantine | None] = dict.fromkeys(range(n))
        self.epoch = dict.fromkeys(range(n), 0)  # bumps on crash: stale events are ignored
        self.queue: list[tuple[float, int, str, tuple]] = []
        self.seq = 0
        self.now = 0.0
        self.sent = 0
        self.commit_times: dict[int, list[float]] = {i: [] for i in range(n)}
        self.logger = logging.getLogger("zkpot.sim")
        self.faults: Counter[str] = Counter()  # what actually happened, by kind

    # ---------------------------------------------------------------- events
    def _push(self, at: float, kind: str, *args: object) -> None:
        self.seq += 1
        heapq.heappush(self.queue, (at, self.seq, kind, args))

    def _boot(self, i: int) -> None:
        replica = Replica(
            index=i,
            secret=self.keys[i][0],
            validators=self.validators,
            app=self.app_factory(self.validators),
            log=self.logs[i],
            timeouts=self.timeouts,
            logger=logging.getLogger(f"zkpot.sim.node{i}"),
            sign=memo_sign,
        )
        node: Replica | Byzantine = replica
        if i in self.byzantine:
            node = Byzantine(replica, self.byzantine[i], self.rng, self.faults)
        self.nodes[i] = node
        self._carry_out(i, node.start())
        self._push(self.now + self.rng.uniform(0, TICK), "tick", i, self.epoch[i])

    def _carry_out(self, i: int, effects: Effects) -> None:
        for timer in effects.timers:
            self._push(self.now + timer.delay, "timer", i, self.epoch[i], timer)
        for destination, data in effects.sends:
            targets = [d for d in range(self.n) if d != i] if destination is None else [destination]
            for d in targets:
                self._send(i, d, data)
        for _ in effects.committed:
            self.commit_times[i].append(self.now)

    def _send(self, src: int, dst: int, data: bytes) -> None:
        self.sent += 1
        if self.rng.random() < self.scenario.drop:
            self.faults["dropped"] += 1
            return
        copies = 2 if self.rng.random() < self.scenario.duplicate else 1
        self.faults["duplicated"] += copies - 1
        for _ in range(copies):
            base = self.base_latency[(src, dst)]
            self._push(self.now + base + self.rng.uniform(0, base), "deliver", src, dst, data)

    def _cut(self, a: int, b: int) -> bool:
        return any(
            start <= self.now < heal and ((a in side) != (b in side))
            for start, heal, side in self.scenario.partitions
        )

    def _step(self, kind: str, args: tuple) -> None:
        if kind == "deliver":
            src, dst, data = args
            node = self.nodes[dst]
            if node is not None and self._cut(src, dst):
                self.faults["cut by partition"] += 1
            elif node is not None:
                self._carry_out(dst, node.receive(data))
        elif kind in ("timer", "tick"):
            i, epoch = args[0], args[1]
            node = self.nodes[i]
            if node is None or epoch != self.epoch[i]:
                return
            if kind == "timer":
                self._carry_out(i, node.timeout(args[2]))
            else:
                self._carry_out(i, node.tick())
                self._push(self.now + TICK, "tick", i, epoch)
        elif kind == "crash":
            self.faults["crashed"] += 1
            self.nodes[args[0]] = None
            self.epoch[args[0]] += 1
        elif kind == "recover":
            self.faults["recovered"] += 1
            self._boot(args[0])

    # ---------------------------------------------------------------- a run
    def run(self, target_height: int = 3) -> RunResult:
        """Run until every live honest node has ``target_height`` blocks and committed
        after stabilization, or until stabilization + PROGRESS_BOUND."""
        for i in range(self.n):
            self._boot(i)
        for node, at, back in self.scenario.crashes:
            self._push(at, "crash", node)
            if back is not None:
                self._push(back, "recover", node)
        stable = self.scenario.stable_at
        deadline = stable + PROGRESS_BOUND
        while self.queue and self.now <= deadline:
            if self.now > stable and self._done(target_height, stable):
                break
            self.now, _, kind, args = heapq.heappop(self.queue)
            self._step(kind, args)
        return check(self, target_height, stable)

    def live_honest(self) -> list[int]:
        return [i for i in self.honest if self.nodes[i] is not None]

    def chain(self, i: int) -> list[bytes]:
        node = self.nodes[i]
        if node is None:  # a crashed node's chain is whatever its log kept
            return [m.value for m in replay(self.logs[i])[0]]
        return node.chain

    def commits(self, i: int) -> list:
        """Node ``i``'s decided blocks with their certificates, read back from its log."""
        return replay(self.logs[i])[0]

    def _done(self, target_height: int, stable: float) -> bool:
        return all(
            len(self.chain(i)) >= target_height and any(t > stable for t in self.commit_times[i])
            for i in self.live_honest()
        )


def check(sim: Simulation, target_height: int, stable: float) -> RunResult:
    """The three invariants: agreement; validity (every committed block with its consensus
    certificate, and every sealed block's Block.certificate); progress after stabilization."""
    chains = {i: sim.chain(i) for i in sim.honest}
    result = RunResult(sim.scenario, chains, sim.commit_times, sim.now, sim.sent, sim.faults)
    referee = sim.app_factory(sim.validators)
    ids: dict[int, set[bytes]] = {}  # height -> ids of the blocks committed there
    for i in sim.honest:
        commits = sim.commits(i)
        for height, commit in enumerate(commits, start=1):
            try:
                check_commit(sim.validators, referee, chains[i][: height - 1], commit)
            except Exception as exc:  # noqa: BLE001 - any failure is a violation
                result.safety.append(f"validity: node {i} height {height}: {exc}")
            ids.setdefault(height, set()).add(referee.value_id(commit.value))
        for height, sealed in replay_seals(sim.logs[i]).items():
            if not referee.verify_sealed(chains[i][height - 1], sealed):
                result.safety.append(f"seal: node {i} height {height}: certificate invalid")
            result.sealed += 1
    for height, seen in sorted(ids.items()):
        if len(seen) > 1:
            result.safety.append(f"agreement: {len(seen)} different blocks at height {height}")
    for i in sim.live_honest():
        late = [t for t in sim.commit_times[i] if t > stable]
        if len(chains[i]) < target_height or not late:
            result.liveness = (
                f"progress: node {i} has {len(chains[i])} blocks, "
                f"{len(late)} after t={stable:.1f}s, by t={sim.now:.1f}s"
            )
            break
    return result


def run_seed(
    seed: int,
    app_factory: Callable[[Validators], object],
    *,
    n: int = 4,
    byzantine: int = 1,
    faults: tuple[str, ...] = ALL_FAULTS,
    target_height: int = 3,
) -> RunResult:
    """Draw the scenario of ``seed`` and run it."""
    scenario = make_scenario(seed, n, byzantine, faults)
    return Simulation(scenario, app_factory, n).run(target_height)


# -------------------------------------------------------------------- the command line
def parse_seeds(text: str) -> range:
    """``"A-B"`` (inclusive) or ``"A"`` -> a range of seeds."""
    try:
        first, _, last = text.partition("-")
        seeds = range(int(first), int(last or first) + 1)
    except ValueError:
        raise MalformedInput(f"--seeds {text!r}: expected A-B, e.g. 0-199") from None
    if not seeds:
        raise MalformedInput(f"--seeds {text!r} is an empty range")
    return seeds


def parse_faults(text: str) -> tuple[str, ...]:
    names = tuple(name.strip() for name in text.split(",") if name.strip())
    unknown = [name for name in names if name not in ALL_FAULTS]
    if unknown:
        raise MalformedInput(f"unknown fault(s) {unknown}; choose from {', '.join(ALL_FAULTS)}")
    return names


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--validators", type=int, default=4,
                        help=f"n, 1..{MAX_VALIDATORS} (default 4)")  # fmt: skip
    parser.add_argument("--byzantine", type=int, default=1,
                        help="Byzantine validators, at most (n - 1) // 3 (default 1)")
    parser.add_argument("--seeds", default="0-19", help="inclusive seed range A-B")
    parser.add_argument("--faults", default=None,
                        help="comma list (default all): " + ",".join(ALL_FAULTS))  # fmt: skip
    parser.add_argument("--heights", type=int, default=3,
                        help=f"blocks each run must commit, 1..{MAX_HEIGHTS} (default 3)")


#: Bounds of the command's options (a simulation of more would run for hours).
MAX_VALIDATORS, MAX_HEIGHTS = 64, 1000


def validate(args: argparse.Namespace) -> tuple[range, tuple[str, ...]]:
    """Check every option before any work: (seeds, faults), or ``MalformedInput``."""
    seeds = parse_seeds(args.seeds)
    faults = parse_faults(args.faults) if args.faults is not None else ALL_FAULTS
    n, byzantine = args.validators, args.byzantine
    if not 1 <= n <= MAX_VALIDATORS:
        raise MalformedInput(f"--validators {n}: choose 1..{MAX_VALIDATORS}")
    if not 1 <= args.heights <= MAX_HEIGHTS:
        raise MalformedInput(f"--heights {args.heights}: choose 1..{MAX_HEIGHTS}")
    if not 0 <= byzantine <= (n - 1) // 3:
        raise MalformedInput(
            f"--byzantine {byzantine} with {n} validators: "
            f"Tendermint tolerates 0..f = (n - 1) // 3 = {(n - 1) // 3}"
        )
    behaviours = [f for f in faults if f in BEHAVIOURS]
    if byzantine and not behaviours:
        raise MalformedInput(f"--byzantine {byzantine} needs a Byzantine behaviour in "
                             f"--faults (one of {', '.join(BEHAVIOURS)})")  # fmt: skip
    if behaviours and not byzantine and args.faults is not None:
        raise MalformedInput(f"--faults {','.join(behaviours)} needs --byzantine >= 1")
    return seeds, faults


def run(args: argparse.Namespace) -> int:
    """Run every seed, one progress line each, then the summary line; exit 1 on failure."""
    from zkpot_ref.ledger.app import ZkpotApp

    seeds, faults = validate(args)
    violations = failures = 0
    for seed in seeds:
        r = run_seed(seed, ZkpotApp, n=args.validators, byzantine=args.byzantine,
                     faults=faults, target_height=args.heights)  # fmt: skip
        status = "ok"
        if r.safety:
            violations, status = violations + 1, "SAFETY: " + "; ".join(r.safety)
        if r.liveness:
            failures, status = failures + 1, status + " LIVENESS: " + r.liveness
        heights = min(len(c) for c in r.chains.values())
        print(f"seed {seed}: {status} | {heights}+ blocks, t={r.end_time:.1f}s | "
              f"{r.scenario.describe()}", flush=True)  # fmt: skip
    print(f"{len(seeds)} runs, {violations} safety violations, {failures} liveness failures")
    return 1 if violations or failures else 0
