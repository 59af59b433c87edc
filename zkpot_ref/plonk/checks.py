"""Range checks and comparisons, built from gates and lookups.

Lesson. Arithmetic circuits only know + and ×; "x < 2^16" or "x < y" must be spelled out.
Quantized neural networks need such checks constantly (requantization remainders, ReLU
clamps, argmax), so they must be cheap:

- **range_check(x, bits)**: split x into k-bit limbs (k = the circuit's table size),
  x = l_0 + 2^k l_1 + 2^2k l_2 + ..., look each limb up in the table [0, 2^k) — one
  lookup row per limb — and rebuild x with one linear-combination row per limb. A last,
  shorter limb of j < k bits is checked with a second lookup of l·2^(k-j): both
  l < 2^k and l·2^(k-j) < 2^k hold only if l < 2^j. Compare bit decomposition: one
  boolean row and one accumulation row per *bit*.
- **less_than(x, y, bits)**: for x, y < 2^bits, d = x - y + 2^bits lies in [1, 2^(bits+1));
  its top bit is 1 exactly when x >= y. So b = [x < y] is the boolean with
  d - (1 - b)·2^bits in [0, 2^bits).
- **is_zero(x)**: the prover supplies inv = x^-1 (or 0); b = 1 - x·inv and x·b = 0 force
  b = [x == 0].
- **select(c, x, y)** = c·(x - y) + y for a boolean c.

Read next: ``preprocess.py`` (keys from a circuit, lookups included).
"""

from __future__ import annotations

from zkpot_ref.errors import CircuitError
from zkpot_ref.field import R_MODULUS, inverse_mod
from zkpot_ref.plonk.circuit import Circuit, Variable

R = R_MODULUS
#: range checks default to this table size when the circuit has none yet
DEFAULT_TABLE_BITS = 8


def limbs_of(value: int, bits: int, limb_bits: int) -> list[int]:
    """Little-endian limbs of ``value`` (the witness; constraints come from range_check)."""
    return [(value >> shift) & ((1 << limb_bits) - 1) for shift in range(0, bits, limb_bits)]


def range_check(circuit: Circuit, x: Variable, bits: int, label: str = "range") -> None:
    """Constrain 0 <= x < 2^bits with table lookups (table [0, 2^k), k = table bits)."""
    if bits < 1 or bits > 252:
        raise CircuitError(f"range_check: bits must be in 1..252, got {bits}")
    if not circuit.table_bits:
        circuit.use_range_table(DEFAULT_TABLE_BITS)
    k = circuit.table_bits
    value = circuit.value(x)
    # for an out-of-range x the limbs cannot rebuild x: check_witness names the failure
    witness = None if value is None else limbs_of(value, bits, k)
    count = -(-bits // k)
    acc: Variable | None = None
    for j in range(count):
        limb = circuit.private_input(None if witness is None else witness[j])
        circuit.lookup(limb, label=f"{label}: limb {j}")
        last_bits = bits - k * j
        if last_bits < k:  # the top limb is shorter: also look up limb · 2^(k - last_bits)
            shifted = circuit.linear_combination(limb, limb, 1 << (k - last_bits), 0,
                                                 label=f"{label}: shift limb {j}")
            circuit.lookup(shifted, label=f"{label}: top limb {j} < 2^{last_bits}")
        acc = limb if acc is None else circuit.linear_combination(
            acc, limb, 1, 1 << (k * j), label=f"{label}: rebuild {j}")
    circuit.assert_equal(acc, x, label=f"{label}: x < 2^{bits}")


def less_than(circuit: Circuit, x: Variable, y: Variable, bits: int,
              label: str = "less_than") -> Variable:
    """The boolean [x < y] for x, y < 2^bits (the caller range-checks x and y)."""
    vx, vy = circuit.value(x), circuit.value(y)
    b = circuit.private_input(None if vx is None or vy is None else int(vx < vy))
    circuit.assert_boolean(b, label=f"{label}: boolean")
    # low = x - y + 2^bits - (1 - b)·2^bits = x - y + b·2^bits
    diff = circuit.linear_combination(x, y, 1, -1, label=f"{label}: x - y")
    low = circuit.linear_combination(diff, b, 1, 1 << bits, label=f"{label}: low part")
    range_check(circuit, low, bits, label=f"{label}: low part in range")
    return b


def is_zero(circuit: Circuit, x: Variable, label: str = "is_zero") -> Variable:
    """The boolean [x == 0]: x·inv = 1 - b and x·b = 0."""
    value = circuit.value(x)
    inv = circuit.private_input(None if value is None else (inverse_mod(value, R) if value else 0))
    product = circuit.mul(x, inv, label=f"{label}: x·inv")
    b = circuit.linear_combination(product, product, -1, 0, 1, label=f"{label}: 1 - x·inv")
    circuit.gate(x, b, None, q_M=1, label=f"{label}: x·b = 0")
    return b


def select(circuit: Circuit, condition: Variable, x: Variable, y: Variable,
           label: str = "select") -> Variable:
    """condition·(x - y) + y: x when the boolean condition is 1, else y."""
    difference = circuit.sub(x, y, label=f"{label}: x - y")
    chosen = circuit.mul(condition, difference, label=f"{label}: c·(x - y)")
    return circuit.add(chosen, y, label=f"{label}: + y")
