"""``prove_accuracy`` and ``verify_accuracy``: the ZKPoT statement, proven and checked.

Lesson: the client's and the validator's one call each.

A client with a quantized model (``quant.IntModel``) and a salt proves, for a task, a
round and its own id, that the committed model gets exactly its true count. The prover
**refuses** to claim anything else (``CircuitError`` naming the true count): a proof of a
false count cannot be made by an honest prover, and a forced one does not verify (the
tests force one through ``plonk.prove(check=False)``).

A validator needs only the task's verification key, the five public inputs and the proof:
``verify_accuracy`` is ``plonk.verify`` with the public inputs in their fixed order, so
it returns True or False and raises ``MalformedInput`` on garbage — nothing else.

The proof file (ours): magic "ZKPOTPRF", version u8 = 1, the five public inputs (32 bytes
each, big-endian, in ``PublicInputs`` order), then the PLONK proof's bytes (``Proof``: 1025
bytes with lookups). It holds no weight: every value in it is a curve point, an
evaluation at a random point, or a public input (``tests/pot/test_prove.py`` checks that no
packed weight element appears in it).

Read next: ``command.py``.
"""

from __future__ import annotations

import struct
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from zkpot_ref import quant
from zkpot_ref.backend import Backend
from zkpot_ref.errors import CircuitError, MalformedInput
from zkpot_ref.plonk.preprocess import VerificationKey
from zkpot_ref.plonk.proof import Proof
from zkpot_ref.plonk.prover import prove
from zkpot_ref.plonk.verifier import verify
from zkpot_ref.pot.commit import commit_model
from zkpot_ref.pot.keys import Keys
from zkpot_ref.pot.statement import PublicInputs, Witness, build
from zkpot_ref.pot.task import Task, write_atomic

MAGIC = b"ZKPOTPRF"
VERSION = 1


def claim(task: Task, model: quant.IntModel, salt: int, client_id: int,
          round: int) -> PublicInputs:
    """The public inputs an honest proof for this model has: its commitment, its true count."""
    task.check_model(model)
    commitment, _ = commit_model(model, salt)
    true = quant.count_correct(model, task.images, task.labels)
    return PublicInputs(task.task_id, round, client_id, commitment, true)


def prove_accuracy(task: Task, model: quant.IntModel, salt: int, client_id: int, round: int,
                   keys: Keys, backend: Backend | None = None, *, count: int | None = None,
                   progress: Callable[[str], None] | None = None) -> Proof:
    """A proof that ``commit_model(model, salt)`` gets its true count on ``task``.

    ``count``: the count the caller wants to claim; anything but the true one is refused.
    """
    if keys.task_id != task.task_id:
        raise MalformedInput("these keys were made for another task")
    public = claim(task, model, salt, client_id, round)
    if count is not None and count != public.count:
        raise CircuitError(
            f"refusing to prove a count of {count}: the model classifies {public.count} of "
            f"the task's {task.n} test images correctly")
    say = progress or (lambda message: None)
    say(f"laying out the witness ({task.n} images)")
    circuit = build(task, Witness(model, salt, public), backend).circuit
    return prove(keys.pk, circuit, backend=backend, progress=progress)


def verify_accuracy(vk: VerificationKey, public: PublicInputs, proof: Proof) -> bool:
    """True iff ``proof`` proves ``public`` for the task whose key is ``vk``."""
    if not isinstance(public, PublicInputs):
        raise MalformedInput("verify_accuracy expects PublicInputs")
    return verify(vk, public.as_list(), proof)


@dataclass(frozen=True)
class AccuracyProof:
    """What a client publishes: the public inputs and the proof (the file format above)."""

    public: PublicInputs
    proof: Proof

    def to_bytes(self) -> bytes:
        values = self.public.as_list()
        return MAGIC + bytes([VERSION]) + b"".join(v.to_bytes(32, "big") for v in values) + (
            self.proof.to_bytes())

    @classmethod
    def from_bytes(cls, data: bytes) -> AccuracyProof:
        if not isinstance(data, bytes | bytearray) or data[:8] != MAGIC:
            raise MalformedInput("not a zkpot accuracy proof")
        if len(data) < 9 + 160 or data[8] != VERSION:
            raise MalformedInput("accuracy proof: unknown version or truncated")
        values = struct.unpack(">" + "32s" * 5, bytes(data[9:169]))
        public = PublicInputs(*(int.from_bytes(v, "big") for v in values))
        public.as_list()  # each must be a field element
        return cls(public, Proof.from_bytes(bytes(data[169:])))

    def save(self, path: str | Path) -> None:
        write_atomic(Path(path), self.to_bytes())

    @classmethod
    def load(cls, path: str | Path) -> AccuracyProof:
        try:
            return cls.from_bytes(Path(path).read_bytes())
        except OSError as exc:
            raise MalformedInput(f"cannot read proof file {path}: {exc.strerror}") from None


# -- proving in worker processes ------------------------------------------------------

_WORKER: dict[str, object] = {}


def worker_init(task_file: bytes, keys: Keys, backend_name: str = "reference") -> None:
    """Initializer of a proving worker process: the task and keys, received once."""
    from zkpot_ref import backend

    _WORKER.update(task=Task.from_file_bytes(task_file), keys=keys,
                   backend=backend.use(backend_name))


def worker_prove(model_file: bytes, salt: int, client_id: int, round: int) -> tuple[bytes, float]:
    """One proof in a worker: (the proof's bytes, seconds it took)."""
    import time

    from zkpot_ref.pot.commit import parse_model_file

    start = time.perf_counter()
    proof = prove_accuracy(_WORKER["task"], parse_model_file(model_file), salt, client_id,  # type: ignore[arg-type]
                           round, _WORKER["keys"], _WORKER["backend"])  # type: ignore[arg-type]
    return proof.to_bytes(), time.perf_counter() - start
