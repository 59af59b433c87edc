"""The prediction and the count: argmax with the lowest-index tie-break, as a gadget.

Lesson: how a circuit says "class p is the model's answer" about the last layer's int32
accumulators acc_0..acc_{C-1} (``quant.predict_int``: ``numpy.argmax``, ties go to the
lowest index), and how the answers become the public count.

The prover supplies a one-hot vector s (s_p = 1 for its prediction p) and the maximum m.
With t_j = s_{j+1} + ... + s_{C-1} (1 exactly for the classes *before* p):

    s_j (s_j - 1) = 0,   t_0 + s_0 = 1                     (one-hot: exactly one s_j is 1)
    s_j (m - acc_j) = 0                                    (m is the chosen accumulator)
    d_j = m - acc_j - t_j  in [0, 2^32)                    (range check, limbs)

The last line says m >= acc_j for every class, and m >= acc_j + 1 for the classes before
p: p holds the maximum and no earlier class does — exactly the lowest-index argmax. The
differences of int32 accumulators fit 32 bits, and |m - acc_j - t_j| < 2^34 << r, so the
range check cannot be fooled by wrap-around.

Whether the image is classified correctly is then free: the label is public, so
"correct" is the wire s_label. The count is the sum of those wires over the test set
(one row per image), copied onto the public input k — the circuit asserts count == k.

Rows per image with C classes and an L-bit table: C·(3 + 32/L) + (C - 2) + 1 — 79 for
C = 10, L = 8 (59 for L = 16). ``argmax_rows`` computes it.

Read next: ``pot/task.py`` (the statement these gadgets are assembled into).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from zkpot_ref.errors import CircuitError
from zkpot_ref.field import R_MODULUS
from zkpot_ref.gadgets.nn_layers import signed
from zkpot_ref.gadgets.nn_limbs import limbs, sum_to_zero
from zkpot_ref.gadgets.poseidon_circuit import LinearForm
from zkpot_ref.plonk.circuit import Circuit, Variable

DIFF_BITS = 32


def argmax_hint(values: Sequence[int]) -> int:
    """The lowest index of the largest value (numpy.argmax's rule)."""
    return max(range(len(values)), key=lambda j: (values[j], -j))


def argmax_hints(values: Sequence[int]) -> dict[str, Any]:
    """The prover's hints for one image: p, m = values[p], d_j = m - values[j] - [j < p]."""
    p = argmax_hint(values)
    return {"p": p, "m": values[p], "d": [values[p] - v - int(j < p) for j, v in enumerate(values)]}


def argmax_onehot(circuit: Circuit, accs: Sequence[Variable], label: str,
                  hints: Mapping[str, Any] | None = None) -> list[Variable]:
    """The one-hot wires s_j of the lowest-index argmax of ``accs`` (module docstring).

    ``hints``: this image's ``argmax_hints``, computed beforehand for the whole test set
    (``statement.inference_trace``); by default they are computed here from the wires.
    """
    classes = len(accs)
    if classes < 2:
        raise CircuitError(f"{label}: an argmax needs at least 2 classes")
    if hints is None:
        known = [circuit.value(a) for a in accs]
        if None not in known:
            hints = argmax_hints([signed(v) for v in known])
    p = None if hints is None else hints["p"]
    s = [circuit.private_input(None if p is None else int(j == p)) for j in range(classes)]
    for j, bit in enumerate(s):
        circuit.assert_boolean(bit, label=f"{label}: s{j} is a bit")
    # t_j = s_{j+1} + ... + s_{C-1}: 1 for the classes before p
    t: list[Variable] = [circuit.zero()] * classes
    t[classes - 2] = s[classes - 1]
    for j in range(classes - 3, -1, -1):
        t[j] = circuit.add(t[j + 1], s[j + 1], label=f"{label}: t{j}")
    circuit.gate(t[0], s[0], None, q_L=1, q_R=1, q_C=-1, label=f"{label}: one-hot")
    m = circuit.private_input(None if hints is None else hints["m"] % R_MODULUS)
    d = [None] * classes if hints is None else hints["d"]  # the differences' hints
    # BEGIN TASK 6.1: the argmax constraints: one-hot, equal, no larger
    for j in range(classes):
        e = circuit.sub(m, accs[j], label=f"{label}: m - acc{j}")
        circuit.gate(s[j], e, None, q_M=1, label=f"{label}: s{j} -> m = acc{j}")
        # d_j = e_j - t_j: the limbs' sum, minus e_j, plus t_j (the chain closes on t_j)
        looked_up = [(wire, -k) for wire, k in limbs(circuit, d[j], DIFF_BITS, f"{label}: d{j}")]
        sum_to_zero(circuit, looked_up, LinearForm.of(e) + LinearForm.of(t[j]).scale(-1),
                    label=f"{label}: d{j} >= 0")
    # END TASK 6.1
    return s


def argmax_rows(classes: int, table_bits: int) -> int:
    """Rows of ``argmax_onehot`` for one image (the module docstring's count)."""
    limbs_per_difference = -(-DIFF_BITS // table_bits)
    return classes * (3 + limbs_per_difference) + (classes - 2) + 1
