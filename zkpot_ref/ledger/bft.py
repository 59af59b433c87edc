"""Tendermint consensus for one height, as a pure state machine.

Lesson: how 3f+1 validators, up to f of them Byzantine, agree on one block per height.
We follow Algorithm 1 of Buchman, Kwon, Milosevic, "The latest gossip on BFT consensus"
(arXiv 1807.04938); comments cite its line numbers. A height runs in rounds; each round
has a proposer and three steps — *propose*, *prevote*, *precommit*. A value is decided
when 2f+1 validators precommit it in one round. Two variables make that safe across
rounds: ``lockedValue/lockedRound`` (a validator that precommitted v in round r will not
prevote anything else later unless it sees 2f+1 prevotes for it in a round >= r) and
``validValue/validRound`` (the latest value that gathered 2f+1 prevotes, which the next
proposer re-proposes so the locked validators can vote for it). ``docs/ledger_bft.md``
gives the safety argument.

Transport-agnostic: this class never touches a socket or a clock. It is fed messages
(:meth:`Tendermint.on_message`) and expired timers (:meth:`Tendermint.on_timeout`) and
answers with an :class:`Output` — messages to broadcast, timers to set, and at most one
:class:`Decision`. The simulator and the TCP node drive the very same code.

One instance is one height: lines 52-54 ("h_p ← h_p + 1, reset the locks, StartRound(0)")
are the caller creating a fresh instance for the next height (``replica.py``).

Inputs are checked before they count: the height must be ours, the sender a validator,
the signature valid, the round within a window; anything else is dropped with one log
line. A second, different vote of one validator in one round and step is logged as
equivocation and counted for its own value: safe, since the quorum-intersection argument
counts only correct validators, and useful for liveness (see ``_store``).

Read next: ``recovery.py`` (what a restarted validator rebuilds from its log), then ``replica.py``
(the decided chain, the log, catching up).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field

from zkpot_ref.ledger import signatures
from zkpot_ref.ledger.messages import (
    DEFAULT_TIMEOUTS,
    Kind,
    Message,
    Step,
    Timeouts,
    Validators,
    signing_bytes,
)

#: Messages for rounds further ahead than this are dropped: a Byzantine sender must
#: not make us store votes for round 2**32.
MAX_ROUNDS_AHEAD = 64
#: A Byzantine proposer may send many values for one round; we keep this many.
MAX_PROPOSALS_PER_ROUND = 4
#: ... and this many different votes per round and step.
MAX_VOTES_PER_SENDER = 4


@dataclass(frozen=True)
class Timer:
    """Ask the driver to call ``on_timeout(step, height, round)`` after ``delay``."""

    step: Step
    height: int
    round: int
    delay: float


@dataclass(frozen=True)
class Decision:
    """decision_p[h] (line 51) plus the 2f+1 precommit signatures that justify it."""

    height: int
    round: int
    value: bytes
    certificate: tuple[tuple[int, bytes], ...]  # (validator index, precommit signature)


@dataclass(frozen=True)
class LockState:
    """What must survive a crash: where we were (round_p, step_p), the locks, every
    message we signed at this height and the 2f+1 prevotes behind validValue (its
    "proof of lock") — so a restarted validator resumes exactly there, re-sends what it
    said, never signs anything that contradicts it, and can still justify its lock."""

    height: int
    round: int
    step: Step
    locked_value: bytes | None
    locked_round: int
    valid_value: bytes | None
    valid_round: int
    messages: tuple[Message, ...] = ()


@dataclass
class Output:
    broadcast: list[Message] = field(default_factory=list)
    timers: list[Timer] = field(default_factory=list)
    decision: Decision | None = None


class Tendermint:
    """Algorithm 1 at one height ``height`` for validator ``me`` (None: only observe)."""

    def __init__(
        self,
        *,
        height: int,
        validators: Validators,
        me: int | None,
        secret: bytes | None,
        proposer: Callable[[int], int],
        get_value: Callable[[], bytes],
        is_valid: Callable[[bytes], bool],
        value_id: Callable[[bytes], bytes],
        timeouts: Timeouts = DEFAULT_TIMEOUTS,
        log: logging.Logger | None = None,
        restored: LockState | None = None,
        sign: Callable[[bytes, bytes], bytes] = signatures.sign,
    ) -> None:
        self.height, self.validators, self.me, self.secret = height, validators, me, secret
        self.proposer, self.get_value, self._is_valid = proposer, get_value, is_valid
        self.value_id, self.timeouts, self._sign = value_id, timeouts, sign
        self.log = log or logging.getLogger("zkpot.bft")
        # Lines 2-8; a restarted validator resumes its locks (see replica.py).
        self.round = -1
        self.step = Step.PROPOSE
        self.locked_value: bytes | None = None
        self.locked_round = -1
        self.valid_value: bytes | None = None
        self.valid_round = -1
        self.restored = restored if restored is not None and restored.height == height else None
        self.decision: Decision | None = None
        # Everything received at this height, one entry per (round, sender).
        self.proposals: dict[int, dict[bytes, tuple[bytes, int]]] = {}
        # round -> sender -> value id (None: nil) -> vote. A correct validator has one
        # vote per round and step; a Byzantine one may have several, see _store.
        self.prevotes: dict[int, dict[int, dict[bytes | None, Message]]] = {}
        self.precommits: dict[int, dict[int, dict[bytes | None, Message]]] = {}
        self.own: list[Message] = []  # what we signed, for re-broadcast over lossy links
        self._done: set[tuple[int, int]] = set()  # (line, round): "for the first time"
        self._valid_cache: dict[bytes, bool] = {}
        self._out = Output()
        self._reported = False

    # ---------------------------------------------------------------- inputs
    def start(self) -> Output:
        """Line 10: upon start do StartRound(0) — or, after a crash, resume."""
        if self.restored is None:
            self._start_round(0)
            self._apply_rules()  # a proposer receives its own proposal (line 22)
            return self._flush()
        r = self.restored
        self.round, self.step = r.round, r.step
        self.locked_value, self.locked_round = r.locked_value, r.locked_round
        self.valid_value, self.valid_round = r.valid_value, r.valid_round
        for m in r.messages:  # count them again; re-send our own
            self._store(m)
            if m.sender == self.me:
                self.own.append(m)
                self._out.broadcast.append(m)
        if self.step == Step.PROPOSE and self.proposer(self.round) != self.me:
            self._set_timer(Step.PROPOSE)
        self._apply_rules()
        return self._flush()

    def on_message(self, message: Message) -> Output:
        """Check ``message``, record it, and run every rule it may enable."""
        if self.decision is None and self._accept(message):
            self._apply_rules()
        return self._flush()

    def on_timeout(self, step: Step, height: int, round_: int) -> Output:
        if self.decision is None and height == self.height and round_ == self.round:
            if step == Step.PROPOSE and self.step == Step.PROPOSE:  # lines 57-60
                self._vote(Kind.PREVOTE, None)
                self.step = Step.PREVOTE
            elif step == Step.PREVOTE and self.step == Step.PREVOTE:  # lines 61-64
                self._vote(Kind.PRECOMMIT, None)
                self.step = Step.PRECOMMIT
            elif step == Step.PRECOMMIT:  # lines 65-67
                self._start_round(self.round + 1)
            self._apply_rules()
        return self._flush()

    def gossip(self, all_rounds: bool = False) -> list[Message]:
        """What to re-send over lossy links: what we signed (the last two rounds, or all)
        and the 2f+1 prevotes that justify our validValue. The paper assumes gossip: a
        message one correct validator received reaches every correct one. Relaying the
        POL prevotes is the part that matters: without them a validator locked on v
        can never convince the others that a re-proposal of v at line 28 is justified
        (for example when the Byzantine validator sent its prevote to it alone)."""
        oldest = -1 if all_rounds else self.round - 1
        return [m for m in self.own if m.round >= oldest] + self._proof_of_lock()

    def _proof_of_lock(self) -> list[Message]:
        """Others' prevotes for validValue in validRound (2f+1 with ours)."""
        if self.valid_value is None:
            return []
        vid = self.value_id(self.valid_value)
        pol = self.prevotes.get(self.valid_round, {})
        return [votes[vid] for s, votes in pol.items() if vid in votes and s != self.me]

    def lock_state(self) -> LockState:
        return LockState(
            self.height,
            self.round,
            self.step,
            self.locked_value,
            self.locked_round,
            self.valid_value,
            self.valid_round,
            tuple(self.own + self._proof_of_lock()),
        )

    # ---------------------------------------------------------------- checking inputs
    def _accept(self, m: Message) -> bool:
        """Drop (with a log line) what is not ours to count; store the rest."""
        why = None
        if not m.signed:
            why = f"kind {m.kind.name} is not a consensus vote"
        elif m.height != self.height:
            why = f"height {m.height}, we are at {self.height}"
        elif not 0 <= m.sender < self.validators.n:
            why = f"sender {m.sender} is not a validator"
        elif m.round > max(self.round, 0) + MAX_ROUNDS_AHEAD:
            why = f"round {m.round} is too far ahead of {self.round}"
        elif m.kind == Kind.PROPOSAL and m.sender != self.proposer(m.round):
            why = (
                f"proposal from {m.sender}, the proposer of round {m.round} is "
                f"{self.proposer(m.round)}"
            )
        if why is None:
            value_id = self.value_id(m.value) if m.kind == Kind.PROPOSAL else None
            public = self.validators.public_keys[m.sender]
            if not signatures.verify(public, signing_bytes(m, value_id), m.signature):
                why = "bad signature"
        if why is not None:
            self.log.info("h=%d: dropped %s from %d: %s", self.height, m.kind.name, m.sender, why)
            return False
        return self._store(m)

    def _store(self, m: Message) -> bool:
        if m.kind == Kind.PROPOSAL:
            by_id = self.proposals.setdefault(m.round, {})
            value_id = self.value_id(m.value)
            if value_id in by_id or len(by_id) >= MAX_PROPOSALS_PER_ROUND:
                return False  # a duplicate, or a proposer spamming values
            by_id[value_id] = (m.value, m.valid_round)
            if len(by_id) > 1:
                self.log.info("h=%d r=%d: proposer %d equivocates", self.height, m.round, m.sender)
            return True
        # A second, different vote of one sender is kept and counted for its value too:
        # the sender is Byzantine, and a Byzantine validator may tell each of us something
        # else anyway, so quorum intersection already allows for it. Keeping it matters
        # for liveness: a relayed proof of lock may contain the vote we did not get.
        table = self.prevotes if m.kind == Kind.PREVOTE else self.precommits
        votes = table.setdefault(m.round, {}).setdefault(m.sender, {})
        if m.value_id in votes or len(votes) >= MAX_VOTES_PER_SENDER:
            return False
        if votes:
            self.log.info(
                "h=%d r=%d: validator %d double-votes (%s)",
                self.height,
                m.round,
                m.sender,
                m.kind.name,
            )
        votes[m.value_id] = m
        return True

    def _valid(self, value: bytes) -> bool:
        """valid(v), memoized per value id: block validation re-checks proofs."""
        key = self.value_id(value)
        if key not in self._valid_cache:
            self._valid_cache[key] = bool(self._is_valid(value))
        return self._valid_cache[key]

    # ---------------------------------------------------------------- counting
    def _prevotes_for(self, round_: int, value_id: bytes | None) -> int:
        return sum(1 for votes in self.prevotes.get(round_, {}).values() if value_id in votes)

    def _precommits_for(self, round_: int, value_id: bytes | None) -> int:
        return sum(1 for votes in self.precommits.get(round_, {}).values() if value_id in votes)

    def _senders(self, round_: int) -> set[int]:
        """Distinct validators heard from in ``round_`` (any message kind)."""
        senders = set(self.prevotes.get(round_, {})) | set(self.precommits.get(round_, {}))
        if self.proposals.get(round_):
            senders.add(self.proposer(round_))
        return senders

    def _first_time(self, line: int, round_: int) -> bool:
        if (line, round_) in self._done:
            return False
        self._done.add((line, round_))
        return True

    # ---------------------------------------------------------------- the algorithm
    def _start_round(self, round_: int) -> None:
        """Lines 11-21: StartRound(round)."""
        self.round, self.step = round_, Step.PROPOSE
        if self.me is not None and self.proposer(round_) == self.me:
            proposal = self.valid_value if self.valid_value is not None else self.get_value()
            self._broadcast(
                Message(
                    Kind.PROPOSAL,
                    self.height,
                    round_,
                    self.me,
                    value=proposal,
                    valid_round=self.valid_round,
                )
            )
        else:
            self._set_timer(Step.PROPOSE)

    # --8<-- [start:rules]
    def _lock_allows(self, value: bytes, vr: int) -> bool:
        """The lock check of lines 23 and 29: we may prevote ``value`` if it is our
        lockedValue, or its proof of lock is from round vr >= lockedRound. With vr = -1
        (no proof) that reads "lockedRound = -1": only an unlocked validator may."""
        return self.locked_value == value or self.locked_round <= vr

    def _apply_rules(self) -> None:
        """Run the 'upon' rules until none fires (each may enable another)."""
        while self.decision is None and self._one_rule_fired():
            pass

    def _one_rule_fired(self) -> bool:
        r, quorum = self.round, self.validators.quorum
        # Lines 49-54: a decision, for any round r' with a proposal and 2f+1 precommits.
        for r_decide, by_id in self.proposals.items():
            for vid, (value, _) in by_id.items():
                if self._precommits_for(r_decide, vid) >= quorum and self._valid(value):
                    votes = self.precommits[r_decide]
                    certificate = tuple(
                        (s, votes[s][vid].signature) for s in sorted(votes) if vid in votes[s]
                    )
                    self.decision = Decision(self.height, r_decide, value, certificate)
                    return True
        # Lines 55-56: f+1 validators are in a later round: skip to it.
        later = [
            x
            for x in self.prevotes.keys() | self.precommits.keys() | self.proposals.keys()
            if x > r and len(self._senders(x)) >= self.validators.f + 1
        ]
        if later:
            self._start_round(max(later))
            return True
        proposals = self.proposals.get(r, {})
        if self.step == Step.PROPOSE:
            # BEGIN TASK 7.3: Tendermint's prevote rules (lines 22-33)
            for vid, (value, vr) in proposals.items():
                # lines 22-27 (no proof of lock, vr = -1) and 28-33 (2f+1 prevotes in vr)
                if vr == -1 or (0 <= vr < r and self._prevotes_for(vr, vid) >= quorum):
                    ok = self._valid(value) and self._lock_allows(value, vr)
                else:
                    continue
                self._vote(Kind.PREVOTE, vid if ok else None)
                self.step = Step.PREVOTE
                return True
            # END TASK 7.3
        if (
            self.step == Step.PREVOTE
            and len(self.prevotes.get(r, {})) >= quorum
            and self._first_time(34, r)
        ):  # lines 34-35
            self._set_timer(Step.PREVOTE)
            return True
        if self.step >= Step.PREVOTE:  # lines 36-43
            for vid, (value, _) in proposals.items():
                if (
                    self._prevotes_for(r, vid) >= quorum
                    and self._valid(value)
                    and self._first_time(36, r)
                ):
                    if self.step == Step.PREVOTE:
                        self.locked_value, self.locked_round = value, r
                        self._vote(Kind.PRECOMMIT, vid)
                        self.step = Step.PRECOMMIT
                    self.valid_value, self.valid_round = value, r
                    return True
        if self.step == Step.PREVOTE and self._prevotes_for(r, None) >= quorum:  # 44-46
            self._vote(Kind.PRECOMMIT, None)
            self.step = Step.PRECOMMIT
            return True
        if len(self.precommits.get(r, {})) >= quorum and self._first_time(47, r):  # 47-48
            self._set_timer(Step.PRECOMMIT)
            return True
        return False

    # --8<-- [end:rules]
    # ---------------------------------------------------------------- outputs
    def _vote(self, kind: Kind, value_id: bytes | None) -> None:
        if self.me is not None:
            self._broadcast(Message(kind, self.height, self.round, self.me, value_id=value_id))

    def _broadcast(self, m: Message) -> None:
        """Sign ``m``, count it ourselves (a broadcast reaches its sender) and send it."""
        assert self.secret is not None
        value_id = self.value_id(m.value) if m.kind == Kind.PROPOSAL else None
        signature = self._sign(self.secret, signing_bytes(m, value_id))
        signed = Message(
            m.kind, m.height, m.round, m.sender, m.value, m.value_id, m.valid_round, signature
        )
        self._store(signed)
        self.own.append(signed)
        self._out.broadcast.append(signed)

    def _set_timer(self, step: Step) -> None:
        self._out.timers.append(
            Timer(step, self.height, self.round, self.timeouts.duration(step, self.round))
        )

    def _flush(self) -> Output:
        out, self._out = self._out, Output()
        if self.decision is not None and not self._reported:
            out.decision, self._reported = self.decision, True
        return out
