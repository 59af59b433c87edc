"""Byzantine validators for the simulator: an honest replica with a malicious mouth.

Lesson: the worst a Byzantine validator can do to Tendermint is *say* things — sign
conflicting messages, sign invalid blocks, or stay silent. (It cannot forge another
validator's signature.) So each behaviour here wraps an honest
:class:`~zkpot_ref.ledger.replica.Replica` — which keeps it in step with the protocol,
the most dangerous place to be — and rewrites what it sends:

- ``equivocate``: as proposer, send one valid block to half the validators and another
  valid block to the other half (Algorithm 1 of arXiv 1807.04938 must still decide at
  most one: the prevote and precommit quorums intersect in a correct validator);
- ``double-vote``: send each prevote/precommit to half the validators and the opposite
  vote (nil ↔ a value) to the other half;
- ``forged-proof``: as proposer, propose a block whose submission carries a proof the
  verifier rejects (valid(v) fails at lines 23/29, correct validators prevote nil);
- ``wrong-leader``: as proposer, propose a block that names a ZKPoT leader other than the
  highest proven count; in other rounds, send proposals although it is not the proposer
  (dropped on receipt: "from proposer(h, r)" in lines 22, 28, 36, 49);
- ``withhold``: never send a vote (the others must decide with exactly 2f+1).

Each wrapper counts the attacks it actually made (``attacks``, a Counter by behaviour),
so a test can show every behaviour was exercised, not just configured.

To add a behaviour: add its name to ``BEHAVIOURS`` and a branch in ``_rewrite``
(``docs/ledger_simulator.md``). Read next: ``simulator.py``.
"""

from __future__ import annotations

import hashlib
import random
from collections import Counter

from zkpot_ref.errors import MalformedInput
from zkpot_ref.ledger import messages
from zkpot_ref.ledger.messages import Kind, Message
from zkpot_ref.ledger.replica import Effects, Replica

BEHAVIOURS = ("equivocate", "double-vote", "forged-proof", "wrong-leader", "withhold")


class Byzantine:
    """``replica`` with behaviour ``behaviour`` (one of :data:`BEHAVIOURS`)."""

    def __init__(
        self,
        replica: Replica,
        behaviour: str,
        rng: random.Random,
        attacks: Counter[str] | None = None,
    ) -> None:
        if behaviour not in BEHAVIOURS:
            raise MalformedInput(f"unknown Byzantine behaviour {behaviour!r}: {BEHAVIOURS}")
        self.replica, self.behaviour, self.rng = replica, behaviour, rng
        self.attacks = attacks if attacks is not None else Counter()

    @property
    def chain(self) -> list[bytes]:
        return self.replica.chain

    def start(self) -> Effects:
        return self._tamper(self.replica.start())

    def receive(self, data: bytes) -> Effects:
        return self._tamper(self.replica.receive(data))

    def timeout(self, timer) -> Effects:  # noqa: ANN001 - a bft.Timer
        return self._tamper(self.replica.timeout(timer))

    def tick(self) -> Effects:
        return self._tamper(self.replica.tick())

    # ---------------------------------------------------------------- rewriting
    def _tamper(self, effects: Effects) -> Effects:
        sends = []
        for destination, data in effects.sends:
            message = messages.decode(data)
            if message.signed and message.sender == self.replica.index:
                sends += self._rewrite(destination, message)
            else:
                sends.append((destination, data))
        effects.sends = sends
        return effects

    def _rewrite(self, destination: int | None, m: Message) -> list[tuple[int | None, bytes]]:
        others = [d for d in range(self.replica.validators.n) if d != self.replica.index]
        half, rest = others[: len(others) // 2], others[len(others) // 2 :]
        chain, app, me = self.replica.chain, self.replica.app, self.replica.index
        honest = [(destination, messages.encode(m))]
        vote = m.kind in (Kind.PREVOTE, Kind.PRECOMMIT)
        if self.behaviour == "withhold" and vote:
            self.attacks[self.behaviour] += 1
            return []
        if self.behaviour == "double-vote" and vote:
            other_id = (
                None
                if m.value_id is not None
                else hashlib.sha256(b"a value nobody proposed" + bytes([m.round % 256])).digest()
            )
            twin = self._signed(Message(m.kind, m.height, m.round, me, value_id=other_id))
            self.attacks[self.behaviour] += 1
            return [(d, messages.encode(m)) for d in half] + [(d, twin) for d in rest]
        if m.kind == Kind.PROPOSAL and self.behaviour == "equivocate":
            other = app.propose(chain, me, variant=1 + m.round)
            twin = self._signed(
                Message(
                    Kind.PROPOSAL, m.height, m.round, me, value=other, valid_round=m.valid_round
                )
            )
            self.attacks[self.behaviour] += 1
            return [(d, messages.encode(m)) for d in half] + [(d, twin) for d in rest]
        if m.kind == Kind.PROPOSAL and self.behaviour in ("forged-proof", "wrong-leader"):
            bad = app.forge(chain, me, self.behaviour)
            self.attacks[self.behaviour] += 1
            return [
                (
                    destination,
                    self._signed(Message(Kind.PROPOSAL, m.height, m.round, me, value=bad)),
                )
            ]
        if (
            m.kind == Kind.PREVOTE
            and self.behaviour == "wrong-leader"
            and self.replica.proposer(m.height, m.round) != me
        ):
            bad = app.propose(chain, me)
            self.attacks[self.behaviour] += 1
            return honest + [
                (None, self._signed(Message(Kind.PROPOSAL, m.height, m.round, me, value=bad)))
            ]
        return honest

    def _signed(self, m: Message) -> bytes:
        value_id = self.replica.app.value_id(m.value) if m.kind == Kind.PROPOSAL else None
        signature = self.replica.sign(self.replica.secret, messages.signing_bytes(m, value_id))
        return messages.encode(
            Message(
                m.kind, m.height, m.round, m.sender, m.value, m.value_id, m.valid_round, signature
            )
        )
