"""Shared helpers for the PLONK tests: a cached test SRS and random satisfiable circuits."""

from __future__ import annotations

import functools
import random

from zkpot_ref.field import R_MODULUS
from zkpot_ref.kzg import SRS
from zkpot_ref.plonk.circuit import Circuit

TEST_TAU = 0x5EED_7A0


@functools.cache
def shared_srs(degree: int = 1024 + 8) -> SRS:
    """An SRS with a known tau — for tests only (a ceremony's output in real use)."""
    return SRS.insecure_from_tau(TEST_TAU, degree)


def random_circuit(seed: int, num_gates: int, num_public: int,
                   with_values: bool = True) -> Circuit:
    """A random satisfiable circuit of roughly ``num_gates`` gates.

    The same seed always gives the same structure; ``with_values=False`` builds that
    structure without a witness (as key generation would).
    """
    rng = random.Random(seed)
    values = random.Random(seed + 1)  # witness values drawn separately from the structure

    def val() -> int | None:
        return values.randrange(R_MODULUS) if with_values else None

    c = Circuit()
    pool = [c.public_input(val()) for _ in range(num_public)]
    pool.append(c.private_input(val()))
    while len(c.gates) < num_gates:
        x, y = rng.choice(pool), rng.choice(pool)
        kind = rng.randrange(6)
        if kind == 0:
            pool.append(c.add(x, y))
        elif kind == 1:
            pool.append(c.mul(x, y))
        elif kind == 2:
            pool.append(c.linear_combination(x, y, rng.randrange(R_MODULUS), 7, 3))
        elif kind == 3:
            pool.append(c.constant(rng.randrange(100)))
        elif kind == 4:
            bit = c.private_input(values.randrange(2) if with_values else None)
            c.assert_boolean(bit)
            pool.append(bit)
        else:
            # copy constraint: recompute x + y and assert it equals an earlier sum
            s1, s2 = c.add(x, y), c.add(y, x)
            c.assert_equal(s1, s2)
    return c
