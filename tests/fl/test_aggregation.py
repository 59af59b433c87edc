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
        aggregation.aggregate("mean-of-nothing", submissions, [0, 1, 2, 3], RejectAll(), 3)
    with pytest.raises(MalformedInput):
        aggregation.aggregate("leader", submissions, [0, 1], RejectAll(), 3)


def _noised(split, shards, trained, cid: int,  # noqa: ANN001
            sigma: float = 1.0) -> client.Submission:
    rng = np.random.default_rng(cid)
    params = tuple(tuple((p + rng.normal(0.0, sigma, p.shape)).astype(np.float32)
                         for p in layer) for layer in trained)
    return client.make_submission(cid, 3, client.quantize_on(params, shards[0]), 100, split[1],
                                  salt=cid)


def test_gate_threshold_by_hand() -> None:
    # |T| = 450, slack 5%: ceil(0.15 * 450) = ceil(67.5) = 68
    assert aggregation.gate_threshold(450) == 68
    assert aggregation.gate_threshold(100, 0.1) == 20
    assert aggregation.gate_threshold(8, 0.0) == 1  # ceil(0.8)
    with pytest.raises(MalformedInput):
        aggregation.gate_threshold(100, 0.9)


def test_prune_fedavg_keeps_helpful_models(split, submissions) -> None:  # noqa: ANN001
    claims = split[1]
    ranked = aggregation.rank(submissions)
    kept = aggregation.prune_fedavg(ranked, claims)
    merged = aggregation.fedavg(kept, by_count=True)
    count = quant.count_correct(merged, claims.images, claims.labels)
    # no single removal helps any more (the stopping rule), and nothing was added
    for i in range(len(kept) if len(kept) > 1 else 0):
        rest = kept[:i] + kept[i + 1:]
        assert quant.count_correct(aggregation.fedavg(rest, by_count=True), claims.images,
                                   claims.labels) <= count
    assert [s.client_id for s in kept] == [s.client_id for s in ranked if s in kept]
    assert aggregation.prune_fedavg(ranked[:1], claims) == ranked[:1]
    assert aggregation.prune_fedavg([], claims) == []


def test_gated_fedavg(split, shards, trained, submissions) -> None:  # noqa: ANN001
    v = verify.RecomputeVerifier(split[1])
    noise = _noised(split, shards, trained, 9, sigma=3.0)  # proven, but below the gate
    liar = dataclasses.replace(submissions[0], client_id=8, claimed_count=450)
    subs, senders = [*submissions, noise, liar], [0, 1, 2, 3, 9, 8]
    assert noise.claimed_count < aggregation.gate_threshold(450)
    out = aggregation.aggregate("gated-fedavg", subs, senders, v, 3, claims=split[1])
    kept = aggregation.prune_fedavg(aggregation.rank(submissions), split[1])
    assert out.selected == tuple(s.client_id for s in kept) and out.rejected == (8,)
    assert out.global_model.digest() == aggregation.fedavg(kept, by_count=True).digest()
    # a gate nobody passes keeps the global model
    none = aggregation.aggregate("gated-fedavg", subs, senders, v, 3, claims=split[1],
                                 slack=0.89)
    assert none.global_model is None and none.selected == ()
    with pytest.raises(MalformedInput):
        aggregation.aggregate("gated-fedavg", subs, senders, v, 3)  # no claim set


def test_robust_baselines_ignore_an_outlier(split, shards, trained,  # noqa: ANN001
                                            submissions) -> None:
    test = split[1]
    v = RejectAll()  # the baselines never ask the verifier
    noise = _noised(split, shards, trained, 9, sigma=3.0)
    subs, senders = [*submissions, noise], [0, 1, 2, 3, 9]
    honest_worst = min(s.claimed_count for s in submissions)
    krum = aggregation.aggregate("krum", subs, senders, v, 3, f=1)
    assert len(krum.selected) == 1 and krum.selected[0] != 9
    assert krum.global_model is next(s.model for s in subs if s.client_id == krum.selected[0])
    multi = aggregation.aggregate("multi-krum", subs, senders, v, 3, f=1)
    assert sorted(multi.selected) == [0, 1, 2, 3]
    assert multi.global_model.digest() == aggregation.fedavg(submissions).digest()
    for mode in ("median", "trimmed-mean"):
        out = aggregation.aggregate(mode, subs, senders, v, 3, f=1)
        assert out.selected == (0, 1, 2, 3, 9)
        correct = quant.count_correct(out.global_model, test.images, test.labels)
        assert correct >= honest_worst - 15
    fedavg = aggregation.aggregate("fedavg-all", subs, senders, v, 3)
    assert quant.count_correct(fedavg.global_model, test.images, test.labels) < honest_worst - 15
    glob = client.quantize_on(trained, shards[0])
    server = tuple(quant.dequantize_model(glob))  # a server that did not move: no trust
    root = split[0].subset(np.arange(50))
    still = aggregation.aggregate("fltrust", subs, senders, v, 3, global_model=glob,
                                  server_params=server, root=root)
    assert still.selected == ()
    with pytest.raises(MalformedInput):
        aggregation.aggregate("fltrust", subs, senders, v, 3)


def test_fltrust_follows_the_server(split, shards, trained, submissions) -> None:  # noqa: ANN001
    from zkpot_ref.fl import model

    test = split[1]
    glob = client.quantize_on(trained, shards[0])
    start = quant.dequantize_model(glob)
    root = split[0].subset(np.arange(0, 1347, 27))  # 50 clean samples
    server = model.train(tuple(start), root, model.TrainConfig(epochs=1), seed=5)
    noise = _noised(split, shards, trained, 9, sigma=3.0)
    out = aggregation.aggregate("fltrust", [*submissions, noise], [0, 1, 2, 3, 9], RejectAll(),
                                3, global_model=glob, server_params=server, root=root)
    assert set(out.selected) <= {0, 1, 2, 3, 9} and out.selected
    honest_worst = min(s.claimed_count for s in submissions)
    assert quant.count_correct(out.global_model, test.images, test.labels) >= honest_worst - 30


def test_prune_fedavg_drops_a_proven_but_harmful_model(split, shards, trained,  # noqa: ANN001
                                                       submissions) -> None:
    from zkpot_ref.fl import robust

    test = split[1]
    base = robust.flatten(trained)
    mean = np.mean([robust.flatten(quant.dequantize_model(s.model)) - base
                    for s in submissions], axis=0)
    reverse = robust.unflatten(base - 20 * mean, trained)  # IPM-like, epsilon = 20
    bad = client.make_submission(9, 3, client.quantize_on(reverse, shards[0]), 100, test,
                                 salt=9)
    assert bad.claimed_count >= aggregation.gate_threshold(len(test))  # it passes the gate
    everyone = aggregation.rank([*submissions, bad])
    kept = aggregation.prune_fedavg(everyone, test)
    assert 9 not in [s.client_id for s in kept] and kept
    counted = [quant.count_correct(aggregation.fedavg(models, by_count=True), test.images,
                                   test.labels) for models in (kept, everyone)]
    assert counted[0] > counted[1]
