"""KZG (zkpot_ref/kzg.py): round trips, batches, and every way a false claim must fail.

The outside reference is the algebra itself: with the test SRS's tau known, a commitment
must equal [f(tau)]_1 and a proof [q(tau)]_1 with q(tau) = (f(tau) - y) / (tau - z),
computed here with plain integers and one scalar multiplication of the generator.
"""

from __future__ import annotations

import random
from dataclasses import replace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from zkpot_ref.curve import G1, G2, pairing_check
from zkpot_ref.errors import MalformedInput, SetupError
from zkpot_ref.field import R_MODULUS as R
from zkpot_ref.kzg import (
    SRS,
    BatchClaim,
    batch_challenge,
    commit,
    open_at,
    open_batch,
    srs_power_pairs,
    verify_batch,
    verify_batches,
    verify_opening,
    verify_srs,
)
from zkpot_ref.poly import Domain, Polynomial

TAU = 0x1234_5678_9ABC_DEF0_1357_9BDF
DEGREE = 64
G = G1.generator()


@pytest.fixture(scope="module")
def srs() -> SRS:
    return SRS.insecure_from_tau(TAU, DEGREE)


def random_poly(rng: random.Random, degree: int) -> list[int]:
    return [rng.randrange(R) for _ in range(degree + 1)]


# -- the SRS ------------------------------------------------------------------------------


def test_insecure_srs_is_the_powers_of_tau(srs: SRS) -> None:
    assert srs.max_degree == DEGREE
    assert srs.g1_powers[0] == G and srs.g2_one == G2.generator()
    assert srs.g1_powers[17] == G * pow(TAU, 17, R)
    assert srs.g2_tau == G2.generator() * TAU
    assert verify_srs(srs)
    assert pairing_check(srs_power_pairs(srs))


def test_srs_rejects_bad_construction() -> None:
    with pytest.raises(SetupError):
        SRS([], G2.generator(), G2.generator())
    with pytest.raises(SetupError):
        SRS([G2.generator()], G2.generator(), G2.generator())  # type: ignore[list-item]
    with pytest.raises(SetupError):
        SRS([G], G, G2.generator())  # type: ignore[arg-type]
    for tau in (0, 1, R, R + 1):
        with pytest.raises(SetupError):
            SRS.insecure_from_tau(tau, 4)
    with pytest.raises(SetupError, match="degree must be >= 0"):
        SRS.insecure_from_tau(5, -1)


def test_smallest_valid_srs_parameters() -> None:
    """Degree 0 and tau = 2 are the smallest accepted; tau is reduced mod r first."""
    tiny = SRS.insecure_from_tau(2, 0)
    assert tiny.g1_powers == [G] and tiny.g2_tau == G2.generator() * 2 and verify_srs(tiny)
    reduced = SRS.insecure_from_tau(R + 2, 1)
    assert reduced.g1_powers == [G, G * 2] and reduced.g2_tau == G2.generator() * 2
    assert verify_srs(reduced)


def test_truncated(srs: SRS) -> None:
    small = srs.truncated(3)
    assert small.max_degree == 3 and small.g1_powers == srs.g1_powers[:4]
    assert verify_srs(small)
    with pytest.raises(SetupError):
        srs.truncated(DEGREE + 1)
    assert srs_power_pairs(srs.truncated(0)) == []
    assert verify_srs(srs.truncated(0))


@pytest.mark.parametrize("index", [0, 1, 2, 33, DEGREE])
def test_srs_with_one_tampered_g1_element_is_rejected(srs: SRS, index: int) -> None:
    powers = list(srs.g1_powers)
    powers[index] = powers[index] + G
    assert not verify_srs(replace(srs, g1_powers=powers))


def test_srs_with_tampered_g2_is_rejected(srs: SRS) -> None:
    two = G2.generator() * 2
    assert not verify_srs(replace(srs, g2_tau=srs.g2_tau + G2.generator()))
    assert not verify_srs(replace(srs, g2_one=two))
    assert not verify_srs(replace(srs, g2_tau=G2.identity()))  # tau = 0
    assert not verify_srs(SRS([G, G], G2.generator(), G2.generator()))  # tau = 1


def test_srs_for_tau_zero_is_rejected_although_consistent() -> None:
    """tau = 0: [tau^i]_1 = O for i >= 1 and [tau]_2 = O pass the pairing check (every
    equation is 1 = 1), and everybody knows tau, so a false opening verifies. Only the
    identity guard of ``verify_srs`` stands in the way."""
    zero = SRS([G, G1.identity(), G1.identity(), G1.identity()], G2.generator(), G2.identity())
    assert pairing_check(srs_power_pairs(zero))  # consistent: the chain check cannot see it
    f = [5, 7, 11]
    c = commit(zero, f)  # = [f(0)]_1 = [5]_1
    z, false_value = 3, 1234
    # pi = (C - [y]_1) / (tau - z) with tau = 0: a forged proof for any value
    forged = (c - G * false_value) * pow(-z % R, -1, R)
    assert verify_opening(zero, c, z, false_value, forged)
    assert not verify_srs(zero)


def test_srs_with_a_scaled_generator_is_rejected_although_consistent() -> None:
    """[1]_2 -> [2]_2 and [tau]_2 -> [2 tau]_2 (or [tau^i]_1 -> [3 tau^i]_1) keep every
    pairing equation true: only the generator checks catch them."""
    powers = [G * pow(TAU, i, R) for i in range(4)]
    two, three = 2, 3
    g2_scaled = SRS(powers, G2.generator() * two, G2.generator() * (two * TAU % R))
    assert pairing_check(srs_power_pairs(g2_scaled))
    assert not verify_srs(g2_scaled)
    g1_scaled = SRS([p * three for p in powers], G2.generator(), G2.generator() * TAU)
    assert pairing_check(srs_power_pairs(g1_scaled))
    assert not verify_srs(g1_scaled)


def _twist_point_outside_g2() -> G2:
    """A point on the twist E'(Fq2) outside G2 (the cofactor is ~2^254, so almost any).
    Square root in Fq2 = Fq[i]/(i^2 + 1) via the norm (sympy's sqrt_mod for Fq roots)."""
    from sympy.ntheory import sqrt_mod

    from zkpot_ref.curve.fq2 import Fq2
    from zkpot_ref.curve.g2 import B2
    from zkpot_ref.field import P_MODULUS as P

    half = pow(2, -1, P)
    for x0 in range(1, 100):
        x = Fq2(x0, 1)
        rhs = x * x * x + B2
        n = sqrt_mod(rhs.norm(), P)
        if n is None:
            continue
        for sign in (1, -1):
            a = sqrt_mod((rhs.c0 + sign * n) * half % P, P)
            if a:
                y = Fq2(a, rhs.c1 * pow(2 * a, -1, P) % P)
                if y * y == rhs:
                    point = G2(x, y, Fq2.one())
                    assert point.is_on_curve() and not point.is_in_subgroup()
                    return point
    raise AssertionError("no twist point found")


def test_srs_with_tau_2_outside_the_subgroup_or_off_the_twist_is_rejected() -> None:
    """Degree 0 has no pairing equation at all (nothing ties [tau]_2 to a G1 power), so
    only the curve and subgroup checks of ``verify_srs`` see a bad [tau]_2."""
    from zkpot_ref.curve.fq2 import Fq2

    assert verify_srs(SRS([G], G2.generator(), G2.generator() * TAU))
    assert not verify_srs(SRS([G], G2.generator(), _twist_point_outside_g2()))
    off_twist = G2(Fq2(1, 0), Fq2(1, 0), Fq2.one())
    assert not off_twist.is_on_curve()
    assert not verify_srs(SRS([G], G2.generator(), off_twist))


def test_opening_with_a_tampered_srs_fails(srs: SRS) -> None:
    rng = random.Random(7)
    f = random_poly(rng, 10)
    for index in (4, 10):
        powers = list(srs.g1_powers)
        powers[index] = powers[index] * 3
        bad = replace(srs, g1_powers=powers)
        value, proof = open_at(bad, f, 99)
        assert not verify_opening(srs, commit(bad, f), 99, value, proof)
        assert not verify_opening(bad, commit(bad, f), 99, value, proof)


# -- commit / open / verify -----------------------------------------------------------------


def test_round_trips_for_degrees_0_to_64(srs: SRS) -> None:
    rng = random.Random(1)
    for degree in range(DEGREE + 1):
        f = random_poly(rng, degree)
        z = rng.randrange(R)
        c = commit(srs, f)
        value, proof = open_at(srs, f, z)
        assert value == Polynomial(f)(z)
        assert verify_opening(srs, c, z, value, proof), degree
        if degree in (0, 1, 13, DEGREE):  # against the algebra, with tau known
            f_tau = Polynomial(f)(TAU)
            assert c == G * f_tau
            assert proof == G * ((f_tau - value) * pow(TAU - z, -1, R) % R)


@pytest.mark.task3_1
def test_open_at_against_the_algebra(srs: SRS) -> None:
    """With tau known, pi must be [q(tau)]_1 with q(tau) = (f(tau) - f(z)) / (tau - z)."""
    rng = random.Random(11)
    for degree in (0, 1, 7, DEGREE):
        f, z = random_poly(rng, degree), rng.randrange(R)
        value, proof = open_at(srs, f, z)
        assert value == Polynomial(f)(z)
        f_tau = Polynomial(f)(TAU)
        assert proof == G * ((f_tau - value) * pow(TAU - z, -1, R) % R)


def test_commit_is_linear_and_accepts_bytes(srs: SRS) -> None:
    rng = random.Random(2)
    f, g = random_poly(rng, 20), random_poly(rng, 30)
    total = [(a + b) % R for a, b in zip(f + [0] * 10, g)]
    assert commit(srs, total) == commit(srs, f) + commit(srs, g)
    assert commit(srs, []) == G1.identity()
    assert commit(srs, [5] + [0] * 100) == G * 5  # trailing zeros do not count
    c = commit(srs, f)
    value, proof = open_at(srs, f, 3)
    assert verify_opening(srs, c.to_bytes(), 3, value, proof.to_bytes())


def test_commit_refuses_too_high_degree_and_non_integers(srs: SRS) -> None:
    with pytest.raises(SetupError):
        commit(srs, [1] * (DEGREE + 2))
    with pytest.raises(SetupError):
        open_at(srs, [1] * (DEGREE + 2), 0)
    with pytest.raises(MalformedInput):
        commit(srs, [1, 2.5])  # type: ignore[list-item]
    with pytest.raises(MalformedInput):
        commit(srs, [True])


# -- soundness negatives ------------------------------------------------------------------


@pytest.fixture(scope="module")
def opened(srs: SRS) -> tuple[list[int], G1, int, int, G1]:
    rng = random.Random(3)
    f = random_poly(rng, 40)
    z = rng.randrange(R)
    value, proof = open_at(srs, f, z)
    return f, commit(srs, f), z, value, proof


@pytest.mark.task3_2
def test_wrong_evaluation_fails(srs: SRS, opened) -> None:
    _, c, z, value, proof = opened
    assert verify_opening(srs, c, z, value, proof)
    assert not verify_opening(srs, c, z, (value + 1) % R, proof)


def test_wrong_point_fails(srs: SRS, opened) -> None:
    _, c, z, value, proof = opened
    assert not verify_opening(srs, c, (z + 1) % R, value, proof)


def test_proof_for_another_polynomial_fails(srs: SRS, opened) -> None:
    f, c, z, value, _ = opened
    g = list(f)
    g[5] = (g[5] + 1) % R
    g_value, g_proof = open_at(srs, g, z)
    assert not verify_opening(srs, c, z, value, g_proof)
    assert not verify_opening(srs, c, z, g_value, g_proof)
    assert not verify_opening(srs, commit(srs, g), z, value, g_proof)  # value of f


@pytest.mark.task3_2
def test_identity_point_tricks(srs: SRS, opened) -> None:
    _, c, z, value, proof = opened
    o = G1.identity()
    assert not verify_opening(srs, c, z, value, o)  # "no quotient"
    assert not verify_opening(srs, o, z, value, proof)
    assert not verify_opening(srs, o, z, 1, o)  # zero polynomial claimed to be 1
    assert not verify_opening(srs, c, z, value, bytes(64))  # identity as bytes
    # positive controls: these identities ARE the honest openings
    assert verify_opening(srs, o, z, 0, o)  # the zero polynomial
    assert verify_opening(srs, G * 7, z, 7, o)  # a constant has quotient 0


def test_malformed_inputs_raise_malformed_input(srs: SRS, opened) -> None:
    _, c, z, value, proof = opened
    off_curve = G1(1, 1, 1)
    bad_calls = [
        lambda: verify_opening(srs, c, z, R, proof),
        lambda: verify_opening(srs, c, -1, value, proof),
        lambda: verify_opening(srs, c, True, value, proof),
        lambda: verify_opening(srs, c, z, float(value), proof),
        lambda: verify_opening(srs, off_curve, z, value, proof),
        lambda: verify_opening(srs, c, z, value, off_curve),
        lambda: verify_opening(srs, G2.generator(), z, value, proof),
        lambda: verify_opening(srs, c, z, value, 5),
        lambda: verify_opening(srs, c.to_bytes()[:63], z, value, proof),
        lambda: verify_opening(srs, (1).to_bytes(32, "big") * 2, z, value, proof),
        lambda: verify_batch(srs, [c, c], z, [value], proof, v=3),
        lambda: verify_batch(srs, [c, c], z, [value, value], proof, v=0),
        lambda: verify_batch(srs, [], z, [], proof, v=3),
        lambda: verify_batches(srs, []),
        lambda: verify_batches(srs, [(c, z, value, proof)]),
        lambda: verify_batches(srs, [BatchClaim([c], z, [value], proof, 1)], u=0),
        lambda: batch_challenge([c], R, [value]),
        lambda: verify_batches(srs, [BatchClaim(c, z, [value], proof, 1)]),
        lambda: open_at(srs, [1, 2], R),
        lambda: open_at(srs, [1, 2], "3"),
        lambda: open_batch(srs, [[1, 2]], 3, 0),
    ]
    for call in bad_calls:
        with pytest.raises(MalformedInput):
            call()


@settings(max_examples=40, deadline=None)
@given(st.binary(min_size=64, max_size=64), st.binary(min_size=0, max_size=70))
def test_random_bytes_never_crash(commitment: bytes, proof: bytes) -> None:
    srs = SRS.insecure_from_tau(TAU, 2)
    try:
        assert verify_opening(srs, commitment, 1, 2, proof) in (True, False)
    except MalformedInput:
        pass


# -- batches ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def batch(srs: SRS):
    """Four polynomials opened at zeta and two at zeta * omega, as in PLONK's round 5."""
    rng = random.Random(4)
    polys = [random_poly(rng, d) for d in (0, 5, 31, DEGREE)]
    commitments = [commit(srs, f) for f in polys]
    zeta = rng.randrange(R)
    zeta_omega = zeta * Domain(32).element(1) % R
    values = [Polynomial(f)(zeta) for f in polys]
    v = batch_challenge(commitments, zeta, values)
    values_out, proof = open_batch(srs, polys, zeta, v)
    assert values_out == values
    values2 = [Polynomial(f)(zeta_omega) for f in polys[2:]]
    v2 = batch_challenge(commitments[2:], zeta_omega, values2)
    assert open_batch(srs, polys[2:], zeta_omega, v2)[0] == values2
    proof2 = open_batch(srs, polys[2:], zeta_omega, v2)[1]
    first = BatchClaim(commitments, zeta, values, proof, v)
    second = BatchClaim(commitments[2:], zeta_omega, values2, proof2, v2)
    return polys, first, second


def test_batch_at_one_point(srs: SRS, batch) -> None:
    polys, claim, _ = batch
    assert verify_batch(srs, claim.commitments, claim.z, claim.values, claim.proof, claim.v)
    # the batched proof is the opening of sum v^i f_i
    combined = Polynomial([0])
    for i, f in enumerate(polys):
        combined = combined + Polynomial(f) * pow(claim.v, i, R)
    assert open_at(srs, combined.coeffs, claim.z)[1] == claim.proof


def test_batch_at_one_point_negatives(srs: SRS, batch) -> None:
    _, claim, _ = batch
    cs, z, ys, w, v = claim.commitments, claim.z, list(claim.values), claim.proof, claim.v
    for i in range(len(ys)):  # any single wrong value
        wrong = list(ys)
        wrong[i] = (wrong[i] + 1) % R
        assert not verify_batch(srs, cs, z, wrong, w, v)
    assert not verify_batch(srs, cs, z, ys[::-1], w, v)
    assert not verify_batch(srs, cs[::-1], z, ys, w, v)
    assert not verify_batch(srs, cs, z, ys, w, (v + 1) % R)
    assert not verify_batch(srs, cs, (z + 1) % R, ys, w, v)
    assert not verify_batch(srs, cs, z, ys, G1.identity(), v)


@pytest.mark.task3_2
def test_batch_at_two_points(srs: SRS, batch) -> None:
    _, first, second = batch
    assert verify_batches(srs, [first, second])
    assert verify_batches(srs, [first, second], u=12345)
    assert verify_batches(srs, [second])


def test_batch_at_two_points_negatives(srs: SRS, batch) -> None:
    _, first, second = batch
    wrong_value = replace(second, values=[(second.values[0] + 1) % R, second.values[1]])
    assert not verify_batches(srs, [first, wrong_value])
    assert not verify_batches(srs, [first, replace(second, proof=first.proof)])
    assert not verify_batches(srs, [replace(first, proof=second.proof), second])
    assert not verify_batches(srs, [first, replace(second, z=first.z)])
    assert not verify_batches(srs, [first, replace(second, proof=G1.identity())])
    # Errors that cancel across the two claims when u = 1: move k*G from one proof to the
    # other and absorb the difference (z1 - z2) k into a false value. Only a random u stops it.
    k = 11
    wrong = [(first.values[0] + (first.z - second.z) * k) % R, *first.values[1:]]
    cancelling = [replace(first, proof=first.proof + G * k, values=wrong),
                  replace(second, proof=second.proof - G * k)]
    assert verify_batches(srs, cancelling, u=1)  # why u must not be 1 (or predictable)
    assert not verify_batches(srs, cancelling)


def test_batch_challenge_depends_on_everything(batch) -> None:
    _, claim, _ = batch
    cs, z, ys = list(claim.commitments), claim.z, list(claim.values)
    v = batch_challenge(cs, z, ys)
    assert v == claim.v and 0 <= v < R
    assert batch_challenge(cs, (z + 1) % R, ys) != v
    assert batch_challenge(cs, z, ys[:-1] + [(ys[-1] + 1) % R]) != v
    assert batch_challenge(cs[::-1], z, ys) != v


def test_insecure_srs_powers_are_plain_scalar_multiples() -> None:
    from zkpot_ref.curve import G1, G2

    tau = 0xC0FFEE
    srs = SRS.insecure_from_tau(tau, 6)
    assert srs.g1_powers == [G1.generator() * pow(tau, i, R) for i in range(7)]
    assert srs.g2_tau == G2.generator() * tau
