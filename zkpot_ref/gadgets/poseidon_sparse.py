"""Poseidon's partial rounds with sparse matrices: the fast twin of ``poseidon_circuit.py``.

Lesson: the same permutation in fewer rows, by rewriting the linear layers (Grassi et al.,
eprint 2019/458, Appendix B, "Efficient Implementation for Partial Rounds"). The readable
gadget (``permute_forms``) materializes every state element in every round: t(t - 1) linear
rows a round, 6 for t = 3. In a partial round only element 0 goes through the S-box; the
other elements are only ever *mixed*, and mixing can be postponed.

Factor the round's dense matrix A (t x t) as A = A'·A'' with

    A' = [[1, 0], [0, A_11]]        A'' = [[A_00, A_01], [A_11^-1 A_10, I]]

(blocks: element 0 | the other t - 1). A' leaves element 0 alone, so it commutes with a
partial S-box layer S: S(A'·w) = A'·S(w). Apply only the sparse A'' now and carry A' as a
*pending* matrix P: the true state is P·(our state). The next round's constants become
P^-1·c (free: constants live in forms) and its matrix M·P, which is factored again. The
last partial round applies its M·P in full, and the full rounds run as before.

With A'', element 0's new value mixes all t wires (t - 1 rows to materialize) but every
other element is one S-box output plus its old self (one row each): a partial round costs
3 (S-box) + (t - 1) + (t - 1) rows instead of 3 + t(t - 1) — 7 instead of 9 for t = 3, 112
rows fewer per width-3 permutation (521 instead of 633). The wires no longer hold the
textbook round states (they hold P^-1 times them), which is why the lesson keeps the plain
gadget beside this one; the tests check both against each other and against circomlibjs.

Read next: ``nn_limbs.py`` (range checks that also add, for the quantized network).
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache

from zkpot_ref.errors import MalformedInput
from zkpot_ref.field import R_MODULUS, inverse_mod
from zkpot_ref.gadgets.poseidon import is_full_round
from zkpot_ref.gadgets.poseidon_circuit import LinearForm, materialize, mix_forms, sbox_gadget
from zkpot_ref.gadgets.poseidon_constants import R_F, R_P_BY_T, WIDTHS, params
from zkpot_ref.plonk.circuit import Circuit

R = R_MODULUS
Matrix = list[list[int]]


def matmul(a: Sequence[Sequence[int]], b: Sequence[Sequence[int]]) -> Matrix:
    """a·b mod r."""
    return [[sum(x * y for x, y in zip(row, col)) % R for col in zip(*b)] for row in a]


def invert(matrix: Sequence[Sequence[int]]) -> Matrix:
    """The inverse mod r by Gauss–Jordan elimination (MDS submatrices are invertible)."""
    n = len(matrix)
    rows = [list(row) + [int(i == j) for j in range(n)] for i, row in enumerate(matrix)]
    for col in range(n):
        pivot = next((i for i in range(col, n) if rows[i][col] % R), None)
        if pivot is None:
            raise MalformedInput("singular matrix: no sparse factorization")
        rows[col], rows[pivot] = rows[pivot], rows[col]
        scale = inverse_mod(rows[col][col], R)
        rows[col] = [x * scale % R for x in rows[col]]
        for i in range(n):
            if i != col and rows[i][col]:
                factor = rows[i][col]
                rows[i] = [(x - factor * y) % R for x, y in zip(rows[i], rows[col])]
    return [row[n:] for row in rows]


def factor(a: Sequence[Sequence[int]]) -> tuple[Matrix, Matrix]:
    """(A', A'') with A = A'·A'', A' = diag(1, A_11), A'' sparse (module docstring)."""
    t = len(a)
    a11 = [list(row[1:]) for row in a[1:]]
    w = matmul(invert(a11), [[row[0]] for row in a[1:]])
    pending = [[int(i == j) for j in range(t)] for i in range(t)]
    for i in range(1, t):
        pending[i][1:] = a11[i - 1]
    sparse = [list(a[0])] + [[w[i][0]] + [int(i == j) for j in range(t - 1)]
                             for i in range(t - 1)]
    return pending, sparse


@cache
def schedule(t: int) -> tuple[tuple[tuple[int, ...], tuple[tuple[int, ...], ...]], ...]:
    """Per round: (the constants to add to our state, the matrix to mix it with)."""
    p = params(t)
    identity = [[int(i == j) for j in range(t)] for i in range(t)]
    pending, rounds = identity, []
    partial = [r for r in range(len(p.round_constants)) if not is_full_round(p, r)]
    for r, constants in enumerate(p.round_constants):
        matrix: Matrix = [list(row) for row in p.mds]
        if r in partial:
            shifted = matmul(invert(pending), [[c] for c in constants])
            constants = [row[0] for row in shifted]
            matrix = matmul(p.mds, pending)
            if r != partial[-1]:
                pending, matrix = factor(matrix)
            else:
                pending = identity
        rounds.append((tuple(constants), tuple(tuple(row) for row in matrix)))
    return tuple(rounds)


def permute_forms_sparse(circuit: Circuit, state: Sequence[LinearForm],
                         label: str = "poseidon") -> list[LinearForm]:
    """``poseidon_circuit.permute_forms`` with sparse partial rounds (same outputs)."""
    t = len(state)
    if t not in WIDTHS:
        raise MalformedInput(f"Poseidon state has {t} elements; supported widths are 2..17")
    p = params(t)
    s = [materialize(circuit, x, f"{label}: input {i}") for i, x in enumerate(state)]
    rounds = schedule(t)
    for r, (constants, matrix) in enumerate(rounds):
        s = [x.plus(c) for x, c in zip(s, constants)]  # ARK: free
        tag = f"{label} t={t} round {r}"
        if is_full_round(p, r):
            s = [sbox_gadget(circuit, x, f"{tag} S-box s{i}") for i, x in enumerate(s)]
        else:
            s = [sbox_gadget(circuit, s[0], f"{tag} S-box s0"), *s[1:]]
        s = mix_forms(s, matrix)
        if r < len(rounds) - 1:
            s = [materialize(circuit, x, f"{tag} mix s{i}") for i, x in enumerate(s)]
    return s


def permutation_rows_sparse(t: int) -> int:
    """Rows of the sparse permutation with its t outputs made wires (the convention of
    ``permutation_rows``): full rounds as before, partial rounds 3 + 2(t - 1) each, the
    last partial one dense."""
    mds = t * (t - 1)
    partial = R_P_BY_T[t]
    return R_F * (3 * t + mds) + (partial - 1) * (3 + 2 * (t - 1)) + 3 + mds
