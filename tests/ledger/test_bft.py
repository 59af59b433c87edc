"""zkpot_ref/ledger/bft.py: Algorithm 1 of arXiv 1807.04938, rule by rule.

The state machine is driven directly — no network, no clock: a test hands it messages and
expired timers and looks at what it broadcasts, which timers it asks for, and what it
decides. Line numbers refer to Algorithm 1 of the paper.
"""

from __future__ import annotations

import hashlib
import logging
from collections import deque

import pytest

from zkpot_ref.ledger import signatures
from zkpot_ref.ledger.bft import (
    MAX_PROPOSALS_PER_ROUND,
    MAX_ROUNDS_AHEAD,
    MAX_VOTES_PER_SENDER,
    LockState,
    Output,
    Tendermint,
)
from zkpot_ref.ledger.messages import Kind, Message, Step, Timeouts, Validators, signing_bytes

N = 4
KEYS = [signatures.generate_keypair(hashlib.sha256(b"bft test %d" % i).digest()) for i in range(N)]
VALIDATORS = Validators(tuple(public for _, public in KEYS))
A, B = b"value A", b"value B"


def vid(value: bytes) -> bytes:
    return hashlib.sha256(value).digest()


def signed(kind: Kind, round_: int, sender: int, *, value: bytes = b"", value_id=None,
           valid_round: int = -1, height: int = 1) -> Message:  # fmt: skip
    m = Message(kind, height, round_, sender, value=value, value_id=value_id,
                valid_round=valid_round)  # fmt: skip
    sig = signatures.sign(KEYS[sender][0], signing_bytes(m, vid(value) if value else None))
    return Message(kind, height, round_, sender, value, value_id, valid_round, sig)


def node(me: int, *, valid=lambda v: True, restored: LockState | None = None,
         log: logging.Logger | None = None) -> Tendermint:  # fmt: skip
    """Validator ``me``; the proposer of round r is r mod 4; proposer i proposes b"from i"."""
    return Tendermint(
        height=1, validators=VALIDATORS, me=me, secret=KEYS[me][0],
        proposer=lambda r: r % N, get_value=lambda: b"from %d" % me, is_valid=valid,
        value_id=vid, timeouts=Timeouts(1.0, 1.0, 1.0, 0.5), restored=restored, log=log,
    )  # fmt: skip


def votes(out: Output, kind: Kind) -> list[Message]:
    return [m for m in out.broadcast if m.kind == kind]


class Cluster:
    """Four validators with a perfect network; ``drop(receiver, message)`` filters."""

    def __init__(self, valid=lambda v: True, drop=lambda j, m: False) -> None:
        self.nodes = [node(i, valid=valid) for i in range(N)]
        self.drop, self.queue, self.timers = drop, deque(), []
        self.decisions: dict[int, object] = {}

    def _take(self, i: int, out: Output) -> None:
        for m in out.broadcast:
            self.queue += [(j, m) for j in range(N) if j != i]
        self.timers += [(i, t) for t in out.timers]
        if out.decision is not None:
            assert i not in self.decisions, "decided twice"
            self.decisions[i] = out.decision

    def run(self) -> None:
        if not any(n.round >= 0 for n in self.nodes):
            for i, n in enumerate(self.nodes):
                self._take(i, n.start())
        while self.queue or self.timers:
            while self.queue:
                j, m = self.queue.popleft()
                if not self.drop(j, m):
                    self._take(j, self.nodes[j].on_message(m))
            if len(self.decisions) == N:
                return
            # fire the earliest timer (virtual time: delays only order them)
            self.timers.sort(key=lambda it: it[1].delay)
            if self.timers:
                i, t = self.timers.pop(0)
                self._take(i, self.nodes[i].on_timeout(t.step, t.height, t.round))


def check_certificate(decision) -> None:
    message = signing_bytes(Message(Kind.PRECOMMIT, decision.height, decision.round, 0,
                                    value_id=vid(decision.value)))  # fmt: skip
    signers = {i for i, sig in decision.certificate
               if signatures.verify(VALIDATORS.public_keys[i], message, sig)}  # fmt: skip
    assert len(signers) >= VALIDATORS.quorum


@pytest.mark.task7_3
def test_all_correct_decide_the_round_0_proposal() -> None:
    cluster = Cluster()
    cluster.run()
    assert {d.value for d in cluster.decisions.values()} == {b"from 0"}
    assert {d.round for d in cluster.decisions.values()} == {0}
    for decision in cluster.decisions.values():
        check_certificate(decision)


@pytest.mark.task7_3
def test_silent_proposer_times_out_and_round_1_decides() -> None:
    """Lines 21, 57-60 (prevote nil on timeoutPropose), 44-46, 47-48, 65-67."""
    cluster = Cluster(drop=lambda j, m: m.sender == 0)  # validator 0 is cut off entirely
    cluster.nodes[0] = node(0)
    cluster.run()
    decided = {i: d for i, d in cluster.decisions.items() if i != 0}
    assert len(decided) == 3
    assert {(d.round, d.value) for d in decided.values()} == {(1, b"from 1")}


@pytest.mark.task7_3
def test_invalid_proposal_gets_nil_prevotes() -> None:
    """Lines 23-26: valid(v) fails -> prevote nil; nobody decides the invalid value."""
    n = node(1, valid=lambda v: v != b"from 0")
    n.start()
    out = n.on_message(signed(Kind.PROPOSAL, 0, 0, value=b"from 0"))
    [prevote] = votes(out, Kind.PREVOTE)
    assert prevote.value_id is None and n.step == Step.PREVOTE
    cluster = Cluster(valid=lambda v: v != b"from 0")
    cluster.run()
    assert {d.value for d in cluster.decisions.values()} == {b"from 1"}


def locked_on_a(me: int = 3, round_: int = 1) -> Tendermint:
    """A validator that precommitted A in round 0 (lockedValue = A, lockedRound = 0)."""
    state = LockState(1, round_, Step.PROPOSE, A, 0, A, 0)
    n = node(me, restored=state)
    n.start()
    return n


@pytest.mark.task7_3
def test_a_locked_validator_prevotes_nil_for_another_value() -> None:
    """Lines 22-27: lockedRound = 0 and v != lockedValue -> nil; the locked value -> v."""
    n = locked_on_a()
    [prevote] = votes(n.on_message(signed(Kind.PROPOSAL, 1, 1, value=B)), Kind.PREVOTE)
    assert prevote.value_id is None
    m = locked_on_a()
    [prevote] = votes(m.on_message(signed(Kind.PROPOSAL, 1, 1, value=A)), Kind.PREVOTE)
    assert prevote.value_id == vid(A)


@pytest.mark.task7_3
def test_a_newer_proof_of_lock_unlocks() -> None:
    """Lines 28-33: a proposal with vr = 1 >= lockedRound and 2f+1 prevotes for it in
    round 1 is prevoted even though we are locked on A since round 0."""
    n = locked_on_a(round_=2)
    proposal = signed(Kind.PROPOSAL, 2, 2, value=B, valid_round=1)
    assert votes(n.on_message(proposal), Kind.PREVOTE) == []  # no proof yet: wait
    for sender in (0, 1):
        assert votes(n.on_message(signed(Kind.PREVOTE, 1, sender, value_id=vid(B))),
                     Kind.PREVOTE) == []  # fmt: skip
    out = n.on_message(signed(Kind.PREVOTE, 1, 2, value_id=vid(B)))
    [prevote] = votes(out, Kind.PREVOTE)
    assert prevote.value_id == vid(B) and prevote.round == 2


@pytest.mark.task7_3
def test_an_older_proof_of_lock_does_not_unlock() -> None:
    """Line 29: lockedRound (1) > vr (0) and v != lockedValue -> prevote nil."""
    n = node(3, restored=LockState(1, 2, Step.PROPOSE, A, 1, A, 1))
    n.start()
    n.on_message(signed(Kind.PROPOSAL, 2, 2, value=B, valid_round=0))
    outs = [n.on_message(signed(Kind.PREVOTE, 0, s, value_id=vid(B))) for s in (0, 1, 2)]
    [prevote] = votes(outs[-1], Kind.PREVOTE)
    assert prevote.value_id is None


def test_prevote_quorum_locks_and_precommits() -> None:
    """Lines 36-43: proposal + 2f+1 prevotes for it -> lock, precommit, validValue."""
    n = node(3)
    n.start()
    n.on_message(signed(Kind.PROPOSAL, 0, 0, value=A))
    n.on_message(signed(Kind.PREVOTE, 0, 0, value_id=vid(A)))
    out = n.on_message(signed(Kind.PREVOTE, 0, 1, value_id=vid(A)))  # with ours: 3
    [precommit] = votes(out, Kind.PRECOMMIT)
    assert precommit.value_id == vid(A)
    assert (n.locked_value, n.locked_round, n.valid_value, n.valid_round) == (A, 0, A, 0)
    assert n.step == Step.PRECOMMIT


def test_timers_are_set_on_first_quorum_only() -> None:
    """Lines 34-35 and 47-48 schedule once per round, with the round's duration."""
    n = node(3)
    n.start()
    n.on_message(signed(Kind.PROPOSAL, 0, 0, value=A))
    n.on_message(signed(Kind.PREVOTE, 0, 0, value_id=None))
    out = n.on_message(signed(Kind.PREVOTE, 0, 1, value_id=vid(B)))  # 3 prevotes, mixed
    assert [(t.step, t.delay) for t in out.timers] == [(Step.PREVOTE, 1.0)]
    assert n.on_message(signed(Kind.PREVOTE, 0, 2, value_id=None)).timers == []
    out = n.on_timeout(Step.PREVOTE, 1, 0)  # lines 61-64
    assert [m.value_id for m in votes(out, Kind.PRECOMMIT)] == [None]
    n.on_message(signed(Kind.PRECOMMIT, 0, 0, value_id=None))
    out = n.on_message(signed(Kind.PRECOMMIT, 0, 1, value_id=None))
    assert [(t.step, t.round) for t in out.timers] == [(Step.PRECOMMIT, 0)]
    n.on_timeout(Step.PRECOMMIT, 1, 0)  # lines 65-67
    assert n.round == 1
    assert n.on_timeout(Step.PRECOMMIT, 1, 0).broadcast == []  # stale timer: ignored


def test_f_plus_1_messages_of_a_later_round_skip_ahead() -> None:
    """Lines 55-56: f+1 = 2 validators seen in round 5 -> StartRound(5); one is not enough
    (it could be the Byzantine one)."""
    n = node(3)
    n.start()
    n.on_message(signed(Kind.PREVOTE, 5, 0, value_id=None))
    assert n.round == 0
    n.on_message(signed(Kind.PRECOMMIT, 5, 1, value_id=None))
    assert n.round == 5


def test_decision_from_precommits_of_an_earlier_round() -> None:
    """Lines 49-54 hold for any round r, not only the current one; decided once."""
    n = node(3)
    n.start()
    n.on_timeout(Step.PROPOSE, 1, 0)
    n.on_message(signed(Kind.PROPOSAL, 0, 0, value=A))
    decisions = []
    for s in (0, 1, 2):
        out = n.on_message(signed(Kind.PRECOMMIT, 0, s, value_id=vid(A)))
        decisions += [out.decision] if out.decision else []
    assert [(d.value, d.round) for d in decisions] == [(A, 0)]
    check_certificate(decisions[0])
    assert n.on_message(signed(Kind.PRECOMMIT, 0, 3, value_id=vid(A))).decision is None


def test_bad_input_is_dropped_with_a_log_line(caplog: pytest.LogCaptureFixture) -> None:
    logger = logging.getLogger("test.bft")
    n = node(3, log=logger)
    n.start()
    sig = signed(Kind.PREVOTE, 0, 0, value_id=vid(A)).signature  # validator 0's
    bad = {
        "wrong height": signed(Kind.PREVOTE, 0, 0, value_id=vid(A), height=2),
        "not a validator": Message(Kind.PREVOTE, 1, 0, 9, value_id=vid(A), signature=sig),
        "bad signature": Message(Kind.PREVOTE, 1, 0, 1, value_id=vid(A), signature=sig),
        "wrong proposer": signed(Kind.PROPOSAL, 0, 1, value=A),
        "too far ahead": signed(Kind.PREVOTE, 10_000, 0, value_id=None),
        "not a vote": Message(Kind.STATUS, 1, 0, 0),
    }  # fmt: skip
    with caplog.at_level(logging.INFO, logger="test.bft"):
        for message in bad.values():
            out = n.on_message(message)
            assert out.broadcast == [] and out.decision is None
    assert len([r for r in caplog.records if "dropped" in r.getMessage()]) == len(bad)
    assert n.prevotes == {} and n.proposals == {} and n.round == 0


def test_double_votes_count_for_each_value_and_are_logged(caplog) -> None:
    """A Byzantine validator's two prevotes count for both values (it could have told
    each of us something else anyway); the second is logged."""
    n = node(3, log=logging.getLogger("test.bft2"))
    n.start()
    with caplog.at_level(logging.INFO, logger="test.bft2"):
        n.on_message(signed(Kind.PREVOTE, 0, 0, value_id=vid(A)))
        n.on_message(signed(Kind.PREVOTE, 0, 0, value_id=None))
        n.on_message(signed(Kind.PREVOTE, 0, 0, value_id=None))  # a duplicate: ignored
    assert n._prevotes_for(0, vid(A)) == 1 and n._prevotes_for(0, None) == 1
    assert any("double-votes" in r.getMessage() for r in caplog.records)


def test_a_validator_that_precommitted_nil_does_not_precommit_a_value_later() -> None:
    """Lines 36-43 run in step prevote *or later*, but only step prevote may lock and
    precommit: a validator that precommitted nil (line 44-46) and then sees 2f+1 prevotes
    for the proposal (double votes of Byzantine senders count) only updates validValue.
    A second precommit in the same round would be equivocation."""
    n = node(3)
    n.start()
    n.on_timeout(Step.PROPOSE, 1, 0)  # prevote nil (lines 57-60)
    for s in (0, 1):
        n.on_message(signed(Kind.PREVOTE, 0, s, value_id=None))
    assert n.step == Step.PRECOMMIT
    n.on_message(signed(Kind.PROPOSAL, 0, 0, value=A))
    for s in (0, 1, 2):
        n.on_message(signed(Kind.PREVOTE, 0, s, value_id=vid(A)))
    assert n._prevotes_for(0, vid(A)) >= VALIDATORS.quorum
    assert [m.value_id for m in n.own if m.kind == Kind.PRECOMMIT] == [None]
    assert (n.locked_value, n.locked_round) == (None, -1)
    assert (n.valid_value, n.valid_round) == (A, 0)  # validValue is still updated


def test_votes_per_sender_and_proposals_per_round_are_capped() -> None:
    """A Byzantine validator cannot make us store unboundedly many votes or proposals."""
    n = node(3)
    n.start()
    for i in range(MAX_VOTES_PER_SENDER + 3):
        n.on_message(signed(Kind.PREVOTE, 0, 1, value_id=vid(b"spam %d" % i)))
        n.on_message(signed(Kind.PRECOMMIT, 0, 1, value_id=vid(b"spam %d" % i)))
    assert len(n.prevotes[0][1]) == MAX_VOTES_PER_SENDER
    assert len(n.precommits[0][1]) == MAX_VOTES_PER_SENDER
    for i in range(MAX_PROPOSALS_PER_ROUND + 3):
        n.on_message(signed(Kind.PROPOSAL, 0, 0, value=b"proposal %d" % i))
    assert len(n.proposals[0]) == MAX_PROPOSALS_PER_ROUND


def test_rounds_ahead_window_is_exact() -> None:
    """Round r + MAX_ROUNDS_AHEAD is the last one stored; one further is dropped."""
    n = node(3)
    n.start()
    n.on_message(signed(Kind.PREVOTE, MAX_ROUNDS_AHEAD + 1, 0, value_id=None))
    assert n.prevotes == {}
    n.on_message(signed(Kind.PREVOTE, MAX_ROUNDS_AHEAD, 0, value_id=None))
    assert list(n.prevotes) == [MAX_ROUNDS_AHEAD]
    m = node(3)
    m.start()
    m.on_timeout(Step.PROPOSE, 1, 0)
    for s in (0, 1):  # f+1 validators in round 5: skip to it
        m.on_message(signed(Kind.PRECOMMIT, 5, s, value_id=None))
    assert m.round == 5
    m.on_message(signed(Kind.PREVOTE, 5 + MAX_ROUNDS_AHEAD + 1, 0, value_id=None))
    assert set(m.prevotes) <= {0, 5}
    m.on_message(signed(Kind.PREVOTE, 5 + MAX_ROUNDS_AHEAD, 0, value_id=None))
    assert 5 + MAX_ROUNDS_AHEAD in m.prevotes


def test_prevote_and_precommit_timers_in_step_propose() -> None:
    """Lines 61-64 need step prevote: a timeoutPrevote arriving in step propose does
    nothing. Lines 65-67 hold in any step: a timeoutPrecommit starts the next round
    without voting."""
    n = node(3)
    n.start()
    out = n.on_timeout(Step.PREVOTE, 1, 0)
    assert out.broadcast == [] and (n.round, n.step) == (0, Step.PROPOSE)
    out = n.on_timeout(Step.PRECOMMIT, 1, 0)
    assert out.broadcast == [] and (n.round, n.step) == (1, Step.PROPOSE)
    assert [(t.step, t.round) for t in out.timers] == [(Step.PROPOSE, 1)]
    assert n.own == []
    out = n.on_timeout(Step.PROPOSE, 1, 0)  # a stale propose timer: ignored
    assert out.broadcast == [] and n.step == Step.PROPOSE


def test_restart_resumes_without_signing_anything_new() -> None:
    """A validator that crashed after prevoting A in round 0 resumes in round 0 at step
    prevote, re-sends that prevote, and proposes nothing new."""
    n = node(0)
    first = n.start()  # proposer of round 0
    n.on_message(first.broadcast[0])  # no effect: our own proposal is already counted
    state = n.lock_state()
    assert state.step == Step.PREVOTE and [m.kind for m in state.messages] == [
        Kind.PROPOSAL, Kind.PREVOTE]  # fmt: skip
    again = node(0, restored=state)
    out = again.start()
    assert out.broadcast == list(state.messages)  # the same signed bytes, nothing new
    assert (again.round, again.step) == (0, Step.PREVOTE)


def test_a_lock_state_of_another_height_is_ignored() -> None:
    """A LockState is per height: restoring one saved at height 2 into height 1 starts
    fresh (round 0, unlocked) instead of inheriting a lock on A."""
    other = LockState(2, 3, Step.PRECOMMIT, A, 2, A, 2)
    n = node(3, restored=other)
    assert n.restored is None
    n.start()
    assert (n.round, n.step, n.locked_value, n.valid_value) == (0, Step.PROPOSE, None, None)


def test_restart_in_step_propose_sets_the_propose_timer_again() -> None:
    """Line 21 after a crash: a non-proposer restored in step propose needs its
    timeoutPropose again (else a silent proposer stalls it); in step prevote it does not."""
    out = node(3, restored=LockState(1, 1, Step.PROPOSE, None, -1, None, -1)).start()
    assert [(t.step, t.round) for t in out.timers] == [(Step.PROPOSE, 1)]
    out = node(3, restored=LockState(1, 1, Step.PREVOTE, None, -1, None, -1)).start()
    assert [t.step for t in out.timers if t.step == Step.PROPOSE] == []


def test_a_proposal_counts_its_proposer_for_skipping_ahead() -> None:
    """Lines 55-56 count *messages* of f+1 validators: a proposal of round 5 (from its
    proposer, 1) and a prevote of validator 0 are two validators in round 5."""
    n = node(3)
    n.start()
    n.on_message(signed(Kind.PROPOSAL, 5, 1, value=B))
    assert n.round == 0
    n.on_message(signed(Kind.PREVOTE, 5, 0, value_id=None))
    assert n.round == 5


def test_a_proof_of_lock_must_be_from_an_earlier_round() -> None:
    """Line 28 needs 0 <= vr < round: a proposal of round 0 that claims validRound 0 is
    not a re-proposal, even with 2f+1 prevotes for it in round 0 (we stay in step
    propose: lines 34-43 need step prevote)."""
    n = node(3)
    n.start()
    n.on_message(signed(Kind.PROPOSAL, 0, 0, value=A, valid_round=0))
    for s in (0, 1, 2):
        n.on_message(signed(Kind.PREVOTE, 0, s, value_id=vid(A)))
    assert n.own == [] and n.step == Step.PROPOSE


def test_a_propose_timer_after_prevoting_does_nothing() -> None:
    """Lines 57-60 need step propose: a late timeoutPropose of the current round, after
    we prevoted, must not make us prevote (nil) a second time."""
    n = node(3)
    n.start()
    n.on_message(signed(Kind.PROPOSAL, 0, 0, value=A))
    assert n.step == Step.PREVOTE
    assert n.on_timeout(Step.PROPOSE, 1, 0).broadcast == []
    assert [m.value_id for m in n.own if m.kind == Kind.PREVOTE] == [vid(A)]


def test_repeated_messages_change_nothing(caplog: pytest.LogCaptureFixture) -> None:
    """A proposal for a value we already have keeps its first validRound; a repeated vote
    is not a double vote (no log line)."""
    n = node(3, log=logging.getLogger("test.bft3"))
    n.start()
    n.on_message(signed(Kind.PROPOSAL, 0, 0, value=A))
    n.on_message(signed(Kind.PROPOSAL, 0, 0, value=A, valid_round=0))
    assert n.proposals[0] == {vid(A): (A, -1)}
    with caplog.at_level(logging.INFO, logger="test.bft3"):
        for _ in range(2):
            n.on_message(signed(Kind.PREVOTE, 0, 1, value_id=vid(A)))
    assert not [r for r in caplog.records if "double-votes" in r.getMessage()]
    assert not [r for r in caplog.records if "equivocates" in r.getMessage()]


def test_gossip_relays_the_proof_of_lock() -> None:
    n = node(3)
    n.start()
    n.on_message(signed(Kind.PROPOSAL, 0, 0, value=A))
    pol = [signed(Kind.PREVOTE, 0, s, value_id=vid(A)) for s in (0, 1)]
    for m in pol:
        n.on_message(m)
    relayed = n.gossip()
    assert set(pol) <= set(relayed)
    assert {m.sender for m in relayed if m.sender == 3} == {3}  # and our own votes
    assert n.lock_state().messages[-2:] == tuple(relayed[-2:])


def fork_schedule() -> dict[int, bytes]:
    """The attack that locking defeats, message by message. Validator 1 is Byzantine and
    proposes round 1; 0, 2, 3 are correct. Returns what each correct validator decided."""
    n0, n2, n3 = node(0), node(2), node(3)
    out0 = n0.start()  # 0 proposes "from 0" (= v) and prevotes it
    proposal, p0 = votes(out0, Kind.PROPOSAL)[0], votes(out0, Kind.PREVOTE)[0]
    n2.start()
    n3.start()
    [p2] = votes(n2.on_message(proposal), Kind.PREVOTE)  # 2 prevotes v
    [p3] = votes(n3.on_timeout(Step.PROPOSE, 1, 0), Kind.PREVOTE)  # 3 missed it: nil
    v = vid(proposal.value)

    def byz(kind: Kind, round_: int, value_id: bytes | None) -> Message:
        return signed(kind, round_, 1, value_id=value_id)

    # Byzantine prevote: v to 0 and 2, nil to 3. 0 and 2 lock v and precommit it.
    n0.on_message(p2)
    [c0] = votes(n0.on_message(byz(Kind.PREVOTE, 0, v)), Kind.PRECOMMIT)
    n2.on_message(p0)
    [c2] = votes(n2.on_message(byz(Kind.PREVOTE, 0, v)), Kind.PRECOMMIT)
    for m in (p0, p2, byz(Kind.PREVOTE, 0, None)):
        n3.on_message(m)
    [c3] = votes(n3.on_timeout(Step.PREVOTE, 1, 0), Kind.PRECOMMIT)  # no proposal: nil
    assert c3.value_id is None and (n2.locked_round, n3.locked_round) == (0, -1)
    # Byzantine precommit: v to 0 only. 0 decides v; 2 and 3 time out into round 1.
    decided = {}
    for m in (c2, byz(Kind.PRECOMMIT, 0, v)):
        out = n0.on_message(m)
        decided.update({0: out.decision.value} if out.decision else {})
    for n, own in ((n2, c2), (n3, c3)):
        for m in {c0, c2, c3} - {own}:
            n.on_message(m)
        n.on_message(byz(Kind.PRECOMMIT, 0, None))
        n.on_timeout(Step.PRECOMMIT, 1, 0)
        assert n.round == 1
    # Round 1: the Byzantine proposer ignores validValue and proposes a fresh block.
    fork = signed(Kind.PROPOSAL, 1, 1, value=b"fork")
    [p12] = votes(n2.on_message(fork), Kind.PREVOTE)
    [p13] = votes(n3.on_message(fork), Kind.PREVOTE)
    byz_prevote = byz(Kind.PREVOTE, 1, vid(b"fork"))
    outs = {2: [n2.on_message(m) for m in (p13, byz_prevote)],
            3: [n3.on_message(m) for m in (p12, byz_prevote)]}  # fmt: skip
    precommits = {i: [m for out in o for m in votes(out, Kind.PRECOMMIT)] for i, o in outs.items()}
    for i, n in ((2, n2), (3, n3)):
        theirs = [c for j, cs in precommits.items() if j != i for c in cs]
        for m in [byz(Kind.PRECOMMIT, 1, vid(b"fork")), *theirs]:
            out = n.on_message(m)
            decided.update({i: out.decision.value} if out.decision else {})
    return decided


def test_locks_are_what_prevents_a_fork(monkeypatch) -> None:
    """With lines 23/29 as written, validator 2 (locked on v) prevotes nil for the fresh
    block and nobody decides it. Remove the lock check and the same schedule forks."""
    assert fork_schedule() == {0: b"from 0"}
    monkeypatch.setattr(Tendermint, "_lock_allows", lambda self, value, vr: True)
    assert fork_schedule() == {0: b"from 0", 2: b"fork", 3: b"fork"}
