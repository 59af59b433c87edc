"""What a validator checks about a submission: the ZKPoT proof, or its no-crypto simulation.

Lesson: the four facts a ZKPoT validator needs before it trusts a claimed count, and which
layer of the system establishes each.

=====================================  =========================================  ============
check                                  in the full system                         stops
=====================================  =========================================  ============
the sender is the client it names      the ledger's signature on the transaction  impersonation
the submission is for this round       the round is a public input of the proof   stale
the model opens the commitment         the circuit opens the commitment           replay
the model's count is the claimed one   the circuit recomputes the count           free rider,
                                                                                  over-claimer
=====================================  =========================================  ============

(Replay: a copied proof names the victim's client id, so it fails the client-id public
input; re-labelled, the copier has no model that opens the victim's commitment.)

:class:`Verifier` is the interface, with two implementations:

- :class:`ProofVerifier` — the real one: it checks the ZKPoT proof that travels with the
  submission against the task's verification key, with the public inputs (task id,
  round, client id, commitment, claimed count) taken from the submission and the round
  the validator is in — it never sees a model.
- :class:`RecomputeVerifier` — the **no-crypto simulation**, for large FL sweeps where
  proving every model would take hours: it reads the private model the simulation holds
  (``Submission.model``) and recomputes the commitment opening and the count. Same
  verdicts as the proofs (the tests check it on the same submissions), no cryptography.

Label flipping and noise pass every check (their counts are honest, just low);
aggregation's selection by proven count is what stops them (``aggregation.py``).

Identities. In a simulation client i has no Ed25519 key; ``client_key(i)`` is a fixed
32-byte stand-in, and its ``pot.statement.client_id_of`` is the proof's client id. The
ledger's rounds (``round.py``) use real keys.

Read next: ``robust.py``, then ``aggregation.py``.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Protocol

from zkpot_ref import quant
from zkpot_ref.errors import MalformedInput
from zkpot_ref.fl.client import Submission, opens
from zkpot_ref.fl.data import Dataset
from zkpot_ref.plonk.preprocess import VerificationKey
from zkpot_ref.plonk.proof import Proof
from zkpot_ref.pot.prove import verify_accuracy
from zkpot_ref.pot.statement import PublicInputs, client_id_of
from zkpot_ref.pot.task import Task


def client_key(client: int) -> bytes:
    """Simulated client ``client``'s 32-byte identity key (a stand-in for Ed25519)."""
    return hashlib.sha256(b"zkpot/fl/client-key/%d" % client).digest()


class Verifier(Protocol):
    """Decides whether ``submission``, sent by ``sender`` in ``round``, is proven."""

    def verify(self, submission: Submission, round: int, sender: int) -> bool:
        """True when the submission's claims are established; False otherwise (no raise)."""
        ...

    def reject_reason(self, submission: Submission, round: int, sender: int) -> str | None:
        """The first failed check as a short phrase, or None when all pass."""
        ...


@dataclass(frozen=True)
class ProofVerifier:
    """Checks the submission's ZKPoT proof: what a real validator does."""

    task: Task
    vk: VerificationKey

    def reject_reason(self, submission: Submission, round: int, sender: int) -> str | None:
        if submission.client_id != sender:
            return "client id is not the signer (ledger signature)"
        try:
            proof = Proof.from_bytes(submission.proof)
            public = PublicInputs(self.task.task_id, round, client_id_of(client_key(sender)),
                                  submission.commitment, submission.claimed_count)
            if verify_accuracy(self.vk, public, proof):
                return None
        except MalformedInput as exc:
            return f"malformed proof or claim ({exc})"
        return (f"proof does not verify for count {submission.claimed_count}, round {round}, "
                f"client {sender}")

    def verify(self, submission: Submission, round: int, sender: int) -> bool:
        return self.reject_reason(submission, round, sender) is None


@dataclass(frozen=True)
class RecomputeVerifier:
    """The no-crypto simulation: recomputes everything from the model the simulation holds."""

    test: Dataset

    def reject_reason(self, submission: Submission, round: int, sender: int) -> str | None:
        """The first failed check as a short phrase, or None when all four pass."""
        if submission.client_id != sender:
            return "client id is not the signer (ledger signature)"
        if submission.round != round:
            return f"made for round {submission.round}, not {round} (round public input)"
        if not opens(submission.commitment, submission.model, submission.salt):
            return "model does not open the commitment (proof)"
        count = quant.count_correct(submission.model, self.test.images, self.test.labels)
        if count != submission.claimed_count:
            return f"claims {submission.claimed_count} correct, model gets {count} (proof)"
        return None

    def verify(self, submission: Submission, round: int, sender: int) -> bool:
        """All four checks of the module docstring pass."""
        return self.reject_reason(submission, round, sender) is None
