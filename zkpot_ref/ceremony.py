"""A verifiable powers-of-tau ceremony: an SRS whose secret nobody knows.

Lesson. KZG (``kzg.py``) needs [tau^i]_1 for a tau that *nobody* knows: whoever knows tau
can open any commitment to any value and so forge PLONK proofs. A multi-party ceremony
(Bowe–Gabizon–Green, "A multi-party protocol for constructing the public parameters of the
Pinocchio zk-SNARK", FC 2018; Bowe–Gabizon–Miers, eprint 2017/1050, "powers of tau") builds
tau = tau_1 * tau_2 * ... * tau_n, one factor per participant, without anyone learning it:

- start from the generator-only SRS ([1]_1, [1]_1, ..., [1]_2, [1]_2), i.e. tau = 1;
- participant k samples tau_k, multiplies the j-th G1 power by tau_k^j and [tau]_2 by tau_k,
  publishes the result with a proof, and forgets tau_k ("toxic waste");
- the final tau is the product of all tau_k. If even ONE participant was honest (random
  tau_k, forgotten), tau is uniformly random and unknown to everybody else, because
  knowing tau would mean knowing tau_k = tau / (product of the others).

What a contribution publishes, and what the verifier checks while replaying the transcript
from the start (``check_ceremony``; cheap checks first, then ONE batched pairing check):

1. ``key_g1 = [tau_k]_1`` with a Schnorr proof of knowledge of tau_k (R = [k]_1,
   s = k + c tau_k, checked as [s]_1 = R + c key_g1) whose challenge c hashes the participant's
   name and the digest of the whole transcript before it — so a proof cannot be copied
   to another position, ceremony or name, and nobody can contribute a tau_k they do not know
   (such as one chosen to cancel earlier contributions).
2. ``key_g2 = [tau_k]_2`` holds the same tau_k:     e(key_g1, [1]_2) = e([1]_1, key_g2).
3. the new [tau]_1 is the previous one times tau_k: e(tau_g1, [1]_2) = e(prev_tau_g1, key_g2).
   A contribution that "restarts from scratch" (ignores its predecessors) fails here.
4. the new [tau]_2 matches the new [tau]_1:          e(tau_g1, [1]_2) = e([1]_1, tau_g2).
5. no point is the identity (tau_k = 0 would erase everybody's contribution).
6. the final SRS is a power sequence of the last contribution's tau: its [tau]_1 and
   [tau]_2 are the last ``tau_g1``/``tau_g2``, and ``kzg.srs_power_pairs`` holds.

Checks 2-4 for every contribution and check 6 are multiplied by independent random
128-bit scalars and multiplied together (pairs with the same G2 point merged), so the
verifier does one multi-pairing of about 2n + 2 pairs instead of 3n + d separate checks.

The file format (save/load with checksum) and the ``zkpot ceremony`` command are the next
lesson, ``ceremony_format.py``.

Read next: ``ceremony_format.py`` (the file format and the ``zkpot ceremony`` command).
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass, replace

from zkpot_ref.curve import G1, G2, pairing_check
from zkpot_ref.curve.msm_batch_affine import fixed_base_multiples
from zkpot_ref.errors import MalformedInput, SetupError
from zkpot_ref.field import R_MODULUS
from zkpot_ref.kzg import BATCH_BITS, SRS, srs_power_pairs
from zkpot_ref.transcript import Transcript, keccak256

R = R_MODULUS
#: domain separator of the transcript digest (changing the protocol changes it)
DOMAIN = b"zkpot/powers-of-tau/v1"
#: longest participant name, in UTF-8 bytes
MAX_NAME_BYTES = 200

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class Contribution:
    """One participant's public record: the new [tau], the key tau_k and its proof."""

    name: str
    tau_g1: G1  #: [tau]_1 after this contribution
    tau_g2: G2  #: [tau]_2 after this contribution
    key_g1: G1  #: [tau_k]_1, the public key whose discrete log is proven known
    key_g2: G2  #: [tau_k]_2
    pok_r: G1  #: Schnorr commitment R = [k]_1
    pok_s: int  #: Schnorr response s = k + c * tau_k mod r

    def to_bytes(self) -> bytes:
        """Canonical encoding: u8 name length, name (UTF-8), five points, s (32 bytes)."""
        name = check_name(self.name)
        return b"".join([
            bytes([len(name)]), name, self.tau_g1.to_bytes(), self.tau_g2.to_bytes(),
            self.key_g1.to_bytes(), self.key_g2.to_bytes(), self.pok_r.to_bytes(),
            (self.pok_s % R).to_bytes(32, "big"),
        ])


@dataclass(frozen=True)
class Ceremony:
    """The current SRS and every contribution that led to it, oldest first."""

    srs: SRS
    contributions: tuple[Contribution, ...] = ()

    @property
    def degree(self) -> int:
        return self.srs.max_degree


def check_name(name: str) -> bytes:
    """The UTF-8 bytes of a participant name; MalformedInput unless 1..200 printable bytes."""
    if not isinstance(name, str) or not name or not name.isprintable():
        raise MalformedInput("a participant name must be a non-empty printable string")
    encoded = name.encode("utf-8")
    if len(encoded) > MAX_NAME_BYTES:
        raise MalformedInput(f"a participant name may have at most {MAX_NAME_BYTES} bytes")
    return encoded


def start(degree: int) -> Ceremony:
    """A new ceremony for polynomials of degree <= ``degree``: all powers are generators."""
    if not isinstance(degree, int) or not 1 <= degree <= 1 << 28:
        raise MalformedInput(f"degree must be an integer in 1..2^28, got {degree!r}")
    g1, g2 = G1.generator(), G2.generator()
    return Ceremony(SRS([g1] * (degree + 1), g2, g2))


def transcript_digest(degree: int, contributions: tuple[Contribution, ...]) -> bytes:
    """h_0 = H(DOMAIN || degree), h_(k+1) = H(h_k || contribution_k): binds each proof to
    everything before it (H = Keccak-256)."""
    digest = keccak256(DOMAIN + degree.to_bytes(4, "big"))
    for contribution in contributions:
        digest = keccak256(digest + contribution.to_bytes())
    return digest


def pok_challenge(digest: bytes, name: str, c: Contribution) -> int:
    """Fiat–Shamir challenge of the Schnorr proof: everything in the record except s."""
    transcript = Transcript()
    transcript.absorb(digest)
    transcript.absorb(check_name(name))
    for point in (c.tau_g1, c.tau_g2, c.key_g1, c.key_g2, c.pok_r):
        transcript.absorb(point.to_bytes())
    return transcript.challenge()


def contribute(
    ceremony: Ceremony, name: str, secret: int | None = None, progress: Progress | None = None
) -> Ceremony:
    """Add one contribution: multiply [tau^j]_1 by tau_k^j and [tau]_2 by tau_k.

    ``secret`` (tau_k) defaults to a fresh random scalar from the OS; pass one only in tests.
    Cost: ``degree`` G1 scalar multiplications (the powers tau_k^j are computed
    incrementally in Fr, then each point is multiplied once); the first contribution,
    where every point is the generator, uses one fixed-base table for all of them.
    """
    check_name(name)
    if secret is not None and (not isinstance(secret, int) or isinstance(secret, bool)):
        raise MalformedInput("the secret tau_k must be an integer")
    tau_k = 1 + secrets.randbelow(R - 1) if secret is None else secret % R
    if tau_k == 0:
        raise MalformedInput("the secret tau_k must be non-zero mod r")
    old = ceremony.srs
    exponents, t = [], 1
    for _ in old.g1_powers:
        exponents.append(t)
        t = t * tau_k % R
    total = len(old.g1_powers)
    if all(point == old.g1_powers[0] for point in old.g1_powers):
        # the first contribution: every power is the generator, so these are many
        # multiples of one point (a fixed-base table: ``fixed_base_multiples``)
        powers = fixed_base_multiples(old.g1_powers[0], exponents)
        if progress is not None:
            progress(total, total)
    else:
        powers = []
        for j, (point, t) in enumerate(zip(old.g1_powers, exponents)):
            powers.append(point * t)
            if progress is not None and ((j + 1) % 256 == 0 or j + 1 == total):
                progress(j + 1, total)
    srs = SRS(powers, old.g2_one, old.g2_tau * tau_k)
    g1, g2 = G1.generator(), G2.generator()
    k = 1 + secrets.randbelow(R - 1)
    record = Contribution(
        name, tau_g1=powers[1], tau_g2=srs.g2_tau, key_g1=g1 * tau_k, key_g2=g2 * tau_k,
        pok_r=g1 * k, pok_s=0,
    )
    c = pok_challenge(transcript_digest(ceremony.degree, ceremony.contributions), name, record)
    record = replace(record, pok_s=(k + c * tau_k) % R)
    return Ceremony(srs, (*ceremony.contributions, record))


def _merge(pairs: list[tuple[G1, G2]]) -> list[tuple[G1, G2]]:
    """Combine pairs that share a G2 point: e(A, Q) e(B, Q) = e(A + B, Q) saves a Miller loop."""
    merged: list[tuple[G1, G2]] = []
    for p, q in pairs:
        for i, (p2, q2) in enumerate(merged):
            if q2 == q:
                merged[i] = (p2 + p, q2)
                break
        else:
            merged.append((p, q))
    return merged


def _check_points(c: Contribution, who: str) -> None:
    """Check 5 and group membership: right types, on the curve, in G2, not the identity."""
    g1_points, g2_points = (c.tau_g1, c.key_g1, c.pok_r), (c.tau_g2, c.key_g2)
    if not all(type(p) is G1 for p in g1_points) or not all(type(q) is G2 for q in g2_points):
        raise SetupError(f"{who}: points of the wrong type")
    if any(p.is_identity() for p in (*g1_points, *g2_points)):
        raise SetupError(f"{who}: a point is the identity (a zero tau_k erases tau)")
    if not all(p.is_on_curve() for p in g1_points) or not all(
        q.is_on_curve() and q.is_in_subgroup() for q in g2_points
    ):
        raise SetupError(f"{who}: a point is not on its curve or not in its group")


def check_ceremony(
    ceremony: Ceremony, progress: Callable[[str], None] | None = None, allow_empty: bool = False
) -> None:
    """Replay the transcript from the generator-only start; SetupError names the failing check.

    An empty ceremony (tau = 1, public) is refused unless ``allow_empty``, and then it must
    be exactly the generator-only start.
    """
    say = progress or (lambda message: None)
    srs, g1, g2 = ceremony.srs, G1.generator(), G2.generator()
    if not ceremony.contributions:
        if allow_empty and ceremony.srs == start(ceremony.degree).srs:
            return
        raise SetupError("the ceremony has no contributions: its tau = 1 is public")
    if srs.max_degree < 1:
        raise SetupError("the SRS must hold at least [1]_1 and [tau]_1")
    if srs.g1_powers[0] != g1 or srs.g2_one != g2:
        raise SetupError("the SRS does not start with the generators [1]_1 and [1]_2")
    if not all(p.is_on_curve() for p in srs.g1_powers):
        raise SetupError("an SRS point is not on the curve")
    if not srs.g2_tau.is_on_curve() or not srs.g2_tau.is_in_subgroup():
        raise SetupError("the SRS's [tau]_2 is not a point of G2")
    digest = transcript_digest(ceremony.degree, ())
    previous_tau_g1 = g1
    pairs: list[tuple[G1, G2]] = []
    for number, c in enumerate(ceremony.contributions, start=1):
        who = f"contribution {number}"
        say(f"{who}: checking the proof of knowledge")
        if not isinstance(c, Contribution):
            raise SetupError(f"{who} is not a Contribution")
        check_name(c.name)
        who = f"contribution {number} ({c.name})"
        _check_points(c, who)
        if not isinstance(c.pok_s, int) or not 0 <= c.pok_s < R:
            raise SetupError(f"{who}: the Schnorr response is not a scalar in [0, r)")
        challenge = pok_challenge(digest, c.name, c)
        if g1 * c.pok_s != c.pok_r + c.key_g1 * challenge:
            raise SetupError(f"{who}: the proof of knowledge of tau_k does not verify")
        # checks 2-4, each as e(A, [1]_2) * e(-B, Q) = 1 scaled by its own random rho
        rho_key, rho_update, rho_tau = (secrets.randbits(BATCH_BITS) for _ in range(3))
        pairs += [
            (c.key_g1 * rho_key + c.tau_g1 * (rho_update + rho_tau), g2),
            (-(g1 * rho_key + previous_tau_g1 * rho_update), c.key_g2),
            (-(g1 * rho_tau), c.tau_g2),
        ]
        digest = keccak256(digest + c.to_bytes())
        previous_tau_g1 = c.tau_g1
    last = ceremony.contributions[-1]
    if srs.g1_powers[1] != last.tau_g1 or srs.g2_tau != last.tau_g2:
        raise SetupError("the SRS's [tau]_1 / [tau]_2 are not those of the last contribution")
    say(f"SRS of degree {srs.max_degree}: combining the powers with random scalars (MSM)")
    pairs += srs_power_pairs(srs)
    merged = _merge(pairs)
    say(f"one multi-pairing of {len(merged)} pairs")
    if not pairing_check(merged):
        raise SetupError(
            "the batched pairing check failed: some contribution does not build on the "
            "previous one (or its [tau_k]_2 / [tau]_2 is inconsistent), or the SRS is not "
            "a power sequence"
        )


def verify_ceremony(ceremony: Ceremony, progress: Callable[[str], None] | None = None) -> bool:
    """True iff ``check_ceremony`` accepts (for callers who only need yes or no)."""
    try:
        check_ceremony(ceremony, progress)
    except (SetupError, MalformedInput):
        return False
    return True
