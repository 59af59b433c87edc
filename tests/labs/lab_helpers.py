"""Shared pieces of the lab tests: a small known-tau SRS and one proven toy statement."""

from __future__ import annotations

import functools

from zkpot_ref.errors import MalformedInput
from zkpot_ref.kzg import SRS
from zkpot_ref.plonk.circuit import Circuit
from zkpot_ref.plonk.preprocess import setup
from zkpot_ref.plonk.prover import prove

TAU = 0x1AB5_7A0


@functools.cache
def small_srs() -> SRS:
    return SRS.insecure_from_tau(TAU, 64)


def circuit(public: tuple[int, ...] = (11, 22, 33), secret: int | None = 5) -> Circuit:
    """Public inputs, and x * x + p0 = y for a private x."""
    c = Circuit()
    wires = [c.public_input(v) for v in public]
    x = c.private_input(secret)
    c.add(c.mul(x, x), wires[0])
    return c


@functools.cache
def statement(keys: bool = False):
    """(vk, public, proof) of ``circuit()``; with ``keys``, (pk, vk, public) instead."""
    c = circuit()
    pk, vk = setup(circuit(secret=None, public=(None, None, None)), small_srs())
    if keys:
        return pk, vk, c.public_values()
    return vk, c.public_values(), prove(pk, c)


def rejected(check, *args) -> bool:
    """A real verifier rejects by returning False or raising MalformedInput."""
    try:
        return not check(*args)
    except MalformedInput:
        return True
