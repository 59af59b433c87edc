"""A PLONK circuit builder that a reader can follow.

Lesson: what a PLONK circuit *is*. A circuit is a table with n rows and three wire
columns a, b, c. Every row is one gate,

    q_L·a + q_R·b + q_O·c + q_M·a·b + q_C + PI = 0            (PLONK, eprint 2019/953, §6)

with *selectors* q_* fixed by the circuit and wire values supplied by the prover. Values
are shared between rows by *copy constraints* ("the c of row 3 equals the a of row 7"),
which the permutation argument (``permutation.py``) enforces.

The builder is "eager": every variable carries its value as the circuit is built, so the
same Python function both describes the circuit and computes the witness. Building it a
second time with other inputs gives the same *structure* (selectors and wiring, checked
by ``structure_digest``) and a new witness. Building with values left as ``None``
describes the structure only, which is all key generation needs.

Public inputs follow snarkjs' layout so our proofs interoperate: the first l rows are
``a = public_i`` with q_L = 1, and the public-input polynomial contributes
PI(omega^i) = -public_i there.

Every gate and copy constraint has a *label*; ``check_witness`` points at the first one
that fails, so a circuit bug is found before a proof is attempted.

Read next: ``permutation.py`` (sigma polynomials and the grand product).
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field

from zkpot_ref.errors import CircuitError, MalformedInput
from zkpot_ref.field import R_MODULUS

R = R_MODULUS


@dataclass(frozen=True)
class Variable:
    """A wire value, by index into the circuit's variable list."""

    index: int


@dataclass(frozen=True)
class Gate:
    """One row: selectors, the three wired variables, and a label for error messages."""

    q_L: int
    q_R: int
    q_O: int
    q_M: int
    q_C: int
    a: int
    b: int
    c: int
    label: str
    q_K: int = 0  # 1 on lookup rows: a must be in the circuit's table (plonk/lookup.py)


@dataclass
class Circuit:
    """Builds gates and copy constraints; carries the witness along (``None`` = unknown)."""

    values: list[int | None] = field(default_factory=list)
    gates: list[Gate] = field(default_factory=list)
    public_vars: list[int] = field(default_factory=list)
    copies: list[tuple[int, int, str]] = field(default_factory=list)
    #: the range table [0, 2^table_bits) of the lookup argument; 0 = no lookups
    table_bits: int = 0
    _zero: int | None = None

    # -- variables ----------------------------------------------------------------
    def _new_var(self, value: int | None) -> Variable:
        self.values.append(None if value is None else int(value) % R)
        return Variable(len(self.values) - 1)

    def value(self, var: Variable) -> int | None:
        """The variable's witness value (``None`` while building keys without a witness)."""
        return self.values[var.index]

    def public_input(self, value: int | None = None, label: str = "public input") -> Variable:
        """A public input. Must be declared before any gate (snarkjs puts them first)."""
        if len(self.gates) != len(self.public_vars):
            raise CircuitError("declare all public inputs before the first gate")
        var = self._new_var(value)
        self.public_vars.append(var.index)
        dummy_b, dummy_c = self._new_var(0), self._new_var(0)
        # a - public = 0: q_L = 1 here, and PI(omega^i) = -public_i in the gate equation
        self.gates.append(Gate(1, 0, 0, 0, 0, var.index, dummy_b.index, dummy_c.index, label))
        return var

    def private_input(self, value: int | None = None) -> Variable:
        """A private witness value; constrain it with gates."""
        return self._new_var(value)

    # -- the one primitive: a gate ------------------------------------------------
    def gate(
        self,
        a: Variable | None,
        b: Variable | None,
        c: Variable | None,
        *,
        q_L: int = 0,
        q_R: int = 0,
        q_O: int = 0,
        q_M: int = 0,
        q_C: int = 0,
        label: str = "gate",
        lookup: bool = False,
    ) -> None:
        """Add the row q_L·a + q_R·b + q_O·c + q_M·a·b + q_C = 0. Unused wires get zeros.

        ``lookup=True`` also sets q_K = 1: the same row asserts "a is in the table". The
        gate equation and the lookup are separate constraints, so one row can range-check
        a limb in wire a *and* use wires b, c to add it into a running sum — a range check
        of k limbs then costs k rows instead of 2k - 1 (``gadgets/nn_*`` use this).
        """
        if lookup and not self.table_bits:
            raise CircuitError("call use_range_table(bits) before the first lookup")
        wires = [w.index if w is not None else self._new_var(0).index for w in (a, b, c)]
        self.gates.append(Gate(q_L % R, q_R % R, q_O % R, q_M % R, q_C % R, *wires, label,
                               q_K=int(lookup)))

    def _output(self, value_fn, *inputs: Variable) -> Variable:
        """A new variable whose value is ``value_fn(values of inputs)``, or None if unknown."""
        vals = [self.value(v) for v in inputs]
        return self._new_var(None if None in vals else value_fn(*vals) % R)

    # -- helpers built from gates ---------------------------------------------------
    def add(self, x: Variable, y: Variable, label: str = "add") -> Variable:
        """z = x + y."""
        z = self._output(lambda u, v: u + v, x, y)
        self.gate(x, y, z, q_L=1, q_R=1, q_O=-1, label=label)
        return z

    def sub(self, x: Variable, y: Variable, label: str = "sub") -> Variable:
        """z = x - y."""
        z = self._output(lambda u, v: u - v, x, y)
        self.gate(x, y, z, q_L=1, q_R=-1, q_O=-1, label=label)
        return z

    def mul(self, x: Variable, y: Variable, label: str = "mul") -> Variable:
        """z = x * y."""
        z = self._output(lambda u, v: u * v, x, y)
        self.gate(x, y, z, q_M=1, q_O=-1, label=label)
        return z

    def linear_combination(
        self, x: Variable, y: Variable, kx: int, ky: int, k: int = 0, label: str = "lincomb"
    ) -> Variable:
        """z = kx·x + ky·y + k in one row."""
        z = self._output(lambda u, v: kx * u + ky * v + k, x, y)
        self.gate(x, y, z, q_L=kx, q_R=ky, q_O=-1, q_C=k, label=label)
        return z

    def constant(self, value: int, label: str = "constant") -> Variable:
        """A variable forced to equal ``value``: the row a - value = 0."""
        var = self._new_var(value)
        self.gate(var, None, None, q_L=1, q_C=-value, label=label)
        return var

    def zero(self) -> Variable:
        """A shared variable fixed to 0 (created once)."""
        if self._zero is None:
            self._zero = self.constant(0, label="zero").index
        return Variable(self._zero)

    def assert_equal(self, x: Variable, y: Variable, label: str = "assert_equal") -> None:
        """Copy constraint x == y: no gate, the permutation argument enforces it."""
        self.copies.append((x.index, y.index, label))

    def assert_boolean(self, x: Variable, label: str = "boolean") -> None:
        """x·x - x = 0, i.e. x is 0 or 1."""
        self.gate(x, x, None, q_M=1, q_L=-1, label=label)

    boolean = assert_boolean
    assert_bool = assert_boolean

    # -- lookups (the argument itself: plonk/lookup.py) ----------------------------------
    def use_range_table(self, bits: int) -> None:
        """Give the circuit the table [0, 2^bits) for lookups (one table per circuit)."""
        if not 1 <= bits <= 20:
            raise MalformedInput(f"range table bits must be in 1..20, got {bits}")
        if self.table_bits not in (0, bits):
            raise CircuitError(f"the circuit already uses a {self.table_bits}-bit range table")
        self.table_bits = bits

    def lookup(self, x: Variable, label: str = "lookup") -> None:
        """One row asserting x is in the table: q_K = 1, a = x, every other selector 0."""
        self.gate(x, None, None, label=label, lookup=True)

    # -- the witness ----------------------------------------------------------------
    def public_values(self) -> list[int]:
        """Values of the public inputs, in declaration order."""
        return [self._known(i) for i in self.public_vars]

    def wire_values(self) -> tuple[list[int], list[int], list[int]]:
        """Columns (a, b, c) of the witness, one entry per gate."""
        cols = ([], [], [])
        for g in self.gates:
            for col, var in zip(cols, (g.a, g.b, g.c)):
                col.append(self._known(var))
        return cols

    def _known(self, var: int) -> int:
        value = self.values[var]
        if value is None:
            raise CircuitError("the circuit was built without a witness (values are None)")
        return value

    def check_witness(self) -> None:
        """Raise CircuitError naming the first unsatisfied gate or copy constraint."""
        public = {row: self._known(v) for row, v in enumerate(self.public_vars)}
        for row, g in enumerate(self.gates):
            a, b, c = self._known(g.a), self._known(g.b), self._known(g.c)
            total = g.q_L * a + g.q_R * b + g.q_O * c + g.q_M * a * b + g.q_C
            total -= public.get(row, 0)
            if total % R:
                raise CircuitError(
                    f"gate {row} ('{g.label}') is not satisfied: a={a}, b={b}, c={c}"
                )
            if g.q_K and not 0 <= a < 1 << self.table_bits:
                raise CircuitError(
                    f"lookup {row} ('{g.label}'): {a} is not in the table [0, 2^{self.table_bits})"
                )
        for x, y, label in self.copies:
            if self._known(x) != self._known(y):
                raise CircuitError(
                    f"copy constraint '{label}' fails: {self.values[x]} != {self.values[y]}"
                )

    # -- structure --------------------------------------------------------------------
    @property
    def num_public(self) -> int:
        return len(self.public_vars)

    def structure_digest(self) -> bytes:
        """A hash of selectors, wiring and copy constraints (not of the witness).

        Two builds of the same circuit with different inputs must agree; the prover
        compares it with the proving key's to catch a circuit/key mismatch early.
        """
        h = hashlib.sha256()
        h.update(len(self.values).to_bytes(8, "big") + self.num_public.to_bytes(8, "big"))
        h.update(self.table_bits.to_bytes(1, "big"))
        for g in self.gates:
            for x in (g.q_L, g.q_R, g.q_O, g.q_M, g.q_C, g.q_K, g.a, g.b, g.c):
                h.update(x.to_bytes(32, "big"))
        for x, y, _ in self.copies:
            h.update(x.to_bytes(8, "big") + y.to_bytes(8, "big"))
        return h.digest()


def pad_columns(columns: Sequence[list[int]], size: int) -> list[list[int]]:
    """Pad witness or selector columns with zeros to the domain size."""
    for col in columns:
        if len(col) > size:
            raise MalformedInput(f"{len(col)} rows do not fit a domain of size {size}")
    return [list(col) + [0] * (size - len(col)) for col in columns]
