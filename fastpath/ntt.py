"""NTT, inverse NTT and coset NTT over Fr on limb arrays, one compiled program per size.

Lesson. The reference (``zkpot_ref/poly.py``) runs the radix-2 Cooley–Tukey butterflies
one pair at a time. Here every stage is ONE vector operation over all n/2 pairs, and all
stages have the *same shape*: the constant-geometry (Pease 1968) form of the
Gentleman–Sande (decimation-in-frequency) transform. Each stage reads the pair
(x[i], x[i + n/2]), writes (x[i] + x[i + n/2], (x[i] - x[i + n/2]) * w) to (2i, 2i + 1),
and the layout rotates by one bit per stage. Because the shapes never change, the stage
is a ``lax.fori_loop`` body compiled once, whatever log2(n) is: compile time stays a few
seconds per size. The twiddle of pair i at stage s, omega^(2^s * j), is gathered from one
table of omega^t (t < n/2) through an index table worked out once by following the
layout (``_plan``); the output comes out bit-reversed and one gather restores the order.

Data stay in normal form; twiddles are stored as w * 2^256 (Montgomery form), so each
product ``mont_mul(x, w * 2^256)`` is x * w — no conversion of the data at all.

Alternatives (docs/fastpath.md): formulations of the product itself were measured there;
a four-step transform with the inner DFTs as float64 matmuls on 16-bit limbs is exact but
was only estimated — on a CPU without matrix units its 16 x 16 limb products per entry
cost more than the butterflies' products they replace.

Read next: ``msm.py``.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence

import jax
import jax.numpy as jnp
import numpy as np

from fastpath.field import FR, add_sub, canonical, from_limbs, mont_mul, split, to_limbs, x64
from zkpot_ref.errors import MalformedInput
from zkpot_ref.field import R_MODULUS, inverse_mod

R = R_MODULUS


def _plan(n: int) -> tuple[np.ndarray, np.ndarray]:
    """Twiddle exponents per stage ``(log n, n/2)`` and the final gather ``(n,)``.

    ``logical[p]`` is the index, in the textbook in-place DIF array, of the value now at
    position p. Stage s pairs logical indices L and L + h (h = n / 2^(s+1)); the twiddle
    is omega^(2^s * (L mod 2h)).
    """
    k = n.bit_length() - 1
    logical = np.arange(n, dtype=np.int64)
    exponents = np.zeros((k, n // 2), dtype=np.int32)
    for s in range(k):
        h = n >> (s + 1)
        top, bottom = logical[: n // 2], logical[n // 2:]
        assert np.all(bottom == top + h), "constant-geometry pairing broken"
        exponents[s] = (top % (2 * h)) << s
        logical = np.stack([top, bottom], axis=1).reshape(n)
    reverse = np.array([int(format(i, f"0{k}b")[::-1], 2) if k else 0 for i in range(n)])
    gather = np.empty(n, dtype=np.int32)
    gather[reverse[logical]] = np.arange(n, dtype=np.int32)
    return exponents, gather


@functools.lru_cache(maxsize=32)
def _tables(n: int, omega: int) -> tuple[jax.Array, jax.Array, jax.Array]:
    """Device tables for (n, omega): twiddles in Montgomery form, exponents, gather."""
    exponents, gather = _plan(n)
    powers, w = [0] * max(n // 2, 1), FR.mont(1)
    for t in range(len(powers)):
        powers[t] = w
        w = w * omega % R
    with x64():
        return (jnp.asarray(to_limbs(powers, 2**256)), jnp.asarray(exponents),
                jnp.asarray(gather))


@functools.lru_cache(maxsize=32)
def _scales(n: int, shift: int, factor: int = 1) -> jax.Array:
    """factor * shift^j * 2^256 mod r for j < n: moves coefficients onto the coset."""
    out, p = [0] * n, FR.mont(factor)
    for j in range(n):
        out[j] = p
        p = p * shift % R
    with x64():
        return jnp.asarray(to_limbs(out, 2**256))


@jax.jit
def _transform(x: jax.Array, twiddles: jax.Array, exponents: jax.Array,
               gather: jax.Array) -> jax.Array:
    """The constant-geometry DIF stages; in and out in [0, 2r) (normal form), natural order."""
    limbs, n = x.shape
    half = n // 2

    def stage(s: int, x: jax.Array) -> jax.Array:
        w = jnp.take(twiddles, jax.lax.dynamic_index_in_dim(exponents, s, keepdims=False),
                     axis=1)
        top, bottom = x[:, :half], x[:, half:]
        plus, minus = add_sub(top, bottom, FR)
        minus = mont_mul(minus, w, FR)
        return jnp.stack([plus, minus], axis=2).reshape(limbs, n)

    x = jax.lax.fori_loop(0, exponents.shape[0], stage, x)
    return jnp.take(x, gather, axis=1)


@jax.jit
def _finish(x: jax.Array, scale: jax.Array) -> jax.Array:
    """x * scale (Montgomery-form constants), then canonical: the INTT's 1/n, the coset."""
    return canonical(mont_mul(x, scale, FR), FR)


def _canonical(x: jax.Array) -> jax.Array:
    """[0, 2r) -> [0, r) through ``_finish`` (times Montgomery one): one program less."""
    return _finish(x, jnp.asarray(split(FR.mont(1)))[:, None])


def _check(n: int) -> None:
    if n & (n - 1):
        raise MalformedInput(f"NTT size must be a power of two, got {n}")


def ntt_limbs(x: jax.Array, omega: int) -> jax.Array:
    """NTT of a ``(8, n)`` array (values < 2r), result in [0, 2r). Call under ``x64()``."""
    n = x.shape[1]
    if n <= 1:
        return x
    return _transform(x, *_tables(n, omega))


def ntt(values: Sequence[int], omega: int) -> list[int]:
    """Same as ``zkpot_ref.poly.ntt``: evaluations at omega^i, canonical ints."""
    _check(len(values))
    with x64():
        x = jnp.asarray(to_limbs(values, R))
        return from_limbs(_canonical(ntt_limbs(x, omega)))


def intt(values: Sequence[int], omega: int) -> list[int]:
    """Same as ``zkpot_ref.poly.intt``: the NTT with omega^-1, times 1/n."""
    n = len(values)
    _check(n)
    if n == 0:
        return []
    with x64():
        x = ntt_limbs(jnp.asarray(to_limbs(values, R)), inverse_mod(omega, R))
        scale = jnp.asarray(split(FR.mont(inverse_mod(n, R))))[:, None]
        return from_limbs(_finish(x, scale))


def coset_ntt(coeffs: Sequence[int], omega: int, size: int, shift: int) -> list[int]:
    """Evaluations on shift * <omega> (size points) of a polynomial with <= size coeffs."""
    if len(coeffs) > size:
        raise MalformedInput(f"{len(coeffs)} coefficients do not fit {size} points")
    _check(size)
    padded = list(coeffs) + [0] * (size - len(coeffs))
    with x64():
        x = _finish(jnp.asarray(to_limbs(padded, R)), _scales(size, shift))
        return from_limbs(_canonical(ntt_limbs(x, omega)))


def coset_intt(evals: Sequence[int], omega: int, shift: int) -> list[int]:
    """Inverse of ``coset_ntt``: coefficients times shift^-j, and 1/n folded in."""
    n = len(evals)
    _check(n)
    if n == 0:
        return []
    with x64():
        x = ntt_limbs(jnp.asarray(to_limbs(evals, R)), inverse_mod(omega, R))
        scale = _scales(n, inverse_mod(shift, R), inverse_mod(n, R))
        return from_limbs(_finish(x, scale))
