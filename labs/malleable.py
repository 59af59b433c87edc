"""Lab 10.3 — a proof parser that accepts non-canonical scalars (proof malleability).

zkpot reads every scalar as 32 big-endian bytes and refuses values >= r
(``Fr.from_bytes``; conventions: "canonical, reject values >= p"). ``weak_proof_from_bytes``
reduces them mod r instead — the habit of many libraries. Then one proof has several
encodings: a fresh byte string proves the same statement. Anything that identifies proofs
by their bytes (a mempool's duplicate filter, a "this proof was already used" set, a
transaction hash) can be fooled into accepting a replay as new.

Exercise (Task 10.3): ``malleate`` — given an honest proof's bytes, return DIFFERENT bytes
that ``weak_proof_from_bytes`` parses into a proof that still verifies. ``Proof.from_bytes``
refuses them.
"""

from __future__ import annotations

from zkpot_ref.curve import G1
from zkpot_ref.field import R_MODULUS as R
from zkpot_ref.plonk.proof import (
    LOOKUP_POINT_FIELDS,
    LOOKUP_SCALAR_FIELDS,
    POINT_FIELDS,
    PROOF_VERSION,
    SCALAR_FIELDS,
    Proof,
)


def weak_proof_from_bytes(data: bytes) -> Proof:
    """``Proof.from_bytes`` with scalars reduced mod r instead of refused (the bug)."""
    lookups = data[0] == PROOF_VERSION + 1
    points = POINT_FIELDS + (LOOKUP_POINT_FIELDS if lookups else ())
    scalars = SCALAR_FIELDS + (LOOKUP_SCALAR_FIELDS if lookups else ())
    values: dict[str, object] = {}
    for i, name in enumerate(points):
        values[name] = G1.from_bytes(data[1 + 64 * i : 65 + 64 * i])
    base = 1 + 64 * len(points)
    for i, name in enumerate(scalars):
        values[name] = int.from_bytes(data[base + 32 * i : base + 32 * (i + 1)], "big") % R
    return Proof(**values)


def malleate(proof_bytes: bytes) -> bytes:
    """Other bytes for the same proof."""
    # BEGIN TASK 10.3: add r to a scalar's encoding
    lookups = proof_bytes[0] == PROOF_VERSION + 1
    points = len(POINT_FIELDS + (LOOKUP_POINT_FIELDS if lookups else ()))
    start = 1 + 64 * points  # the first scalar, eval_a
    eval_a = int.from_bytes(proof_bytes[start : start + 32], "big")
    return proof_bytes[:start] + (eval_a + R).to_bytes(32, "big") + proof_bytes[start + 32 :]
    # END TASK 10.3
