"""The permutation argument: copy constraints as a grand product.

Lesson. A circuit's wiring says which cells of the table (column j, row i) must hold the
same value. PLONK (eprint 2019/953, §5) names every cell by a field element,

    id(a, i) = omega^i,   id(b, i) = k1·omega^i,   id(c, i) = k2·omega^i,

(k1 = 2, k2 = 3 put the three columns on disjoint cosets of H), and encodes the wiring
as a permutation sigma of the cells: the cells holding one variable form a cycle. If
every cell holds the same value as the cell sigma sends it to, then for random beta,
gamma

    prod_{cells} (w + beta·id + gamma)  ==  prod_{cells} (w + beta·sigma(id) + gamma)

and (Schwartz–Zippel) essentially only then. The prover shows it with the accumulator
z: z(omega^0) = 1 and

    z(omega^{i+1}) = z(omega^i) · prod_j (w_j(i) + beta·id_j(i) + gamma)
                                / prod_j (w_j(i) + beta·sigma_j(i) + gamma),

which wraps around to 1 after the last row exactly when the two products agree.

This module builds sigma_1..sigma_3 (as evaluations on H) from a circuit and computes the
accumulator's evaluations.

Read next: ``lookup.py`` (an argument of the same shape: a running sum instead of a
product).
"""

from __future__ import annotations

from zkpot_ref.field import R_MODULUS, batch_inverse_ints
from zkpot_ref.plonk.circuit import Circuit
from zkpot_ref.poly import Domain

R = R_MODULUS
#: coset shifts of the b and c columns (snarkjs uses the same)
K1, K2 = 2, 3


def cell_ids(domain: Domain) -> list[list[int]]:
    """id for every cell: [omega^i], [k1·omega^i], [k2·omega^i]."""
    omegas = domain.elements()
    return [omegas, [K1 * w % R for w in omegas], [K2 * w % R for w in omegas]]


def _variable_classes(circuit: Circuit) -> list[int]:
    """Union-find over variables: copy constraints merge their classes. Returns roots."""
    parent = list(range(len(circuit.values)))

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for x, y, _ in circuit.copies:
        rx, ry = find(x), find(y)
        if rx != ry:
            parent[max(rx, ry)] = min(rx, ry)
    return [find(v) for v in range(len(parent))]


def build_sigmas(circuit: Circuit, domain: Domain) -> list[list[int]]:
    """sigma_1, sigma_2, sigma_3 as evaluations on H.

    Cells are grouped by the (merged) variable they hold; within a group each cell points
    to the next one, the last back to the first — a cycle. Padding rows' cells hold no
    variable and point to themselves.
    """
    ids = cell_ids(domain)
    sigmas = [list(col) for col in ids]  # start from the identity permutation
    classes = _variable_classes(circuit)
    cycles: dict[int, list[tuple[int, int]]] = {}
    for row, gate in enumerate(circuit.gates):
        for column, var in enumerate((gate.a, gate.b, gate.c)):
            cycles.setdefault(classes[var], []).append((column, row))
    for cells in cycles.values():
        for k, (column, row) in enumerate(cells):
            next_column, next_row = cells[(k + 1) % len(cells)]
            sigmas[column][row] = ids[next_column][next_row]
    return sigmas


# --8<-- [start:accumulator]
def accumulator(
    wires: list[list[int]],
    sigmas: list[list[int]],
    domain: Domain,
    beta: int,
    gamma: int,
) -> list[int]:
    """Evaluations z(omega^i) of the permutation accumulator (PLONK round 2).

    Readable form: the recurrence in the module docstring. All denominators are
    inverted at once (Montgomery's trick).
    """
    # BEGIN TASK 4.1: the permutation accumulator z
    n = domain.size
    ids = cell_ids(domain)
    numerators, denominators = [], []
    for i in range(n):
        num = den = 1
        for j in range(3):
            w = wires[j][i]
            num = num * (w + beta * ids[j][i] + gamma) % R
            den = den * (w + beta * sigmas[j][i] + gamma) % R
        numerators.append(num)
        denominators.append(den)
    inverses = batch_inverse_ints(denominators, R)
    z = [1] * n
    for i in range(n - 1):
        z[i + 1] = z[i] * numerators[i] % R * inverses[i] % R
    return z
    # END TASK 4.1

# --8<-- [end:accumulator]
