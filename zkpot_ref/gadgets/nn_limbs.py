"""Range checks that also add: limbs looked up on rows that carry a running sum.

Lesson: the cheapest way we know, in a width-3 PLONK with a range table, to say both
"x < 2^bits" and "this linear combination of x and other wires is zero".

A range check splits x into limbs of L bits (L = the table's bits, ``Circuit.table_bits``),
x = l_0 + 2^L l_1 + 2^2L l_2 + ..., and looks every limb up in the table [0, 2^L) (logUp,
``plonk/lookup.py``). A lookup row only reads wire a; the row's gate equation is a separate
constraint (``Circuit.gate(..., lookup=True)``), so the same row can ALSO fold its limb
into a running sum carried on wires b and c:

    row i:   a = l_i (looked up),   c = b + k_i·l_i        (q_L = k_i, q_R = 1, q_O = -1)

A chain of such rows costs one row per limb and adds the limbs (with any coefficients)
into a total — a range check *and* the arithmetic that uses the value, for the price of
the range check alone. ``plonk/checks.range_check`` spends 2k - 1 rows on k limbs and
still leaves the value's use to other rows.

A top limb of k < L bits needs a second lookup: l and l + 2^L - 2^k both in [0, 2^L)
means 0 <= l < 2^k (no wrap-around: both are below 2^L < r).

``sum_to_zero`` and ``chain_total`` take the looked-up wires as (wire, coefficient) pairs
and any other wires as a ``LinearForm``. Rows, for t looked-up wires and m other wires:
t + max(m - 1, 0), one fewer when the total is asserted zero and m >= 2.

Read next: ``nn_layers.py`` (dense layers and requantization built on these chains).
"""

from __future__ import annotations

from collections.abc import Sequence

from zkpot_ref.errors import CircuitError, MalformedInput
from zkpot_ref.field import R_MODULUS
from zkpot_ref.gadgets.poseidon_circuit import LinearForm, materialize
from zkpot_ref.plonk.circuit import Circuit, Variable

R = R_MODULUS
Term = tuple[Variable, int]  # (wire, coefficient)


def limb_values(value: int | None, bits: int, limb_bits: int) -> list[int | None]:
    """The little-endian L-bit limbs of a value in [0, 2^bits) (None while building keys)."""
    count = -(-bits // limb_bits)
    if value is None:
        return [None] * count
    if not 0 <= value < 1 << bits:
        raise CircuitError(f"{value} does not fit {bits} bits")
    return [(value >> (limb_bits * i)) & ((1 << limb_bits) - 1) for i in range(count)]


def limbs(circuit: Circuit, value: int | None, bits: int, label: str) -> list[Term]:
    """Hint wires for ``value``'s limbs, as (wire, 2^(L·i)) terms for a chain.

    Full limbs are looked up by the chain that consumes them; a narrower top limb gets its
    second lookup (limb + 2^L - 2^k) here, on a row of its own.
    """
    width = circuit.table_bits
    if not width:
        raise CircuitError("limbs need a range table: call circuit.use_range_table first")
    if type(bits) is not int or not 1 <= bits <= 252:
        raise MalformedInput(f"{label}: a limb decomposition needs 1..252 bits, got {bits!r}")
    terms = []
    for i, limb in enumerate(limb_values(value, bits, width)):
        wire = circuit.private_input(limb)
        terms.append((wire, 1 << (width * i)))
        if bits - width * i < width:
            narrow(circuit, wire, bits - width * i, f"{label}: top limb")
    return terms


def narrow(circuit: Circuit, wire: Variable, bits: int, label: str) -> None:
    """For a wire whose own lookup says < 2^L: one more row making it < 2^bits.

    The row looks up wire + 2^L - 2^bits (and defines it: q_L·a - q_R·b = 2^L - 2^bits).
    """
    width = circuit.table_bits
    if not 0 < bits < width:
        raise MalformedInput(f"{label}: narrow to 1..{width - 1} bits, not {bits}")
    shift = (1 << width) - (1 << bits)
    value = circuit.value(wire)
    shifted = circuit.private_input(None if value is None else value + shift)
    circuit.gate(shifted, wire, None, q_L=1, q_R=-1, q_C=-shift, label=f"{label} < 2^{bits}",
                 lookup=True)


def _start(circuit: Circuit, form: LinearForm, label: str) -> tuple[Variable | None, int]:
    """The running sum's first value: (wire holding form minus its constant, constant)."""
    if not form.terms:
        return None, form.constant
    body = materialize(circuit, LinearForm(form.terms, 0), f"{label}: sum")
    (index, k), = body.terms
    if k != 1:
        scaled = circuit.linear_combination(Variable(index), Variable(index), k, 0, 0, label)
        return scaled, form.constant
    return Variable(index), form.constant


def _chain(circuit: Circuit, looked_up: Sequence[Term], form: LinearForm, label: str,
           close: Term | None) -> Variable | None:
    """Rows for form + sum k_i·x_i. The last row writes the total into a new wire
    (``close`` None, returned), or asserts total + k·w = 0 for ``close`` = (w, k)."""
    if not looked_up:
        raise MalformedInput(f"{label}: a chain needs at least one looked-up wire")
    acc, constant = _start(circuit, form, label)
    for i, (wire, k) in enumerate(looked_up):
        q_c = constant if i == 0 else 0
        if i == len(looked_up) - 1 and close is not None:
            target, q_o = close
        else:
            x, prev = circuit.value(wire), None if acc is None else circuit.value(acc)
            known = x is not None and (acc is None or prev is not None)
            target = circuit.private_input((k * x + (prev or 0) + q_c) % R if known else None)
            q_o = -1
        circuit.gate(wire, acc, target, q_L=k, q_R=0 if acc is None else 1, q_O=q_o, q_C=q_c,
                     label=f"{label}: limb {i}", lookup=True)
        acc = target
    return None if close is not None else acc


def chain_total(circuit: Circuit, looked_up: Sequence[Term], form: LinearForm | None = None,
                label: str = "chain", out: Variable | None = None) -> Variable:
    """The wire holding form + sum k_i·x_i, every x_i looked up on the row that adds it.

    ``out``: an existing wire the total must equal (the last row writes into it, so the
    assertion costs nothing); by default a new wire.
    """
    total = _chain(circuit, looked_up, form or LinearForm(), label,
                   None if out is None else (out, -1))
    return out if out is not None else total  # type: ignore[return-value]


def sum_to_zero(circuit: Circuit, looked_up: Sequence[Term], form: LinearForm,
                label: str = "relation") -> None:
    """Assert form + sum k_i·x_i = 0, each x_i looked up on the row that adds it.

    One wire of ``form`` stays out of the running sum and closes the chain on the last
    lookup row (its wire c), so the assertion itself costs no row.
    """
    if not form.terms:
        _chain(circuit, looked_up, form, label, (circuit.zero(), 1))
        return
    *rest, closing = form.terms
    index, k = closing
    _chain(circuit, looked_up, LinearForm(tuple(rest), form.constant), label,
           (Variable(index), k))
