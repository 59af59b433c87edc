"""zkpot_ref/ledger/byzantine.py: each behaviour really misbehaves, and is caught."""

from __future__ import annotations

import random

import pytest

from zkpot_ref.errors import MalformedInput
from zkpot_ref.ledger import messages
from zkpot_ref.ledger.app import ZkpotApp
from zkpot_ref.ledger.byzantine import BEHAVIOURS, Byzantine
from zkpot_ref.ledger.messages import Kind, Message, Validators
from zkpot_ref.ledger.replica import Replica
from zkpot_ref.ledger.simulator import MemoryLog, validator_keys

KEYS = validator_keys(4)
VALIDATORS = Validators(tuple(public for _, public in KEYS))


def byzantine(behaviour: str, index: int = 1) -> Byzantine:
    """Validator ``index`` (1 proposes height 1, round 0) with ``behaviour``."""
    replica = Replica(index=index, secret=KEYS[index][0], validators=VALIDATORS,
                      app=ZkpotApp(VALIDATORS), log=MemoryLog())  # fmt: skip
    return Byzantine(replica, behaviour, random.Random(0))


def sent(effects) -> list[tuple[int | None, Message]]:  # noqa: ANN001
    return [(dest, messages.decode(data)) for dest, data in effects.sends]


def honest_view(index: int, proposal: Message) -> Replica:
    replica = Replica(index=index, secret=KEYS[index][0], validators=VALIDATORS,
                      app=ZkpotApp(VALIDATORS), log=MemoryLog())  # fmt: skip
    replica.start()
    replica.receive(messages.encode(proposal))
    return replica


def test_equivocating_proposer_sends_two_valid_blocks() -> None:
    node = byzantine("equivocate")
    proposals = [(d, m) for d, m in sent(node.start()) if m.kind == Kind.PROPOSAL]
    assert sorted(d for d, _ in proposals) == [0, 2, 3]
    values = {m.value for _, m in proposals}
    assert len(values) == 2
    app = ZkpotApp(VALIDATORS)
    assert all(app.is_valid([], v) for v in values)  # both valid: only voting can stop it
    assert node.attacks["equivocate"] == 1


def test_double_voter_sends_opposite_votes_to_the_two_halves() -> None:
    node = byzantine("double-vote")
    prevotes = [(d, m) for d, m in sent(node.start()) if m.kind == Kind.PREVOTE]
    assert sorted(d for d, _ in prevotes) == [0, 2, 3]
    assert len({m.value_id for _, m in prevotes}) == 2
    assert all(m.signature for _, m in prevotes)


@pytest.mark.parametrize("behaviour", ["forged-proof", "wrong-leader"])
def test_invalid_proposals_get_nil_prevotes(behaviour: str) -> None:
    node = byzantine(behaviour)
    [(_, proposal)] = [(d, m) for d, m in sent(node.start()) if m.kind == Kind.PROPOSAL]
    assert not ZkpotApp(VALIDATORS).is_valid([], proposal.value)
    honest = honest_view(2, proposal)
    [prevote] = [m for m in honest.consensus.own if m.kind == Kind.PREVOTE]
    assert prevote.value_id is None  # lines 23-26: valid(v) fails


def test_wrong_leader_also_proposes_out_of_turn() -> None:
    node = byzantine("wrong-leader", index=2)  # not the proposer of round 0
    node.start()
    honest = Replica(index=1, secret=KEYS[1][0], validators=VALIDATORS,
                     app=ZkpotApp(VALIDATORS), log=MemoryLog())  # fmt: skip
    first = [m for _, m in sent(honest.start()) if m.kind == Kind.PROPOSAL]
    assert first and first[0].sender == 1
    out = sent(node.receive(messages.encode(first[0])))
    rogue = [m for _, m in out if m.kind == Kind.PROPOSAL]
    assert rogue and rogue[0].sender == 2  # dropped on receipt: not proposer(1, 0)
    view = honest_view(3, rogue[0])
    assert view.consensus.proposals == {}


def test_withholder_sends_no_votes() -> None:
    node = byzantine("withhold")
    kinds = {m.kind for _, m in sent(node.start())}
    assert Kind.PREVOTE not in kinds and Kind.PRECOMMIT not in kinds
    assert node.attacks["withhold"] >= 1


def test_unknown_behaviour_is_refused() -> None:
    with pytest.raises(MalformedInput):
        byzantine("polite")
    assert len(BEHAVIOURS) == 5
