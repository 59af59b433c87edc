"""zkpot_ref/ledger/replica.py: heights, the durable log, restart and catching up."""

from __future__ import annotations

import logging
from dataclasses import replace

import pytest

from zkpot_ref.errors import ConsensusError, MalformedInput
from zkpot_ref.ledger import messages, signatures
from zkpot_ref.ledger.app import ZkpotApp
from zkpot_ref.ledger.bft import LockState
from zkpot_ref.ledger.block import Block, verify_certificate
from zkpot_ref.ledger.log import BlockLog
from zkpot_ref.ledger.messages import Kind, Message, Step, Validators
from zkpot_ref.ledger.replica import (
    BLOCK_RECORD,
    LONE_PAUSE,
    RESEAL_HEIGHTS,
    SEAL_PATIENCE,
    Replica,
    check_commit,
    decode_lock_state,
    encode_lock_state,
    replay,
    replay_seals,
)
from zkpot_ref.ledger.simulator import MemoryLog, Scenario, Simulation, validator_keys

KEYS = validator_keys(4)
VALIDATORS = Validators(tuple(public for _, public in KEYS))


@pytest.fixture(scope="module")
def committed() -> list[Message]:
    """Five COMMITs (blocks with certificates) from a fault-free simulated run."""
    sim = Simulation(Scenario(seed=11), ZkpotApp)
    assert sim.run(5).safety == []
    return replay(sim.logs[0])[0][:5]


def fresh(index: int = 3, log=None, **kw) -> Replica:  # noqa: ANN001
    return Replica(index=index, secret=KEYS[index][0], validators=VALIDATORS,
                   app=ZkpotApp(VALIDATORS), log=log if log is not None else MemoryLog(),
                   **kw)  # fmt: skip


def seal_of(i: int, commit: Message) -> bytes:
    """Validator i's SEAL of a committed block."""
    sig = signatures.sign(KEYS[i][0], ZkpotApp(VALIDATORS).seal_message(commit.value))
    return messages.encode(Message(Kind.SEAL, commit.height, 0, i, signature=sig))


def statuses(effects) -> list[int]:  # noqa: ANN001
    decoded = [messages.decode(d) for _, d in effects.sends]
    return [m.height for m in decoded if m.kind == Kind.STATUS]


def test_a_lagging_replica_catches_up_from_commits(committed) -> None:
    replica = fresh()
    replica.start()
    status = messages.decode(replica.tick().sends[0][1])
    assert (status.kind, status.height) == (Kind.STATUS, 1)
    # out of order: height 2 first is kept aside, then height 1 unlocks both
    replica.receive(messages.encode(committed[1]))
    assert replica.height == 1
    effects = replica.receive(messages.encode(committed[0]))
    assert effects.committed == [1, 2] and replica.chain == [c.value for c in committed[:2]]
    for commit in committed[2:]:
        replica.receive(messages.encode(commit))
    assert replica.height == 6
    # and it serves them on: a STATUS(2) from validator 1 is answered with heights 2..5,
    # each COMMIT followed by our SEAL of that block
    answer = replica.receive(messages.encode(Message(Kind.STATUS, 2, 0, 1)))
    sent = [(dest, messages.decode(data)) for dest, data in answer.sends]
    assert [(d, m.kind, m.height) for d, m in sent] == [
        (1, kind, h) for h in (2, 3, 4, 5) for kind in (Kind.COMMIT, Kind.SEAL)]  # fmt: skip


def test_forged_commits_are_refused(committed, caplog) -> None:
    good = committed[0]
    other_value = committed[1].value
    forged = {
        "too few signatures": replace(good, certificate=good.certificate[:2]),
        "wrong round": replace(good, round=good.round + 1),
        "another block": replace(good, value=other_value),
        "bad signature": replace(good, certificate=tuple(
            (i, bytes(64)) for i, _ in good.certificate)),
        "unknown signer": replace(good, certificate=tuple(
            (i + 10, sig) for i, sig in good.certificate)),
    }  # fmt: skip
    for name, commit in forged.items():
        with pytest.raises(ConsensusError):
            check_commit(VALIDATORS, ZkpotApp(VALIDATORS), [], commit)
        replica = fresh(logger=logging.getLogger("test.replica"))
        replica.start()
        with caplog.at_level(logging.INFO, logger="test.replica"):
            replica.receive(messages.encode(commit))
        assert replica.height == 1, name
    assert sum("dropped COMMIT" in r.getMessage() for r in caplog.records) == len(forged)
    check_commit(VALIDATORS, ZkpotApp(VALIDATORS), [], good)  # the real one passes


def test_check_commit_checks_kind_index_and_validity(committed) -> None:
    """Only a COMMIT counts; a certificate entry with index n (past the set) is ignored,
    not an IndexError; a well-certified block that the application rejects is refused."""
    good = committed[0]
    app = ZkpotApp(VALIDATORS)
    with pytest.raises(ConsensusError, match="not a commit"):
        check_commit(VALIDATORS, app, [], replace(good, kind=Kind.PRECOMMIT))
    beyond = replace(good, certificate=(*good.certificate, (VALIDATORS.n, bytes(64))))
    check_commit(VALIDATORS, app, [], beyond)
    with pytest.raises(ConsensusError, match="not a commit"):
        check_commit(VALIDATORS, app, [good.value], good)  # height 1 on a chain of 1
    app.is_valid = lambda chain, value: False  # type: ignore[method-assign]
    with pytest.raises(ConsensusError, match="invalid"):
        check_commit(VALIDATORS, app, [], good)


def test_restart_replays_the_real_block_log(committed, tmp_path) -> None:
    log = BlockLog(tmp_path / "blocks.log")
    replica = fresh(log=log)
    replica.start()
    for commit in committed[:3]:
        replica.receive(messages.encode(commit))
    assert replica.height == 4
    log.close()
    again = fresh(log=BlockLog(tmp_path / "blocks.log"))
    again.start()
    assert again.chain == replica.chain and again.height == 4
    kinds = [r[:1] for r in BlockLog(tmp_path / "blocks.log").records()]
    assert kinds.count(BLOCK_RECORD) == 3


def test_lock_state_persists_before_messages_leave() -> None:
    log = MemoryLog()
    replica = fresh(index=1, log=log)  # validator 1 proposes height 1 round 0 (1 % 4)
    effects = replica.start()
    assert [messages.decode(d).kind for _, d in effects.sends] == [Kind.PROPOSAL, Kind.PREVOTE]
    _, restored = replay(log)
    assert restored is not None and restored.messages[0].kind == Kind.PROPOSAL
    again = fresh(index=1, log=log)
    resent = again.start().sends
    assert [d for _, d in resent] == [d for _, d in effects.sends]  # same bytes, no new value


def test_lock_state_encoding_round_trips_and_is_strict() -> None:
    vote = Message(Kind.PREVOTE, 3, 1, 2, value_id=bytes(32), signature=bytes(64))
    state = LockState(3, 1, Step.PRECOMMIT, b"locked", 0, b"valid", 1, (vote,))
    data = encode_lock_state(state)
    assert decode_lock_state(data) == state
    empty = LockState(1, 0, Step.PROPOSE, None, -1, None, -1)
    assert decode_lock_state(encode_lock_state(empty)) == empty
    for bad in (data[:10], data[:-3], data[:12] + b"\x07" + data[13:], data + b"\x00"):
        with pytest.raises(MalformedInput):
            decode_lock_state(bad)


def test_garbage_and_wrong_heights_are_dropped(caplog) -> None:
    replica = fresh(logger=logging.getLogger("test.replica2"))
    replica.start()
    with caplog.at_level(logging.INFO, logger="test.replica2"):
        assert replica.receive(b"\x01\x02garbage").sends == []
        far = Message(Kind.PREVOTE, 9, 0, 0, value_id=None, signature=bytes(64))
        assert replica.receive(messages.encode(far)).sends == []
    text = " ".join(r.getMessage() for r in caplog.records)
    assert "dropped 9 bytes" in text and "height 9" in text
    assert replica.height == 1


def test_pause_delays_the_next_height(committed) -> None:
    replica = fresh(pause=0.5)
    replica.start()
    effects = replica.receive(messages.encode(committed[0]))
    # caught up via COMMIT: no pause; a decision by consensus pauses (timer round -1)
    assert effects.committed == [1] and replica.consensus is not None
    replica._commit(committed[1], pause=0.5)
    assert replica.consensus is None
    [timer] = [t for t in replica._commit(committed[2], pause=0.5).timers if t.round == -1]
    assert timer.height == 4 and timer.delay == 0.5
    replica.timeout(timer)
    assert replica.consensus is not None and replica.consensus.height == 4


def test_proposer_is_the_previous_zkpot_leader_then_round_robin(committed) -> None:
    replica = fresh()
    replica.start()
    for commit in committed[:2]:
        replica.receive(messages.encode(commit))
    leader = replica.app.leader(replica.chain[-1])
    assert leader is not None
    assert [replica.proposer(3, r) for r in range(4)] == [(leader + r) % 4 for r in range(4)]
    assert replica.proposer(1, 0) == 1  # no previous block: round-robin on the height


def test_seals_complete_the_block_certificate(committed, caplog) -> None:
    """After deciding, validators SEAL the block; 2f+1 seals are Block.certificate, which
    part A's verify_certificate accepts. Seals of undecided heights or of another block
    are dropped with a log line."""
    replica = fresh(logger=logging.getLogger("test.replica3"))
    replica.start()
    effects = replica.receive(messages.encode(committed[0]))
    own = [messages.decode(d) for _, d in effects.sends if messages.decode(d).kind == Kind.SEAL]
    assert [m.height for m in own] == [1] and 1 not in replica.sealed
    app = ZkpotApp(VALIDATORS)

    def seal(i: int, value: bytes, height: int = 1) -> bytes:
        sig = signatures.sign(KEYS[i][0], app.seal_message(value))
        return messages.encode(Message(Kind.SEAL, height, 0, i, signature=sig))

    with caplog.at_level(logging.INFO, logger="test.replica3"):
        replica.receive(seal(0, committed[1].value))  # a seal of another block
        replica.receive(seal(0, committed[0].value, height=2))  # not decided here yet
    assert 1 not in replica.sealed
    assert sum("dropped SEAL" in r.getMessage() for r in caplog.records) == 2
    replica.receive(seal(0, committed[0].value))
    assert 1 not in replica.sealed  # two of three
    replica.receive(seal(2, committed[0].value))
    block = Block.decode(replica.sealed[1])
    assert len(block.certificate) == 3
    assert verify_certificate(block, list(VALIDATORS.public_keys), VALIDATORS.f)
    assert app.verify_sealed(committed[0].value, replica.sealed[1])
    assert replay_seals(replica.block_log) == replica.sealed  # durable


def test_status_answers_are_cheap_and_only_in_the_askers_own_name(committed, caplog) -> None:
    """Issue 16: a STATUS is answered from cached COMMITs and SEALs (no signing per
    request), at most once per tick per asker and height, and only if its sender field
    names the authenticated origin the transport passes in."""
    signed = []

    def counting_sign(secret: bytes, message: bytes) -> bytes:
        signed.append(message)
        return signatures.sign(secret, message)

    replica = fresh(sign=counting_sign, logger=logging.getLogger("test.replica4"))
    replica.start()
    for commit in committed:
        replica.receive(messages.encode(commit))
    ask = messages.encode(Message(Kind.STATUS, 1, 0, 1))
    before = len(signed)
    first = replica.receive(ask, origin=1)
    assert [messages.decode(d).kind for _, d in first.sends[:2]] == [Kind.COMMIT, Kind.SEAL]
    assert replica.receive(ask, origin=1).sends == []  # the same question, same tick
    replica.tick()
    again = replica.receive(ask, origin=1)
    assert again.sends == first.sends  # the very same bytes, from the caches
    assert len(signed) == before  # our seals were signed when we committed, not per ask
    with caplog.at_level(logging.INFO, logger="test.replica4"):
        assert replica.receive(messages.encode(Message(Kind.STATUS, 1, 0, 2)),
                               origin=1).sends == []  # fmt: skip
    assert "sender 2 forged by validator 1" in caplog.text
    assert replica.receive(messages.encode(Message(Kind.STATUS, 1, 0, 2))).sends  # simulator


def test_a_lone_validator_decides_through_a_timer_not_recursion() -> None:
    """With a quorum of one, a height is decided as it starts; the next one starts from a
    LONE_PAUSE timer (once an unbounded recursion: issue 16's `simulate --validators 1`)."""
    keys = validator_keys(1)
    alone = Validators((keys[0][1],))
    replica = Replica(index=0, secret=keys[0][0], validators=alone, app=ZkpotApp(alone),
                      log=MemoryLog())  # fmt: skip
    effects = replica.start()
    assert effects.committed == [1] and replica.consensus is None
    [timer] = [t for t in effects.timers if t.round == -1]
    assert timer.delay == LONE_PAUSE and timer.height == 2
    for height in (2, 3):
        effects = replica.timeout(timer)
        assert effects.committed == [height]
        [timer] = [t for t in effects.timers if t.round == -1]
    assert replica.height == 4


def test_a_decided_but_unsealed_height_is_asked_for_again(committed) -> None:
    """A validator that decided heights 1 and 2 and then missed the others' SEALs (it was
    down when they went out) asks from its oldest unsealed height on every tick; the answers
    carry the seals, and once sealed it stops asking. (Found by the SIGKILL system test:
    node 3 once sealed [1, 3, 4] and never 2.)"""
    replica = fresh(index=3)
    replica.start()
    for commit in committed[:2]:
        replica.receive(messages.encode(commit))
    assert replica.height == 3 and replica.sealed == {}

    assert statuses(replica.tick()) == [3, 1]  # the usual STATUS, then the question
    peers = [fresh(index=i) for i in range(3)]
    for peer in peers:
        peer.start()
        for commit in committed[:2]:
            peer.receive(messages.encode(commit))
        answer = peer.receive(messages.encode(Message(Kind.STATUS, 1, 0, 3)), origin=3)
        for _, data in answer.sends:
            replica.receive(data)
    assert sorted(replica.sealed) == [1, 2]
    assert statuses(replica.tick()) == [3]
    assert replay_seals(replica.block_log) == replica.sealed


def test_an_unsealed_height_behind_the_reseal_window_is_still_asked_for(committed) -> None:
    """Height 1's seals were missed, then the validator caught up past RESEAL_HEIGHTS more
    heights: it still asks from 1 (a seal for a height it did not hold yet was dropped;
    the CI run of 2026-12-02 sealed [1, 3, 4] and never 2). Past SEAL_PATIENCE it gives up."""
    replica = fresh(index=3)
    replica.start()
    for commit in committed:
        replica.receive(messages.encode(commit))
    for commit in committed[1:]:
        for i in (0, 1):
            replica.receive(seal_of(i, commit))
    assert replica.height == 6 and sorted(replica.sealed) == [2, 3, 4, 5]
    assert 1 < replica.height - RESEAL_HEIGHTS  # behind the window of re-sent seals
    assert statuses(replica.tick()) == [6, 1]
    replica.receive(seal_of(0, committed[0]))
    replica.receive(seal_of(2, committed[0]))
    assert sorted(replica.sealed) == [1, 2, 3, 4, 5] and statuses(replica.tick()) == [6]
    patience = fresh(index=3)
    patience.start()
    for commit in committed:
        patience.receive(messages.encode(commit))
    patience.chain += [b"later"] * SEAL_PATIENCE  # as if SEAL_PATIENCE more were decided
    assert patience._unsealed()[0] == patience.height - SEAL_PATIENCE > 1


def test_a_restarted_validator_counts_its_own_seal_again(committed) -> None:
    """Decided 1 and 2, crashed before any seal arrived: after the restart its own seal
    counts again, so two peers' seals (2f) seal each height, as before the crash."""
    log = MemoryLog()
    replica = fresh(index=3, log=log)
    replica.start()
    for commit in committed[:2]:
        replica.receive(messages.encode(commit))
    again = fresh(index=3, log=log)
    again.start()
    assert again.height == 3 and again.sealed == {}
    for commit in committed[:2]:
        for i in (0, 1):
            again.receive(seal_of(i, commit))
    assert sorted(again.sealed) == [1, 2]
    assert replay_seals(log) == again.sealed
