"""A hiding commitment to a list of small integers: pack, then a Poseidon sponge with a salt.

Lesson: how a prover fixes a model's quantized weights *before* proving anything about
them, without revealing them. ``commit(values, bits)`` returns (commitment, salt); later
``open_commitment`` checks that the same values, width and salt give the same commitment.

- **Binding** comes from the hash: two different openings with one commitment would be a
  collision of the Poseidon sponge (about 127-bit security for one 254-bit capacity
  element, eprint 2019/458 Section 4 and the sponge bound of Bertoni et al.).
- **Hiding** comes from the salt: a uniformly random field element (``secrets``) absorbed
  with the values. Without it the commitment to a low-entropy list (say, a model that
  differs from a public one in a few weights) could be found by hashing guesses.

Packing. Values of w bits are packed ``k = floor(253 / w)`` to a field element, the first
value in the low bits: e = v_0 + 2^w v_1 + ... + 2^(w(k-1)) v_(k-1). Because k*w <= 253 and
r > 2^253, e < r is an ordinary integer in base 2^w -- no wrap-around mod r -- so the packing
is injective *provided every value is range-checked to w bits* (the circuit must do this
with its range checks). w = 8 packs 31 values per element, w = 16 packs 15, w = 32 packs 7.

Sponge mode (width t = 3: capacity 1, rate 2; Bertoni et al.'s sponge, as in the paper's
Section 2.1). The capacity starts as a domain tag that encodes the value count N and the
width w (``domain_tag``), in the spirit of the paper's Section 4.2 length-in-capacity
domain separation; so zero-padding the last block is unambiguous and [1, 2] differs from
[1, 2, 0]. The message is [salt, e_0, e_1, ...]; each block of two is *added* to the rate,
then the state is permuted; the output is the first rate element. Permutations per commit:
ceil((1 + ceil(N / k)) / 2). Why t = 3: in a width-3 PLONK (the vanilla gate
q_L a + q_R b + q_O c + q_M ab + q_C = 0) the MDS layer costs t(t - 1) gates a round and
the S-box 3 per S-boxed element, so a permutation costs 8(3t + t(t - 1)) + R_P(3 + t(t - 1))
gates: about 317 gates per absorbed element for t = 3, 344 for t = 2 or 4, 415 for t = 5,
1330 for t = 17 (a chain of 16-input hashes). ``docs/commitment.md`` shows the table.

Read next: ``commitment_circuit.py``, the same commitment inside a PLONK circuit.
"""

from __future__ import annotations

import operator
import secrets
from collections.abc import Sequence

from zkpot_ref.errors import MalformedInput
from zkpot_ref.field import R_MODULUS
from zkpot_ref.gadgets.poseidon import permute

#: Width of the sponge's permutation: one capacity element, RATE rate elements.
SPONGE_WIDTH = 3
RATE = SPONGE_WIDTH - 1
#: A packed element uses at most this many bits, so it stays below r (2^253 < r < 2^254).
PACK_BITS = 253


def values_per_element(bits: int) -> int:
    """How many w-bit values fit in one field element: k = floor(253 / w), w in 1..253."""
    if type(bits) is not int or not 1 <= bits <= PACK_BITS:
        raise MalformedInput(f"value width bits={bits!r} unsupported; use 1..{PACK_BITS}")
    return PACK_BITS // bits


def _as_small_ints(values: Sequence[int], bits: int) -> list[int]:
    """Check every value is an integer in [0, 2^bits) (numpy integers welcome, bools not)."""
    out = []
    for i, v in enumerate(values):
        if isinstance(v, bool):
            raise MalformedInput(f"values[{i}] is a bool; commit integers")
        try:
            v = operator.index(v)
        except TypeError:
            raise MalformedInput(f"values[{i}] = {v!r} is not an integer") from None
        if not 0 <= v < 1 << bits:
            raise MalformedInput(
                f"values[{i}] = {v} does not fit in {bits} unsigned bits; "
                "shift signed values by 2^(bits-1) first"
            )
        out.append(v)
    return out


def pack(values: Sequence[int], bits: int) -> list[int]:
    """Pack w-bit values k to a field element, little-endian: e = sum_i v_i 2^(w i)."""
    k = values_per_element(bits)
    checked = _as_small_ints(values, bits)
    elements = []
    for start in range(0, len(checked), k):
        element = 0
        for v in reversed(checked[start : start + k]):  # Horner: highest value first
            element = (element << bits) | v
        elements.append(element)
    return elements


def unpack(elements: Sequence[int], bits: int, count: int) -> list[int]:
    """The inverse of ``pack``: the first ``count`` w-bit values of the packed elements."""
    k = values_per_element(bits)
    if count < 0 or len(elements) != -(-count // k):
        raise MalformedInput(f"{len(elements)} packed elements cannot hold exactly {count} values")
    mask = (1 << bits) - 1
    values = [(e >> (bits * i)) & mask for e in elements for i in range(k)]
    return values[:count]


def domain_tag(count: int, bits: int) -> int:
    """The sponge's initial capacity: (count * 2^8 + bits) * 2^64 (see the module docstring)."""
    values_per_element(bits)  # validates bits
    if type(count) is not int or count < 0:
        raise MalformedInput(f"value count {count!r} must be a non-negative int")
    return ((count << 8) + bits) << 64


def sponge(elements: Sequence[int], capacity: int) -> int:
    """Absorb field elements two at a time into [capacity, 0, 0], permute after each block,
    return the first rate element. The last block is zero-padded; the caller's capacity
    tag must fix the length for that to be unambiguous."""
    if not elements:
        raise MalformedInput("the sponge needs at least one element to absorb")
    for i, x in enumerate([capacity, *elements]):
        if type(x) is not int or not 0 <= x < R_MODULUS:
            raise MalformedInput(f"sponge input {i} = {x!r} is not a field element")
    # BEGIN TASK 5.4: the Poseidon sponge: absorb, permute, squeeze
    state = [capacity] + [0] * RATE
    for start in range(0, len(elements), RATE):
        block = list(elements[start : start + RATE])
        block += [0] * (RATE - len(block))
        for j, x in enumerate(block):
            state[1 + j] = (state[1 + j] + x) % R_MODULUS
        state = permute(state)
    return state[1]
    # END TASK 5.4


def permutations_for(count: int, bits: int) -> int:
    """Poseidon permutations one commitment to ``count`` w-bit values costs."""
    packed = -(-count // values_per_element(bits))
    return -(-(1 + packed) // RATE)


def commit(values: Sequence[int], bits: int, salt: int | None = None) -> tuple[int, int]:
    """Commit to ``values`` (each in [0, 2^bits)); returns (commitment, salt).

    ``salt`` defaults to a fresh uniform field element from ``secrets``; pass one only to
    recompute a commitment you already opened (reusing a salt across commitments links them).
    """
    values = list(values)
    if salt is None:
        salt = secrets.randbelow(R_MODULUS)
    elif type(salt) is not int or not 0 <= salt < R_MODULUS:
        raise MalformedInput(f"salt {salt!r} is not a field element (need 0 <= salt < r)")
    packed = pack(values, bits)
    return sponge([salt, *packed], domain_tag(len(values), bits)), salt


def open_commitment(commitment: int, values: Sequence[int], bits: int, salt: int) -> bool:
    """True iff (values, bits, salt) opens ``commitment``. Well-formed but wrong openings
    return False; malformed ones (a value outside w bits, salt >= r, ...) raise
    ``MalformedInput``."""
    if type(commitment) is not int or not 0 <= commitment < R_MODULUS:
        raise MalformedInput(f"commitment {commitment!r} is not a field element")
    if salt is None:
        raise MalformedInput("opening a commitment needs its salt")
    recomputed, _ = commit(values, bits, salt)
    return recomputed == commitment
