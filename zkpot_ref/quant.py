"""Affine integer quantization of an MLP: the exact integer semantics the ZKPoT circuit proves.

Lesson: how a float network becomes an integer-only one, following Jacob et al.,
"Quantization and Training of Neural Networks for Efficient Integer-Arithmetic-Only
Inference", CVPR 2018. Every real tensor r is stored as integers q with

    r = S (q - Z)                                   (Jacob et al., eq. 1)

where the scale S > 0 is a real number and the zero point Z is an integer of the same type
as q, so that the real 0 is exactly representable (section 2.1).

The integer model (THE semantics the ZKPoT circuit, ``gadgets/nn_*.py``, proves in PLONK,
bit for bit):

1. Input. Pixels are integers 0..pixel_max (0..16 for the bundled digits, 0..255 for MNIST)
   and are used as they are: q_in = pixel, S_in = 1/pixel_max, Z_in = 0. The float model sees
   exactly pixel / pixel_max, so the input step loses nothing.
2. Each layer has uint8 weights q_w (0..255, zero point Z_w; stored as ``weight[j, k]``:
   input k -> output j) and int32 biases q_b with scale S_w S_in and zero point 0
   (section 2.4). Its accumulator is an exact integer (int32 by the bound in
   :meth:`IntModel.__post_init__`):

       acc[j] = q_b[j] + sum_k (q_w[j, k] - Z_w) (q_in[k] - Z_in)            (eq. 7)

3. Hidden layers requantize with the real multiplier M = S_w S_in / S_out written as
   M = M0 * 2^-n, M0 an integer in [2^30, 2^31) (eq. 5-6), and clamp. ReLU is fused as the
   clamp's lower bound Z_out (section 2.4: the real 0 is q = Z_out):

       q_out[j] = clamp(Z_out + floor((acc[j] * M0 + 2^(n-1)) / 2^n), Z_out, 255)

   Rounding rule: round half up (ties go to +infinity, so -2.5 -> -2 and 2.5 -> 3), an
   arithmetic right shift after adding half. A circuit proves it with one multiplication and
   a quotient/remainder pair, 0 <= remainder < 2^n (one range check); gemmlowp's
   round-half-away-from-zero would also need the sign of acc. Jacob's fixed-point
   multiplication is replaced by this exact integer product (|acc * M0| < 2^62).
4. The last layer is not requantized: the prediction is the argmax of its int32
   accumulators, ties broken by the lowest index (what ``numpy.argmax`` does). Scales are
   positive, so this is the argmax of the real logits S_w S_in acc.

Floats appear only when a float model is quantized or an integer one dequantized; the
integer inference :func:`forward_int` / :func:`predict_int` is numpy int64 throughout.

Read next: ``gadgets/poseidon_constants.py`` (the hash that commits to these bytes).
"""

from __future__ import annotations

import hashlib
import math
import struct
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from zkpot_ref.errors import MalformedInput

QMIN, QMAX = 0, 255  # uint8, for weights and activations
INT32_MIN, INT32_MAX = -(2**31), 2**31 - 1
M0_MIN, M0_MAX = 2**30, 2**31  # the normalized multiplier lies in [M0_MIN, M0_MAX)
MAX_SHIFT = 62  # keeps acc * M0 + 2^(n-1) inside int64 for |acc| < 2^31
FORMAT_VERSION = 1
MAX_WIDTH = 1 << 16  # widest layer a model file may declare (refuses absurd allocations)

#: A float model: one (W, b) pair per layer, W of shape (inputs, outputs) as in x @ W + b.
FloatParams = Sequence[tuple[np.ndarray, np.ndarray]]


# -- the scalar steps -------------------------------------------------------------------


def choose_qparams(rmin: float, rmax: float) -> tuple[float, int]:
    """Scale and zero point mapping the real range [rmin, rmax] onto uint8 0..255.

    The range is first widened to contain 0, and Z is rounded to an integer, so the real 0
    is exactly representable ("nudging", Jacob et al. section 2.1). A range of width 0
    gets S = 1, Z = 0.
    """
    if not (math.isfinite(rmin) and math.isfinite(rmax)) or rmin > rmax:
        raise MalformedInput(f"cannot quantize the range [{rmin}, {rmax}]: need finite min <= max")
    rmin, rmax = min(rmin, 0.0), max(rmax, 0.0)
    if rmax - rmin < 1e-30:
        return 1.0, 0
    scale = (rmax - rmin) / (QMAX - QMIN)
    zero = int(min(QMAX, max(QMIN, round(QMIN - rmin / scale))))
    return float(scale), zero


def quantize(r: np.ndarray, scale: float, zero: int) -> np.ndarray:
    """q = clamp(round(r / S) + Z, 0, 255) as int64 (round half to even; floats only here)."""
    return np.clip(np.rint(np.asarray(r, dtype=np.float64) / scale) + zero, QMIN, QMAX).astype(
        np.int64
    )


def dequantize(q: np.ndarray, scale: float, zero: int) -> np.ndarray:
    """r = S (q - Z), eq. 1, as float32."""
    return (scale * (np.asarray(q, dtype=np.float64) - zero)).astype(np.float32)


def quantize_multiplier(m: float, shift: int | None = None) -> tuple[int, int]:
    """Write the real multiplier M > 0 as M0 * 2^-n with M0 in [2^30, 2^31) (eq. 5-6).

    M0 carries 31 significant bits. Very small M (n would exceed 62) keeps n = 62 and a
    smaller M0, so the integer product stays inside int64.

    ``shift``: a shift n fixed in advance (a ZKPoT task makes n public, ``pot/task.py``);
    then M0 = round(M * 2^n), which must lie in [0, 2^31).
    """
    if not (math.isfinite(m) and 0.0 < m < 2.0**29):
        raise MalformedInput(f"requantization multiplier {m} is out of range (0, 2^29)")
    if shift is not None:
        if type(shift) is not int or not 1 <= shift <= MAX_SHIFT:
            raise MalformedInput(f"the shift n must lie in 1..{MAX_SHIFT}, not {shift!r}")
        m0 = round(m * 2.0**shift)
        if not 0 <= m0 < M0_MAX:
            raise MalformedInput(
                f"multiplier {m:.3g} needs M0 = {m0} >= 2^31 with the fixed shift n = {shift}; "
                "use a task with a smaller shift"
            )
        return m0, shift
    fraction, exponent = math.frexp(m)  # m = fraction * 2^exponent, fraction in [0.5, 1)
    m0, n = round(fraction * M0_MAX), 31 - exponent
    if m0 == M0_MAX:  # fraction rounded up to 1.0
        m0, n = m0 // 2, n - 1
    if n > MAX_SHIFT:
        m0, n = round(m * 2.0**MAX_SHIFT), MAX_SHIFT
    return m0, n


# --8<-- [start:requantize]
def rounding_shift(x: np.ndarray | int, n: int) -> np.ndarray:
    """floor((x + 2^(n-1)) / 2^n): x / 2^n rounded half up. ``>>`` is floor division by 2^n
    for negative x too (arithmetic shift)."""
    if not 1 <= n <= MAX_SHIFT:
        raise MalformedInput(f"the shift n must lie in 1..{MAX_SHIFT}, not {n}")
    # BEGIN TASK 5.1: rounding half up by a shift
    return (np.asarray(x, dtype=np.int64) + (1 << (n - 1))) >> n
    # END TASK 5.1


def requantize(
    acc: np.ndarray | int, multiplier: int, shift: int, zero: int, lower: int = QMIN
) -> np.ndarray:
    """q = clamp(Z + round_half_up(acc * M0 / 2^n), lower, 255); lower = Z fuses the ReLU."""
    # BEGIN TASK 5.2: requantization q = clamp(Z + M0 acc / 2^n)
    scaled = np.asarray(acc, dtype=np.int64) * np.int64(multiplier)
    return np.clip(zero + rounding_shift(scaled, shift), lower, QMAX)
    # END TASK 5.2

# --8<-- [end:requantize]

def argmax_lowest(acc: np.ndarray) -> np.ndarray:
    """Index of the largest accumulator along the last axis; ties -> the lowest index."""
    return np.argmax(np.asarray(acc, dtype=np.int64), axis=-1).astype(np.int64)


# -- the integer model ------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class IntLayer:
    """One fully connected layer of the integer model (plain ints and int64 arrays).

    ``weight[j, k]`` (uint8 values) connects input k to output j; ``bias`` is int32 with
    scale ``weight_scale * input_scale`` and zero point 0. ``multiplier`` (M0), ``shift``
    (n) and ``output_zero`` (Z_out) requantize; the last layer has them all 0 and
    ``relu=False`` (its accumulators go to the argmax). The three scales are for
    dequantization only; no integer step reads them.
    """

    weight: np.ndarray
    weight_zero: int
    bias: np.ndarray
    input_zero: int
    multiplier: int
    shift: int
    output_zero: int
    relu: bool
    weight_scale: float
    input_scale: float
    output_scale: float


@dataclass(frozen=True, eq=False)
class IntModel:
    """The integer MLP a circuit proves: ``layers`` in order, inputs 0..``pixel_max``.

    Construction checks every range the integer semantics relies on and raises
    :class:`MalformedInput` otherwise, so an ``IntModel`` always runs in int64 without
    overflow and its accumulators always fit int32. Compare models by :meth:`digest`
    (``==`` is identity: the fields are arrays).
    """

    layers: tuple[IntLayer, ...]
    pixel_max: int

    def __post_init__(self) -> None:
        if not self.layers or not 1 <= self.pixel_max <= QMAX:
            raise MalformedInput("an integer model needs >= 1 layer and pixel_max in 1..255")
        width = self.layers[0].weight.shape[1] if self.layers[0].weight.ndim == 2 else -1
        for index, layer in enumerate(self.layers):
            last = index == len(self.layers) - 1
            w, b = layer.weight, layer.bias
            if w.ndim != 2 or w.shape[1] != width or b.shape != (w.shape[0],):
                raise MalformedInput(f"layer {index}: weight/bias shapes do not chain")
            if w.min() < QMIN or w.max() > QMAX or b.min() < INT32_MIN or b.max() > INT32_MAX:
                raise MalformedInput(f"layer {index}: weights must be uint8 and biases int32")
            if index and layer.input_zero != self.layers[index - 1].output_zero:
                raise MalformedInput(f"layer {index}: input zero point != previous output's")
            zeros = (layer.weight_zero, layer.input_zero, layer.output_zero)
            if not all(QMIN <= z <= QMAX for z in zeros):
                raise MalformedInput(f"layer {index}: zero points must lie in 0..255")
            requant_ok = (layer.multiplier, layer.shift, layer.output_zero, layer.relu) == (
                0, 0, 0, False
            ) if last else (0 <= layer.multiplier < M0_MAX and 1 <= layer.shift <= MAX_SHIFT)
            if not requant_ok:
                raise MalformedInput(f"layer {index}: bad requantization (M0, n) for its place")
            if w.shape[1] * QMAX * QMAX + int(np.abs(b).max()) > INT32_MAX:
                raise MalformedInput(f"layer {index}: accumulators could overflow int32")
            width = w.shape[0]

    @property
    def sizes(self) -> tuple[int, ...]:
        """Layer widths, input first: (64, 32, 10) for the default digits MLP."""
        return (self.layers[0].weight.shape[1], *(layer.weight.shape[0] for layer in self.layers))

    def to_bytes(self) -> bytes:
        """Canonical serialization (version byte first), the preimage of a commitment."""
        out = [struct.pack(">BBB", FORMAT_VERSION, len(self.layers), self.pixel_max)]
        for layer in self.layers:
            rows, cols = layer.weight.shape
            out.append(struct.pack(">II", rows, cols))
            out.append(struct.pack(">BBB", layer.weight_zero, layer.input_zero, layer.output_zero))
            out.append(struct.pack(">IB?", layer.multiplier, layer.shift, layer.relu))
            scales = (layer.weight_scale, layer.input_scale, layer.output_scale)
            out.append(struct.pack(">ddd", *scales))
            out.append(layer.weight.astype(np.uint8).tobytes())
            out.append(layer.bias.astype(">i4").tobytes())
        return b"".join(out)

    @classmethod
    def from_bytes(cls, data: bytes) -> IntModel:
        """Strict inverse of :meth:`to_bytes`: only the canonical encoding of a valid model."""
        if not isinstance(data, bytes | bytearray) or len(data) < 3:
            raise MalformedInput("model: expected at least 3 bytes")
        data = bytes(data)
        version, count, pixel_max = struct.unpack_from(">BBB", data, 0)
        if version != FORMAT_VERSION:
            raise MalformedInput(f"model: unknown format version {version}")
        offset, layers = 3, []
        try:
            for index in range(count):
                rows, cols = struct.unpack_from(">II", data, offset)
                if not (1 <= rows <= MAX_WIDTH and 1 <= cols <= MAX_WIDTH):
                    raise MalformedInput(f"model: layer {index} has shape {rows}x{cols}")
                zw, zi, zo, m0, shift, relu_byte = struct.unpack_from(">BBBIBB", data, offset + 8)
                scales = struct.unpack_from(">ddd", data, offset + 17)
                offset += 41
                weight = np.frombuffer(data, np.uint8, rows * cols, offset).reshape(rows, cols)
                bias = np.frombuffer(data, ">i4", rows, offset + rows * cols)
                offset += rows * cols + 4 * rows
                if relu_byte > 1 or not all(math.isfinite(x) and x > 0 for x in scales):
                    raise MalformedInput(f"model: layer {index} has a bad flag or scale")
                layers.append(IntLayer(weight.astype(np.int64), zw, bias.astype(np.int64), zi,
                                       m0, shift, zo, bool(relu_byte), *scales))
        except (struct.error, ValueError) as exc:
            raise MalformedInput(f"model: truncated or inconsistent data ({exc})") from None
        if offset != len(data):
            raise MalformedInput(f"model: {len(data) - offset} unexpected trailing bytes")
        return cls(tuple(layers), pixel_max)

    def digest(self) -> str:
        """SHA-256 of :meth:`to_bytes` in hex (a public fingerprint; the ZKPoT commitment
        is the salted Poseidon one of ``pot/commit.py``)."""
        return hashlib.sha256(self.to_bytes()).hexdigest()


def check_images(images: np.ndarray, model: IntModel) -> np.ndarray:
    """Images as int64 of shape (count, inputs) with values in 0..pixel_max, else MalformedInput."""
    q = np.asarray(images)
    if q.ndim != 2 or q.shape[1] != model.sizes[0] or not np.issubdtype(q.dtype, np.integer):
        raise MalformedInput(f"images must be integers of shape (count, {model.sizes[0]})")
    if q.size and (q.min() < 0 or q.max() > model.pixel_max):
        raise MalformedInput(f"pixel values must lie in 0..{model.pixel_max}")
    return q.astype(np.int64)


def forward_int(model: IntModel, images: np.ndarray) -> list[np.ndarray]:
    """Every layer's integer output: uint8 activations, then the last layer's int32 accumulators.

    This function IS the semantics (steps 1-4 of the module docstring); int64 throughout.
    """
    q = check_images(images, model)
    outputs = []
    for layer in model.layers:
        acc = (q - layer.input_zero) @ (layer.weight - layer.weight_zero).T + layer.bias
        if layer.shift == 0:  # the last layer: keep the accumulators for the argmax
            outputs.append(acc)
            break
        lower = layer.output_zero if layer.relu else QMIN
        q = requantize(acc, layer.multiplier, layer.shift, layer.output_zero, lower)
        outputs.append(q)
    return outputs


def predict_int(model: IntModel, images: np.ndarray) -> np.ndarray:
    """Integer-only predictions: argmax (lowest index on ties) of the last accumulators."""
    return argmax_lowest(forward_int(model, images)[-1])


def count_correct(model: IntModel, images: np.ndarray, labels: np.ndarray) -> int:
    """How many images the integer model labels correctly: the count a ZKPoT proof claims."""
    labels = np.asarray(labels)
    if labels.shape != (np.asarray(images).shape[0],):
        raise MalformedInput("need exactly one label per image")
    return int(np.sum(predict_int(model, images) == labels))


# -- from floats and back ---------------------------------------------------------------


def float_forward(params: FloatParams, images: np.ndarray, pixel_max: int) -> list[np.ndarray]:
    """The float MLP in numpy: every layer's output (ReLU on hidden layers), logits last."""
    x = np.asarray(images, dtype=np.float64) / pixel_max
    outputs = []
    for index, (w, b) in enumerate(params):
        x = x @ np.asarray(w, dtype=np.float64) + np.asarray(b, dtype=np.float64)
        if index < len(params) - 1:
            x = np.maximum(x, 0.0)
        outputs.append(x)
    return outputs


def activation_ranges(
    params: FloatParams, images: np.ndarray, pixel_max: int
) -> list[tuple[float, float]]:
    """Calibration: (min, max) of every hidden layer's (post-ReLU) output on ``images``."""
    if np.asarray(images).shape[0] == 0:
        raise MalformedInput("calibration needs at least one image")
    hidden = float_forward(params, images, pixel_max)[:-1]
    return [(float(h.min()), float(h.max())) for h in hidden]


def quantize_model(
    params: FloatParams, ranges: Sequence[tuple[float, float]], pixel_max: int,
    shifts: Sequence[int] | None = None,
) -> IntModel:
    """Quantize a float MLP given its hidden activation ranges (from :func:`activation_ranges`).

    Per tensor: weights uint8 over their own min/max, biases int32 at scale S_w S_in,
    hidden outputs uint8 over the calibrated ranges, M = S_w S_in / S_out as (M0, n).
    ``shifts``: one fixed shift n per hidden layer (see :func:`quantize_multiplier`).
    """
    if len(ranges) != len(params) - 1:
        raise MalformedInput(f"need {len(params) - 1} hidden activation ranges, got {len(ranges)}")
    if shifts is not None and len(shifts) != len(params) - 1:
        raise MalformedInput(f"need {len(params) - 1} fixed shifts, got {len(shifts)}")
    s_in, z_in = 1.0 / pixel_max, 0
    layers = []
    for index, (w, b) in enumerate(params):
        w, b = np.asarray(w, dtype=np.float64), np.asarray(b, dtype=np.float64)
        if not (np.all(np.isfinite(w)) and np.all(np.isfinite(b))):
            raise MalformedInput(f"layer {index}: weights must be finite")
        s_w, z_w = choose_qparams(float(w.min()), float(w.max()))
        s_acc = s_w * s_in
        q_b = np.rint(b / s_acc)
        if q_b.size and (q_b.min() < INT32_MIN or q_b.max() > INT32_MAX):
            raise MalformedInput(f"layer {index}: a bias does not fit int32 at scale {s_acc}")
        if index == len(params) - 1:
            m0, n, s_out, z_out, relu = 0, 0, s_acc, 0, False
        else:
            s_out, z_out = choose_qparams(*ranges[index])
            fixed = None if shifts is None else shifts[index]
            (m0, n), relu = quantize_multiplier(s_acc / s_out, fixed), True
        layers.append(
            IntLayer(quantize(w.T, s_w, z_w), z_w, q_b.astype(np.int64), z_in, m0, n, z_out,
                     relu, s_w, s_in, s_out)
        )
        s_in, z_in = s_out, z_out
    return IntModel(tuple(layers), pixel_max)


def dequantize_model(model: IntModel) -> list[tuple[np.ndarray, np.ndarray]]:
    """The float MLP an integer model stands for: W = S_w (q_w - Z_w), b = S_w S_in q_b."""
    return [
        (
            dequantize(layer.weight, layer.weight_scale, layer.weight_zero).T.copy(),
            dequantize(layer.bias, layer.weight_scale * layer.input_scale, 0),
        )
        for layer in model.layers
    ]


def hidden_ranges(model: IntModel) -> list[tuple[float, float]]:
    """The real range [S(0 - Z), S(255 - Z)] each hidden output of ``model`` covers."""
    return [
        (layer.output_scale * (QMIN - layer.output_zero),
         layer.output_scale * (QMAX - layer.output_zero))
        for layer in model.layers[:-1]
    ]
