"""A ZKPoT chain on disk, and its verification from genesis (``zkpot chain verify DIR``).

Lesson: what anyone can re-check, years later, from a directory of bytes. A chain
directory holds

    genesis.json   the root of trust: the task's and verification key's CIDs, the
                   validators' public keys and f, the genesis global model's CID
    blocks.log     the committed blocks, each with its certificate (``ledger/log.py``)
    store/         every blob a block names, by CID (``ledger/store.py``): the task,
                   the verification key, proofs, the leader's reveals, global models
    batches/       each round's accepted submissions and reveal, as the federation
                   handed them to consensus (``zkpot node`` processes read them)

The **real checks** (:class:`ProofChecks`) are what validators run inside consensus
(``ledger/app.py`` injects them into ``block.validate_block``): a submission's proof is
fetched by its CID and verified against the task's key with the public inputs the signed
transaction states — task id, round, client id (``client_id_of`` the signing key),
commitment, count; a leader's reveal must open its commitment; the next global model is
the leader's revealed model (or, with no leader, the previous one). Results are cached by
proof CID: every validator checks every proof, but the same proof is verified once.

``verify_chain`` replays everything from genesis and names the first thing that is wrong
— height, item, reason — or returns a summary. Order per block: decodes canonically, links
to its predecessor (height, hash, round), its content passes the ZKPoT rule (signatures,
proofs, leader, reveal, aggregation — each with its own message), its global model is in
the store, and only then its certificate (2f + 1 validator signatures over its hash), so
an altered transaction is reported as what it is, not as a broken certificate.

Read next: ``round.py`` (how such a chain is made, one FL round per block).
"""

from __future__ import annotations

import argparse
import json
from dataclasses import dataclass, field
from pathlib import Path

from zkpot_ref import quant
from zkpot_ref.errors import MalformedInput, ZkpotError
from zkpot_ref.ledger import node
from zkpot_ref.ledger.app import Batch, ZkpotApp, decode_batch
from zkpot_ref.ledger.block import Block, validate_block, verify_certificate
from zkpot_ref.ledger.config import NodeConfig
from zkpot_ref.ledger.log import replay
from zkpot_ref.ledger.store import BlobStore, cid_of
from zkpot_ref.ledger.tx import Transaction
from zkpot_ref.plonk.preprocess import VerificationKey
from zkpot_ref.plonk.proof import Proof
from zkpot_ref.pot.commit import model_file_bytes, open_model, parse_model_file, parse_reveal
from zkpot_ref.pot.prove import verify_accuracy
from zkpot_ref.pot.statement import PublicInputs, client_id_of
from zkpot_ref.pot.task import Task

GENESIS, LOG, STORE = "genesis.json", "blocks.log", "store"
GENESIS_VERSION = 1


@dataclass(frozen=True)
class Genesis:
    """The chain's root of trust (``genesis.json``)."""

    task_cid: str
    vk_cid: str
    validators: tuple[bytes, ...]
    f: int
    genesis_model_cid: str

    def to_json(self) -> str:
        return json.dumps({"version": GENESIS_VERSION, "task": self.task_cid, "vk": self.vk_cid,
                           "validators": [k.hex() for k in self.validators], "f": self.f,
                           "genesis_model": self.genesis_model_cid}, indent=1) + "\n"

    @classmethod
    def from_json(cls, text: str) -> Genesis:
        try:
            data = json.loads(text)
            if data["version"] != GENESIS_VERSION:
                raise MalformedInput(f"genesis: unknown version {data['version']}")
            keys = tuple(bytes.fromhex(k) for k in data["validators"])
            genesis = cls(str(data["task"]), str(data["vk"]), keys, int(data["f"]),
                          str(data["genesis_model"]))
        except (ValueError, KeyError, TypeError) as exc:
            raise MalformedInput(f"genesis.json is not a valid genesis ({exc})") from None
        if not keys or any(len(k) != 32 for k in keys) or not 0 <= genesis.f or (
            3 * genesis.f + 1 > len(keys)
        ):
            raise MalformedInput("genesis.json: validators must be 32-byte keys, n >= 3f + 1")
        return genesis


class ProofChecks:
    """The real ``Checks`` of ``ledger/app.py``: proofs, reveals and the global model."""

    def __init__(self, task: Task, vk: VerificationKey, store: BlobStore,
                 genesis_model_cid: str) -> None:
        self.task, self.vk, self.store = task, vk, store
        self.genesis_model_cid = genesis_model_cid
        self.verified: dict[tuple, bool] = {}  # (proof CID, public inputs) -> verdict

    def public_inputs(self, tx: Transaction) -> PublicInputs:
        return PublicInputs(self.task.task_id, tx.round, client_id_of(tx.client), tx.commitment,
                            tx.correct_count)

    def verify_proof(self, tx: Transaction) -> bool:
        if tx.task_id != task_label(self.task):
            return False
        public = self.public_inputs(tx)
        key = (tx.proof_cid, *public.as_list())
        if key not in self.verified:
            proof = Proof.from_bytes(self.store.get(tx.proof_cid))
            self.verified[key] = verify_accuracy(self.vk, public, proof)
        return self.verified[key]

    def open_commitment(self, commitment: int, model_cid: str) -> bool:
        model, salt = parse_reveal(self.store.get(model_cid))
        return open_model(commitment, model, salt, self.task)

    def aggregate(self, block: Block, previous: Block | None = None) -> str:
        """Leader mode: the next global model is the leader's revealed one."""
        if block.leader_model_cid is None:
            return previous.next_model_cid if previous else self.genesis_model_cid
        model, _ = parse_reveal(self.store.get(block.leader_model_cid))
        return cid_of(model_file_bytes(model))


class TrustingChecks(ProofChecks):
    """Proof gating OFF (``zkpot demo --no-gating``): claims and reveals are believed.
    What a chain without ZKPoT would accept — ``verify_chain`` later shows what it let in."""

    def verify_proof(self, tx: Transaction) -> bool:
        return True

    def open_commitment(self, commitment: int, model_cid: str) -> bool:
        return True


def task_label(task: Task) -> str:
    """The task id as a transaction names it (64 hex digits)."""
    return f"{task.task_id:064x}"


@dataclass
class ChainSummary:
    """What ``verify_chain`` found: the problem (None: all holds) and what it checked."""

    blocks: int = 0
    rounds: list[int] = field(default_factory=list)
    final_model: quant.IntModel | None = None
    accuracy: float | None = None  # the final global model on the task's test set
    problem: str | None = None

    def line(self) -> str:
        if self.problem:
            return f"chain INVALID: {self.problem}"
        accuracy = "n/a" if self.accuracy is None else f"{100 * self.accuracy:.1f}%"
        return (f"chain verified: {self.blocks} blocks, {len(self.rounds)} rounds, "
                f"final accuracy {accuracy}")


def open_chain(directory: str | Path) -> tuple[Genesis, Task, VerificationKey, BlobStore]:
    """Read genesis and the task and key it names (MalformedInput / StoreError if not)."""
    root = Path(directory)
    try:
        genesis = Genesis.from_json((root / GENESIS).read_text())
    except OSError as exc:
        raise MalformedInput(f"{root / GENESIS}: {exc.strerror}") from None
    store = BlobStore(root / STORE)
    task = Task.from_file_bytes(store.get(genesis.task_cid), "the task blob")
    vk = VerificationKey.from_bytes(store.get(genesis.vk_cid))
    return genesis, task, vk, store


def verify_chain(directory: str | Path) -> ChainSummary:
    """Re-check the chain in ``directory`` from genesis (module docstring)."""
    summary = ChainSummary()
    try:
        genesis, task, vk, store = open_chain(directory)
        records = replay(Path(directory) / LOG)
        model = parse_model_file(store.get(genesis.genesis_model_cid), "genesis model")
    except (ZkpotError, OSError) as exc:
        summary.problem = f"genesis: {exc}"
        return summary
    checks = ProofChecks(task, vk, store, genesis.genesis_model_cid)
    previous: Block | None = None
    for height, record in enumerate(records, start=1):
        try:
            block = Block.decode(record)
        except MalformedInput as exc:
            summary.problem = f"height {height}: block: {exc}"
            return summary
        try:
            validate_block(block, previous, verify_proof=checks.verify_proof,
                           open_commitment=checks.open_commitment,
                           aggregate=lambda b, p=previous: checks.aggregate(b, p))
            model = parse_model_file(store.get(block.next_model_cid), "global model")
        except ZkpotError as exc:
            summary.problem = f"height {height}: {exc}"
            return summary
        if not verify_certificate(block, list(genesis.validators), genesis.f):
            summary.problem = (f"height {height}: certificate: fewer than 2f + 1 = "
                               f"{2 * genesis.f + 1} valid validator signatures")
            return summary
        summary.blocks, previous = height, block
        summary.rounds.append(block.round)
    summary.final_model = model
    summary.accuracy = quant.count_correct(model, task.images, task.labels) / task.n
    return summary


# -- validator processes on a federation's rounds ----------------------------------------

BATCHES = "batches"


def batch_path(directory: str | Path, height: int) -> Path:
    return Path(directory) / BATCHES / f"{height:06d}.batch"


def node_app(config: NodeConfig) -> ZkpotApp | None:
    """The Application of a ``zkpot node`` whose config names a federation's directory:
    the real checks, and each height's batch read from ``batches/`` (an empty block
    while the federation has not played that round)."""
    if config.round_dir is None:
        return None
    genesis, task, vk, store = open_chain(config.round_dir)
    checks = ProofChecks(task, vk, store, genesis.genesis_model_cid)

    def batches(height: int) -> Batch:
        path = batch_path(config.round_dir, height)
        return decode_batch(path.read_bytes()) if path.is_file() else Batch(height, (), None)

    return ZkpotApp(config.validators, checks, batches, clients={})


def add_node_arguments(parser: argparse.ArgumentParser) -> None:
    node.add_arguments(parser)


def run_node(args: argparse.Namespace) -> int:
    """``zkpot node``: the ledger's node, with the real checks when a round_dir is set."""
    return node.run(args, node_app)


# -- the ``zkpot chain`` command --------------------------------------------------------


def add_arguments(parser: argparse.ArgumentParser) -> None:
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    check = actions.add_parser("verify", help="re-check a chain directory from genesis")
    check.add_argument("directory", help="a chain directory (zkpot demo --out DIR)")


def run(args: argparse.Namespace) -> int:
    """Exit 0 with the summary line, or 1 naming the first problem."""
    if not Path(args.directory).is_dir():
        raise MalformedInput(f"{args.directory} is not a directory")
    summary = verify_chain(args.directory)
    print(summary.line())
    return 1 if summary.problem else 0

