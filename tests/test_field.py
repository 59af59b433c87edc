"""Tests for zkpot_ref/field.py, checked against sympy (an outside reference)."""

from __future__ import annotations

import random

import pytest
import sympy
from hypothesis import given, settings
from hypothesis import strategies as st
from sympy.ntheory import sqrt_mod as sympy_sqrt_mod

from zkpot_ref.errors import MalformedInput, ZkpotError
from zkpot_ref.field import (
    P_MODULUS,
    R_MODULUS,
    Fq,
    Fr,
    batch_inverse,
    batch_inverse_ints,
    inverse_mod,
    inverse_mod_fermat,
    legendre_symbol,
    sqrt_mod,
)

FIELDS = [Fr, Fq]
rng = random.Random(20261125)


def test_moduli_are_prime_per_sympy() -> None:
    assert sympy.isprime(R_MODULUS)
    assert sympy.isprime(P_MODULUS)


@pytest.mark.parametrize("field", FIELDS)
def test_two_adicity_and_generator_per_sympy(field: type) -> None:
    p = field.MODULUS
    s = 0
    while (p - 1) % (1 << (s + 1)) == 0:
        s += 1
    assert s == field.TWO_ADICITY
    # the generator generates: its order is p - 1 (sympy's n_order), and it is the
    # smallest primitive root, the one sympy's ntt uses
    assert sympy.n_order(field.GENERATOR, p) == p - 1
    assert sympy.primitive_root(p) == field.GENERATOR


@pytest.mark.parametrize("k", [0, 1, 2, 5, 16, 28])
def test_root_of_unity_has_exact_order(k: int) -> None:
    w = Fr.root_of_unity(k)
    assert w ** (1 << k) == 1
    if k > 0:
        assert w ** (1 << (k - 1)) != 1  # primitive: no smaller power of two works
    if k <= 16:
        assert sympy.n_order(int(w), R_MODULUS) == 1 << k


def test_root_of_unity_out_of_range() -> None:
    with pytest.raises(MalformedInput):
        Fr.root_of_unity(29)
    with pytest.raises(MalformedInput):
        Fq.root_of_unity(2)


@pytest.mark.parametrize("field", FIELDS)
def test_arithmetic_matches_integers_mod_p(field: type) -> None:
    p = field.MODULUS
    for _ in range(200):
        a, b = rng.randrange(p), rng.randrange(1, p)
        x, y = field(a), field(b)
        assert int(x + y) == (a + b) % p
        assert int(x - y) == (a - b) % p
        assert int(x * y) == a * b % p
        assert int(x / y) == a * pow(b, -1, p) % p
        assert int(-x) == -a % p
        assert int(x**5) == pow(a, 5, p)
        assert (y**-1) * y == 1
        assert x + b == field(a + b) and b + x == x + b and 3 - x == field(3 - a)
        assert 2 * x == x * 2 == x + x


@pytest.mark.task1_1
@pytest.mark.parametrize("field", FIELDS)
def test_fermat_and_euclid_inverses_agree(field: type) -> None:
    p = field.MODULUS
    for _ in range(100):
        a = rng.randrange(1, p)
        assert inverse_mod(a, p) == inverse_mod_fermat(a, p) == int(sympy.mod_inverse(a, p))
        assert field(a).inverse() == field(inverse_mod(a, p))


@pytest.mark.task1_1
def test_zero_has_no_inverse() -> None:
    for f in (inverse_mod, inverse_mod_fermat):
        with pytest.raises(ZeroDivisionError):
            f(0, R_MODULUS)
    with pytest.raises(ZeroDivisionError):
        Fr(0).inverse()
    with pytest.raises(ZeroDivisionError):
        Fr(1) / 0


def test_batch_inverse() -> None:
    values = [rng.randrange(1, R_MODULUS) for _ in range(50)]
    assert batch_inverse_ints(values, R_MODULUS) == [pow(v, -1, R_MODULUS) for v in values]
    assert batch_inverse([Fr(v) for v in values]) == [Fr(v).inverse() for v in values]
    assert batch_inverse([]) == [] and batch_inverse_ints([], R_MODULUS) == []
    assert batch_inverse_ints([7], R_MODULUS) == [pow(7, -1, R_MODULUS)]
    with pytest.raises(ZeroDivisionError):
        batch_inverse_ints([1, 0, 2], R_MODULUS)


@pytest.mark.task1_2
@pytest.mark.parametrize("field", FIELDS)
def test_sqrt_agrees_with_sympy(field: type) -> None:
    p = field.MODULUS
    squares = non_squares = 0
    for _ in range(60):
        a = rng.randrange(p)
        ours = sqrt_mod(a, p)
        theirs = sympy_sqrt_mod(a, p, all_roots=True)
        if theirs:
            squares += 1
            assert ours in theirs and ours == min(theirs)
            assert field(a).sqrt() == field(ours) and field(a).is_square()
            assert legendre_symbol(a, p) in (0, 1)
        else:
            non_squares += 1
            assert ours is None and field(a).sqrt() is None and not field(a).is_square()
            assert legendre_symbol(a, p) == -1
    assert squares and non_squares  # both branches were exercised
    assert sqrt_mod(0, p) == 0


@pytest.mark.task1_2
def test_tonelli_shanks_on_a_high_two_adicity_prime() -> None:
    # Fr (2-adicity 28) exercises the general Tonelli–Shanks loop, not the p = 3 mod 4 shortcut
    assert R_MODULUS % 4 == 1
    for _ in range(20):
        x = rng.randrange(R_MODULUS)
        root = sqrt_mod(x * x % R_MODULUS, R_MODULUS)
        assert root in (x, R_MODULUS - x)


@pytest.mark.parametrize("field", FIELDS)
def test_bytes_round_trip_and_canonical(field: type) -> None:
    p = field.MODULUS
    for v in (0, 1, p - 1, rng.randrange(p)):
        encoded = field(v).to_bytes()
        assert len(encoded) == 32 and encoded == v.to_bytes(32, "big")
        assert field.from_bytes(encoded) == field(v)
    for bad in (p, p + 1, 2**256 - 1):
        with pytest.raises(MalformedInput, match="non-canonical"):
            field.from_bytes(bad.to_bytes(32, "big"))
    for length in (0, 31, 33, 64):
        with pytest.raises(MalformedInput, match="expected 32 bytes"):
            field.from_bytes(b"\x00" * length)
    with pytest.raises(MalformedInput):
        field.from_bytes("00" * 32)  # type: ignore[arg-type]


@settings(max_examples=200, deadline=None)
@given(st.binary(min_size=0, max_size=40))
def test_decoding_garbage_raises_only_malformed_input(data: bytes) -> None:
    try:
        value = Fr.from_bytes(data)
    except ZkpotError as exc:
        assert isinstance(exc, MalformedInput)
    else:
        assert value.to_bytes() == data


def test_from_canonical_int() -> None:
    assert Fr.from_canonical_int(5) == Fr(5)
    for bad in (-1, R_MODULUS, True, 1.5):
        with pytest.raises(MalformedInput):
            Fr.from_canonical_int(bad)  # type: ignore[arg-type]


def test_random_is_in_range_and_varies() -> None:
    samples = {int(Fr.random()) for _ in range(20)}
    assert len(samples) == 20 and all(0 <= s < R_MODULUS for s in samples)


def test_elements_are_immutable_hashable_and_typed() -> None:
    x = Fr(3)
    with pytest.raises(AttributeError):
        x.value = 4  # type: ignore[misc]
    assert hash(Fr(3)) == hash(Fr(3 + R_MODULUS)) and Fr(3) == 3
    assert Fr(3) != Fq(3)
    with pytest.raises(TypeError):
        Fr(1) + Fq(1)  # noqa: B018
    assert repr(Fr(7)) == "Fr(7)" and int(Fr(-1)) == R_MODULUS - 1
    assert not Fr.zero() and Fr.one() and Fr(Fr(9)) == 9


@settings(max_examples=100, deadline=None)
@given(st.integers(0, R_MODULUS - 1), st.integers(0, R_MODULUS - 1), st.integers(0, R_MODULUS - 1))
def test_field_laws(a: int, b: int, c: int) -> None:
    x, y, z = Fr(a), Fr(b), Fr(c)
    assert x * (y + z) == x * y + x * z
    assert (x * y) * z == x * (y * z)
    assert x + y == y + x
    if y:
        assert (x / y) * y == x
