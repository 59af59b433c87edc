"""A client's round: train locally, quantize, count, commit, submit.

Lesson: what a federated client hands to the network in ZKPoT, and what it keeps.

An honest client in round r

1. starts from the current global model (revealed and public) and trains E epochs on its
   private shard (``model.train``);
2. quantizes the result into the integer model of ``zkpot_ref.quant``, calibrating the
   activation ranges on its own shard;
3. counts how many images of the PUBLIC test set that integer model labels correctly
   (``quant.count_correct``) — its *claimed count*;
4. commits to the integer model and submits (client id, round, commitment, claimed count,
   number of samples). In the full system a ZKPoT proof travels with it, proving "the
   model inside this commitment gets this count on the public test set", with the round
   and the client id as public inputs; the model itself stays private unless selected.

:class:`Submission` carries the model too, as the private witness: only the verifier
stand-in (``verify.py``) and the reveal step of aggregation read it. Attackers see others'
submissions only through :meth:`Submission.public`.

The commitment here is SHA-256 of the model's canonical bytes; the ZKPoT circuit issue
replaces it with a hiding Poseidon commitment the circuit can open.

Read next: ``verify.py``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from zkpot_ref import quant
from zkpot_ref.errors import MalformedInput
from zkpot_ref.fl.data import Dataset
from zkpot_ref.fl.model import Params, TrainConfig, train


@dataclass(frozen=True)
class PublicSubmission:
    """What everyone sees of a submission (and what a proof's public inputs bind)."""

    client_id: int
    round: int
    commitment: str
    claimed_count: int
    num_samples: int


@dataclass(frozen=True)
class Submission(PublicSubmission):
    """A public submission plus its private witness, the integer model."""

    model: quant.IntModel = field(repr=False, compare=False, kw_only=True)

    def public(self) -> PublicSubmission:
        """The public part only: this is all another client may copy."""
        return PublicSubmission(
            self.client_id, self.round, self.commitment, self.claimed_count, self.num_samples
        )


def commit(model: quant.IntModel) -> str:
    """The model commitment (stand-in): SHA-256 of ``model.to_bytes()``, hex."""
    return model.digest()


def quantize_on(params: Params, shard: Dataset) -> quant.IntModel:
    """Quantize float ``params`` with activation ranges calibrated on ``shard``'s images."""
    ranges = quant.activation_ranges(params, shard.images, shard.pixel_max)
    return quant.quantize_model(params, ranges, shard.pixel_max)


def make_submission(
    client_id: int,
    round: int,
    model: quant.IntModel,
    num_samples: int,
    test: Dataset,
    claimed_count: int | None = None,
) -> Submission:
    """Package ``model``; the claimed count defaults to its true count on ``test``."""
    if claimed_count is None:
        claimed_count = quant.count_correct(model, test.images, test.labels)
    if not 0 <= claimed_count <= len(test) or num_samples < 0:
        raise MalformedInput(f"a count must lie in 0..{len(test)} and num_samples be >= 0")
    return Submission(client_id, round, commit(model), int(claimed_count), int(num_samples),
                      model=model)


def local_update(
    client_id: int,
    round: int,
    global_params: Params,
    shard: Dataset,
    test: Dataset,
    config: TrainConfig,
    seed: int,
) -> Submission:
    """The honest client's round: train from the global model, quantize, count, commit."""
    params = train(global_params, shard, config, seed)
    return make_submission(client_id, round, quantize_on(params, shard), len(shard), test)
