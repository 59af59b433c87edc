"""Lab 10.6 — replaying a proof of training: the validator must bind round and client.

A ZKPoT proof proves a statement whose public inputs are (task_id, round, client_id,
commitment, count) (``pot/statement.py``). The SNARK binds the proof to those five numbers —
but only the validator can bind the numbers to *this* round and *this* sender: it must check
that ``round`` is the current round and ``client_id`` is the id of the key that signed the
transaction (``round.py``, ``Federation._check``; ``pot.statement.client_id_of``).
``weak_accept`` verifies the proof against the public inputs the submission carries and
checks the task — and nothing else.

The proofs here are real PLONK proofs of a toy statement with the same five public inputs
("I know w with w² = commitment"), so nobody can make a fresh one without w.

Exercise (Task 10.6): ``replay`` — Mallory saw Alice's accepted submission of round 1.
Return a submission, sent by Mallory in round 2, that ``weak_accept`` takes and ``accept``
refuses — without knowing w.
"""

from __future__ import annotations

from dataclasses import dataclass

from zkpot_ref.kzg import SRS
from zkpot_ref.plonk.circuit import Circuit
from zkpot_ref.plonk.preprocess import ProvingKey, VerificationKey, setup
from zkpot_ref.plonk.proof import Proof
from zkpot_ref.plonk.prover import prove
from zkpot_ref.plonk.verifier import verify
from zkpot_ref.pot.statement import PublicInputs, client_id_of


@dataclass(frozen=True)
class Submission:
    """What a client sends: its statement's public inputs, the proof, and its public key."""

    public: PublicInputs
    proof: Proof
    sender: bytes  # the 32-byte Ed25519 key that signed the transaction


def toy_circuit(public: PublicInputs | None = None, w: int | None = None) -> Circuit:
    """Five public inputs in the statement's order, and w * w = commitment."""
    c = Circuit()
    values = public.as_list() if public is not None else [None] * 5
    wires = [c.public_input(v) for v in values]
    c.assert_equal(c.mul(c.private_input(w), c.private_input(w)), wires[3])
    return c


def keys(srs: SRS) -> tuple[ProvingKey, VerificationKey]:
    return setup(toy_circuit(), srs)


def honest_submission(pk: ProvingKey, public: PublicInputs, w: int, sender: bytes) -> Submission:
    return Submission(public, prove(pk, toy_circuit(public, w)), sender)


def weak_accept(vk: VerificationKey, s: Submission, task_id: int, round: int) -> bool:
    """The task and the proof — but not the round, not the sender (the bug)."""
    return s.public.task_id == task_id and verify(vk, s.public.as_list(), s.proof)


def accept(vk: VerificationKey, s: Submission, task_id: int, round: int) -> bool:
    """The real check: this task, THIS round, THIS sender, and the proof."""
    p = s.public
    return (p.task_id == task_id and p.round == round and p.client_id == client_id_of(s.sender)
            and verify(vk, p.as_list(), s.proof))


def replay(observed: Submission, mallory: bytes, round: int) -> Submission:
    """Mallory's submission for ``round``, made from Alice's ``observed`` one."""
    # BEGIN TASK 10.6: re-send Alice's statement and proof under Mallory's key
    return Submission(observed.public, observed.proof, mallory)
    # END TASK 10.6
