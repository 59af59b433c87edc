"""PLONK's Fiat–Shamir schedule: one object, shared by the prover and the verifier.

Lesson. Interactive PLONK is five rounds of "prover sends a message, verifier answers
with random challenges". Fiat–Shamir (``transcript.py``) replaces the verifier's coins
by hashes of everything said so far. The prover and the verifier must hash *exactly*
the same bytes in *exactly* the same order, so the order is written down once, here,
and both sides call it (the pattern of plonkathon's ``Transcript.round_1(msg)``):

    FiatShamir(vk, public)                      the statement first (the Frozen-Heart fix)
    round_1(Message1: [a], [b], [c])            -> beta, gamma
    round_2(Message2: [z])                      -> alpha
    round_3(Message3: [t_lo], [t_mid], [t_hi])  -> xi
    round_4(Message4: the evaluations)          -> v
    round_5(Message5: [W_xi], [W_xi·omega])     -> u

The bytes follow snarkjs 0.7 (so snarkjs verifies our proofs): its transcript starts a
fresh buffer after each challenge, so each round re-absorbs the previous challenge(s)
before its own message. With lookups (``lookup.py``) [m] joins round 1, the challenge
delta = H(gamma) follows gamma, and [phi] joins round 2.

Read next: ``quotient.py`` (round 3's arithmetic) and ``prover.py``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from zkpot_ref.errors import MalformedInput
from zkpot_ref.plonk.preprocess import VerificationKey
from zkpot_ref.plonk.proof import Message1, Message2, Message3, Message4, Message5
from zkpot_ref.transcript import Transcript


@dataclass(frozen=True)
class Challenges:
    """All six challenges of one proof (``delta``: the lookup challenge, 0 without)."""

    beta: int
    gamma: int
    alpha: int
    xi: int
    v: int
    u: int
    delta: int = 0


class FiatShamir:
    """The transcript of one proof; call ``round_1`` .. ``round_5`` in order."""

    def __init__(self, vk: VerificationKey, public: Sequence[int]) -> None:
        self.lookups = vk.has_lookups
        self.transcript = Transcript()
        for point in vk.commitments():
            self.transcript.absorb(point.to_bytes())
        for value in public:
            self.transcript.absorb_scalar(value)
        self.rounds_done = 0
        self.beta = self.gamma = self.delta = self.alpha = self.xi = self.v = 0

    def _begin(self, number: int, message: object, kind: type) -> None:
        if self.rounds_done != number - 1:
            raise MalformedInput(f"Fiat–Shamir round {number} called after round "
                                 f"{self.rounds_done}: the rounds go in order")
        if not isinstance(message, kind):
            raise MalformedInput(f"round {number} absorbs a {kind.__name__}")
        lookup_part = {1: "M", 2: "Phi"}.get(number)
        if lookup_part and (getattr(message, lookup_part) is not None) != self.lookups:
            raise MalformedInput("the proof and the verification key disagree about lookups")
        self.rounds_done = number

    def _absorb_points(self, *points: object) -> None:
        for point in points:
            if point is not None:
                self.transcript.absorb(point.to_bytes())

    # --8<-- [start:schedule]
    def round_1(self, message: Message1) -> tuple[int, int, int]:
        """beta = H(statement, [a], [b], [c] [, [m]]); gamma = H(beta); delta = H(gamma)."""
        self._begin(1, message, Message1)
        self._absorb_points(message.A, message.B, message.C, message.M)
        self.beta = self.transcript.challenge()
        self.transcript.absorb_scalar(self.beta)
        self.gamma = self.transcript.challenge()
        if self.lookups:
            self.transcript.absorb_scalar(self.gamma)
            self.delta = self.transcript.challenge()
        return self.beta, self.gamma, self.delta

    def round_2(self, message: Message2) -> int:
        """alpha = H(beta, gamma, [z] [, [phi]])."""
        self._begin(2, message, Message2)
        self.transcript.absorb_scalar(self.beta)
        self.transcript.absorb_scalar(self.gamma)
        self._absorb_points(message.Z, message.Phi)
        self.alpha = self.transcript.challenge()
        return self.alpha

    def round_3(self, message: Message3) -> int:
        """xi = H(alpha, [t_lo], [t_mid], [t_hi])."""
        self._begin(3, message, Message3)
        self.transcript.absorb_scalar(self.alpha)
        self._absorb_points(message.T1, message.T2, message.T3)
        self.xi = self.transcript.challenge()
        return self.xi

    def round_4(self, message: Message4) -> int:
        """v = H(xi, a(xi), b(xi), c(xi), s1(xi), s2(xi), z(xi·omega) [, lookup four])."""
        self._begin(4, message, Message4)
        self.transcript.absorb_scalar(self.xi)
        for value in message.scalars():
            self.transcript.absorb_scalar(value)
        self.v = self.transcript.challenge()
        return self.v

    def round_5(self, message: Message5) -> int:
        """u = H([W_xi], [W_xi·omega]) (only the verifier needs it)."""
        self._begin(5, message, Message5)
        self._absorb_points(message.Wxi, message.Wxiw)
        return self.transcript.challenge()

    # --8<-- [end:schedule]
    def replay(self, messages: Sequence[object]) -> Challenges:
        """The verifier's side: all five rounds over a proof's messages."""
        m1, m2, m3, m4, m5 = messages
        beta, gamma, delta = self.round_1(m1)  # type: ignore[arg-type]
        alpha = self.round_2(m2)  # type: ignore[arg-type]
        xi = self.round_3(m3)  # type: ignore[arg-type]
        v = self.round_4(m4)  # type: ignore[arg-type]
        u = self.round_5(m5)  # type: ignore[arg-type]
        return Challenges(beta, gamma, alpha, xi, v, u, delta)
