"""One validator: consensus height after height, a durable log, and catching up.

Lesson: :mod:`zkpot_ref.ledger.bft` decides *one* height. A validator runs one
:class:`~zkpot_ref.ledger.bft.Tendermint` instance per height (lines 52-54 of Algorithm 1
of arXiv 1807.04938: "h_p ← h_p + 1, reset the locks, StartRound(0)"), keeps the decided
chain, and makes two promises across crashes:

1. **No committed block is lost.** A decided block (with its commit certificate) is
   appended to the node's ``BlockLog`` (fsync) before anything else happens; a restart
   replays the log and verifies every record again (``recovery.py``).
2. **A validator never contradicts itself.** Before any message it signed leaves, the
   current lock state (height, round, lockedValue/Round, validValue/Round) is appended
   too. A restarted validator resumes its locks and starts at the next round, so it can
   never sign a second, different vote in a round it already voted in — otherwise an
   honest crash would look exactly like Byzantine double-voting.

Catching up is the "gossip" the paper assumes: every ``tick`` a validator broadcasts
STATUS(h) and re-sends the votes it signed in the current round (links may drop them);
whoever has already decided height h answers with COMMIT messages — the decided blocks
with their certificates, which prove themselves. Answers must be cheap, since anyone can
ask: the encoded COMMITs and our SEALs are made once and kept, and a peer's question is
answered at most once per tick. Messages one height ahead are kept
(a bounded buffer) and replayed when we get there; anything else is dropped with a log
line.

After deciding, a validator also *seals* the block: it signs ``commit_message(block_hash)``
(the format of ``Block.certificate``) and collects the others' seals; at 2f+1 the block
with its certificate is appended to the log. A correct validator seals only what it
decided, so these round-less signatures are safe (``docs/ledger_bft.md``).

Like bft.py this is transport-agnostic: :class:`Effects` says what to send and which
timers to set; the simulator and the TCP node carry them out. The ZKPoT-specific parts —
what a block is, when it is valid, who leads next — come in through an
:class:`Application` (``app.py`` binds it to ``block.py``).

Read next: ``app.py`` (what a block means to the application), then ``simulator.py`` (faults
in virtual time) and ``node.py`` (real processes).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field

from zkpot_ref.errors import MalformedInput, ZkpotError
from zkpot_ref.ledger import messages, signatures
from zkpot_ref.ledger.bft import (
    DEFAULT_TIMEOUTS,
    LockState,
    Output,
    Step,
    Tendermint,
    Timeouts,
    Timer,
    Validators,
)
from zkpot_ref.ledger.messages import Kind, Message
from zkpot_ref.ledger.recovery import (  # noqa: F401 - re-exported: the replica's log API
    BLOCK_RECORD,
    LOCK_RECORD,
    SEAL_RECORD,
    Application,
    Log,
    check_commit,
    decode_lock_state,
    encode_lock_state,
    replay,
    replay_seals,
    restore,
)

#: How many messages for height h+1 we keep while still deciding h.
MAX_BUFFERED = 64
#: How many decided blocks one STATUS is answered with.
SYNC_BATCH = 8
#: Every this many ticks a node re-sends all it signed at this height, not just lately.
REPEAT_ALL = 4

#: A lone validator (quorum 1) decides as a height starts; it waits this long between.
LONE_PAUSE = 0.01
#: A validator re-sends its SEAL for this many of its latest heights on every tick.
RESEAL_HEIGHTS = 4
#: A decided height still unsealed this many heights later is given up: its seals are
#: forgotten and nobody is asked for them any more (bounds memory and questions).
SEAL_PATIENCE = 64


@dataclass
class Effects:
    """What the driver must do: ``sends`` are (destination, bytes), None = everyone else."""

    sends: list[tuple[int | None, bytes]] = field(default_factory=list)
    timers: list[Timer] = field(default_factory=list)
    committed: list[int] = field(default_factory=list)

    def merge(self, other: Effects) -> Effects:
        self.sends += other.sends
        self.timers += other.timers
        self.committed += other.committed
        return self


class Replica:
    """Validator ``index`` of ``validators``: call :meth:`start`, then feed it bytes,
    expired timers and periodic ticks."""

    def __init__(
        self,
        *,
        index: int,
        secret: bytes,
        validators: Validators,
        app: Application,
        log: Log,
        timeouts: Timeouts = DEFAULT_TIMEOUTS,
        logger: logging.Logger | None = None,
        sign: Callable[[bytes, bytes], bytes] = signatures.sign,
        pause: float = 0.0,
    ) -> None:
        # pause: seconds to wait after deciding before the next height starts, so blocks
        # come at a steady pace (Tendermint Core's timeout_commit; not in Algorithm 1).
        self.pause = pause
        self.index, self.secret, self.validators = index, secret, validators
        self.app, self.block_log, self.timeouts, self.sign = app, log, timeouts, sign
        self.logger = logger or logging.getLogger(f"zkpot.replica.{index}")
        self.chain: list[bytes] = []  # decided values, heights 1, 2, ...
        self.commits: list[Message] = []  # the same with their certificates
        self.consensus: Tendermint | None = None
        self.buffered: list[Message] = []
        self.pending_commits: dict[int, Message] = {}
        self.seals: dict[int, dict[int, bytes]] = {}  # height -> validator -> SEAL signature
        self.sealed: dict[int, bytes] = {}  # height -> block with its 2f+1 certificate
        self.ticks = 0
        # Answers are cheap: our SEAL and the encoded COMMIT of a height are made once,
        # and each peer's STATUS is answered at most once per tick and height.
        self._own_seals: dict[int, Message] = {}
        self._encoded_commits: dict[int, bytes] = {}
        self._answered: dict[int, tuple[int, int]] = {}
        self._entering = False

    @property
    def height(self) -> int:
        """The height being decided now (the chain holds heights 1 .. height-1)."""
        return len(self.chain) + 1

    def start(self) -> Effects:
        """Replay the log and verify every record (``recovery.restore``: ``StoreError``
        if it does not verify), then begin where the crash left off."""
        restored = restore(self.block_log, self.validators, self.app)
        self.commits, self.chain, self.sealed = restored.commits, restored.chain, restored.sealed
        if self.chain:
            self.logger.info("replayed %d blocks from the log", len(self.chain))
        for h in self._unsealed():
            # Decided before the crash, sealed by too few: our own seal counts again (it
            # was in memory only), so the others' seals still needed are 2f, not 2f+1.
            self._receive_seal(self._own_seal(h))
        return self._enter_height(restored.lock)

    # ---------------------------------------------------------------- inputs
    def receive(self, data: bytes, origin: int | None = None) -> Effects:
        """Handle one message from the network; bad input is dropped with a log line.

        ``origin``: the validator the transport authenticated as the sender, if any. Signed
        messages prove their sender themselves (and may be relayed); an unsigned STATUS
        is answered only if it names its authenticated origin."""
        try:
            message = messages.decode(data)
        except MalformedInput as exc:
            self.logger.info("dropped %d bytes: %s", len(data), exc)
            return Effects()
        if message.kind == Kind.STATUS:
            if origin is not None and message.sender != origin:
                self.logger.info("dropped STATUS: sender %d forged by validator %d",
                                 message.sender, origin)  # fmt: skip
                return Effects()
            return self._answer_status(message)
        if message.kind == Kind.COMMIT:
            return self._receive_commit(message)
        if message.kind == Kind.SEAL:
            return self._receive_seal(message)
        if message.height == self.height + 1 or (
            self.consensus is None and message.height == self.height
        ):
            if len(self.buffered) < MAX_BUFFERED:
                self.buffered.append(message)
            return Effects()
        if self.consensus is None:
            self.logger.info("dropped %s for height %d while pausing", message.kind.name,
                             message.height)  # fmt: skip
            return Effects()
        return self._after(self.consensus.on_message(message))

    def timeout(self, timer: Timer) -> Effects:
        if timer.round == -1 and self.consensus is None and timer.height == self.height:
            return self._enter_height()  # the pause after a decision is over
        if self.consensus is None or timer.height != self.height:
            return Effects()
        return self._after(self.consensus.on_timeout(timer.step, timer.height, timer.round))

    def tick(self) -> Effects:
        """Periodic gossip: announce our height, re-send what bft.gossip() selects."""
        self.ticks += 1
        status = Message(Kind.STATUS, self.height, 0, self.index)
        effects = Effects(sends=[(None, messages.encode(status))])
        unsealed = self._unsealed()
        latest = [h for h in unsealed if h >= self.height - RESEAL_HEIGHTS]
        effects.sends += [(None, messages.encode(self._own_seal(h))) for h in latest]
        if unsealed:
            # We decided these but hold fewer than 2f+1 seals: the others' seals went out
            # once, when they decided — perhaps while we were down (a crash between our
            # decision and their seals), or before we had decided it ourselves (dropped).
            # Catching up starts above our height, so ask from the oldest unsealed height,
            # however far behind us it is by now (up to SEAL_PATIENCE): the answers
            # (_answer_status) carry the seals.
            ask = Message(Kind.STATUS, unsealed[0], 0, self.index)
            effects.sends.append((None, messages.encode(ask)))
        if self.consensus is not None:
            # The last two rounds every tick; every REPEAT_ALL-th tick all of this height
            # (the paper's gossip delivers every message of a correct validator).
            gossip = self.consensus.gossip(all_rounds=self.ticks % REPEAT_ALL == 0)
            effects.sends += [(None, messages.encode(m)) for m in gossip]
        return effects

    # ---------------------------------------------------------------- heights
    def proposer(self, height: int, round_: int) -> int:
        """Round 0: the ZKPoT leader recorded in block h-1; later rounds (the leader
        timed out) and leaderless heights: round-robin from there."""
        leader = self.app.leader(self.chain[height - 2]) if height >= 2 else None
        base = leader if leader is not None else height % self.validators.n
        return (base + round_) % self.validators.n

    def _enter_height(self, restored: LockState | None = None) -> Effects:
        height, chain = self.height, self.chain
        self.consensus = Tendermint(
            height=height,
            validators=self.validators,
            me=self.index,
            secret=self.secret,
            proposer=lambda r: self.proposer(height, r),
            get_value=lambda: self.app.propose(chain, self.index),
            is_valid=lambda v: self.app.is_valid(chain, v),
            value_id=self.app.value_id,
            timeouts=self.timeouts,
            log=self.logger,
            restored=restored,
            sign=self.sign,
        )
        self._entering = True  # a lone validator decides inside start(): see _commit
        try:
            effects = self._after(self.consensus.start())
        finally:
            self._entering = False
        buffered, self.buffered = self.buffered, []
        for m in buffered:
            if effects.committed:
                break
            effects.merge(self.receive(messages.encode(m)))
        return effects

    def _after(self, out: Output) -> Effects:
        """Persist, then send: the lock state before any signed message leaves."""
        effects = Effects(timers=list(out.timers))
        if out.broadcast:
            assert self.consensus is not None
            self.block_log.append(LOCK_RECORD + encode_lock_state(self.consensus.lock_state()))
            effects.sends = [(None, messages.encode(m)) for m in out.broadcast]
        if out.decision is not None:
            d = out.decision
            commit = Message(
                Kind.COMMIT, d.height, d.round, self.index, d.value, certificate=d.certificate
            )
            effects.merge(self._commit(commit, self.pause))
        return effects

    def _commit(self, commit: Message, pause: float = 0.0) -> Effects:
        """Append the decided block durably, then move to the next height (after
        ``pause`` seconds: a timer with round -1 starts it). A height decided while it
        was being entered (a quorum of one) waits at least ``LONE_PAUSE``: otherwise a
        lone validator would decide height after height in one call, in no time."""
        self.block_log.append(BLOCK_RECORD + messages.encode(commit))
        self.chain.append(commit.value)
        self.commits.append(commit)
        self.logger.info("committed height %d (round %d)", len(self.chain), commit.round)
        committed = [len(self.chain)]
        seal = self._own_seal(len(self.chain))
        self._receive_seal(seal)
        for old in [h for h in self.seals if h < self.height - SEAL_PATIENCE]:
            del self.seals[old]  # heights that never got 2f+1 seals here: give up
        if self._entering:
            pause = max(pause, LONE_PAUSE)
        if pause > 0:
            self.consensus = None
            effects = Effects(timers=[Timer(Step.PROPOSE, self.height, -1, pause)])
        else:
            effects = self._enter_height()
        effects.committed = committed + effects.committed
        effects.sends.insert(0, (None, messages.encode(seal)))
        follow = self.pending_commits.pop(self.height, None)
        if follow is not None and not effects.committed[1:]:
            effects.merge(self._receive_commit(follow))
        return effects

    # ---------------------------------------------------------------- catching up
    def _answer_status(self, m: Message) -> Effects:
        """A validator behind us gets up to SYNC_BATCH decided blocks, certificates included."""
        if not 0 <= m.sender < self.validators.n or m.sender == self.index:
            return Effects()
        if self._answered.get(m.sender) == (self.ticks, m.height):
            return Effects()  # answered this very question since our last tick
        self._answered[m.sender] = (self.ticks, m.height)
        heights = range(max(m.height, 1), min(m.height + SYNC_BATCH - 1, len(self.chain)) + 1)
        sends = []
        for h in heights:  # the block with its certificate, and our seal of it
            if h not in self._encoded_commits:
                self._encoded_commits[h] = messages.encode(self.commits[h - 1])
            sends.append((m.sender, self._encoded_commits[h]))
            sends.append((m.sender, messages.encode(self._own_seal(h))))
        return Effects(sends=sends)

    def _receive_commit(self, m: Message) -> Effects:
        if m.height > self.height:
            if m.height <= self.height + SYNC_BATCH:
                self.pending_commits[m.height] = m
            return Effects()
        if m.height < self.height:
            return Effects()
        try:
            check_commit(self.validators, self.app, self.chain, m)
        except ZkpotError as exc:
            self.logger.info("h=%d: dropped COMMIT from %d: %s", m.height, m.sender, exc)
            return Effects()
        self.logger.info("h=%d: caught up from %d", m.height, m.sender)
        return self._commit(m)

    # ---------------------------------------------------------------- sealing
    def _unsealed(self) -> list[int]:
        """Our decided heights of the last SEAL_PATIENCE without 2f+1 seals, oldest first."""
        return [h for h in range(max(1, self.height - SEAL_PATIENCE), self.height)
                if h not in self.sealed]  # fmt: skip

    def _own_seal(self, height: int) -> Message:
        """Our SEAL of a decided block: signed once, then kept (a seal never changes)."""
        if height not in self._own_seals:
            signature = self.sign(self.secret, self.app.seal_message(self.chain[height - 1]))
            self._own_seals[height] = Message(Kind.SEAL, height, 0, self.index,
                                              signature=signature)  # fmt: skip
        return self._own_seals[height]

    def _receive_seal(self, m: Message) -> Effects:
        """Collect validators' SEALs of our decided blocks; at 2f+1 the block is sealed:
        its certificate (``Block.certificate``) is complete and appended to the log."""
        h, known = m.height, self.seals.get(m.height, {})
        if h in self.sealed or m.sender in known:
            return Effects()
        why = None
        if not 1 <= h <= len(self.chain):
            why = f"height {h} is not decided here (we are at {self.height})"
        elif not 0 <= m.sender < self.validators.n:
            why = f"sender {m.sender} is not a validator"
        elif not signatures.verify(
            self.validators.public_keys[m.sender],
            self.app.seal_message(self.chain[h - 1]),
            m.signature,
        ):
            why = "bad signature, or a seal of another block"  # fmt: skip
        if why is not None:
            self.logger.info("h=%d: dropped SEAL from %d: %s", h, m.sender, why)
            return Effects()
        seals = self.seals.setdefault(h, {})
        seals[m.sender] = m.signature
        if len(seals) >= self.validators.quorum:
            keys = self.validators.public_keys
            entries = [(keys[i], sig) for i, sig in sorted(seals.items())]
            self.sealed[h] = self.app.with_certificate(self.chain[h - 1], entries)
            self.block_log.append(SEAL_RECORD + h.to_bytes(8, "big") + self.sealed[h])
            del self.seals[h]
        return Effects()
