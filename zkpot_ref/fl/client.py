"""A client's round: train locally, quantize, count, commit, submit.

Lesson: what a federated client hands to the network in ZKPoT, and what it keeps.

An honest client in round r

1. starts from the current global model (revealed and public) and trains E epochs on its
   private shard (``model.train``);
2. quantizes the result into the integer model of ``zkpot_ref.quant``, calibrating the
   activation ranges on its own shard;
3. counts how many images of the PUBLIC test set that integer model labels correctly
   (``quant.count_correct``) — its *claimed count*;
4. commits to the integer model — the salted Poseidon commitment of ``pot/commit.py``,
   which the ZKPoT circuit opens — and submits (client id, round, commitment, claimed
   count, number of samples, proof). The proof (``pot/prove.py``) says "the model inside
   this commitment gets this count on the task's public test set", with the round and the
   client id as public inputs; the model itself stays private unless selected.

:class:`Submission` carries the model and its salt too, as the private witness: the
prover, the no-crypto verifier (``verify.RecomputeVerifier``) and the reveal step of
aggregation read them. Attackers see others' submissions only through
:meth:`Submission.public`.

Proving is optional here: ``make_submission`` takes a ``prover`` (the experiment's
closure over the task's keys, ``experiment.py``) or none, for sweeps that simulate the
verifier instead of running it. A simulation draws salts from its seed so runs repeat;
a real client uses a fresh ``secrets`` salt (the default).

Read next: ``verify.py``.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace

from zkpot_ref import quant
from zkpot_ref.errors import MalformedInput
from zkpot_ref.field import R_MODULUS
from zkpot_ref.fl.data import Dataset
from zkpot_ref.fl.model import Params, TrainConfig, train
from zkpot_ref.pot.commit import commit_model, open_model
from zkpot_ref.pot.task import Task


@dataclass(frozen=True)
class PublicSubmission:
    """What everyone sees of a submission (and what a proof's public inputs bind)."""

    client_id: int
    round: int
    commitment: int
    claimed_count: int
    num_samples: int
    proof: bytes = b""  # the ZKPoT proof's bytes (empty when the verifier is simulated)


@dataclass(frozen=True)
class Submission(PublicSubmission):
    """A public submission plus its private witness: the integer model and its salt."""

    model: quant.IntModel = field(repr=False, compare=False, kw_only=True)
    salt: int = field(repr=False, compare=False, kw_only=True)

    def public(self) -> PublicSubmission:
        """The public part only: this is all another client may copy."""
        return PublicSubmission(self.client_id, self.round, self.commitment,
                                self.claimed_count, self.num_samples, self.proof)


#: Proves a submission's model (its true count, its round, its client): the experiment's
#: closure over the task's keys; returns the proof's bytes.
Prover = Callable[[Submission], bytes]


_COMMITMENTS: dict[tuple[str, int], int] = {}  # (model digest, salt) -> commitment
_STAND_IN = [False]  # inside stand_in_commitments()


@contextmanager
def stand_in_commitments() -> Iterator[None]:
    """Inside this block :func:`commit` returns SHA-256(model bytes, salt) mod r instead of
    the Poseidon commitment, and :func:`opens` refuses every opening.

    Only for sweeps of the modes that verify nothing (``fedavg-all`` and the robust
    baselines of ``robust.py``): they never open a commitment, they only sort by it, and
    Poseidon in pure Python is ~90% of such a run. A proof-gated mode inside this block
    would reject everything, never accept a wrong model."""
    _STAND_IN[0] = True
    try:
        yield
    finally:
        _STAND_IN[0] = False


def commit(model: quant.IntModel, salt: int) -> int:
    """The model commitment: ``pot.commit.commit_model`` (salted Poseidon).

    Memoized on (SHA-256 of the model's canonical bytes, salt): a simulated round computes
    the same opening up to three times (commit, no-crypto verify, reveal), and Poseidon in
    pure Python is most of a sweep's time. The memo is a cache of a deterministic function;
    it changes no result."""
    if _STAND_IN[0]:
        digest = hashlib.sha256(b"zkpot/fl/stand-in/%d/" % salt + model.to_bytes()).digest()
        return int.from_bytes(digest, "big") % R_MODULUS
    key = (model.digest(), salt)
    if key not in _COMMITMENTS:
        if len(_COMMITMENTS) >= 4096:
            _COMMITMENTS.clear()
        _COMMITMENTS[key] = commit_model(model, salt)[0]
    return _COMMITMENTS[key]


def opens(commitment: int, model: quant.IntModel, salt: int, task: Task | None = None) -> bool:
    """``pot.commit.open_model`` through the memo of :func:`commit` (when there is no task
    to check the model against and the inputs are well-formed; else the real one)."""
    if _STAND_IN[0]:
        return False
    if (task is not None or type(commitment) is not int or type(salt) is not int
            or not isinstance(model, quant.IntModel)):
        return open_model(commitment, model, salt, task)
    return commit(model, salt) == commitment


def quantize_on(params: Params, shard: Dataset,
                shifts: Sequence[int] | None = None) -> quant.IntModel:
    """Quantize float ``params`` with activation ranges calibrated on ``shard``'s images
    (and a ZKPoT task's fixed ``shifts``, when proofs are made)."""
    ranges = quant.activation_ranges(params, shard.images, shard.pixel_max)
    return quant.quantize_model(params, ranges, shard.pixel_max, shifts)


def make_submission(
    client_id: int,
    round: int,
    model: quant.IntModel,
    num_samples: int,
    test: Dataset,
    claimed_count: int | None = None,
    *,
    salt: int | None = None,
    prover: Prover | None = None,
) -> Submission:
    """Package ``model``; the claimed count defaults to its true count on ``test``.

    ``prover``: attach a proof of the model's TRUE count (a false claim then fails).
    """
    if claimed_count is None:
        claimed_count = quant.count_correct(model, test.images, test.labels)
    if not 0 <= claimed_count <= len(test) or num_samples < 0:
        raise MalformedInput(f"a count must lie in 0..{len(test)} and num_samples be >= 0")
    salt = secrets.randbelow(R_MODULUS) if salt is None else salt
    submission = Submission(client_id, round, commit(model, salt), int(claimed_count),
                            int(num_samples), model=model, salt=salt)
    return replace(submission, proof=prover(submission)) if prover else submission


def local_update(
    client_id: int,
    round: int,
    global_params: Params,
    shard: Dataset,
    test: Dataset,
    config: TrainConfig,
    seed: int,
    *,
    shifts: Sequence[int] | None = None,
    salt: int | None = None,
    prover: Prover | None = None,
) -> Submission:
    """The honest client's round: train from the global model, quantize, count, commit
    (and prove, given a ``prover``)."""
    params = train(global_params, shard, config, seed)
    return make_submission(client_id, round, quantize_on(params, shard, shifts), len(shard),
                           test, salt=salt, prover=prover)
