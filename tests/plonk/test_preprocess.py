"""Tests for zkpot_ref/plonk/preprocess.py: keys, domain size, VK bytes."""

from __future__ import annotations

import pytest
from plonk_helpers import random_circuit, shared_srs

from zkpot_ref.curve import G1
from zkpot_ref.errors import MalformedInput, SetupError
from zkpot_ref.kzg import SRS
from zkpot_ref.plonk.circuit import Circuit
from zkpot_ref.plonk.preprocess import VerificationKey, domain_size_for, setup
from zkpot_ref.poly import Polynomial


def test_domain_size() -> None:
    c = Circuit()
    assert domain_size_for(c) == 8  # MIN_DOMAIN: below 8 rows the 4n quotient coset is short
    for _ in range(8):
        c.constant(1)
    assert domain_size_for(c) == 8
    c.constant(1)
    assert domain_size_for(c) == 16


def test_selectors_interpolate_the_gate_table() -> None:
    c = random_circuit(2, 20, 1)
    pk, vk = setup(c, shared_srs())
    assert vk.n == pk.domain.size == 32 and vk.num_public == 1
    q_m = Polynomial(pk.selectors["q_M"])
    for row, gate in enumerate(c.gates):
        assert q_m(pk.domain.element(row)) == gate.q_M
    # the commitments in the VK are KZG commitments to those polynomials
    from zkpot_ref.kzg import commit

    assert vk.Q_M == commit(shared_srs(), pk.selectors["q_M"])


def test_setup_refuses_small_srs_and_empty_circuits() -> None:
    c = random_circuit(2, 20, 1)
    with pytest.raises(SetupError, match="needs at least 38"):
        setup(c, SRS.insecure_from_tau(99, 30))
    with pytest.raises(SetupError, match="no gates"):
        setup(Circuit(), shared_srs())


def test_verification_key_bytes_round_trip_and_strictness() -> None:
    _, vk = setup(random_circuit(5, 10, 3), shared_srs())
    data = vk.to_bytes()
    assert VerificationKey.from_bytes(data) == vk
    with pytest.raises(MalformedInput, match="expected"):
        VerificationKey.from_bytes(data[:-1])
    with pytest.raises(MalformedInput, match="version"):
        VerificationKey.from_bytes(b"\x09" + data[1:])
    off_curve = bytearray(data)
    off_curve[70 + 63] ^= 1  # flip a bit of Q_M's y
    with pytest.raises(MalformedInput):
        VerificationKey.from_bytes(bytes(off_curve))
    assert vk.commitments()[0] == vk.Q_M and isinstance(vk.Q_M, G1)


@pytest.mark.parametrize("n", [8, 16, 256])
def test_first_lagrange_on_the_coset_is_the_interpolated_one(n: int) -> None:
    from zkpot_ref.backend import Backend
    from zkpot_ref.plonk.preprocess import EXTENSION, first_lagrange_on_coset
    from zkpot_ref.poly import COSET_SHIFT, Domain

    small, big, ref = Domain(n), Domain(EXTENSION * n), Backend()
    l1 = ref.intt([1] + [0] * (n - 1), small.omega)
    assert first_lagrange_on_coset(n, big, COSET_SHIFT) == ref.coset_ntt(
        l1, big.omega, big.size, COSET_SHIFT)
