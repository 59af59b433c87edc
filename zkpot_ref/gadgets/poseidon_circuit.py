"""Poseidon inside a PLONK circuit: the permutation of ``poseidon.py``, round for round.

Lesson: how a hash becomes gates, and where the rows go. The circuit runs exactly the
rounds of ``poseidon.permute_rounds`` (Grassi et al., eprint 2019/458, Section 2.2) with
the same constants (``poseidon_constants.params(t)``): ARK, S-box, MDS; R_F / 2 full
rounds, R_P partial rounds, R_F / 2 full rounds. What is new is the accounting. Our
gate (PLONK, eprint 2019/953, Section 6) is one row

    q_L·a + q_R·b + q_O·c + q_M·a·b + q_C = 0,

so a row can hold one product and a linear combination of three wires. Hence:

- **Linear steps are free until a wire is needed.** ARK adds constants and MDS takes
  linear combinations; both act on a ``LinearForm`` (sum of coefficient·wire + constant)
  without a single row. A form with m wires becomes one wire in m - 1 rows
  (``materialize``: c = k_a·a + k_b·b + k per row), and we do that once per state element
  per round, so the MDS layer costs t(t - 1) rows a round.
- **The S-box x^5 costs 3 rows, ARK included** (``sbox_gadget``). For u = k·w + c (the
  ARKed, scaled state element): x2 = (k·w + c)^2 is ONE row (q_M = k^2, q_L = 2kc,
  q_C = c^2), x4 = x2·x2, and x5 = x4·(k·w + c) = k·x4·w + c·x4 is one row again. Three
  rows is the minimum: one product per row doubles the degree at most, and 5 > 4.
- **Constants cost nothing.** circomlibjs' state starts [0, inputs]: element 0 of round 0
  is a known constant, so its S-box is computed while building (0 rows), and the round-0
  MDS outputs mix only t - 1 wires.

Rows per permutation (state of t wires in, t wires out), ``permutation_rows(t)``:

    R_F·(3t + t(t-1)) + R_P·(3 + t(t-1))        t = 2: 344, t = 3: 633, t = 5: 1660

and per circomlibjs hash ``poseidon_gadget`` (state [0, inputs], only state[0] out; the
last round materializes one output instead of t), ``hash_rows(t)``: the above minus
3 + t + (t-1)^2, i.e. t = 2: 338, t = 3: 623, t = 5: 1636.

Not done here: the paper's Appendix B rewrites the partial rounds with sparse matrices
(about 2(t-1) instead of t(t-1) rows each) but then the wires no longer carry the native
round states, which this lesson wants to show side by side.

Read next: ``commitment.py`` (a hiding commitment built on the permutation), then
``commitment_circuit.py``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from zkpot_ref.errors import MalformedInput
from zkpot_ref.field import R_MODULUS
from zkpot_ref.gadgets.poseidon import MAX_INPUTS, is_full_round, sbox
from zkpot_ref.gadgets.poseidon_constants import R_F, R_P_BY_T, WIDTHS, params
from zkpot_ref.plonk.circuit import Circuit, Variable

R = R_MODULUS


@dataclass(frozen=True)
class LinearForm:
    """sum_i coefficient_i · wire_i + constant: a value the circuit has not made a wire yet.

    ``terms`` maps variable index -> coefficient (never 0). Adding and scaling forms costs
    no rows; ``materialize`` turns one into a wire when a gate needs it.
    """

    terms: tuple[tuple[int, int], ...] = ()
    constant: int = 0

    @classmethod
    def of(cls, var: Variable) -> LinearForm:
        """The form 1·var."""
        return cls(((var.index, 1),), 0)

    @classmethod
    def const(cls, value: int) -> LinearForm:
        """The constant form (no wires)."""
        return cls((), value % R)

    def __add__(self, other: LinearForm) -> LinearForm:
        merged = dict(self.terms)
        for index, k in other.terms:
            merged[index] = (merged.get(index, 0) + k) % R
        terms = tuple((i, k) for i, k in merged.items() if k)
        return LinearForm(terms, (self.constant + other.constant) % R)

    def scale(self, k: int) -> LinearForm:
        """k · form (k = 0 gives the zero form)."""
        k %= R
        if k == 0:
            return LinearForm()
        return LinearForm(tuple((i, c * k % R) for i, c in self.terms), self.constant * k % R)

    def plus(self, c: int) -> LinearForm:
        """form + c: how ARK acts, for free."""
        return LinearForm(self.terms, (self.constant + c) % R)

    def value(self, circuit: Circuit) -> int | None:
        """The form's witness value (None while building keys without a witness)."""
        total = self.constant
        for index, k in self.terms:
            v = circuit.values[index]
            if v is None:
                return None
            total += k * v
        return total % R


def _new_wire(circuit: Circuit, value: int | None) -> Variable:
    return circuit.private_input(None if value is None else value % R)


def materialize(circuit: Circuit, form: LinearForm, label: str = "sum") -> LinearForm:
    """An equal form with at most one wire: m >= 2 wires cost m - 1 linear rows.

    Row j folds the next term into the running sum, c = 1·acc + k_j·w_j (+ the constant
    in the last row), exactly ``Circuit.linear_combination``.
    """
    if len(form.terms) <= 1:
        return form
    (i0, k0), (i1, k1), *rest = form.terms
    last = not rest
    acc = circuit.linear_combination(Variable(i0), Variable(i1), k0, k1,
                                     form.constant if last else 0, label=label)
    for j, (index, k) in enumerate(rest):
        last = j == len(rest) - 1
        acc = circuit.linear_combination(acc, Variable(index), 1, k,
                                         form.constant if last else 0, label=label)
    return LinearForm.of(acc)


def as_variable(circuit: Circuit, form: LinearForm, label: str = "output") -> Variable:
    """The form as one Variable: free if it already is 1·w, else one row per wire (>= 1)."""
    if not form.terms:
        return circuit.constant(form.constant, label=label)
    if len(form.terms) == 1:
        (index, k), = form.terms
        if k == 1 and form.constant == 0:
            return Variable(index)
        w = Variable(index)
        return circuit.linear_combination(w, w, k, 0, form.constant, label=label)
    return Variable(materialize(circuit, form, label).terms[0][0])


def sbox_gadget(circuit: Circuit, form: LinearForm, label: str = "S-box") -> LinearForm:
    """u^5 for u = k·w + c in 3 rows (0 rows if u is a constant).

    Rows:  x2 = k^2·w·w + 2kc·w + c^2      (u^2, the ARK constant folded in)
           x4 = x2·x2
           x5 = k·x4·w + c·x4              (x4·u)
    """
    if not form.terms:
        return LinearForm.const(sbox(form.constant))
    (index, k), = materialize(circuit, form, f"{label}: input").terms
    c, w = form.constant, Variable(index)
    u = form.value(circuit)
    x2 = _new_wire(circuit, None if u is None else u * u)
    circuit.gate(w, w, x2, q_M=k * k, q_L=2 * k * c, q_C=c * c, q_O=-1, label=f"{label}: u^2")
    x4 = _new_wire(circuit, None if u is None else pow(u, 4, R))
    circuit.gate(x2, x2, x4, q_M=1, q_O=-1, label=f"{label}: u^4")
    x5 = _new_wire(circuit, None if u is None else pow(u, 5, R))
    circuit.gate(x4, w, x5, q_M=k, q_L=c, q_O=-1, label=f"{label}: u^5")
    return LinearForm.of(x5)


def mix_forms(state: Sequence[LinearForm], mds: Sequence[Sequence[int]]) -> list[LinearForm]:
    """MDS on forms: new_i = sum_j M[i][j]·s_j, no rows (they come at materialization)."""
    out = []
    for row in mds:
        total = LinearForm()
        for m, s in zip(row, state, strict=True):
            total = total + s.scale(m)
        out.append(total)
    return out


def permute_forms(circuit: Circuit, state: Sequence[LinearForm],
                  label: str = "poseidon") -> list[LinearForm]:
    """The permutation on forms, mirroring ``poseidon.permute_rounds`` round for round.

    Inputs are materialized first (the S-box needs single wires); every round ends with
    each state element materialized to one wire, except the last round, whose outputs
    are returned as forms so the caller pays only for the outputs it uses.
    """
    t = len(state)
    if t not in WIDTHS:
        raise MalformedInput(f"Poseidon state has {t} elements; supported widths are 2..17")
    p = params(t)
    s = [materialize(circuit, x, f"{label}: input {i}") for i, x in enumerate(state)]
    last = len(p.round_constants) - 1
    for r, constants in enumerate(p.round_constants):
        s = [x.plus(c) for x, c in zip(s, constants)]  # ARK: free
        tag = f"{label} t={t} round {r}"
        if is_full_round(p, r):
            s = [sbox_gadget(circuit, x, f"{tag} S-box s{i}") for i, x in enumerate(s)]
        else:
            s = [sbox_gadget(circuit, s[0], f"{tag} S-box s0"), *s[1:]]
        s = mix_forms(s, p.mds)
        if r < last:
            s = [materialize(circuit, x, f"{tag} MDS s{i}") for i, x in enumerate(s)]
    return s


def _check_variables(values: Sequence[Variable], what: str) -> None:
    if not isinstance(values, list | tuple) or not all(isinstance(v, Variable) for v in values):
        raise MalformedInput(f"{what} must be a list of circuit Variables, got {values!r}")


def poseidon_permutation(circuit: Circuit, state: list[Variable],
                         label: str = "poseidon") -> list[Variable]:
    """The width-t permutation (t = len(state), 2..17) as wires: ``permutation_rows(t)`` rows."""
    _check_variables(state, "the Poseidon state")
    out = permute_forms(circuit, [LinearForm.of(v) for v in state], label)
    return [as_variable(circuit, x, f"{label}: output s{i}") for i, x in enumerate(out)]


def poseidon_gadget(circuit: Circuit, inputs: list[Variable],
                    label: str = "poseidon") -> Variable:
    """circomlibjs ``poseidon(inputs)`` in the circuit: permute [0, *inputs], return state[0].

    1..16 inputs (t = len(inputs) + 1); costs ``hash_rows(t)`` rows.
    """
    _check_variables(inputs, "poseidon inputs")
    if not 1 <= len(inputs) <= MAX_INPUTS:
        raise MalformedInput(f"poseidon takes 1..{MAX_INPUTS} inputs, got {len(inputs)}")
    state = [LinearForm.const(0), *(LinearForm.of(v) for v in inputs)]
    out = permute_forms(circuit, state, label)
    return as_variable(circuit, out[0], f"{label}: output s0")


def permutation_rows(t: int) -> int:
    """Rows of ``poseidon_permutation`` at width t: R_F(3t + t(t-1)) + R_P(3 + t(t-1))."""
    mds = t * (t - 1)
    return R_F * (3 * t + mds) + R_P_BY_T[t] * (3 + mds)


def hash_rows(t: int) -> int:
    """Rows of ``poseidon_gadget`` with t - 1 inputs.

    Versus ``permutation_rows``: the constant s0 of round 0 saves its S-box (3 rows) and
    one wire in each round-0 MDS sum (t rows); the last round materializes one output, not
    t (saving (t-1)^2 rows).
    """
    return permutation_rows(t) - 3 - t - (t - 1) ** 2
