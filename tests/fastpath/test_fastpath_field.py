"""fastpath/field.py against plain Python ints: one table of operations, edge values first."""

from __future__ import annotations

import functools
import random
from collections.abc import Callable

import jax
import jax.numpy as jnp
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fastpath import field as F
from zkpot_ref.field import P_MODULUS, R_MODULUS, batch_inverse_ints

SPECS = {"Fr": F.FR, "Fq": F.FQ}


def edge_values(m: int) -> list[int]:
    """0, 1, m-1 and friends, then the other field's edges and random values (1100 > CHUNK)."""
    other = P_MODULUS if m == R_MODULUS else R_MODULUS
    rng = random.Random(m)
    fixed = [0, 1, 2, m - 1, m - 2, (m - 1) // 2, other - 1, 2**32 - 1, 2**32, 2**253]
    return fixed + [rng.randrange(m) for _ in range(1100)]


def _mul(a: jax.Array, b: jax.Array, spec: F.FieldSpec) -> jax.Array:
    return F.from_mont(F.mont_mul(F.to_mont(a, spec), F.to_mont(b, spec), spec), spec)


#: name -> (array operation, reference on ints)
OPS: dict[str, tuple[Callable[..., jax.Array], Callable[[int, int, int], int]]] = {
    "add": (lambda a, b, s: F.canonical(F.add(a, b, s), s), lambda x, y, m: (x + y) % m),
    "sub": (lambda a, b, s: F.canonical(F.sub(a, b, s), s), lambda x, y, m: (x - y) % m),
    "neg": (lambda a, b, s: F.canonical(F.neg(a, s), s), lambda x, y, m: -x % m),
    "mul": (_mul, lambda x, y, m: x * y % m),
    "mont round trip": (lambda a, b, s: F.from_mont(F.to_mont(a, s), s), lambda x, y, m: x),
    "add_sub plus": (lambda a, b, s: F.canonical(F.add_sub(a, b, s)[0], s),
                     lambda x, y, m: (x + y) % m),
    "add_sub minus": (lambda a, b, s: F.canonical(F.add_sub(a, b, s)[1], s),
                      lambda x, y, m: (x - y) % m),
}


@functools.partial(jax.jit, static_argnums=2)
def _all_ops(a: jax.Array, b: jax.Array, spec_name: str) -> dict[str, jax.Array]:
    """Every operation of the table in one compiled program (compile time counts in CI)."""
    return {op: fast(a, b, SPECS[spec_name]) for op, (fast, _) in OPS.items()}


@functools.cache
def run_table(spec_name: str, xs: tuple[int, ...], ys: tuple[int, ...]) -> dict[str, list[int]]:
    m = SPECS[spec_name].modulus
    with F.x64():
        out = _all_ops(jnp.asarray(F.to_limbs(xs, m)), jnp.asarray(F.to_limbs(ys, m)), spec_name)
        return {op: F.from_limbs(v) for op, v in out.items()}


@pytest.mark.parametrize("spec_name", sorted(SPECS))
@pytest.mark.parametrize("op", sorted(OPS))
def test_operation_matches_python_ints(op: str, spec_name: str) -> None:
    m = SPECS[spec_name].modulus
    xs = tuple(edge_values(m))
    ys = xs[::-1]
    out = run_table(spec_name, xs, ys)[op]
    reference = OPS[op][1]
    assert out == [reference(x % m, y % m, m) for x, y in zip(xs, ys, strict=True)]


@settings(max_examples=25, deadline=None)
@given(st.lists(st.integers(0, 2**256 - 1), min_size=16, max_size=16),
       st.sampled_from(sorted(SPECS)))
def test_every_operation_on_random_values(values: list[int], spec_name: str) -> None:
    m = SPECS[spec_name].modulus
    xs, ys = tuple(values[:8]), tuple(values[8:])  # one shape: compiled once
    out = run_table(spec_name, xs, ys)
    for op, (_, reference) in OPS.items():
        assert out[op] == [reference(x % m, y % m, m) for x, y in zip(xs, ys, strict=True)]


def test_lazy_values_below_twice_the_modulus_stay_below_it() -> None:
    spec = F.FR
    m = spec.modulus
    top = [2 * m - 1, 2 * m - 2, m, m + 1]  # lazily reduced inputs, not canonical
    with F.x64():
        a = jnp.asarray(F.to_limbs(top, 2**256))
        prod = F.from_limbs(jax.jit(lambda x: F.mont_mul(x, x, spec))(a))
        total = F.from_limbs(jax.jit(lambda x: F.add(x, x, spec))(a))
    assert all(v < 2 * m for v in prod + total)
    inv_r = pow(F.MONT_R, -1, m)
    assert [p % m for p in prod] == [x * x * inv_r % m for x in top]
    assert [t % m for t in total] == [2 * x % m for x in top]


@pytest.mark.parametrize("spec_name", sorted(SPECS))
def test_batch_inverse_matches_the_reference(spec_name: str) -> None:
    spec = SPECS[spec_name]
    m = spec.modulus
    values = [v for v in edge_values(m)[:300] if v % m]
    assert F.batch_inverse(values, spec) == batch_inverse_ints(values, m)
    assert F.batch_inverse([], spec) == []
    with pytest.raises(ZeroDivisionError, match="element 1 is 0"):
        F.batch_inverse([1, m, 2], spec)


def test_boundary_conversion_round_trips() -> None:
    values = edge_values(R_MODULUS)[:20]
    assert F.from_limbs(F.to_limbs(values, R_MODULUS)) == [v % R_MODULUS for v in values]
    assert F.to_limbs([], R_MODULUS).shape == (8, 0)
    with pytest.raises(ValueError, match="below 2"):
        F.FieldSpec(2**255 - 19)


def test_the_fast_path_leaves_jax_in_32_bit_mode_for_training() -> None:
    """FL training (zkpot_ref/fl) must never silently switch to float64."""
    before = jax.config.jax_enable_x64
    F.batch_inverse([3, 5])
    with F.x64():
        assert jnp.zeros(1, dtype=jnp.uint64).dtype == jnp.uint64
    assert jax.config.jax_enable_x64 is before is False
    assert jnp.zeros(1).dtype == jnp.float32
    assert jnp.asarray(1.5).dtype == jnp.float32
