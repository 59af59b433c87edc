"""Quantized dense layers and requantization as PLONK gadgets, bit for bit ``quant.py``.

Lesson: integer inference (``quant.forward_int``, Jacob et al., CVPR 2018, eq. 7) as rows.
Values are field elements; every integer here stays far below r, so field arithmetic IS
integer arithmetic — the range checks below are what guarantee it.

**Layer 1: the input is a public image.** The image is part of the task, so its pixels
are *constants* of the circuit (selector coefficients), and

    acc_j = b_j + sum_k (w_jk - Z_w) x_k = (B_j - 2^31) + sum_{x_k != 0} x_k w_jk - Z_w S_x

is a linear form over private wires: B_j (the bias + 2^31), the weights w_jk with
coefficient x_k, and Z_w with coefficient -S_x (S_x = sum_k x_k). A zero pixel costs
nothing; a linear form of m wires costs m - 1 rows, so a neuron costs nnz + 1 rows.

**Later layers: private activations.** acc_j = (B_j - 2^31) + sum_k w'_jk r_k with
w'_jk = w_jk - Z_w (made once per model) and r_k = q_k - Z_in (the previous layer's
output minus its zero point, which requantization produces directly): one product row per
weight and one addition row per product, 2K rows a neuron.

**Requantization** (quant.py step 3; hidden layers), with the task's public shift n:

    q = clamp(Z_out + floor((acc·M0 + 2^(n-1)) / 2^n), Z_out, 255),   r = q - Z_out

Write y = floor((acc·M0 + 2^(n-1)) / 2^n). The prover supplies y's pieces as hints:

    acc·M0 + 2^(n-1) = rem + 2^n (r + u),   0 <= rem < 2^n                    (quotient)
    0 <= r <= U = 255 - Z_out                        (lookups of r and d = U - r)
    u = y - r: 0 when y is inside [0, U]; below 0 means r = 0; above 0 means r = U

u is signed: u = v - 2^B (1 - s) with v in [0, 2^B) (limbs) and s a bit, so s = 1 iff
u >= 0, and the clamp is two products:  (1 - s)·r = 0  and  (s·v)·d = 0.
With |acc| < 2^32 and M0 < 2^31, |y| < 2^(63-n), so B = 64 - n bits hold any u; the
quotient equation then holds over the integers (both sides < 2^65 << r), which makes
y, rem and the clamp exactly quant.py's. Rows per neuron (L-bit table):
1 (product) + n/L + 1 (rem limbs and r, in one chain with the quotient equation)
+ 1 (its start) + B/L (v) + 1 (d) + 1 (s) + 1 ((1 - s) r) + 2 (s v d) — 16 for n = 32 and
L = 8, 12 for L = 16. ``requantize_rows`` computes it.

Read next: ``nn_argmax.py`` (the prediction and the count).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from zkpot_ref.errors import CircuitError
from zkpot_ref.field import R_MODULUS
from zkpot_ref.gadgets.nn_limbs import chain_total, limbs, sum_to_zero
from zkpot_ref.gadgets.poseidon_circuit import LinearForm, as_variable
from zkpot_ref.plonk.circuit import Circuit, Variable

R = R_MODULUS
BIAS_OFFSET = 1 << 31  # biases are committed as b + 2^31 in [0, 2^32)
QMAX = 255


def signed(value: int) -> int:
    """A field element read as a signed integer (those above r/2 are negative)."""
    return value - R if value > R // 2 else value


@dataclass
class LayerWires:
    """One layer's private parameters as wires (all derived from committed bytes)."""

    weights: list[list[Variable]]  # [j][k], uint8
    weight_zero: Variable
    biases: list[Variable]  # B_j = b_j + 2^31
    multiplier: Variable | None  # M0 (hidden layers)
    output_zero: Variable | None  # Z_out (hidden layers)
    shift: int  # the task's public n (hidden layers), 0 for the last layer
    shifted_weights: list[list[Variable]] | None = None  # w - Z_w, for private inputs


def shift_weights(circuit: Circuit, layer: LayerWires, label: str) -> None:
    """w'_jk = w_jk - Z_w once per model (one row per weight), for private-input layers."""
    layer.shifted_weights = [
        [circuit.sub(w, layer.weight_zero, label=f"{label}: w - Z_w") for w in row]
        for row in layer.weights
    ]


def dense_public(circuit: Circuit, layer: LayerWires, pixels: Sequence[int],
                 label: str) -> list[Variable]:
    """acc_j for a public input image (nnz + 1 rows per neuron)."""
    total = sum(int(x) for x in pixels)
    out = []
    for j, (row, bias) in enumerate(zip(layer.weights, layer.biases)):
        form = LinearForm.of(bias).plus(-BIAS_OFFSET) + LinearForm.of(layer.weight_zero).scale(
            -total)
        for w, x in zip(row, pixels):
            if x:
                form = form + LinearForm.of(w).scale(int(x))
        out.append(as_variable(circuit, form, f"{label}: acc {j}"))
    return out


def dense_private(circuit: Circuit, layer: LayerWires, inputs: Sequence[Variable],
                  label: str) -> list[Variable]:
    """acc_j for private inputs r_k (2K rows per neuron: K products, K additions)."""
    if layer.shifted_weights is None:
        raise CircuitError(f"{label}: call shift_weights first")
    out = []
    for j, (row, bias) in enumerate(zip(layer.shifted_weights, layer.biases)):
        form = LinearForm.of(bias).plus(-BIAS_OFFSET)
        for k, (w, r) in enumerate(zip(row, inputs)):
            form = form + LinearForm.of(circuit.mul(w, r, label=f"{label}: w{j},{k}·r"))
        out.append(as_variable(circuit, form, f"{label}: acc {j}"))
    return out


def requantize_hints(acc: int, m0: int, shift: int, zero: int) -> dict[str, int]:
    """The prover's hints for one neuron, from the integers (quant.requantize's steps).

    Besides the hints the rows read (rem, r, s, v, d) it names the product acc·M0, the
    quotient y and the excess u, so ``statement.inference_trace`` can show every step."""
    bound = 64 - shift
    prod = acc * m0
    y = (prod + (1 << (shift - 1))) >> shift  # floor division, also for negative values
    rem = prod + (1 << (shift - 1)) - (y << shift)
    r = min(max(y, 0), QMAX - zero)
    u = y - r
    s = int(u >= 0)
    return {"prod": prod, "y": y, "rem": rem, "r": r, "u": u, "s": s,
            "v": u + (1 << bound) * (1 - s), "d": QMAX - zero - r}


def requantize(circuit: Circuit, acc: Variable, layer: LayerWires, label: str,
               hints: Mapping[str, int] | None = None) -> Variable:
    """r = clamp(Z_out + y, Z_out, 255) - Z_out for one hidden neuron (module docstring).

    ``hints``: this neuron's ``requantize_hints``, computed beforehand for the whole test set
    (``statement.inference_trace``); by default they are computed here from the wires.
    """
    n, bound = layer.shift, 64 - layer.shift
    m0, zero = layer.multiplier, layer.output_zero
    if m0 is None or zero is None or not 1 <= n <= 62:
        raise CircuitError(f"{label}: requantization needs M0, Z_out and a shift in 1..62")
    if hints is None:
        known = [circuit.value(v) for v in (acc, m0, zero)]
        if None not in known:
            hints = requantize_hints(signed(known[0]), known[1], n, known[2])

    def hint(name: str) -> int | None:
        return None if hints is None else hints[name]

    prod = circuit.mul(acc, m0, label=f"{label}: acc·M0")
    r = circuit.private_input(hint("r"))
    d = circuit.private_input(hint("d"))
    circuit.gate(d, r, zero, q_L=1, q_R=1, q_O=1, q_C=-QMAX, label=f"{label}: d = U - r",
                 lookup=True)
    s = circuit.private_input(hint("s"))
    circuit.assert_boolean(s, label=f"{label}: s is a bit")
    v = chain_total(circuit, limbs(circuit, hint("v"), bound, f"{label}: v"), label=f"{label}: v")
    circuit.gate(s, r, None, q_M=-1, q_R=1, label=f"{label}: u < 0 -> r = 0")
    sv = circuit.mul(s, v, label=f"{label}: s·v")
    circuit.gate(sv, d, None, q_M=1, label=f"{label}: u > 0 -> r = U")
    # prod + 2^(n-1) + 2^(n+B) - rem - 2^n r - 2^n v - 2^(n+B) s = 0
    rem = limbs(circuit, hint("rem"), n, f"{label}: rem")
    looked_up = [(wire, -k) for wire, k in rem] + [(r, -(1 << n))]
    form = (LinearForm.of(prod) + LinearForm.of(v).scale(-(1 << n))
            + LinearForm.of(s).scale(-(1 << (n + bound)))).plus((1 << (n - 1)) + (1 << (n + bound)))
    sum_to_zero(circuit, looked_up, form, label=f"{label}: quotient")
    return r


def requantize_rows(shift: int, table_bits: int) -> int:
    """Rows of ``requantize`` for one neuron (the module docstring's count)."""
    def count(bits: int) -> int:
        full, top = divmod(bits, table_bits)
        return full + (2 if top else 0)  # a narrower top limb costs two lookups

    return 1 + 1 + 1 + count(64 - shift) + 1 + 2 + count(shift) + 1 + 1

