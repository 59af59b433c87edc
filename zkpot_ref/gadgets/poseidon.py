"""Poseidon: a hash function built from field operations, exactly as circom/circomlib has it.

Lesson: why a SNARK wants its own hash, and how Poseidon is put together. SHA-256 costs
tens of thousands of PLONK gates because it works on bits; Poseidon (Grassi et al., eprint
2019/458) works on elements of F_r directly, so one round costs a handful of gates. It is a
*permutation* of F_r^t (the state, t = width) used in a *sponge*.

The permutation (the HADES design, Section 2.2 of the paper) runs R_F + R_P rounds, each
made of three steps, every one a separate function below so that the circuit gadget can
mirror it round for round:

1. ``add_round_constants`` (ARK): state[i] += c[round][i] -- breaks symmetry between rounds.
2. S-box layer: x -> x^5 (``sbox``), the only non-linear step. In a *full* round
   (``full_sbox_layer``) every element goes through it; in a *partial* round
   (``partial_sbox_layer``) only state[0] does. R_F / 2 full rounds, then R_P partial
   rounds, then R_F / 2 full rounds: the full rounds at both ends defeat statistical
   attacks, the cheap partial rounds in the middle raise the algebraic degree.
3. ``mix`` (the linear layer): state <- M * state with the t x t MDS matrix, so every
   output depends on every input after one round.

The sponge as circomlibjs ``poseidon(inputs)`` uses it: t = len(inputs) + 1, the state is
[0, *inputs] -- one capacity element set to 0, the inputs in the rate -- one permutation,
and the output is state[0]. Each input count 1..16 therefore has its own width t = 2..17
with its own constants (``poseidon_constants.py``). Inputs must already be field elements
(0 <= x < r); anything else is refused, never silently reduced.

``permute`` runs a plain-int fast path (``_permute_fast``); ``permute_rounds`` is the same
permutation written with the named steps, and the tests check they agree.

Read next: ``poseidon_circuit.py`` (the same permutation as circuit rows), then ``commitment.py``.
"""

from __future__ import annotations

from collections.abc import Sequence
from operator import mul

from zkpot_ref.errors import MalformedInput
from zkpot_ref.field import R_MODULUS
from zkpot_ref.gadgets.poseidon_constants import WIDTHS, PoseidonParams, params

#: circomlibjs hashes 1..16 inputs (widths t = 2..17).
MAX_INPUTS = WIDTHS[-1] - 1


# --------------------------------------------------------------------------------------
# The three steps of a round
# --------------------------------------------------------------------------------------


# --8<-- [start:rounds]
def add_round_constants(state: Sequence[int], constants: Sequence[int]) -> list[int]:
    """ARK: add this round's constants, element by element (mod r)."""
    return [(x + c) % R_MODULUS for x, c in zip(state, constants, strict=True)]


def sbox(x: int) -> int:
    """The S-box x -> x^5 (alpha = 5, the smallest alpha with gcd(alpha, r - 1) = 1)."""
    return pow(x, 5, R_MODULUS)


def full_sbox_layer(state: Sequence[int]) -> list[int]:
    """Full round: every state element goes through the S-box."""
    return [sbox(x) for x in state]


def partial_sbox_layer(state: Sequence[int]) -> list[int]:
    """Partial round: only state[0] goes through the S-box; the rest pass unchanged."""
    return [sbox(state[0]), *state[1:]]


def mix(state: Sequence[int], mds: Sequence[Sequence[int]]) -> list[int]:
    """The linear layer: new_state[i] = sum_j M[i][j] * state[j] (mod r)."""
    return [sum(m * x for m, x in zip(row, state, strict=True)) % R_MODULUS for row in mds]


def full_round(
    state: Sequence[int], constants: Sequence[int], mds: Sequence[Sequence[int]]
) -> list[int]:
    """ARK, S-box on every element, MDS."""
    return mix(full_sbox_layer(add_round_constants(state, constants)), mds)


def partial_round(
    state: Sequence[int], constants: Sequence[int], mds: Sequence[Sequence[int]]
) -> list[int]:
    """ARK, S-box on state[0] only, MDS."""
    return mix(partial_sbox_layer(add_round_constants(state, constants)), mds)


def is_full_round(p: PoseidonParams, round_index: int) -> bool:
    """Rounds 0 .. R_F/2 - 1 and the last R_F/2 rounds are full; the middle R_P are partial."""
    half = p.r_f // 2
    return not half <= round_index < half + p.r_p


# --------------------------------------------------------------------------------------
# The permutation
# --------------------------------------------------------------------------------------


def permute_rounds(state: Sequence[int], p: PoseidonParams) -> list[int]:
    """The permutation written with the named steps (the form a circuit gadget mirrors)."""
    out = list(state)
    # BEGIN TASK 5.3: the Poseidon round schedule (full, partial, full)
    for round_index, constants in enumerate(p.round_constants):
        if is_full_round(p, round_index):
            out = full_round(out, constants, p.mds)
        else:
            out = partial_round(out, constants, p.mds)
    # END TASK 5.3
    return out

# --8<-- [end:rounds]

def _permute_fast(state: Sequence[int], p: PoseidonParams) -> list[int]:
    """Exactly ``permute_rounds``, on plain ints with the steps fused.

    Readable form, per round k with constants c = p.round_constants[k]::

        s = [s_i + c_i]                            # ARK
        s = [s_i^5] if full else [s_0^5, s_1, ..]  # S-box layer
        s = [sum_j M[i][j] * s_j]                  # MDS

    Here the next round's ARK is added right after this round's MDS sum, so each output
    is reduced mod r once per round (``benchmarks/poseidon.py`` times both forms).
    """
    modulus = R_MODULUS
    mds, constants = p.mds, p.round_constants
    first_partial, end_partial = p.r_f // 2, p.r_f // 2 + p.r_p
    last = len(constants) - 1
    no_constants = (0,) * p.t
    s = [x + c for x, c in zip(state, constants[0], strict=True)]
    for k in range(len(constants)):
        if first_partial <= k < end_partial:
            s[0] = pow(s[0], 5, modulus)
        else:
            s = [pow(x, 5, modulus) for x in s]
        next_ark = constants[k + 1] if k < last else no_constants
        s = [(sum(map(mul, row, s)) + c) % modulus for row, c in zip(mds, next_ark)]
    return s


def _check_elements(values: Sequence[int], what: str) -> None:
    """Refuse anything that is not a canonical field element 0 <= x < r."""
    for i, x in enumerate(values):
        if type(x) is not int:
            raise MalformedInput(
                f"{what}[{i}] must be an int field element, got {type(x).__name__}"
            )
        if not 0 <= x < R_MODULUS:
            raise MalformedInput(f"{what}[{i}] = {x} is not a field element (need 0 <= x < r)")


def permute(state: Sequence[int]) -> list[int]:
    """The Poseidon permutation of width t = len(state) (2..17) over the BN254 scalar field.

    Returns a new list; ``MalformedInput`` for an unsupported width or a non-element.
    """
    if not isinstance(state, list | tuple):
        raise MalformedInput(f"Poseidon state must be a list of field elements, got {state!r}")
    if len(state) not in WIDTHS:
        raise MalformedInput(
            f"Poseidon state has {len(state)} elements; supported widths are 2..17"
        )
    _check_elements(state, "state")
    return _permute_fast(state, params(len(state)))


def poseidon(inputs: list[int]) -> int:
    """circomlibjs ``poseidon(inputs)``: permute [0, *inputs] with t = len(inputs) + 1, return
    state[0]. Takes 1..16 field elements (0 <= x < r); anything else is ``MalformedInput``."""
    if not isinstance(inputs, list | tuple):
        raise MalformedInput(f"poseidon expects a list of field elements, got {inputs!r}")
    if not 1 <= len(inputs) <= MAX_INPUTS:
        raise MalformedInput(
            f"poseidon takes 1..{MAX_INPUTS} inputs, got {len(inputs)}; hash longer data "
            "with a sponge (see zkpot_ref.gadgets.commitment)"
        )
    _check_elements(inputs, "inputs")
    return _permute_fast([0, *inputs], params(len(inputs) + 1))[0]
