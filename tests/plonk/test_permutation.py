"""Tests for zkpot_ref/plonk/permutation.py: sigma is the wiring; z wraps to 1 iff copies hold."""

from __future__ import annotations

import pytest
from plonk_helpers import random_circuit

from zkpot_ref.field import R_MODULUS as R
from zkpot_ref.plonk.circuit import Circuit, pad_columns
from zkpot_ref.plonk.permutation import K1, K2, accumulator, build_sigmas, cell_ids
from zkpot_ref.poly import Domain


def test_cell_ids_are_distinct() -> None:
    ids = cell_ids(Domain(16))
    flat = [x for col in ids for x in col]
    assert len(set(flat)) == 48
    assert ids[1][3] == K1 * ids[0][3] % R and ids[2][5] == K2 * ids[0][5] % R


def test_sigma_is_a_permutation_following_the_wiring() -> None:
    c = Circuit()
    x = c.private_input(2)
    y = c.mul(x, x)  # row 0: a = x, b = x, c = y
    c.add(y, x)  # row 1: a = y, b = x
    domain = Domain(4)
    ids, sigmas = cell_ids(domain), build_sigmas(c, domain)
    assert sorted(sum(sigmas, [])) == sorted(sum(ids, []))
    # x appears at (a,0), (b,0), (b,1): one 3-cycle
    assert {sigmas[0][0], sigmas[1][0], sigmas[1][1]} == {ids[0][0], ids[1][0], ids[1][1]}
    assert sigmas[0][0] != ids[0][0]
    # y: (c,0) <-> (a,1)
    assert sigmas[2][0] == ids[0][1] and sigmas[0][1] == ids[2][0]
    # padding rows map to themselves
    assert [s[3] for s in sigmas] == [col[3] for col in ids]


def test_copy_constraints_merge_cycles() -> None:
    c = Circuit()
    x, y = c.private_input(5), c.private_input(5)
    c.add(x, y)
    domain = Domain(4)
    ids = cell_ids(domain)
    assert build_sigmas(c, domain)[0][0] == ids[0][0]  # x alone: a fixed point
    c.assert_equal(x, y)
    sigmas = build_sigmas(c, domain)
    assert sigmas[0][0] == ids[1][0] and sigmas[1][0] == ids[0][0]


def accumulator_for(c: Circuit, n: int) -> list[int]:
    domain = Domain(n)
    wires = pad_columns(list(c.wire_values()), n)
    z = accumulator(wires, build_sigmas(c, domain), domain, beta=12345, gamma=678)
    return z, wires, domain


@pytest.mark.task4_1
def test_accumulator_wraps_to_one_when_copies_hold() -> None:
    c = random_circuit(11, 30, 2)
    z, wires, domain = accumulator_for(c, 32)
    assert z[0] == 1
    # the last step of the recurrence closes the cycle back to z[0] = 1
    ids, sigmas = cell_ids(domain), build_sigmas(c, domain)
    last = domain.size - 1
    num = den = 1
    for j in range(3):
        num = num * (wires[j][last] + 12345 * ids[j][last] + 678) % R
        den = den * (wires[j][last] + 12345 * sigmas[j][last] + 678) % R
    assert z[last] * num % R == den % R


@pytest.mark.task4_1
def test_accumulator_does_not_wrap_when_a_copy_is_broken() -> None:
    c = Circuit()
    x, y = c.private_input(5), c.private_input(6)
    c.add(x, y)
    c.assert_equal(x, y)
    z, wires, domain = accumulator_for(c, 4)
    ids, sigmas = cell_ids(domain), build_sigmas(c, domain)
    num = den = 1
    for i in range(4):
        for j in range(3):
            num = num * (wires[j][i] + 12345 * ids[j][i] + 678) % R
            den = den * (wires[j][i] + 12345 * sigmas[j][i] + 678) % R
    assert num != den
