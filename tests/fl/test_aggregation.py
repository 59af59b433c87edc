"""Tests of zkpot_ref/fl/aggregation.py: selection order, FedAvg, and the three modes."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from zkpot_ref import quant
from zkpot_ref.errors import MalformedInput
from zkpot_ref.fl import aggregation, client, verify


class RejectAll:
    """Another implementation of the Verifier interface: nothing is ever proven."""

    def verify(self, submission: client.Submission, round: int, sender: int) -> bool:
        return False

    def reject_reason(self, submission: client.Submission, round: int, sender: int) -> str:
        return "nothing is ever proven"


def _public(cid: int, count: int, commitment: int) -> client.PublicSubmission:
    return client.PublicSubmission(cid, 1, commitment, count, 10)


def test_rank_orders_by_count_then_commitment() -> None:
    subs = [_public(0, 5, 22), _public(1, 9, 33), _public(2, 9, 11), _public(3, 5, 11)]
    assert [s.client_id for s in aggregation.rank(subs)] == [2, 1, 3, 0]


@pytest.mark.task8_1
def test_average_params_weighs_by_size() -> None:
    a = [(np.array([[1.0, 2.0]]), np.array([0.0]))]
    b = [(np.array([[3.0, 6.0]]), np.array([4.0]))]
    (w, bias), = aggregation.average_params([a, b], [1, 3])
    assert w.tolist() == [[2.5, 5.0]] and bias.tolist() == [3.0] and w.dtype == np.float32
    with pytest.raises(MalformedInput):
        aggregation.average_params([a, b], [0, 0])
    with pytest.raises(MalformedInput):
        aggregation.average_params([], [])


def test_fedavg_is_order_independent_and_close(split, submissions) -> None:  # noqa: ANN001
    test = split[1]
    merged = aggregation.fedavg(submissions)
    assert aggregation.fedavg(submissions[::-1]).digest() == merged.digest()
    assert merged.sizes == (64, 32, 10)
    # the weighted mean of the ranges the clients revealed
    sizes = np.array([s.num_samples for s in submissions], dtype=float)
    highs = np.array([quant.hidden_ranges(s.model)[0][1] for s in submissions])
    assert quant.hidden_ranges(merged)[0][1] == pytest.approx(float(sizes @ highs / sizes.sum()),
                                                              rel=1e-2)
    accs = [s.claimed_count for s in submissions]
    assert quant.count_correct(merged, test.images, test.labels) >= min(accs) - 10
    # FedAvg of one model is that model, re-quantized: the same predictions almost everywhere
    one = aggregation.fedavg(submissions[:1])
    same = quant.predict_int(one, test.images) == quant.predict_int(submissions[0].model,
                                                                   test.images)
    assert same.mean() > 0.98


def test_leader_picks_the_best_proven(split, submissions) -> None:  # noqa: ANN001
    v = verify.RecomputeVerifier(split[1])
    senders = [s.client_id for s in submissions]
    out = aggregation.aggregate("leader", submissions, senders, v, 3)
    best = aggregation.rank(submissions)[0]
    assert out.selected == (best.client_id,) and out.global_model is best.model
    assert out.rejected == ()
    # a liar with a perfect claim is rejected, and the honest best still wins
    liar = dataclasses.replace(submissions[0], client_id=9, claimed_count=450)
    out = aggregation.aggregate("leader", [*submissions, liar], [*senders, 9], v, 3)
    assert out.selected == (best.client_id,) and out.rejected == (9,)


def test_leader_tie_break_by_commitment(split, submissions) -> None:  # noqa: ANN001
    v = verify.RecomputeVerifier(split[1])
    twin = dataclasses.replace(submissions[1], client_id=5)  # same model, same count
    out = aggregation.aggregate("leader", [submissions[1], twin], [1, 5], v, 3)
    assert out.selected == (1,)  # equal commitments: the lower client id
    a, b = submissions[0], submissions[1]
    tied = [dataclasses.replace(s, claimed_count=400) for s in (a, b)]
    lower = min(tied, key=lambda s: s.commitment)
    assert aggregation.rank(tied)[0] is lower


def test_top_k_and_fedavg_all(split, submissions) -> None:  # noqa: ANN001
    v = verify.RecomputeVerifier(split[1])
    senders = [s.client_id for s in submissions]
    top2 = aggregation.aggregate("top-k", submissions, senders, v, 3, k=2)
    assert top2.selected == tuple(s.client_id for s in aggregation.rank(submissions)[:2])
    assert top2.global_model.digest() == aggregation.fedavg(
        aggregation.rank(submissions)[:2]).digest()
    liar = dataclasses.replace(submissions[0], client_id=9, claimed_count=450)
    everyone = aggregation.aggregate("fedavg-all", [*submissions, liar], [*senders, 9],
                                     RejectAll(), 3)
    assert everyone.selected == (0, 1, 2, 3, 9) and everyone.rejected == ()  # no checks at all


def test_nothing_proven_keeps_the_global_model(submissions) -> None:  # noqa: ANN001
    senders = [s.client_id for s in submissions]
    for mode in ("leader", "top-k"):
        out = aggregation.aggregate(mode, submissions, senders, RejectAll(), 3)
        assert out.global_model is None and out.selected == () and out.rejected == (0, 1, 2, 3)
    assert aggregation.aggregate("fedavg-all", [], [], RejectAll(), 3).global_model is None


def test_aggregate_refuses_bad_calls(submissions) -> None:  # noqa: ANN001
    with pytest.raises(MalformedInput):
        aggregation.aggregate("median", submissions, [0, 1, 2, 3], RejectAll(), 3)
    with pytest.raises(MalformedInput):
        aggregation.aggregate("leader", submissions, [0, 1], RejectAll(), 3)
