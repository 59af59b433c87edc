"""Tests for zkpot_ref/round.py: rounds with real proofs, attacks rejected with their reason."""

from __future__ import annotations

from dataclasses import replace
from types import SimpleNamespace

import pytest
from conftest import CONFIG

from zkpot_ref.chain import verify_chain
from zkpot_ref.errors import MalformedInput
from zkpot_ref.round import Federation, RoundConfig, run_rounds


def test_every_round_rejects_the_free_rider_and_commits_a_block(chain_run) -> None:  # noqa: ANN001
    directory, reports = chain_run
    assert [r.round for r in reports] == [1, 2]
    for report in reports:
        rider = [line for line in report.lines if line.byzantine]
        honest = [line for line in report.lines if not line.byzantine]
        assert len(rider) == 1 and not rider[0].proven and rider[0].claimed == CONFIG.test_size
        assert "proof does not verify" in rider[0].reason
        assert all(line.proven and line.reason is None for line in honest)
        assert report.leader in {line.client for line in honest}
        assert all(line.prove_s > 0 for line in report.lines)
    summary = verify_chain(directory)
    assert summary.problem is None and summary.blocks == 2 and summary.rounds == [1, 2]
    assert summary.line().startswith("chain verified: 2 blocks, 2 rounds, final accuracy")


@pytest.mark.slow
@pytest.mark.parametrize(("attack", "reason"), [
    ("replay", "proof does not verify"),
    ("stale", "made for round"),
    ("over-claim", "proof does not verify"),
])
def test_each_client_attack_is_rejected_with_its_reason(attack: str, reason: str, tmp_path,
                                                        fast_srs) -> None:  # noqa: ANN001
    config = replace(CONFIG, srs=fast_srs, rounds=1, attack=attack, cache=str(tmp_path / "cache"))
    report, = run_rounds(config, tmp_path / "chain")
    rejected = [line for line in report.lines if not line.proven]
    assert [line.byzantine for line in rejected] == [True] and reason in rejected[0].reason
    assert verify_chain(tmp_path / "chain").problem is None


@pytest.mark.slow
def test_a_forged_commitment_that_leads_is_rejected_at_the_reveal(tmp_path, fast_srs) -> None:  # noqa: ANN001
    """The forger proves an honest model but would reveal another. Alone, it leads for sure:
    its proof verifies, its reveal does not open, so the round has no leader."""
    config = replace(CONFIG, srs=fast_srs, clients=1, byzantine=1, rounds=1,
                     attack="forged-commitment", cache=str(tmp_path / "cache"))
    report, = run_rounds(config, tmp_path / "chain")
    forger, = report.lines
    assert forger.reason == "revealed model does not open its commitment"
    assert report.leader is None and not forger.proven
    assert verify_chain(tmp_path / "chain").problem is None


@pytest.mark.slow
def test_without_gating_the_free_rider_leads_and_the_chain_does_not_verify(
        tmp_path, fast_srs, chain_run) -> None:  # noqa: ANN001
    config = replace(CONFIG, srs=fast_srs, gating=False, cache=str(tmp_path / "cache"))
    reports = run_rounds(config, tmp_path / "chain")
    for report in reports:
        rider = next(line for line in report.lines if line.byzantine)
        assert rider.proven and rider.leader  # its false perfect claim is believed
    # it hurts: the global model is the untrained one it resubmits, round after round,
    # while the gated federation of the same seed learned
    print(f"no gating: {[r.accuracy for r in reports]}, gated: "
          f"{[r.accuracy for r in chain_run[1]]}")
    assert reports[-1].accuracy < chain_run[1][-1].accuracy
    problem = verify_chain(tmp_path / "chain").problem
    assert problem.startswith("height 1:") and "proof does not verify" in problem


def test_bad_configurations_are_refused() -> None:
    for change, message in [({"clients": 0}, "--clients"), ({"byzantine": 5}, "--byzantine"),
                            ({"attack": "nope"}, "--attack"), ({"validators": 0}, "--valid"),
                            ({"byzantine_validators": 2}, "--byzantine-validators"),
                            ({"validator_behaviour": "x"}, "--validator-behaviour"),
                            ({"hidden": (0,)}, "--hidden"), ({"test_size": 0}, "--test-size"),
                            ({"rounds": 0}, "--rounds"), ({"workers": 0}, "--workers")]:
        with pytest.raises(MalformedInput, match=message):
            RoundConfig(**change)


@pytest.mark.task9_1
def test_a_validator_checks_the_round_then_the_signature_then_the_proof() -> None:
    """Federation._check on stand-ins: cheap checks first, the proof only for a signed tx."""

    class Tx:
        def __init__(self, round: int, signed: bool, proven: bool) -> None:
            self.round, self.signed, self.proven = round, signed, proven

        def verify_signature(self) -> bool:
            return self.signed

    def verify_proof(tx: Tx) -> bool:
        assert tx.signed and tx.round == 3, "a proof was checked before the cheap checks"
        return tx.proven

    federation = SimpleNamespace(checks=SimpleNamespace(verify_proof=verify_proof))
    assert Federation._check(federation, Tx(3, True, True), 3) is None
    assert Federation._check(federation, Tx(2, True, True), 3) == "made for round 2, not 3"
    assert Federation._check(federation, Tx(3, False, True), 3) == "bad signature"
    assert "proof does not verify" in Federation._check(federation, Tx(3, True, False), 3)
