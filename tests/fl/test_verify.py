"""Tests of zkpot_ref/fl/verify.py: each of the four checks, broken alone, rejects."""

from __future__ import annotations

import dataclasses

import pytest

from zkpot_ref.fl import verify


@pytest.fixture(scope="module")
def verifier(split) -> verify.RecomputeVerifier:  # noqa: ANN001
    return verify.RecomputeVerifier(split[1])


def test_honest_submission_passes(verifier, submissions) -> None:  # noqa: ANN001
    for sub in submissions:
        assert verifier.verify(sub, 3, sub.client_id)
        assert verifier.reject_reason(sub, 3, sub.client_id) is None


def test_each_check_rejects_alone(verifier, submissions) -> None:  # noqa: ANN001
    sub, other = submissions[0], submissions[1]
    cases = {
        "signer": (sub, 3, 1),                                           # ledger signature
        "round": (sub, 4, 0),                                            # round public input
        "commitment": (dataclasses.replace(sub, commitment=other.commitment), 3, 0),
        "claims": (dataclasses.replace(sub, claimed_count=sub.claimed_count + 1), 3, 0),
    }
    for word, (candidate, round_, sender) in cases.items():
        reason = verifier.reject_reason(candidate, round_, sender)
        assert reason is not None and word in reason
        assert not verifier.verify(candidate, round_, sender)


def test_understating_is_rejected_too(verifier, submissions) -> None:  # noqa: ANN001
    sub = submissions[2]
    assert not verifier.verify(dataclasses.replace(sub, claimed_count=sub.claimed_count - 1), 3, 2)

