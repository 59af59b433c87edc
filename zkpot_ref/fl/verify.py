"""What a validator checks about a submission, behind the interface the ZK verifier will use.

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

:class:`Verifier` is the interface. :class:`RecomputeVerifier` is the stand-in used until
the proof system lands: instead of checking a proof it reads the private model the
simulation holds (``Submission.model``) and recomputes the commitment and the count — the
one shortcut the real verifier replaces, behind the same ``verify`` call. Label flipping
and noise pass every check (their counts are honest, just low); aggregation's selection
by proven count is what stops them (``aggregation.py``).

Read next: ``aggregation.py``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from zkpot_ref import quant
from zkpot_ref.fl.client import Submission, commit
from zkpot_ref.fl.data import Dataset


class Verifier(Protocol):
    """Decides whether ``submission``, sent by ``sender`` in ``round``, is proven."""

    def verify(self, submission: Submission, round: int, sender: int) -> bool:
        """True when the submission's claims are established; False otherwise (no raise)."""
        ...


@dataclass(frozen=True)
class RecomputeVerifier:
    """The stand-in verifier: recomputes everything from the model the simulation holds."""

    test: Dataset

    def reject_reason(self, submission: Submission, round: int, sender: int) -> str | None:
        """The first failed check as a short phrase, or None when all four pass."""
        if submission.client_id != sender:
            return "client id is not the signer (ledger signature)"
        if submission.round != round:
            return f"made for round {submission.round}, not {round} (round public input)"
        if commit(submission.model) != submission.commitment:
            return "model does not open the commitment (proof)"
        count = quant.count_correct(submission.model, self.test.images, self.test.labels)
        if count != submission.claimed_count:
            return f"claims {submission.claimed_count} correct, model gets {count} (proof)"
        return None

    def verify(self, submission: Submission, round: int, sender: int) -> bool:
        """All four checks of the module docstring pass."""
        return self.reject_reason(submission, round, sender) is None
