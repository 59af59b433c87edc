"""fastpath/prover.py against the reference rounds: same arguments, same lists, same errors."""

from __future__ import annotations

import functools
import random
from collections.abc import Callable

import jax.numpy as jnp
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fastpath import JaxAllBackend, JaxBackend
from fastpath import field as F
from fastpath import prover as fast
from zkpot_ref import backend
from zkpot_ref.field import R_MODULUS as R
from zkpot_ref.plonk import lookup, permutation, quotient
from zkpot_ref.plonk.quotient import COLUMNS, LOOKUP_COLUMNS, QuotientInputs
from zkpot_ref.poly import COSET_SHIFT, Domain

#: the edge values every column starts with: 0, 1, r - 1, and unreduced r, 2^256 - 1, -1
EDGES = [0, 1, R - 1, R, 2**256 - 1, -1]


def column(rng: random.Random, n: int) -> list[int]:
    return (EDGES + [rng.randrange(R) for _ in range(n)])[:n]


def quotient_case(n: int, seed: int, *, lookups: bool) -> QuotientInputs:
    rng = random.Random(seed)
    names = COLUMNS + (LOOKUP_COLUMNS if lookups else ())
    columns = {name: column(rng, 4 * n) for name in names}
    rng.shuffle(columns["z"])  # the edges land on different points in different columns
    challenges = [rng.randrange(R) for _ in range(4)]
    return QuotientInputs(n, columns, *challenges)


@pytest.mark.parametrize("lookups", [False, True], ids=["plain", "lookups"])
@pytest.mark.parametrize("log_n", [1, 2, 3, 10])
def test_the_quotient_equals_the_reference(log_n: int, lookups: bool) -> None:
    inputs = quotient_case(1 << log_n, log_n, lookups=lookups)
    assert fast.quotient_on_coset(inputs) == quotient.quotient_on_coset(inputs)


def test_the_quotient_on_another_coset_and_edge_challenges() -> None:
    for beta, gamma, alpha, delta in [(0, 0, 0, 0), (1, 1, 1, 1), (R - 1, R - 1, R - 1, R - 1)]:
        base = quotient_case(4, beta % 7, lookups=True)
        inputs = QuotientInputs(4, base.columns, beta, gamma, alpha, delta, shift=7)
        assert fast.quotient_on_coset(inputs) == quotient.quotient_on_coset(inputs)
    assert quotient.quotient_on_coset(inputs) != quotient.quotient_on_coset(
        QuotientInputs(4, base.columns, beta, gamma, alpha, delta, shift=COSET_SHIFT))


def accumulator_case(n: int, seed: int) -> tuple[list[list[int]], list[list[int]], int, int]:
    rng = random.Random(seed)
    wires = [column(rng, n) for _ in range(3)]
    sigmas = [column(rng, n)[::-1] for _ in range(3)]
    return wires, sigmas, rng.randrange(R), rng.randrange(R)


@pytest.mark.parametrize("log_n", [1, 2, 3, 4, 9, 12])
def test_the_accumulator_equals_the_reference(log_n: int) -> None:
    wires, sigmas, beta, gamma = accumulator_case(1 << log_n, log_n)
    domain = Domain(1 << log_n)
    assert (fast.accumulator(wires, sigmas, domain, beta, gamma)
            == permutation.accumulator(wires, sigmas, domain, beta, gamma))


def test_a_satisfied_wiring_wraps_the_accumulator_around_to_one() -> None:
    """An outside fact, not the reference's output: sigma = identity makes every ratio 1."""
    n = 16
    domain, rng = Domain(n), random.Random(3)
    wires = [column(rng, n) for _ in range(3)]
    ids = permutation.cell_ids(domain)
    assert fast.accumulator(wires, ids, domain, 5, 9) == [1] * n


def running_sum_case(n: int, seed: int) -> tuple[list[int], list[int], list[int], int]:
    rng = random.Random(seed)
    table = [rng.randrange(R) for _ in range(n)]
    f = [rng.choice(table) for _ in range(n)]
    return f, table, lookup.multiplicities(f, table), rng.randrange(R)


@pytest.mark.parametrize("log_n", [1, 2, 3, 4, 9, 12])
def test_the_running_sum_equals_the_reference(log_n: int) -> None:
    f, table, m, delta = running_sum_case(1 << log_n, log_n)
    phi = fast.running_sum(f, table, m, delta)
    assert phi == lookup.running_sum(f, table, m, delta)


def test_a_sound_lookup_closes_the_running_sum() -> None:
    """phi's last step returns to 0 exactly when every f_i is in the table (outside fact)."""
    f, table, m, delta = running_sum_case(16, 5)
    phi = fast.running_sum(f, table, m, delta)
    last = (phi[-1] + pow(delta - f[-1], -1, R) - m[-1] * pow(delta - table[-1], -1, R)) % R
    assert last == 0


def test_zero_denominators_raise_as_in_the_reference() -> None:
    wires, sigmas, beta, gamma = accumulator_case(8, 1)
    wires[1][5] = -(beta * sigmas[1][5] + gamma) % R  # row 5's denominator is 0
    domain = Domain(8)
    for accumulate in (fast.accumulator, permutation.accumulator):
        with pytest.raises(ZeroDivisionError, match="element 5 is 0"):
            accumulate(wires, sigmas, domain, beta, gamma)
    f, table, m, _ = running_sum_case(8, 2)
    first = f.index(f[3])  # delta - f_i is 0 first here
    for running_sum in (fast.running_sum, lookup.running_sum):
        with pytest.raises(ZeroDivisionError, match=f"element {first} is 0"):
            running_sum(f, table, m, f[3])


def test_unusual_shapes_go_to_the_reference() -> None:
    """Columns of other lengths are the reference's business (its result, or its error)."""
    f, table, m, delta = running_sum_case(8, 4)
    longer = table + [7, 9]
    assert fast.running_sum(f, longer, m, delta) == lookup.running_sum(f, longer, m, delta)
    inputs = quotient_case(4, 1, lookups=False)
    short = QuotientInputs(4, {**inputs.columns, "z": inputs.columns["z"][:-1]}, 1, 2, 3)
    for divide in (fast.quotient_on_coset, quotient.quotient_on_coset):
        with pytest.raises(IndexError):
            divide(short)


def _prefix(op: Callable[[int, int], int], identity: int, values: list[int]) -> list[int]:
    out, acc = [], identity
    for v in values:
        out.append(acc)
        acc = op(acc, v)
    return out


@functools.cache
def _scan_program(name: str) -> Callable[..., object]:
    import jax

    ops = {"mul": lambda x, y: F.mont_mul(x, y, F.FR), "add": lambda x, y: F.add(x, y, F.FR)}

    def run(x: jax.Array, identity: jax.Array) -> jax.Array:
        return F.canonical(fast.exclusive_scan(ops[name], identity, x), F.FR)

    return jax.jit(run)


@settings(max_examples=15, deadline=None)
@given(st.sampled_from(["mul", "add"]), st.integers(0, 9),
       st.lists(st.integers(0, R - 1), min_size=512, max_size=512))
def test_the_blocked_scan_is_a_prefix(op: str, log_n: int, values: list[int]) -> None:
    """Sizes 1..512 cover one block, many blocks of one row, and rows inside blocks."""
    values = values[: 1 << log_n]
    mont_one = 2**256 % R
    with F.x64():
        if op == "mul":  # Montgomery form in and out: x*2^256 for each x
            x = jnp.asarray(F.to_limbs([v * mont_one for v in values], R))
            identity = jnp.asarray(F.to_limbs([mont_one], R))
            expected = [p * mont_one % R for p in _prefix(lambda a, b: a * b % R, 1, values)]
        else:
            x, identity = jnp.asarray(F.to_limbs(values, R)), jnp.asarray(F.to_limbs([0], R))
            expected = _prefix(lambda a, b: (a + b) % R, 0, values)
        assert F.from_limbs(_scan_program(op)(x, identity)) == expected


def test_the_backends_file_the_round_kernels() -> None:
    """"jax-all" swaps in all three; "jax" keeps the reference's (faster on a CPU)."""
    everything, cpu = JaxAllBackend(), JaxBackend()
    for reference, kernel in [(permutation.accumulator, fast.accumulator),
                              (lookup.running_sum, fast.running_sum),
                              (quotient.quotient_on_coset, fast.quotient_on_coset)]:
        assert everything.kernel(reference) is kernel
        assert cpu.kernel(reference) is reference
    assert "jax-all" in backend.available()
