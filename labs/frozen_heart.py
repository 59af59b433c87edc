"""Lab 10.1 — Frozen Heart: a PLONK verifier whose transcript skips the public inputs.

PLONK's challenges must be a hash of *everything* the verifier is convinced of, the public
inputs included (PLONK eprint 2019/953 §8; the "Frozen Heart" bugs, Trail of Bits 2022, were
implementations that forgot exactly this). ``weak_prove`` and ``weak_verify`` are
``prover.prove`` and ``verifier.verify`` with one change: the Fiat–Shamir transcript never
absorbs the public inputs. The verifier still puts
them into the equation, through PI(xi) = -sum_i p_i L_i(xi) — but xi is now fixed before
the public inputs are chosen, so whoever picks them can pick a change with the same PI(xi).

Exercise (Task 10.1): ``forge_public_inputs`` — given an honest proof for ``public`` (at
least two public inputs), return *different* public inputs that ``weak_verify`` accepts
with the same proof. The real ``verify`` rejects them.
"""

from __future__ import annotations

from collections.abc import Sequence
from unittest import mock

from zkpot_ref.field import R_MODULUS as R
from zkpot_ref.field import inverse_mod
from zkpot_ref.plonk import prover, verifier
from zkpot_ref.plonk.circuit import Circuit
from zkpot_ref.plonk.fiat_shamir import Challenges, FiatShamir
from zkpot_ref.plonk.preprocess import ProvingKey, VerificationKey
from zkpot_ref.plonk.proof import Proof
from zkpot_ref.poly import Domain


def challenges_without_public(vk: VerificationKey, public: Sequence[int],
                              proof: Proof) -> Challenges:
    """THE BUG: the transcript starts from the key alone; ``public`` is ignored."""
    return FiatShamir(vk, []).replay(proof.messages())


def weak_prove(pk: ProvingKey, circuit: Circuit) -> Proof:
    """``prover.prove`` with the same transcript bug (the buggy system's honest prover)."""
    with mock.patch.object(prover, "FiatShamir", lambda vk, public: FiatShamir(vk, [])):
        return prover.prove(pk, circuit)


def weak_verify(vk: VerificationKey, public: Sequence[int], proof: Proof) -> bool:
    """``verifier.verify`` with the public inputs left out of the transcript."""
    with mock.patch.object(verifier, "compute_challenges", challenges_without_public):
        return verifier.verify(vk, public, proof)


def forge_public_inputs(vk: VerificationKey, public: Sequence[int], proof: Proof) -> list[int]:
    """Public inputs other than ``public`` that ``weak_verify`` accepts with ``proof``."""
    # BEGIN TASK 10.1: Frozen Heart, new public inputs with the same PI(xi)
    xi = challenges_without_public(vk, public, proof).xi
    l0, l1 = Domain(vk.n).lagrange_all_at(xi, count=2)
    # PI changes by -(d0 L_0(xi) + d1 L_1(xi)): zero for d1 = -d0 L_0(xi) / L_1(xi)
    d0 = 1
    d1 = -d0 * l0 * inverse_mod(l1, R) % R
    return [(public[0] + d0) % R, (public[1] + d1) % R, *public[2:]]
    # END TASK 10.1
