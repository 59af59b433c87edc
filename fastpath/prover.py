"""The prover's elementwise rounds on limb arrays: round 2's grand products, round 3's quotient.

Lesson. Between its transforms and commitments a PLONK prover does plain arithmetic on
columns of field elements, the same formula at every point (PLONK, eprint 2019/953, §8.3):

* round 2, the permutation accumulator (``permutation.accumulator``):
  z_0 = 1, z_{i+1} = z_i · prod_j (w_j + beta·id_j + gamma) / prod_j (w_j + beta·sigma_j + gamma);
* round 2 with lookups, the running sum (``lookup.running_sum``):
  phi_0 = 0, phi_{i+1} = phi_i + 1/(delta - f_i) - m_i/(delta - t_i);
* round 3, the quotient on the 4n coset (``quotient.quotient_on_coset``): gates, permutation,
  z's start and the lookup terms combined with powers of alpha, divided by Z_H.

The reference writes each as a loop over points; here each is a few whole-column
operations (``field.py``), and the two recurrences become *scans*: z is the exclusive
prefix product of the ratios num_i / den_i, phi the exclusive prefix sum of the terms.
A prefix over n points is blocked like ``field.batch_inverse_mont``: the n values are cut
into ``LANES`` contiguous blocks, one running prefix per block advances side by side
(n / LANES vector steps), the block totals get their own short prefix, and each block is
then shifted by the total of the blocks before it. The denominators are inverted at once
(Montgomery's trick, ``field.batch_inverse_mont``).

All arithmetic is in Montgomery form: columns enter in normal form, are multiplied by
2^512 mod r once (``to_mont``), and leave through ``from_mont``; the challenges are
Montgomery constants passed as *arguments*, so a new proof does not recompile.

The contract is the reference's, output for output: each function here takes the same
arguments as its reference twin and returns the same list. Where the reference raises
(a zero denominator, which a random challenge hits with probability ~n/r) or input has
an unexpected shape, the fast path hands the call to the reference, so errors are the
reference's too. Tests: ``tests/fastpath/test_fastpath_prover.py``.

Read next: ``witness.py``.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence

import jax
import jax.numpy as jnp
import numpy as np

from fastpath.field import (
    FR,
    LIMBS,
    add,
    batch_inverse_mont,
    canonical,
    from_limbs,
    from_mont,
    mont_mul,
    split,
    sub,
    to_limbs,
    to_mont,
    x64,
)
from zkpot_ref.field import R_MODULUS
from zkpot_ref.plonk import lookup, permutation, quotient
from zkpot_ref.plonk.permutation import K1, K2
from zkpot_ref.plonk.preprocess import EXTENSION
from zkpot_ref.plonk.quotient import COLUMNS, LOOKUP_COLUMNS, QuotientInputs
from zkpot_ref.poly import Domain

R = R_MODULUS
#: blocks of a prefix scan (rows are scanned, blocks run side by side)
LANES = 256
#: coset points per step of the quotient (bounds the working set: ~40 columns of 8 x 4096)
QUOTIENT_CHUNK = 4096


# -- small vocabulary: the reference's formulas read almost unchanged --------------------
def _mul(x: jax.Array, y: jax.Array) -> jax.Array:
    return mont_mul(x, y, FR)


def _add(x: jax.Array, y: jax.Array) -> jax.Array:
    """x + y; either may be an ``(8, 1)`` constant."""
    x, y = jnp.broadcast_arrays(x, y)
    return add(x, y, FR)


def _sub(x: jax.Array, y: jax.Array) -> jax.Array:
    x, y = jnp.broadcast_arrays(x, y)
    return sub(x, y, FR)


def _montgomery_constants(values: Sequence[int]) -> np.ndarray:
    """``(k, 8, 1)`` limbs of v·2^256 mod r: challenges as arguments of a compiled program."""
    return np.stack([split(FR.mont(v % R))[:, None] for v in values])


def _is_zero(x: jax.Array) -> jax.Array:
    """Which entries of a lazily reduced ``(8, n)`` array are 0 mod r."""
    return jnp.all(canonical(x, FR) == 0, axis=0)


def exclusive_scan(op: Callable[[jax.Array, jax.Array], jax.Array], identity: jax.Array,
                   x: jax.Array) -> jax.Array:
    """out_i = x_0 op ... op x_{i-1} (out_0 = identity) of an ``(8, n)`` array, n a power of 2.

    ``op`` must be associative; blocked as in the module docstring: element i sits in block
    i // rows at row i % rows.
    """
    n = x.shape[1]
    lanes = min(LANES, n)
    rows = n // lanes
    grid = x.reshape(LIMBS, lanes, rows).transpose(2, 0, 1)  # grid[row][:, block]

    def along_rows(acc: jax.Array, row: jax.Array) -> tuple[jax.Array, jax.Array]:
        return op(acc, row), acc

    totals, within = jax.lax.scan(along_rows, jnp.broadcast_to(identity, (LIMBS, lanes)), grid)

    def along_blocks(acc: jax.Array, total: jax.Array) -> tuple[jax.Array, jax.Array]:
        return op(acc, total), acc

    _, offsets = jax.lax.scan(along_blocks, identity, totals.T[:, :, None])  # (lanes, 8, 1)
    within = within.transpose(1, 2, 0).reshape(LIMBS, n)
    offsets = jnp.repeat(offsets[:, :, 0].T, rows, axis=1)
    return op(within, offsets)


def _columns_to_limbs(columns: Sequence[Sequence[int]]) -> jax.Array:
    """``(k, 8, n)`` normal-form limbs of k equally long columns (the Python boundary)."""
    return jnp.asarray(np.stack([to_limbs(column, R) for column in columns]))


# -- round 2: the permutation accumulator ------------------------------------------------
@functools.lru_cache(maxsize=8)
def _cell_ids(n: int) -> jax.Array:
    """``(3, 8, n)`` Montgomery limbs of id_j(i) = k_j omega^i (``permutation.cell_ids``)."""
    ids = permutation.cell_ids(Domain(n))
    with x64():
        return jnp.stack([to_mont(jnp.asarray(to_limbs(column, R)), FR) for column in ids])


@jax.jit
def _accumulator(wires: jax.Array, sigmas: jax.Array, ids: jax.Array,
                 constants: jax.Array) -> tuple[jax.Array, jax.Array]:
    """z in normal form and whether some denominator was 0 (then the caller asks the
    reference, which raises)."""
    beta, gamma, one = constants
    numerator = denominator = jnp.broadcast_to(one, wires.shape[1:])
    for j in range(3):
        w = to_mont(wires[j], FR)
        numerator = _mul(numerator, _add(_add(w, _mul(ids[j], beta)), gamma))
        denominator = _mul(denominator,
                           _add(_add(w, _mul(to_mont(sigmas[j], FR), beta)), gamma))
    ratios = _mul(numerator, batch_inverse_mont(denominator, FR))
    z = exclusive_scan(_mul, one, ratios)
    return from_mont(z, FR), jnp.any(_is_zero(denominator))


def accumulator(wires: list[list[int]], sigmas: list[list[int]], domain: Domain,
                beta: int, gamma: int) -> list[int]:
    """Same as ``permutation.accumulator``: z(omega^i) for i < n."""
    n = domain.size
    if n < 2 or any(len(column) != n for column in (*wires, *sigmas)) \
            or len(wires) != 3 or len(sigmas) != 3:
        return permutation.accumulator(wires, sigmas, domain, beta, gamma)
    with x64():
        z, zero_denominator = _accumulator(
            _columns_to_limbs(wires), _columns_to_limbs(sigmas), _cell_ids(n),
            jnp.asarray(_montgomery_constants([beta, gamma, 1])))
        if bool(zero_denominator):
            return permutation.accumulator(wires, sigmas, domain, beta, gamma)
        return from_limbs(z)


# -- round 2 with lookups: the running sum -----------------------------------------------
@jax.jit
def _running_sum(f: jax.Array, table: jax.Array, m: jax.Array,
                 constants: jax.Array) -> tuple[jax.Array, jax.Array]:
    delta, zero = constants
    denominators = jnp.concatenate([_sub(delta, to_mont(f, FR)),
                                    _sub(delta, to_mont(table, FR))], axis=1)
    inverses = batch_inverse_mont(denominators, FR)
    n = f.shape[1]
    terms = _sub(inverses[:, :n], _mul(to_mont(m, FR), inverses[:, n:]))
    phi = exclusive_scan(lambda x, y: add(x, y, FR), zero, terms)
    return from_mont(phi, FR), jnp.any(_is_zero(denominators))


def running_sum(f: Sequence[int], table: Sequence[int], m: Sequence[int],
                delta: int) -> list[int]:
    """Same as ``lookup.running_sum``: phi on H."""
    n = len(f)
    if n < 2 or n & (n - 1) or len(table) != n or len(m) != n:
        return lookup.running_sum(f, table, m, delta)
    with x64():
        columns = _columns_to_limbs([f, table, m])
        phi, zero_denominator = _running_sum(*columns,
                                             jnp.asarray(_montgomery_constants([delta, 0])))
        if bool(zero_denominator):
            return lookup.running_sum(f, table, m, delta)
        return from_limbs(phi)


# -- round 3: the quotient on the coset --------------------------------------------------
@functools.lru_cache(maxsize=8)
def _coset_points(size: int, shift: int) -> jax.Array:
    """``(8, size)`` Montgomery limbs of x_i = shift · omega'^i, the coset's points."""
    omega, points, x = Domain(size).omega, [0] * size, FR.mont(shift)
    for i in range(size):
        points[i] = x
        x = x * omega % R
    with x64():
        return jnp.asarray(to_limbs(points, 2**256))


def _numerator_chunk(col: dict[str, jax.Array], c: dict[str, jax.Array],
                     with_lookups: bool) -> jax.Array:
    """``quotient.numerator_on_coset`` on one chunk of points, in Montgomery form."""
    a, b, w_c, z = col["a"], col["b"], col["c"], col["z"]
    gate = _add(_add(_add(_mul(_mul(a, b), col["q_M"]), _mul(a, col["q_L"])),
                     _add(_mul(b, col["q_R"]), _mul(w_c, col["q_O"]))),
                _add(col["pi"], col["q_C"]))
    x = col["x"]
    ids_side = _mul(_mul(_add(_add(a, _mul(x, c["beta"])), c["gamma"]),
                         _add(_add(b, _mul(x, c["k1_beta"])), c["gamma"])),
                    _add(_add(w_c, _mul(x, c["k2_beta"])), c["gamma"]))
    sigma_side = _mul(_mul(_add(_add(a, _mul(col["sigma_1"], c["beta"])), c["gamma"]),
                           _add(_add(b, _mul(col["sigma_2"], c["beta"])), c["gamma"])),
                      _add(_add(w_c, _mul(col["sigma_3"], c["beta"])), c["gamma"]))
    perm = _sub(_mul(ids_side, z), _mul(sigma_side, col["z_next"]))
    start = _mul(_sub(z, c["one"]), col["L_1"])
    numerator = _add(_add(gate, _mul(perm, c["alpha"])), _mul(start, c["alpha2"]))
    if with_lookups:  # lookup.quotient_terms
        phi = col["phi"]
        delta_f = _sub(c["delta"], _mul(col["q_K"], a))
        delta_t = _sub(c["delta"], col["t"])
        step = _add(_sub(_mul(_mul(_sub(col["phi_next"], phi), delta_f), delta_t), delta_t),
                    _mul(col["m"], delta_f))
        numerator = _add(numerator, _add(_mul(step, c["alpha3"]),
                                         _mul(_mul(col["L_1"], phi), c["alpha4"])))
    return _mul(numerator, col["vanishing_inverse"])


CONSTANTS = ("beta", "gamma", "k1_beta", "k2_beta", "alpha", "alpha2", "alpha3", "alpha4",
             "delta", "one")


@functools.partial(jax.jit, static_argnums=(4, 5))
def _quotient(columns: jax.Array, points: jax.Array, vanishing: jax.Array,
              constants: jax.Array, names: tuple[str, ...], with_lookups: bool) -> jax.Array:
    """t on the coset, canonical normal form. ``columns``: ``(k, 8, size)`` in ``names``
    order, normal form; ``points`` and ``vanishing`` (4 values) in Montgomery form.

    The columns are cut into chunks of points and each chunk is taken to Montgomery form
    only when its turn comes, so the working set is a chunk, not a second copy of it all.
    """
    size = columns.shape[2]
    chunk = min(size, QUOTIENT_CHUNK)
    shifted = [columns[names.index(name)] for name in ("z", "phi")[: 1 + with_lookups]]
    # z(X omega) at point i is z at point i + 4 (omega = omega'^4); phi likewise
    shifted = [jnp.roll(column, -EXTENSION, axis=1) for column in shifted]
    stacked = jnp.concatenate([columns, jnp.stack(shifted)])
    order = (*names, "z_next", "phi_next")[: len(names) + len(shifted)]

    def cut(array: jax.Array) -> jax.Array:  # (k, 8, size) -> (chunks, k, 8, chunk)
        return array.reshape(array.shape[0], LIMBS, size // chunk, chunk).transpose(2, 0, 1, 3)

    named = dict(zip(CONSTANTS, constants))
    pattern = jnp.tile(vanishing, (1, chunk // EXTENSION))  # Z_H repeats every 4 points

    def one_chunk(piece: tuple[jax.Array, jax.Array]) -> jax.Array:
        raw, x = piece
        col = {name: to_mont(raw[i], FR) for i, name in enumerate(order)}
        col["x"], col["vanishing_inverse"] = x, pattern
        return from_mont(_numerator_chunk(col, named, with_lookups), FR)

    out = jax.lax.map(one_chunk, (cut(stacked), cut(points[None])[:, 0]))
    return out.transpose(1, 0, 2).reshape(LIMBS, size)


def program_arguments(inputs: QuotientInputs) -> tuple[jax.Array, ...]:
    """``_quotient``'s array arguments: the columns as limbs (the boundary), the coset's
    points, 1 / Z_H's four values and the challenges. Call under ``x64()``."""
    size = EXTENSION * inputs.n
    names = COLUMNS + (LOOKUP_COLUMNS if inputs.has_lookups else ())
    alpha = inputs.alpha % R
    powers = [alpha, alpha * alpha % R, pow(alpha, 3, R), pow(alpha, 4, R)]
    constants = [inputs.beta, inputs.gamma, K1 * inputs.beta, K2 * inputs.beta, *powers,
                 inputs.delta, 1]
    inverses = Domain(inputs.n).vanishing_inverses_on_coset(Domain(size), inputs.shift)
    vanishing = jnp.asarray(to_limbs([FR.mont(v) for v in inverses], 2**256))
    return (_columns_to_limbs([inputs.columns[name] for name in names]),
            _coset_points(size, inputs.shift), vanishing,
            jnp.asarray(_montgomery_constants(constants)))


def quotient_on_coset(inputs: QuotientInputs) -> list[int]:
    """Same as ``quotient.quotient_on_coset``: t(x) at every point of the 4n coset."""
    size = EXTENSION * inputs.n
    names = COLUMNS + (LOOKUP_COLUMNS if inputs.has_lookups else ())
    if inputs.n < 2 or inputs.n & (inputs.n - 1) \
            or any(len(inputs.columns.get(name, ())) != size for name in names):
        return quotient.quotient_on_coset(inputs)
    with x64():
        t = _quotient(*program_arguments(inputs), names, inputs.has_lookups)
        return from_limbs(t)
