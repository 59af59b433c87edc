"""The hiding commitment of ``commitment.py``, inside a PLONK circuit.

Lesson: how a proof says "the values I used are the ones I committed to". The circuit
recomputes ``commitment.commit(values, bits, salt)`` from the values as wires and the salt
as a private wire, and ``assert_commitment`` ties the result to the public commitment with
a copy constraint. Step for step as the native version:

1. **Range checks.** Every value is constrained to [0, 2^w). This is what makes the
   packing injective in the circuit: natively ``commit`` refuses a value >= 2^w, but a
   circuit only sees field elements, and without the check a cheating prover could pick a
   "value" that spills into its neighbour's bits (or wraps mod r) and open one commitment
   to two lists. The default check is the lookup-backed ``plonk.checks.range_check``
   (one table row-use per limb); ``range_check_bits`` is the classic bit decomposition
   (2w - 1 rows), kept for circuits without lookups and for the benchmark.
2. **Packing**, e = v_0 + 2^w v_1 + ... + 2^(w(k-1)) v_(k-1): a linear form, so it costs no
   rows by itself; its k wires are summed when the element is absorbed.
3. **The sponge** (width 3, rate 2): the capacity starts as the constant
   ``domain_tag(N, w)``, blocks of [salt, e_0, e_1, ...] are added into the rate, and the
   state is permuted with ``poseidon_circuit.permute_forms``; the output is s_1.

Rows, for N >= 1 distinct value wires and B = ``permutations_for(N, w)``
(``commitment_rows``):

    N · (rows per range check) + 633·B + N - 11

633 is ``permutation_rows(3)``; each value adds one row (packing and absorbing); the first
permutation saves the S-box of its constant capacity and part of round 0, and only s_1 is
materialized at the end.

Read next: ``poseidon_sparse.py`` (the same permutation in fewer rows); the ZKPoT statement
(``pot/statement.py``) uses this gadget.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from zkpot_ref.errors import MalformedInput
from zkpot_ref.gadgets.commitment import (
    PACK_BITS,
    RATE,
    SPONGE_WIDTH,
    domain_tag,
    permutations_for,
    values_per_element,
)
from zkpot_ref.gadgets.poseidon_circuit import (
    LinearForm,
    as_variable,
    materialize,
    permutation_rows,
    permute_forms,
)
from zkpot_ref.plonk.checks import range_check as lookup_range_check
from zkpot_ref.plonk.circuit import Circuit, Variable

#: A range check, called as ``check(circuit, x, bits, label=...)``.
RangeCheck = Callable[..., None]


def range_check_bits(circuit: Circuit, x: Variable, bits: int,
                     label: str = "range (bits)") -> None:
    """0 <= x < 2^bits by bit decomposition: 2·bits - 1 rows, no lookups.

    The prover supplies the bits b_i of x; each is constrained boolean (b·b - b = 0, one
    row), their sum Σ 2^i b_i is rebuilt (bits - 1 rows) and copied onto x. Because
    bits <= 253 and 2^253 < r, the sum cannot wrap mod r, so it equals x only if x < 2^bits.
    """
    if type(bits) is not int or not 1 <= bits <= PACK_BITS:
        raise MalformedInput(f"range_check_bits: bits must be in 1..{PACK_BITS}, got {bits!r}")
    if bits == 1:
        circuit.assert_boolean(x, label=f"{label}: x < 2")
        return
    value = circuit.value(x)
    total = LinearForm()
    for i in range(bits):
        bit = circuit.private_input(None if value is None else (value >> i) & 1)
        circuit.assert_boolean(bit, label=f"{label}: bit {i}")
        total = total + LinearForm.of(bit).scale(1 << i)
    rebuilt = as_variable(circuit, materialize(circuit, total, f"{label}: rebuild"))
    circuit.assert_equal(rebuilt, x, label=f"{label}: x < 2^{bits}")


def pack_forms(values: Sequence[Variable], bits: int) -> list[LinearForm]:
    """``commitment.pack`` on wires: e = Σ_j 2^(w j) v_j per group of k values (no rows)."""
    k = values_per_element(bits)
    packed = []
    for start in range(0, len(values), k):
        element = LinearForm()
        for j, v in enumerate(values[start : start + k]):
            element = element + LinearForm.of(v).scale(1 << (bits * j))
        packed.append(element)
    return packed


def commitment_gadget(circuit: Circuit, values: Sequence[Variable], bits: int, salt: Variable,
                      *, range_check: RangeCheck | None = None,
                      label: str = "commitment") -> Variable:
    """The wire holding ``commit(values, bits, salt)[0]``; each value is range-checked.

    ``range_check`` defaults to the lookup-backed ``plonk.checks.range_check``; pass
    ``range_check_bits`` for a circuit without lookups (a vanilla, snarkjs-shaped proof).
    """
    if not isinstance(values, list | tuple) or not all(isinstance(v, Variable) for v in values):
        raise MalformedInput(f"{label}: values must be a list of circuit Variables")
    if not isinstance(salt, Variable):
        raise MalformedInput(f"{label}: the salt must be a circuit Variable, got {salt!r}")
    tag = domain_tag(len(values), bits)  # validates bits
    check = lookup_range_check if range_check is None else range_check
    for i, v in enumerate(values):
        check(circuit, v, bits, label=f"{label}: value {i}")
    return sponge_gadget(circuit, [LinearForm.of(salt), *pack_forms(values, bits)], tag, label)


def sponge_gadget(circuit: Circuit, message: Sequence[LinearForm], capacity: int,
                  label: str = "sponge", permute: Callable[..., list[LinearForm]] = permute_forms,
                  ) -> Variable:
    """``commitment.sponge(message, capacity)`` on forms: blocks of RATE are added into
    the rate (free), then the state is permuted; the output is s_1. ``permute``: this
    lesson's gadget, or the sparse-round twin ``poseidon_sparse.permute_forms_sparse``."""
    state = [LinearForm.const(capacity)] + [LinearForm()] * RATE
    for number, start in enumerate(range(0, len(message), RATE)):
        for j, element in enumerate(message[start : start + RATE]):
            state[1 + j] = state[1 + j] + element  # absorb: added into the rate, free
        state = permute(circuit, state, f"{label}: permutation {number}")
    return as_variable(circuit, state[1], f"{label}: output")


def assert_commitment(circuit: Circuit, commitment: Variable, values: Sequence[Variable],
                      bits: int, salt: Variable, *, range_check: RangeCheck | None = None,
                      label: str = "commitment") -> None:
    """Constrain ``commitment`` (typically a public input) to commit to values with salt.

    Public inputs come before any gate, so declare ``commitment = circuit.public_input(c)``
    first, then call this; the copy constraint costs no row.
    """
    if not isinstance(commitment, Variable):
        raise MalformedInput(f"{label}: the commitment must be a circuit Variable")
    out = commitment_gadget(circuit, values, bits, salt, range_check=range_check, label=label)
    circuit.assert_equal(out, commitment, label=f"{label}: equals the public commitment")


def commitment_rows(count: int, bits: int, rows_per_range_check: int) -> int:
    """Rows of ``commitment_gadget`` for ``count`` >= 1 distinct value wires (docstring above)."""
    if type(count) is not int or count < 1:
        raise MalformedInput(f"commitment_rows needs count >= 1, got {count!r}")
    permutations = permutations_for(count, bits)
    saved = 11  # first permutation: constant capacity; end: one output materialized
    return (count * rows_per_range_check + permutation_rows(SPONGE_WIDTH) * permutations
            + count - saved)
