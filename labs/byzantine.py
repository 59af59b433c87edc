"""Lab 10.7 — Tendermint without the lock check: one Byzantine validator forks the chain.

Tendermint is safe with n = 3f + 1 validators of which f are Byzantine (Buchman, Kwon,
Milosevic, arXiv 1807.04938) — *because of the locks*: a correct validator that precommitted
v in round r prevotes nothing else later unless 2f+1 prevotes in a round >= r justify it
(lines 23 and 29 of Algorithm 1, ``Tendermint._lock_allows``). ``WeakTendermint`` is the
real state machine with that check removed: it prevotes any valid proposal.

Four validators, validator 1 Byzantine (it signs whatever it likes, to whomever it likes),
0, 2 and 3 correct; the proposer of round r is r mod 4. ``message`` signs a message as any
validator, ``votes`` picks the messages of one kind out of an ``Output``.

Exercise (Task 10.7): ``fork`` — drive four validators made by ``make_node`` (you feed them
messages and expired timers, in any order you like; you may sign as validator 1 only) so
that two CORRECT validators decide different values. Return ``{validator: decided value}``.
With ``WeakTendermint`` your schedule must fork; the same schedule against the real
``Tendermint`` must not.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable

from zkpot_ref.ledger import signatures
from zkpot_ref.ledger.bft import Output, Tendermint
from zkpot_ref.ledger.messages import Kind, Message, Step, Timeouts, Validators, signing_bytes

N = 4
BYZANTINE = 1
KEYS = [signatures.generate_keypair(hashlib.sha256(b"byzantine lab %d" % i).digest())
        for i in range(N)]
VALIDATORS = Validators(tuple(public for _, public in KEYS))


class WeakTendermint(Tendermint):
    """Tendermint that ignores its lock (the bug)."""

    def _lock_allows(self, value: bytes, vr: int) -> bool:
        return True


def vid(value: bytes) -> bytes:
    return hashlib.sha256(value).digest()


def node(me: int, weak: bool = False) -> Tendermint:
    """Validator ``me`` at height 1; as proposer it proposes b"from <me>"."""
    kind = WeakTendermint if weak else Tendermint
    return kind(
        height=1, validators=VALIDATORS, me=me, secret=KEYS[me][0],
        proposer=lambda r: r % N, get_value=lambda: b"from %d" % me, is_valid=lambda v: True,
        value_id=vid, timeouts=Timeouts(1.0, 1.0, 1.0, 0.5),
    )  # fmt: skip


def message(kind: Kind, round_: int, sender: int, *, value: bytes = b"",
            value_id: bytes | None = None, valid_round: int = -1) -> Message:
    """A message signed by ``sender`` (the attacker holds only validator 1's key)."""
    m = Message(kind, 1, round_, sender, value=value, value_id=value_id, valid_round=valid_round)
    sig = signatures.sign(KEYS[sender][0], signing_bytes(m, vid(value) if value else None))
    return Message(kind, 1, round_, sender, value, value_id, valid_round, sig)


def votes(out: Output, kind: Kind) -> list[Message]:
    return [m for m in out.broadcast if m.kind == kind]


def fork(make_node: Callable[[int], Tendermint]) -> dict[int, bytes]:
    """Run a schedule; return what each correct validator decided."""
    # BEGIN TASK 10.7: a schedule in which two correct validators decide differently
    n0, n2, n3 = make_node(0), make_node(2), make_node(3)
    out0 = n0.start()  # 0 proposes "from 0" (= v) and prevotes it
    proposal, p0 = votes(out0, Kind.PROPOSAL)[0], votes(out0, Kind.PREVOTE)[0]
    n2.start()
    n3.start()
    [p2] = votes(n2.on_message(proposal), Kind.PREVOTE)  # 2 prevotes v
    [p3] = votes(n3.on_timeout(Step.PROPOSE, 1, 0), Kind.PREVOTE)  # 3 missed it: nil
    v = vid(proposal.value)

    def byz(kind: Kind, round_: int, value_id: bytes | None) -> Message:
        return message(kind, round_, BYZANTINE, value_id=value_id)

    # Byzantine prevote: v to 0 and 2, nil to 3. 0 and 2 lock v and precommit it.
    n0.on_message(p2)
    [c0] = votes(n0.on_message(byz(Kind.PREVOTE, 0, v)), Kind.PRECOMMIT)
    n2.on_message(p0)
    [c2] = votes(n2.on_message(byz(Kind.PREVOTE, 0, v)), Kind.PRECOMMIT)
    for m in (p0, p2, byz(Kind.PREVOTE, 0, None)):
        n3.on_message(m)
    [c3] = votes(n3.on_timeout(Step.PREVOTE, 1, 0), Kind.PRECOMMIT)  # no proposal: nil
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
    # Round 1: the Byzantine proposer ignores validValue and proposes a fresh block;
    # 2 (locked on v) should prevote nil, 3 (unlocked) prevotes it.
    fresh = message(Kind.PROPOSAL, 1, BYZANTINE, value=b"fork")
    [p12] = votes(n2.on_message(fresh), Kind.PREVOTE)
    [p13] = votes(n3.on_message(fresh), Kind.PREVOTE)
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
    # END TASK 10.7
