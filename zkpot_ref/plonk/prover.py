"""The PLONK prover, round by round (Gabizon–Williamson–Ciobotaru, eprint 2019/953, §8.3).

Lesson. Five rounds. Each round method takes the challenges the previous message earned
and returns this round's message (``proof.Message1`` .. ``Message5``); the Fiat–Shamir
schedule (``fiat_shamir.py``, the same object the verifier replays) turns each message
into the next challenges:

1. commit to the blinded wire polynomials a, b, c                -> beta, gamma
2. commit to the blinded permutation accumulator z                -> alpha
3. commit to the quotient t (``quotient.py``), in three parts      -> xi
4. evaluate a, b, c, sigma_1, sigma_2 at xi and z at xi·omega      -> v
5. open the linearisation polynomial and those evaluations at xi, and z at xi·omega

**Statement binding** (the Frozen-Heart fix): the schedule hashes the verification key's
commitments and the public inputs *before* the first message, so a proof is tied to one
circuit and one statement.

**Zero knowledge**: the wires get random multiples of Z_H added, (b1 X + b2)·Z_H etc., z
gets (b7 X² + b8 X + b9)·Z_H — invisible on H, so the constraints still hold, but the few
evaluations the verifier sees are uniformly random. b10, b11 re-split t so that t_lo and
t_mid's commitments reveal nothing about the unsplit quotient.

:class:`Prover` is plain GWC19. :class:`LookupProver`, at the end, is the visible
extension for circuits with lookups (``lookup.py``): each of its rounds calls the plain
round and adds the multiplicities m, the running sum phi and their evaluations.

Commitments and openings are the KZG lesson's (``kzg.commit``, ``kzg.open_batch``) with
the backend's MSM; NTTs and the elementwise kernels also go through ``backend``, so the
fast path can replace them.
Read next: ``verifier.py``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from zkpot_ref.backend import Backend, current
from zkpot_ref.errors import CircuitError, MalformedInput
from zkpot_ref.field import R_MODULUS, Fr
from zkpot_ref.plonk import lookup
from zkpot_ref.plonk.circuit import Circuit, pad_columns
from zkpot_ref.plonk.fiat_shamir import FiatShamir
from zkpot_ref.plonk.permutation import K1, K2, accumulator
from zkpot_ref.plonk.preprocess import ProvingKey
from zkpot_ref.plonk.proof import Message1, Message2, Message3, Message4, Message5, Proof
from zkpot_ref.plonk.quotient import QuotientInputs, quotient_on_coset
from zkpot_ref.poly import COSET_SHIFT

R = R_MODULUS
NUM_BLINDERS = 11


def add_blinding(coeffs: list[int], blinders: Sequence[int], n: int) -> list[int]:
    """coeffs + (sum_k blinders[k]·X^k)·Z_H with Z_H = X^n - 1 (low degree first)."""
    out = list(coeffs) + [0] * (n + len(blinders) - len(coeffs))
    for k, b in enumerate(blinders):
        out[k] = (out[k] - b) % R
        out[n + k] = (out[n + k] + b) % R
    return out


def evaluate(coeffs: Sequence[int], x: int) -> int:
    """Horner's rule."""
    acc = 0
    for c in reversed(coeffs):
        acc = (acc * x + c) % R
    return acc


def linear_combination(terms: Sequence[tuple[int, Sequence[int]]]) -> list[int]:
    """sum_k scalar_k · poly_k, coefficient-wise."""
    out = [0] * max(len(p) for _, p in terms)
    for scalar, coeffs in terms:
        scalar %= R
        for j, c in enumerate(coeffs):
            out[j] += scalar * c
    return [c % R for c in out]


class Prover:
    """Plain PLONK: one method per round, returning that round's message."""

    def __init__(self, pk: ProvingKey, circuit: Circuit, blinders: Sequence[int],
                 backend: Backend) -> None:
        self.pk, self.backend, self.b = pk, backend, [0, *blinders]  # b[1]..b[11] as the paper
        self.n, self.omega = pk.domain.size, pk.domain.omega
        self.public = circuit.public_values()
        self.wire_evals = pad_columns(list(circuit.wire_values()), self.n)

    # -- the backend's kernels, named for the reader --------------------------------
    def commit(self, coeffs: Sequence[int]):
        return self.backend.commit(self.pk.srs, coeffs)

    def interpolate(self, evals: Sequence[int], blinders: Sequence[int]) -> list[int]:
        """The polynomial through ``evals`` on H, plus (sum blinders[k] X^k)·Z_H."""
        return add_blinding(self.backend.intt(evals, self.omega), blinders, self.n)

    def on_coset(self, coeffs: Sequence[int]) -> list[int]:
        big = self.pk.extended
        return self.backend.coset_ntt(coeffs, big.omega, big.size, COSET_SHIFT)

    def evaluate(self, coeffs: Sequence[int], x: int) -> int:
        return self.backend.kernel(evaluate)(coeffs, x)

    # -- the five rounds ----------------------------------------------------------------
    # --8<-- [start:round_1]
    def round_1(self) -> Message1:
        """a(X) = (b1 X + b2) Z_H + sum a_i L_i, likewise b (b3, b4), c (b5, b6)."""
        # BEGIN TASK 4.2: prover round 1, the blinded wire polynomials
        b = self.b
        self.wires = [self.interpolate(col, blinders) for col, blinders in
                      zip(self.wire_evals, ((b[2], b[1]), (b[4], b[3]), (b[6], b[5])))]
        return Message1(*(self.commit(w) for w in self.wires))
        # END TASK 4.2

    # --8<-- [start:round_2]
    # --8<-- [end:round_1]
    def round_2(self, beta: int, gamma: int, delta: int) -> Message2:
        """z(X) = (b7 X² + b8 X + b9) Z_H + sum z_i L_i (``permutation.accumulator``).

        (``delta`` is the lookup challenge; the plain rounds do not use it.)
        """
        self.beta, self.gamma, self.delta = beta, gamma, delta
        # BEGIN TASK 4.3: prover round 2, the blinded accumulator
        z_evals = self.backend.kernel(accumulator)(self.wire_evals, self.pk.sigma_evals,
                                                   self.pk.domain, beta, gamma)
        b = self.b
        self.z = self.interpolate(z_evals, (b[9], b[8], b[7]))
        return Message2(self.commit(self.z))
        # END TASK 4.3

    # --8<-- [end:round_2]
    def quotient_columns(self) -> dict[str, list[int]]:
        """Everything the quotient reads, on the 4n coset (``quotient.COLUMNS``)."""
        pi_evals = [(-v) % R for v in self.public] + [0] * (self.n - len(self.public))
        own = dict(zip(("a", "b", "c", "z"), (self.on_coset(p) for p in (*self.wires, self.z))))
        own["pi"] = self.on_coset(self.backend.intt(pi_evals, self.omega))
        return {**self.pk.coset, **own}

    def round_3(self, alpha: int) -> Message3:
        """t(X) = [gate(X) + alpha·perm(X) + alpha²·(z(X) - 1) L_1(X)] / Z_H(X)."""
        self.alpha = alpha
        inputs = QuotientInputs(self.n, self.quotient_columns(), self.beta, self.gamma, alpha,
                                self.delta)
        t_evals = self.backend.kernel(quotient_on_coset)(inputs)
        t = self.backend.coset_intt(t_evals, self.pk.extended.omega, COSET_SHIFT)
        # t has degree 3n+5 when the witness satisfies the circuit; higher coefficients
        # can only come from a bad witness, and truncating them makes the proof fail.
        # BEGIN TASK 4.4: prover round 3, splitting and blinding t
        n, b10, b11 = self.n, self.b[10], self.b[11]
        self.t_lo = t[:n] + [b10]
        self.t_mid = [(t[n] - b10) % R] + t[n + 1 : 2 * n] + [b11]
        self.t_hi = [(t[2 * n] - b11) % R] + t[2 * n + 1 : 3 * n + 6]
        return Message3(*(self.commit(p) for p in (self.t_lo, self.t_mid, self.t_hi)))
        # END TASK 4.4

    def round_4(self, xi: int) -> Message4:
        """a(xi), b(xi), c(xi), sigma_1(xi), sigma_2(xi), z(xi·omega)."""
        self.xi = xi
        # BEGIN TASK 4.5: prover round 4, the evaluations
        sigma = self.pk.sigma_coeffs
        self.evals = Message4(*(self.evaluate(p, xi) for p in (*self.wires, sigma[0], sigma[1])),
                              self.evaluate(self.z, xi * self.omega % R))
        return self.evals
        # END TASK 4.5

    def linearisation(self, evals: Message4) -> list[tuple[int, Sequence[int]]]:
        """r(X) as (scalar, polynomial) terms:

        r(X) = ab q_M + a q_L + b q_R + c q_O + q_C
             + (alpha (a + beta xi + gamma)(b + beta k1 xi + gamma)(c + beta k2 xi + gamma)
                + alpha² L_1(xi)) z(X)
             - alpha beta zw (a + beta s1 + gamma)(b + beta s2 + gamma) sigma_3(X)
             - Z_H(xi) (t_lo + xi^n t_mid + xi^2n t_hi)          (evaluations barred)
        It satisfies r(xi) = -r0, the constant the verifier computes itself.
        """
        pk, xi, n = self.pk, self.xi, self.n
        beta, gamma, alpha = self.beta, self.gamma, self.alpha
        ea, eb, ec = evals.eval_a, evals.eval_b, evals.eval_c
        # BEGIN TASK 4.6: the linearisation polynomial r(X)
        zh = pk.domain.vanishing_at(xi)
        self.l1_at_xi = pk.domain.lagrange_at(0, xi)
        z_coef = (alpha * (ea + beta * xi + gamma) % R * (eb + beta * K1 * xi + gamma) % R
                  * (ec + beta * K2 * xi + gamma) + alpha * alpha % R * self.l1_at_xi) % R
        s3_coef = (-alpha * beta * evals.eval_zw % R * (ea + beta * evals.eval_s1 + gamma) % R
                   * (eb + beta * evals.eval_s2 + gamma)) % R
        xn = pow(xi, n, R)
        q = pk.selectors
        return [(ea * eb, q["q_M"]), (ea, q["q_L"]), (eb, q["q_R"]), (ec, q["q_O"]),
                (1, q["q_C"]), (z_coef, self.z), (s3_coef, pk.sigma_coeffs[2]),
                (-zh, self.t_lo), (-zh * xn, self.t_mid), (-zh * xn * xn, self.t_hi)]
        # END TASK 4.6

    def opened_at_xi(self) -> list[Sequence[int]]:
        """The polynomials whose values at xi round 4 sent, in order: a, b, c, s1, s2."""
        return [*self.wires, self.pk.sigma_coeffs[0], self.pk.sigma_coeffs[1]]

    def opened_at_xi_omega(self) -> list[Sequence[int]]:
        return [self.z]

    def round_5(self, v: int) -> Message5:
        """The two KZG batch openings (``kzg.open_batch``):

        W_xi   opens r + v a + v² b + v³ c + v⁴ sigma_1 + v⁵ sigma_2 at xi,
        W_xiw  opens z at xi·omega (with v·phi too, with lookups).
        The verifier knows every value: r(xi) = -r0 and round 4's evaluations.
        """
        # BEGIN TASK 4.7: prover round 5, the two batch openings
        r = self.backend.kernel(linear_combination)(self.linearisation(self.evals))
        at_xi = [r, *self.opened_at_xi()]
        _, w_xi = self.backend.open_batch(self.pk.srs, at_xi, self.xi, v)
        _, w_xiw = self.backend.open_batch(self.pk.srs, self.opened_at_xi_omega(),
                                           self.xi * self.omega % R, v)
        return Message5(w_xi, w_xiw)
        # END TASK 4.7


class LookupProver(Prover):
    """The extension for lookups (``lookup.py``): m in round 1, phi in round 2, and their
    terms in rounds 3-5. Blinders b12, b13 for m and b14..b16 for phi."""

    def round_1(self) -> Message1:
        plain = super().round_1()
        b, table = self.b, self.pk.lookup_evals["t"]
        self.f = lookup.lookup_values(self.pk.lookup_evals["q_K"], self.wire_evals[0])
        self.m_evals = lookup.multiplicities(self.f, table)
        self.m = self.interpolate(self.m_evals, (b[13], b[12]))
        return Message1(plain.A, plain.B, plain.C, M=self.commit(self.m))

    def round_2(self, beta: int, gamma: int, delta: int) -> Message2:
        plain = super().round_2(beta, gamma, delta)
        b = self.b
        phi = self.backend.kernel(lookup.running_sum)(self.f, self.pk.lookup_evals["t"],
                                                      self.m_evals, delta)
        self.phi = self.interpolate(phi, (b[16], b[15], b[14]))
        return Message2(plain.Z, Phi=self.commit(self.phi))

    def quotient_columns(self) -> dict[str, list[int]]:
        return {**super().quotient_columns(), "phi": self.on_coset(self.phi),
                "m": self.on_coset(self.m)}

    def round_4(self, xi: int) -> Message4:
        plain = super().round_4(xi)
        q = self.pk.selectors
        extra = (self.evaluate(q["q_K"], xi), self.evaluate(q["t"], xi),
                 self.evaluate(self.m, xi), self.evaluate(self.phi, xi * self.omega % R))
        self.evals = Message4(*plain.scalars(), *extra)
        return self.evals

    def linearisation(self, evals: Message4) -> list[tuple[int, Sequence[int]]]:
        terms = super().linearisation(evals)
        phi_coefficient, _ = lookup.linearisation(
            self.alpha, self.delta, self.l1_at_xi, evals.eval_a, evals.eval_qk, evals.eval_t,
            evals.eval_m, evals.eval_phiw)
        return [*terms, (phi_coefficient, self.phi)]

    def opened_at_xi(self) -> list[Sequence[int]]:
        q = self.pk.selectors
        return [*super().opened_at_xi(), q["q_K"], q["t"], self.m]

    def opened_at_xi_omega(self) -> list[Sequence[int]]:
        return [self.z, self.phi]


def prove(
    pk: ProvingKey,
    circuit: Circuit,
    *,
    blinders: Sequence[int] | None = None,
    backend: Backend | None = None,
    check: bool = True,
    progress: Callable[[str], None] | None = None,
) -> Proof:
    """A proof that ``circuit``'s witness satisfies the circuit preprocessed into ``pk``.

    ``blinders``: the 11 blinding scalars b1..b11, 16 with lookups (b12..b16 for m and
    phi); fresh secure randomness by default. Fix them only in tests, e.g. to compare two
    backends byte for byte. ``check=False`` skips the witness check — only for tests that
    show a bad proof is rejected. ``progress`` is told each round as it starts.
    """
    say = progress or (lambda message: None)
    if circuit.structure_digest() != pk.structure_digest:
        raise CircuitError("this circuit's structure differs from the one the key was made for")
    if check:
        circuit.check_witness()
    lookups = pk.vk.has_lookups
    count = NUM_BLINDERS + (lookup.NUM_LOOKUP_BLINDERS if lookups else 0)
    if blinders is None:
        blinders = [Fr.random().value for _ in range(count)]
    if len(blinders) != count:
        raise MalformedInput(f"expected {count} blinding scalars, got {len(blinders)}")
    kind = LookupProver if lookups else Prover
    prover = kind(pk, circuit, [int(b) % R for b in blinders], backend or current())
    schedule = FiatShamir(pk.vk, prover.public)
    say("round 1/5: wires")
    message_1 = prover.round_1()
    beta, gamma, delta = schedule.round_1(message_1)
    say("round 2/5: accumulators")
    message_2 = prover.round_2(beta, gamma, delta)
    alpha = schedule.round_2(message_2)
    say("round 3/5: quotient")
    message_3 = prover.round_3(alpha)
    xi = schedule.round_3(message_3)
    say("round 4/5: evaluations")
    message_4 = prover.round_4(xi)
    v = schedule.round_4(message_4)
    say("round 5/5: openings")
    message_5 = prover.round_5(v)
    return Proof.from_messages(message_1, message_2, message_3, message_4, message_5)
