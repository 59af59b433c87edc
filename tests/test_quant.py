"""Tests of zkpot_ref/quant.py: every integer step, against exact rational arithmetic.

The outside reference is Python's ``fractions.Fraction`` and plain big ints: a second,
loop-by-loop implementation of the semantics in the module docstring, which the numpy
inference must match bit for bit.
"""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from zkpot_ref import quant
from zkpot_ref.errors import MalformedInput

# -- a reference implementation, written from the docstring with exact arithmetic ----------

ACCUMULATORS: list[int] = []


def ref_round_half_up(value: Fraction) -> int:
    return math.floor(value + Fraction(1, 2))


def ref_forward(model: quant.IntModel, image: list[int]) -> tuple[list[list[int]], int]:
    """Layer outputs and the predicted label, with Python ints and Fractions only.
    (Every accumulator is also appended to the global ``ACCUMULATORS`` for inspection.)"""
    q, outputs = [int(v) for v in image], []
    for index, layer in enumerate(model.layers):
        rows, cols = layer.weight.shape
        acc = [
            int(layer.bias[j])
            + sum((int(layer.weight[j, k]) - layer.weight_zero) * (q[k] - layer.input_zero)
                  for k in range(cols))
            for j in range(rows)
        ]
        ACCUMULATORS.extend(acc)
        if index == len(model.layers) - 1:
            outputs.append(acc)
            best = max(acc)
            return outputs, acc.index(best)  # list.index: the FIRST maximum
        lower = layer.output_zero if layer.relu else 0
        m = Fraction(layer.multiplier, 2**layer.shift)
        q = [min(255, max(lower, layer.output_zero + ref_round_half_up(a * m))) for a in acc]
        outputs.append(q)
    raise AssertionError("unreachable")


def random_int_model(seed: int, sizes: tuple[int, ...] = (6, 5, 4), pixel_max: int = 16):
    """A random but valid integer model (random zero points, multipliers and biases)."""
    rng = np.random.default_rng(seed)
    layers = []
    z_in = 0
    for index, (cols, rows) in enumerate(zip(sizes[:-1], sizes[1:], strict=True)):
        last = index == len(sizes) - 2
        m0, n = (0, 0) if last else (int(rng.integers(2**30, 2**31)), int(rng.integers(20, 40)))
        z_out = 0 if last else int(rng.integers(0, 256))
        layers.append(quant.IntLayer(
            weight=rng.integers(0, 256, (rows, cols)), weight_zero=int(rng.integers(0, 256)),
            bias=rng.integers(-(2**20), 2**20, rows), input_zero=z_in, multiplier=m0, shift=n,
            output_zero=z_out, relu=not last, weight_scale=0.01, input_scale=0.1,
            output_scale=0.1,
        ))
        z_in = z_out
    return quant.IntModel(tuple(layers), pixel_max)


# -- scalar steps -------------------------------------------------------------------------


def test_choose_qparams_known_values() -> None:
    assert quant.choose_qparams(0.0, 2.55) == (pytest.approx(0.01), 0)
    scale, zero = quant.choose_qparams(-1.0, 1.0)
    assert scale == pytest.approx(2 / 255) and zero == 128  # round(127.5) is 128 (half even)
    assert quant.choose_qparams(1.0, 2.0) == (pytest.approx(2 / 255), 0)  # widened to hold 0
    assert quant.choose_qparams(-3.0, -1.0) == (pytest.approx(3 / 255), 255)
    assert quant.choose_qparams(0.0, 0.0) == (1.0, 0)


@pytest.mark.parametrize("bad", [(1.0, 0.0), (float("nan"), 1.0), (0.0, float("inf"))])
def test_choose_qparams_rejects_bad_ranges(bad: tuple[float, float]) -> None:
    with pytest.raises(MalformedInput):
        quant.choose_qparams(*bad)


@settings(max_examples=60, deadline=None)
@given(st.floats(-50, 0), st.floats(0, 50), st.floats(0, 1))
def test_real_zero_exact_and_roundtrip_error(rmin: float, rmax: float, t: float) -> None:
    scale, zero = quant.choose_qparams(rmin, rmax)
    assert quant.dequantize(np.array([zero]), scale, zero)[0] == 0.0  # Jacob section 2.1
    r = rmin + t * (rmax - rmin)
    back = float(quant.dequantize(quant.quantize(np.array([r]), scale, zero), scale, zero)[0])
    assert abs(back - r) <= scale / 2 + 1e-6 * max(1.0, abs(r))


def test_quantize_clamps_out_of_range() -> None:
    q = quant.quantize(np.array([-100.0, 0.0, 100.0]), 0.1, 10)
    assert q.tolist() == [0, 10, 255] and q.dtype == np.int64


@pytest.mark.parametrize(("m", "expected"), [
    (0.5, (2**30, 31)), (1.0, (2**30, 30)), (0.75, (3 * 2**29, 31)), (2.0**-40, (2**30, 70 - 8)),
])
def test_quantize_multiplier_known_values(m: float, expected: tuple[int, int]) -> None:
    if m == 2.0**-40:  # n would be 70 > 62: n stays 62 and M0 shrinks to 2^22
        expected = (2**22, 62)
    assert quant.quantize_multiplier(m) == expected


def test_quantize_multiplier_rounding_up_renormalizes() -> None:
    m0, n = quant.quantize_multiplier(1.0 - 2.0**-40)  # rounds to 2^31 * 2^-31: renormalize
    assert (m0, n) == (2**30, 30)


@settings(max_examples=100, deadline=None)
@given(st.floats(2.0**-30, 2.0**20))
def test_quantize_multiplier_precision(m: float) -> None:
    m0, n = quant.quantize_multiplier(m)
    # Jacob et al. eq. 6: M0 in [0.5, 1) as a Q31 number, i.e. [2^30, 2^31) (not the code's
    # own constants: an independent bound)
    assert 2**30 <= m0 < 2**31 and 1 <= n <= 62
    assert abs(Fraction(m0, 2**n) - Fraction(m)) <= Fraction(1, 2 ** (n + 1))


@pytest.mark.parametrize("m", [0.0, -1.0, float("inf"), float("nan"), 2.0**30])
def test_quantize_multiplier_rejects(m: float) -> None:
    with pytest.raises(MalformedInput):
        quant.quantize_multiplier(m)


@pytest.mark.parametrize(("x", "n", "expected"), [
    (5, 1, 3), (-5, 1, -2),      # ties 2.5 -> 3 and -2.5 -> -2: round half UP
    (3, 1, 2), (-3, 1, -1),      # 1.5 -> 2, -1.5 -> -1
    (1, 1, 1), (-1, 1, 0),       # 0.5 -> 1, -0.5 -> 0
    (7, 2, 2), (-7, 2, -2),      # 1.75 -> 2, -1.75 -> -2 (not ties)
    (-6, 2, -1), (6, 2, 2),      # -1.5 -> -1, 1.5 -> 2
    (0, 5, 0), (-(2**40), 10, -(2**30)),
])
@pytest.mark.task5_1
def test_rounding_shift_ties_and_negatives(x: int, n: int, expected: int) -> None:
    assert int(quant.rounding_shift(x, n)) == expected


@pytest.mark.parametrize("n", [0, -1, 63])
def test_rounding_shift_refuses_bad_shifts(n: int) -> None:
    with pytest.raises(MalformedInput):
        quant.rounding_shift(5, n)


@pytest.mark.task5_1
@settings(max_examples=200, deadline=None)
@given(st.integers(-(2**61), 2**61), st.integers(1, 62))
def test_rounding_shift_matches_exact(x: int, n: int) -> None:
    assert int(quant.rounding_shift(x, n)) == ref_round_half_up(Fraction(x, 2**n))


@pytest.mark.task5_2
def test_requantize_clamps_and_fuses_relu() -> None:
    m0, n = 2**30, 31  # M = 1/2
    acc = np.array([-1000, -3, -1, 0, 1, 3, 200, 1000])
    # plain clamp to 0..255 around Z = 10: 10 + round_half_up(acc / 2)
    assert quant.requantize(acc, m0, n, 10).tolist() == [0, 9, 10, 10, 11, 12, 110, 255]
    # ReLU fused: the lower bound is Z itself, so every negative accumulator gives Z
    assert quant.requantize(acc, m0, n, 10, lower=10).tolist() == [10, 10, 10, 10, 11, 12, 110,
                                                                    255]


@pytest.mark.task5_2
@settings(max_examples=100, deadline=None)
@given(st.integers(-(2**31) + 1, 2**31 - 1), st.integers(2**30, 2**31 - 1),
       st.integers(1, 62), st.integers(0, 255), st.booleans())
def test_requantize_matches_exact(acc: int, m0: int, n: int, zero: int, relu: bool) -> None:
    lower = zero if relu else 0
    expected = min(255, max(lower, zero + ref_round_half_up(Fraction(acc * m0, 2**n))))
    assert int(quant.requantize(acc, m0, n, zero, lower)) == expected


def test_argmax_ties_take_the_lowest_index() -> None:
    assert quant.argmax_lowest(np.array([3, 7, 7, 1])).tolist() == 1
    assert quant.argmax_lowest(np.array([[5, 5, 5], [-5, -2, -2], [0, 1, 2]])).tolist() == [0, 1,
                                                                                            2]


# -- the integer model ------------------------------------------------------------------------


@pytest.mark.parametrize("seed", range(6))
def test_forward_int_matches_exact_reference(seed: int) -> None:
    model = random_int_model(seed)
    images = np.random.default_rng(100 + seed).integers(0, 17, (12, 6))
    outputs = quant.forward_int(model, images)
    labels = quant.predict_int(model, images)
    ACCUMULATORS.clear()
    for row, image in enumerate(images):
        ref_outputs, ref_label = ref_forward(model, image.tolist())
        for got, want in zip(outputs, ref_outputs, strict=True):
            assert got[row].tolist() == want
        assert labels[row] == ref_label
    assert min(ACCUMULATORS) < 0 < max(ACCUMULATORS)  # negative accumulators were exercised
    assert 0 in outputs[0] or 255 in outputs[0]  # and so was clamping


def test_argmax_tie_in_a_model() -> None:
    layer = quant.IntLayer(np.full((3, 2), 7), 7, np.array([4, 9, 9]), 0, 0, 0, 0, False,
                           1.0, 1.0, 1.0)  # weights equal their zero point: acc = bias
    model = quant.IntModel((layer,), 16)
    assert quant.predict_int(model, np.array([[0, 0], [16, 3]])).tolist() == [1, 1]


def test_count_correct_and_determinism() -> None:
    model = random_int_model(1)
    images = np.random.default_rng(5).integers(0, 17, (40, 6))
    labels = quant.predict_int(model, images)
    assert quant.count_correct(model, images, labels) == 40
    assert quant.count_correct(model, images, (labels + 1) % 4) == 0
    assert np.array_equal(quant.predict_int(model, images), labels)
    with pytest.raises(MalformedInput):
        quant.count_correct(model, images, labels[:-1])


@pytest.mark.parametrize("images", [
    np.zeros((2, 5), dtype=np.int64), np.full((2, 6), 17), np.full((2, 6), -1),
    np.zeros((2, 6), dtype=np.float32), np.zeros(6, dtype=np.int64),
])
def test_bad_images_are_refused(images: np.ndarray) -> None:
    with pytest.raises(MalformedInput):
        quant.predict_int(random_int_model(0), images)


def _replace(layer: quant.IntLayer, **changes: object) -> quant.IntLayer:
    return quant.IntLayer(**{**layer.__dict__, **changes})


@pytest.mark.parametrize("change", [
    {"weight_zero": 256}, {"output_zero": -1}, {"multiplier": 2**31}, {"shift": 0},
    {"shift": 63}, {"bias": np.array([2**31, 0, 0, 0, 0])}, {"weight": np.full((5, 6), 256)},
    {"weight": np.zeros((4, 6), dtype=np.int64)}, {"weight": np.zeros(30, dtype=np.int64)},
])
def test_int_model_checks_ranges(change: dict) -> None:
    model = random_int_model(0)
    with pytest.raises(MalformedInput):
        quant.IntModel((_replace(model.layers[0], **change), model.layers[1]), 16)


def test_int_model_checks_accumulator_bound_and_last_layer() -> None:
    model = random_int_model(0)
    big = _replace(model.layers[0], bias=np.full(5, 2**31 - 1000))
    with pytest.raises(MalformedInput, match="overflow"):
        quant.IntModel((big, model.layers[1]), 16)
    with pytest.raises(MalformedInput, match="zero point"):  # the zero points must chain
        quant.IntModel((model.layers[0], _replace(model.layers[1], input_zero=(
            model.layers[0].output_zero + 1) % 256)), 16)
    with pytest.raises(MalformedInput):  # the last layer must not requantize
        quant.IntModel((model.layers[0], _replace(model.layers[1], shift=5)), 16)
    with pytest.raises(MalformedInput):
        quant.IntModel((), 16)


def test_int32_overflow_guard_is_exact() -> None:
    """The bound is width * 255 * 255 + max|bias| <= 2^31 - 1 (|q_w - Z_w|, |q_in - Z_in| <=
    255): a model exactly at it is accepted and reaches it, one more is refused."""
    model = random_int_model(0)
    width = model.layers[0].weight.shape[1]
    room = 2**31 - 1 - width * 255 * 255
    edge = _replace(model.layers[0], bias=np.array([room, 0, 0, 0, 0]),
                    weight=np.full((5, 6), 255), weight_zero=0)
    at_edge = quant.IntModel((edge, model.layers[1]), 255)
    acc = (np.full((1, width), 255) @ edge.weight.T + edge.bias)[0, 0]
    assert acc == 2**31 - 1  # the largest accumulator the model allows fits int32 exactly
    assert at_edge.layers[0] is edge
    over = _replace(edge, bias=np.array([room + 1, 0, 0, 0, 0]))
    with pytest.raises(MalformedInput, match="overflow"):
        quant.IntModel((over, model.layers[1]), 255)
    negative = _replace(edge, bias=np.array([-(room + 1), 0, 0, 0, 0]))
    with pytest.raises(MalformedInput, match="overflow"):
        quant.IntModel((negative, model.layers[1]), 255)
    wide = _replace(model.layers[1], weight=np.zeros((4, 5), dtype=np.int64),
                    bias=np.array([2**31 - 1 - 5 * 255 * 255 + 1, 0, 0, 0]))
    with pytest.raises(MalformedInput, match="overflow"):  # the guard covers the last layer
        quant.IntModel((model.layers[0], wide), 16)


def test_pixel_max_255_mnist_range() -> None:
    """MNIST pixels are 0..255: pixel_max = 255 is accepted, 256 and 0 are not, and images
    are checked against the model's own pixel_max."""
    model = random_int_model(3, pixel_max=255)
    images = np.array([[0, 255, 128, 1, 254, 7]])
    ACCUMULATORS.clear()
    assert quant.predict_int(model, images).tolist() == [ref_forward(model, images[0].tolist())[1]]
    with pytest.raises(MalformedInput, match="0..255"):
        quant.predict_int(model, images + 1)
    with pytest.raises(MalformedInput, match="0..16"):
        quant.predict_int(random_int_model(3), images)
    for bad in (0, 256):
        with pytest.raises(MalformedInput, match="pixel_max"):
            quant.IntModel(model.layers, bad)
    assert quant.IntModel.from_bytes(model.to_bytes()).digest() == model.digest()
    params = _float_params(0)
    big = np.random.default_rng(2).integers(0, 256, (200, 8))
    quantized = quant.quantize_model(params, quant.activation_ranges(params, big, 255), 255)
    assert quantized.pixel_max == 255 and quantized.layers[0].input_scale == 1 / 255
    float_logits = quant.float_forward(params, big, 255)[-1]
    assert np.mean(quant.predict_int(quantized, big) == np.argmax(float_logits, axis=1)) > 0.9


def test_calibration_of_a_three_layer_mlp() -> None:
    """Two hidden layers: two calibrated ranges, zero points chained layer to layer, and the
    integer model still tracks the float one."""
    rng = np.random.default_rng(11)
    params = [(rng.normal(0, 0.3, (8, 7)), rng.normal(0, 0.1, 7)),
              (rng.normal(0, 0.3, (7, 5)), rng.normal(0, 0.1, 5)),
              (rng.normal(0, 0.3, (5, 3)), rng.normal(0, 0.1, 3))]
    images = np.random.default_rng(12).integers(0, 17, (300, 8))
    ranges = quant.activation_ranges(params, images, 16)
    hidden = quant.float_forward(params, images, 16)[:-1]
    assert ranges == [(float(h.min()), float(h.max())) for h in hidden] and len(ranges) == 2
    assert ranges[1][1] != ranges[0][1]  # each layer its own range
    model = quant.quantize_model(params, ranges, 16)
    assert model.sizes == (8, 7, 5, 3)
    assert [layer.relu for layer in model.layers] == [True, True, False]
    for before, after in zip(model.layers, model.layers[1:]):
        assert after.input_zero == before.output_zero
        assert after.input_scale == before.output_scale
    for (low, high), (want_low, want_high) in zip(quant.hidden_ranges(model), ranges):
        assert low == pytest.approx(min(want_low, 0.0)) and high == pytest.approx(want_high)
    float_logits = quant.float_forward(params, images, 16)[-1]
    int_logits = quant.forward_int(model, images)[-1] * model.layers[-1].output_scale
    assert np.max(np.abs(float_logits - int_logits)) < 0.1 * np.max(np.abs(float_logits))
    assert np.mean(quant.predict_int(model, images) == np.argmax(float_logits, axis=1)) > 0.9
    with pytest.raises(MalformedInput):
        quant.quantize_model(params, ranges[:1], 16)


def test_serialization_and_digest() -> None:
    model = random_int_model(2)
    data = model.to_bytes()
    assert data[0] == quant.FORMAT_VERSION and data == random_int_model(2).to_bytes()
    assert model.sizes == (6, 5, 4)
    changed = _replace(model.layers[0], weight=model.layers[0].weight ^ np.eye(5, 6, dtype=int))
    assert quant.IntModel((changed, model.layers[1]), 16).digest() != model.digest()


# -- from floats and back ---------------------------------------------------------------------


def _float_params(seed: int) -> list[tuple[np.ndarray, np.ndarray]]:
    rng = np.random.default_rng(seed)
    return [(rng.normal(0, 0.3, (8, 6)), rng.normal(0, 0.1, 6)),
            (rng.normal(0, 0.3, (6, 3)), rng.normal(0, 0.1, 3))]


def test_quantize_model_tracks_the_float_model() -> None:
    params = _float_params(0)
    images = np.random.default_rng(1).integers(0, 17, (300, 8))
    ranges = quant.activation_ranges(params, images, 16)
    model = quant.quantize_model(params, ranges, 16)
    assert model.layers[0].input_zero == 0 and model.layers[0].input_scale == 1 / 16
    assert model.layers[1].input_zero == model.layers[0].output_zero == 0  # ReLU range [0, max]
    float_logits = quant.float_forward(params, images, 16)[-1]
    int_logits = quant.forward_int(model, images)[-1] * model.layers[1].output_scale
    assert np.max(np.abs(float_logits - int_logits)) < 0.05 * np.max(np.abs(float_logits))
    agree = np.mean(quant.predict_int(model, images) == np.argmax(float_logits, axis=1))
    assert agree > 0.95


def test_dequantize_model_and_hidden_ranges() -> None:
    params = _float_params(3)
    images = np.random.default_rng(4).integers(0, 17, (50, 8))
    model = quant.quantize_model(params, quant.activation_ranges(params, images, 16), 16)
    for (w, b), (w2, b2), layer in zip(params, quant.dequantize_model(model), model.layers,
                                       strict=True):
        assert w2.shape == w.shape and np.max(np.abs(w2 - w)) <= layer.weight_scale / 2 + 1e-6
        assert np.max(np.abs(b2 - b)) <= layer.weight_scale * layer.input_scale / 2 + 1e-6
    (low, high), = quant.hidden_ranges(model)
    assert low == 0.0 and high == pytest.approx(quant.activation_ranges(params, images, 16)[0][1])


def test_quantize_model_refuses_bad_input() -> None:
    params = _float_params(0)
    with pytest.raises(MalformedInput):
        quant.quantize_model(params, [], 16)
    with pytest.raises(MalformedInput):
        quant.quantize_model([(np.full((8, 6), np.nan), np.zeros(6)), params[1]], [(0, 1)], 16)
    with pytest.raises(MalformedInput):  # a bias far beyond the weights' scale: not int32
        quant.quantize_model([(np.full((8, 6), 1e-6), np.full(6, 1e6)), params[1]], [(0, 1)], 16)
    with pytest.raises(MalformedInput):
        quant.activation_ranges(params, np.zeros((0, 8)), 16)


def test_model_bytes_of_another_version_are_refused() -> None:
    data = random_int_model(2).to_bytes()
    with pytest.raises(MalformedInput, match="unknown format version 2"):
        quant.IntModel.from_bytes(bytes([2]) + data[1:])


def test_quantize_model_names_the_bias_problems() -> None:
    """Each refusal for its own reason: a NaN bias is not finite; a bias beyond int32 at the
    accumulator scale, positive or negative, does not fit (before any IntModel check)."""
    params = _float_params(0)
    w, b = params[0]
    with pytest.raises(MalformedInput, match="finite"):
        quant.quantize_model([(w, np.full(6, np.nan)), params[1]], [(0, 1)], 16)
    for sign in (1, -1):
        with pytest.raises(MalformedInput, match="does not fit int32"):
            quant.quantize_model([(np.full((8, 6), 1e-6), np.full(6, sign * 1e6)), params[1]],
                                 [(0, 1)], 16)


def test_pixel_max_1_binary_images() -> None:
    """pixel_max = 1 (binary images) is the smallest accepted range."""
    model = random_int_model(4, pixel_max=1)
    assert model.pixel_max == 1
    assert quant.predict_int(model, np.array([[0, 1, 1, 0, 1, 0]])).shape == (1,)
