"""The witness of the ZKPoT inference, for the whole test set at once.

Lesson. ``zkpot_ref/pot/statement.py``'s ``inference_trace`` is the definition: image by
image, neuron by neuron, in Python ints, every number the inference gadgets' hints are made
of (accumulators, products acc·M0, quotients y, remainders, the clamp's r, u, s, v, d, the
argmax p, its maximum m and differences d_j, the correct bits, the count). Here the same
numbers are computed as integer arrays with the test set as the leading axis: a layer is
one integer matrix product for all n images, a requantization is a handful of elementwise
operations on an (n, width) array, the argmax is one ``jnp.argmax`` (which, like
``numpy.argmax`` and ``argmax_hint``, returns the *first* maximum: the lowest-index rule).
One jitted program per architecture and test-set *bucket*: the images are padded with
blank ones up to the next power of two (labels -1, never correct) and the results cut
back to n, so n = 1..16 compiles five programs, not sixteen. The model's numbers are
arguments, not constants, so a new model (new zero points, new M0) does not recompile.

Why int64 is exact (quant.py's bounds). IntModel guarantees |acc| < 2^31 and M0 < 2^31, so
|acc·M0| < 2^62 and acc·M0 + 2^(n-1) < 2^63 for n <= 62; ``>>`` on signed integers is the
arithmetic shift, floor division by 2^n for negative values too, as in the reference. The
remainder lies in [0, 2^n). Only v = u + 2^(64-n)(1 - s) can reach 2^63 (n = 1), so it is
formed in uint64: wrap-around arithmetic mod 2^64 is exact when the true value lies in
[0, 2^64), and v lies in [0, 2^(64-n)). The differences d_j < 2^32.

Where the numbers become field elements: nowhere in here. The arrays leave the device once
(``tolist``: plain signed Python ints, the reference's types), and the gadgets write them
into their wires, where ``Circuit`` reduces them mod r. 64-bit integers are switched on
only for this call (``field.x64``): FL training keeps JAX's 32-bit defaults.

The rows' own values (partial sums of linear forms, limbs, running sums) are still computed
by the gadgets as they lay the rows, so the whole ``build`` speeds up only by this part's
share (docs/fastpath.md measures both).

Read next: ``docs/fastpath.md`` (how these map onto accelerators, and the measurements).
"""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from fastpath.field import x64
from zkpot_ref import quant
from zkpot_ref.gadgets.nn_layers import QMAX
from zkpot_ref.pot.statement import REQUANTIZE, Trace

Layer = dict[str, jax.Array]


def _dense(layer: Layer, x: jax.Array) -> jax.Array:
    """acc[i, j] = b_j + sum_k (w_jk - Z_w) x[i, k] for every image i (quant.py eq. 7)."""
    return x @ (layer["weight"] - layer["weight_zero"]).T + layer["bias"]


def _requantize(acc: jax.Array, m0: jax.Array, n: jax.Array,
                zero: jax.Array) -> dict[str, jax.Array]:
    """``requantize_hints`` on a whole (images, neurons) array."""
    half = jnp.left_shift(jnp.int64(1), n - 1)
    prod = acc * m0
    y = jnp.right_shift(prod + half, n)  # arithmetic shift: floor, negatives included
    rem = prod + half - jnp.left_shift(y, n)
    upper = QMAX - zero
    r = jnp.clip(y, 0, upper)
    u = y - r
    s = (u >= 0).astype(jnp.int64)
    bound = (64 - n).astype(jnp.uint64)
    v = u.astype(jnp.uint64) + jnp.left_shift((1 - s).astype(jnp.uint64), bound)
    return {"prod": prod, "y": y, "rem": rem, "r": r, "u": u, "s": s, "v": v, "d": upper - r}


@jax.jit
def _trace(layers: list[Layer], images: jax.Array, labels: jax.Array) -> dict[str, Any]:
    """Every array of the trace, for all images at once (call under ``x64()``)."""
    accumulators, requantized, x = [], [], images  # raw pixels: Z_in = 0
    for layer in layers[:-1]:
        accumulators.append(_dense(layer, x))
        hints = _requantize(accumulators[-1], layer["multiplier"], layer["shift"],
                            layer["output_zero"])
        requantized.append(hints)
        x = hints["r"]  # the next layer reads q - Z_out
    logits = _dense(layers[-1], x)
    accumulators.append(logits)
    p = jnp.argmax(logits, axis=1)  # the first maximum: lowest index on ties
    m = jnp.take_along_axis(logits, p[:, None], axis=1)[:, 0]
    before = (jnp.arange(logits.shape[1])[None, :] < p[:, None]).astype(jnp.int64)
    correct = (p == labels).astype(jnp.int64)
    return {"accumulators": accumulators, "requantized": requantized, "prediction": p,
            "maximum": m, "differences": m[:, None] - logits - before, "correct": correct,
            "count": correct.sum()}


def _layers(model: quant.IntModel) -> list[Layer]:
    """The model's numbers as int64 arrays (arguments of the jitted program, not constants)."""
    def scalar(value: int) -> jax.Array:
        return jnp.asarray(value, dtype=jnp.int64)

    return [{"weight": jnp.asarray(layer.weight, dtype=jnp.int64),
             "weight_zero": scalar(layer.weight_zero),
             "bias": jnp.asarray(layer.bias, dtype=jnp.int64),
             "multiplier": scalar(layer.multiplier), "shift": scalar(layer.shift),
             "output_zero": scalar(layer.output_zero)} for layer in model.layers]


def bucket(n: int) -> int:
    """The padded test-set size the program is compiled for: the next power of two."""
    return 1 << max(n - 1, 0).bit_length()


def inference_trace(model: quant.IntModel, images: np.ndarray, labels: np.ndarray) -> Trace:
    """``statement.inference_trace``, vectorized over the test set; the same ``Trace``."""
    images, labels = np.asarray(images, dtype=np.int64), np.asarray(labels, dtype=np.int64)
    n = len(images)
    padded = np.zeros((bucket(n), images.shape[1]), dtype=np.int64)
    padded[:n] = images
    marks = np.full(bucket(n), -1, dtype=np.int64)  # a blank image's label: never correct
    marks[:n] = labels
    with x64():
        arrays = jax.device_get(_trace(_layers(model), jnp.asarray(padded), jnp.asarray(marks)))

    def ints(array: np.ndarray) -> Any:
        return np.asarray(array)[:n].tolist()  # the real images' rows, as Python ints

    return Trace(
        accumulators=[ints(a) for a in arrays["accumulators"]],
        requantized=[{name: ints(hints[name]) for name in REQUANTIZE}
                     for hints in arrays["requantized"]],
        prediction=ints(arrays["prediction"]),
        maximum=ints(arrays["maximum"]),
        differences=ints(arrays["differences"]),
        correct=ints(arrays["correct"]),
        count=int(arrays["count"]),
    )
