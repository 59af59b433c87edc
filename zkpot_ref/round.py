"""ZKPoT rounds end to end: clients prove, validators verify, the leader reveals, a block commits.

Lesson: the whole system of the paper (Fu et al., arXiv 2503.13255, Fig. 1) in one
place, every step a call into an earlier lesson. Before the first round the **task
publisher** fixes the task — a seeded sample of the public test set, the architecture,
the shifts (``pot/task.py``) — and builds its keys from a verified SRS (``pot/keys.py``);
genesis records the task, the verification key, the validators and the first global
model (``chain.py``). Then each round r:

1. every **client** trains from the global model on its private shard, quantizes with the
   task's shifts, commits with a fresh salt and proves its exact count
   (``fl/client.py``, ``pot/prove.py``; in worker processes, two proofs at a time); it
   puts the proof in the content-addressed store and signs a transaction naming the
   proof's CID (``ledger/tx.py``);
2. the **validators** check every transaction: signature, round, and the proof against the
   task's key with the public inputs the transaction states (``chain.ProofChecks``; a
   proof is verified once per CID, all validators share the verdict);
3. the highest proven count leads (ties: the smaller commitment, ``block.leader_of``);
   the **leader reveals** its model and salt, and the reveal must open its commitment —
   if it does not, that submission is rejected and the next best reveals;
4. the round's accepted transactions and the reveal are one block, committed by the
   validators through Tendermint (``ledger/``, simulated in-process with
   ``ledger/simulator.py``, Byzantine validators included) and sealed with a 2f + 1
   certificate; it is appended to ``blocks.log``;
5. the next global model is the leader's (the aggregation rule ``chain.ProofChecks.
   aggregate`` recomputes: every validator arrives at the same one).

Byzantine clients come from ``fl/attacks.py`` (free rider, over-claim, replay — a copied
proof —, forged commitment, stale — a proof for the wrong round —, label flip, noise);
``gating=False`` turns proof checking off (claims and reveals are believed) to show what
the proofs stop. The validators' consensus is simulated in one process; ``zkpot node``
runs the same checks over TCP.

Read next: ``demo.py`` (the command that runs this and prints the table).
"""

from __future__ import annotations

import hashlib
import multiprocessing
import time
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from zkpot_ref import quant
from zkpot_ref.backend import TwoProcessBackend
from zkpot_ref.chain import (
    LOG,
    STORE,
    Genesis,
    ProofChecks,
    TrustingChecks,
    batch_path,
    task_label,
)
from zkpot_ref.errors import MalformedInput
from zkpot_ref.fl.attacks import ATTACKS, AttackContext, Replay, make_attack
from zkpot_ref.fl.client import Submission, local_update
from zkpot_ref.fl.data import Dataset
from zkpot_ref.fl.experiment import ExperimentConfig, setup
from zkpot_ref.fl.model import TrainConfig, init_params
from zkpot_ref.kzg import SRS
from zkpot_ref.ledger import signatures
from zkpot_ref.ledger.app import Batch, ZkpotApp, encode_batch
from zkpot_ref.ledger.block import Block, leader_of
from zkpot_ref.ledger.byzantine import BEHAVIOURS
from zkpot_ref.ledger.log import BlockLog
from zkpot_ref.ledger.replica import replay_seals
from zkpot_ref.ledger.simulator import Scenario, Simulation
from zkpot_ref.ledger.store import BlobStore
from zkpot_ref.ledger.tx import Transaction
from zkpot_ref.plonk.preprocess import domain_size_for
from zkpot_ref.pot.commit import model_file_bytes, reveal_bytes
from zkpot_ref.pot.keys import choose_srs, default_cache, load_or_build
from zkpot_ref.pot.prove import worker_init, worker_prove
from zkpot_ref.pot.statement import client_id_of, smallest_table
from zkpot_ref.pot.task import Task, write_atomic

Progress = Callable[[str], None]


@dataclass(frozen=True)
class RoundConfig:
    """A federation: sizes, attacks, and how the proofs are made."""

    clients: int = 4
    rounds: int = 3
    byzantine: int = 1
    attack: str = "free-rider"
    validators: int = 4
    byzantine_validators: int = 0
    validator_behaviour: str = "forged-proof"
    hidden: tuple[int, ...] = (4,)
    test_size: int = 8
    seed: int = 0
    epochs: int = 2
    gating: bool = True
    workers: int = 2
    srs: str | SRS | None = None  # a ceremony/.ptau file, an SRS (tests), None: one-party
    cache: str | None = None
    backend: str = "reference"

    def __post_init__(self) -> None:
        checks = [
            (self.clients >= 1, "--clients must be >= 1"),
            (1 <= self.rounds <= 1000, "--rounds must be in 1..1000"),
            (0 <= self.byzantine <= self.clients, "--byzantine must be in 0..clients"),
            (not self.byzantine or self.attack in ATTACKS,
             f"--attack must be one of {sorted(ATTACKS)}"),
            (self.validators >= 1, "--validators must be >= 1"),
            (0 <= self.byzantine_validators <= (self.validators - 1) // 3,
             "--byzantine-validators must be at most (validators - 1) // 3"),
            (self.validator_behaviour in BEHAVIOURS,
             f"--validator-behaviour must be one of {BEHAVIOURS}"),
            (all(1 <= w <= 256 for w in self.hidden), "--hidden widths must be in 1..256"),
            (1 <= self.test_size <= 450, "--test-size must be in 1..450"),
            (self.seed >= 0 and self.epochs >= 1 and self.workers >= 1,
             "--seed must be >= 0, --epochs and --workers >= 1"),
        ]
        for ok, message in checks:
            if not ok:
                raise MalformedInput(message)


@dataclass
class ClientLine:
    """One client's row of a round: what it claimed and what the validators made of it."""

    client: int
    byzantine: bool
    claimed: int
    proven: bool
    reason: str | None
    prove_s: float
    verify_s: float
    leader: bool = False


@dataclass
class RoundReport:
    round: int
    lines: list[ClientLine]
    leader: int | None
    accuracy: float  # the new global model on the whole public test set
    consensus_s: float


def _key(seed: int, who: str, index: int) -> tuple[bytes, bytes]:
    return signatures.generate_keypair(hashlib.sha256(f"zkpot/{who}/{seed}/{index}".encode())
                                       .digest())


class Federation:
    """The task publisher, N clients, n validators and the chain directory ``out``."""

    def __init__(self, config: RoundConfig, out: str | Path, data: Dataset | None = None,
                 progress: Progress | None = None) -> None:
        self.config, self.say = config, progress or (lambda message: None)
        fl = ExperimentConfig(clients=config.clients, byzantine=config.byzantine,
                              attack=config.attack if config.byzantine else "none",
                              seed=config.seed, hidden=config.hidden)
        _, self.test, self.shards, self.byzantine = setup(fl, data)
        sizes = (self.test.images.shape[1], *config.hidden, 10)
        pick = np.sort(np.random.default_rng(config.seed).choice(len(self.test),
                                                                 config.test_size, False))
        self.claims = self.test.subset(pick)
        self.task, built = smallest_table(Task(
            "zkpot demo", sizes, self.test.pixel_max, (32,) * len(config.hidden),
            self.claims.images, self.claims.labels))
        cache = Path(config.cache) if config.cache else default_cache()
        self.say(f"task: {sizes} MLP, {self.task.n} public test images, "
                 f"{len(built.circuit.gates)} rows")
        srs = choose_srs(config.srs, domain_size_for(built.circuit) + 5, cache, self.say)
        # the proving pool is still idle: with the reference kernels, make the keys on two
        # cores (backend.TwoProcessBackend; the same keys, sooner)
        two_cores = config.backend == "reference" and config.workers > 1
        self.keys = load_or_build(self.task, srs, cache,
                                  TwoProcessBackend() if two_cores else None, self.say)
        self.client_keys = [_key(config.seed, "client", i) for i in range(config.clients)]
        self.validator_keys = [_key(config.seed, "validator", i)
                               for i in range(config.validators)]
        self.out = Path(out)
        self.store = BlobStore(self.out / STORE)
        genesis_params = init_params(sizes, config.seed)
        ranges = quant.activation_ranges(genesis_params, self.claims.images, 16)
        self.global_model = quant.quantize_model(genesis_params, ranges,
                                                 self.test.pixel_max, self.task.shifts)
        f = (config.validators - 1) // 3
        genesis = Genesis(self.store.put(self.task.file_bytes()),
                          self.store.put(self.keys.vk.to_bytes()),
                          tuple(pub for _, pub in self.validator_keys), f,
                          self.store.put(model_file_bytes(self.global_model)))
        (self.out / "genesis.json").write_text(genesis.to_json())
        checks_class = ProofChecks if config.gating else TrustingChecks
        self.checks = checks_class(self.task, self.keys.vk, self.store, genesis.genesis_model_cid)
        self.real_checks = ProofChecks(self.task, self.keys.vk, self.store,
                                       genesis.genesis_model_cid)
        self.log = BlockLog(self.out / LOG)
        self.batches: dict[int, Batch] = {}
        self.proof_done: Callable[[], None] = lambda: None  # told after every proof
        self.previous: dict[int, Submission] = {}
        self.pool = ProcessPoolExecutor(
            config.workers, mp_context=multiprocessing.get_context("spawn"),
            initializer=worker_init,
            initargs=(self.task.file_bytes(), self.keys, config.backend))

    def close(self) -> None:
        self.pool.shutdown()
        self.log.close()

    # -- 1. clients -----------------------------------------------------------------
    def _start_proof(self, s: Submission) -> Future:
        """Queue the proof of ``s``'s true count on the worker pool."""
        return self.pool.submit(worker_prove, model_file_bytes(s.model), s.salt,
                                client_id_of(self.client_keys[s.client_id][1]), s.round)

    def _client_submissions(self, r: int) -> tuple[list[Submission], dict[int, float]]:
        """Every client's submission for round ``r``, proven; seconds of proving per client.

        All proofs share the pool (``workers`` at a time): the Byzantine clients' proofs
        queue right behind the honest ones instead of waiting for them, except for an
        attack that copies an honest proof (``Replay``), which must see it first.
        """
        c, train = self.config, TrainConfig(epochs=self.config.epochs)
        params = tuple(quant.dequantize_model(self.global_model))
        honest = [local_update(i, r, params, shard, self.claims, train, c.seed * 1000 + r * 10 + i,
                               shifts=self.task.shifts)  # a fresh secret salt each
                  for i, shard in enumerate(self.shards) if i not in self.byzantine]
        self.say(f"round {r}: {len(honest)} honest clients trained; proving")
        jobs = [self._start_proof(s) for s in honest]
        seconds: dict[int, float] = {}

        def collect() -> None:
            for i, job in enumerate(jobs):
                if not honest[i].proof:
                    proof, seconds[honest[i].client_id] = job.result()
                    honest[i] = replace(honest[i], proof=proof)
                    self.proof_done()

        attack = make_attack(c.attack) if self.byzantine else None
        if isinstance(attack, Replay):
            collect()
        attacks = []
        for i in self.byzantine:
            timed: list[float] = []

            def prover(s: Submission, timed: list[float] = timed) -> bytes:
                proof, took = self._start_proof(s).result()
                timed.append(took)
                self.proof_done()
                return proof

            ctx = AttackContext(i, r, params, self.shards[i], self.claims, train,
                                c.seed * 1000 + r * 10 + i, tuple(s.public() for s in honest),
                                self.previous.get(i), self.task.shifts, prover)
            attacks.append(attack.submit(ctx))  # type: ignore[union-attr]
            seconds[i] = sum(timed)
        collect()
        out = honest + attacks
        self.previous = {s.client_id: s for s in out}
        return sorted(out, key=lambda s: s.client_id), seconds

    def _transaction(self, s: Submission) -> Transaction:
        secret, public = self.client_keys[s.client_id]
        tx = Transaction(task_label(self.task), s.round, public, s.commitment, s.claimed_count,
                         self.store.put(s.proof))
        return tx.signed(secret)

    # -- 2-3. validators and the leader's reveal ---------------------------------------
    def _check(self, tx: Transaction, r: int) -> str | None:
        # BEGIN TASK 9.1: a validator's check of a client's transaction
        if tx.round != r:
            return f"made for round {tx.round}, not {r}"
        if not tx.verify_signature():
            return "bad signature"
        if not self.checks.verify_proof(tx):
            return "proof does not verify for this claim, round and client"
        return None
        # END TASK 9.1

    def play(self, r: int) -> RoundReport:
        """Run round r (rounds are numbered from 1, one block each)."""
        submissions, prove_s = self._client_submissions(r)
        lines, accepted, rejected, by_client = [], [], [], {}
        for s in submissions:
            tx = self._transaction(s)
            start = time.perf_counter()
            reason = self._check(tx, r)
            verify_s = time.perf_counter() - start
            lines.append(ClientLine(s.client_id, s.client_id in self.byzantine,
                                    s.claimed_count, reason is None, reason,
                                    prove_s.get(s.client_id, 0.0), verify_s))
            (accepted if reason is None else rejected).append(tx)
            by_client[tx.client] = s
        reveal_cid, leader = None, None
        while accepted:
            best = leader_of(accepted)
            s = by_client[best.client]
            reveal_cid = self.store.put(reveal_bytes(s.model, s.salt))
            if self.checks.open_commitment(best.commitment, reveal_cid):
                leader = s.client_id
                self.global_model = s.model
                self.store.put(model_file_bytes(s.model))
                break
            line = next(x for x in lines if x.client == s.client_id)
            line.proven, line.reason = False, "revealed model does not open its commitment"
            accepted.remove(best)
            rejected.append(best)
            reveal_cid = None
        for line in lines:
            line.leader = line.client == leader
        self.batches[r] = Batch(r, tuple(accepted), reveal_cid, tuple(rejected))
        path = batch_path(self.out, r)
        path.parent.mkdir(exist_ok=True)
        write_atomic(path, encode_batch(self.batches[r]))
        consensus_s = self._commit(r)
        correct = quant.count_correct(self.global_model, self.test.images, self.test.labels)
        return RoundReport(r, lines, leader, correct / len(self.test), consensus_s)

    # -- 4. consensus ---------------------------------------------------------------
    def _commit(self, r: int) -> float:
        """Tendermint among the validators, simulated to height r + 1 (so height r is sealed
        by 2f + 1); appends the sealed block r to blocks.log."""
        start = time.perf_counter()
        n, c = self.config.validators, self.config
        byzantine = tuple((n - 1 - k, c.validator_behaviour) for k in range(c.byzantine_validators))
        scenario = Scenario(c.seed, (0.01, 0.03), 0.0, 0.0, (), (), byzantine)

        def app(validators):  # noqa: ANN001, ANN202
            return ZkpotApp(validators, self.checks, lambda h: self.batches.get(
                h, Batch(h, (), None)), clients={})

        sim = Simulation(scenario, app, n, keys=self.validator_keys)
        sim.run(target_height=r + 1)
        honest = [i for i in range(n) if i not in dict(byzantine)]
        sealed = replay_seals(sim.logs[honest[0]]).get(r)
        if sealed is None:
            raise MalformedInput(f"consensus did not seal block {r}")
        block = Block.decode(sealed)
        if block.round != r or block.height != r:
            raise MalformedInput(f"consensus sealed an unexpected block at height {r}")
        self.log.append(sealed)
        return time.perf_counter() - start


def run_rounds(config: RoundConfig, out: str | Path, data: Dataset | None = None,
               progress: Progress | None = None,
               on_round: Callable[[RoundReport], None] | None = None) -> list[RoundReport]:
    """Set up a federation in ``out`` and play ``config.rounds`` rounds."""
    federation = Federation(config, out, data, progress)
    reports = []
    try:
        for r in range(1, config.rounds + 1):
            reports.append(federation.play(r))
            if on_round:
                on_round(reports[-1])
    finally:
        federation.close()
    return reports
