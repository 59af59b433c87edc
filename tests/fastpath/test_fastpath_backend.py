"""The "jax" backend against the reference: transforms, and whole proofs byte for byte."""

from __future__ import annotations

import hashlib
import importlib
import random
import sys
from pathlib import Path
from types import ModuleType

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fastpath import JaxAllBackend, JaxBackend
from zkpot_ref import backend
from zkpot_ref.errors import MalformedInput
from zkpot_ref.field import R_MODULUS as R
from zkpot_ref.plonk.preprocess import setup
from zkpot_ref.plonk.prover import prove
from zkpot_ref.poly import COSET_SHIFT, Domain

BACKENDS = {"reference": backend.Backend(), "jax": JaxBackend()}
TESTS = Path(__file__).resolve().parent.parent


def helpers(directory: str, module: str) -> ModuleType:
    """A sibling test directory's helper module (tests/ has no packages)."""
    path = str(TESTS / directory)
    if path not in sys.path:
        sys.path.insert(0, path)
    return importlib.import_module(module)


def dft(values: list[int], omega: int) -> list[int]:
    """The definition, sum_j v_j omega^(ij): an outside check for both backends."""
    n = len(values)
    return [sum(v * pow(omega, i * j, R) for j, v in enumerate(values)) % R for i in range(n)]


def inputs(n: int) -> list[int]:
    rng = random.Random(n)
    edges = [0, 1, R - 1, R, 2**256 - 1]  # R and 2^256 - 1: unreduced inputs are reduced
    return (edges + [rng.randrange(R) for _ in range(n)])[:n]


@pytest.mark.parametrize("name", sorted(BACKENDS))
@pytest.mark.parametrize("log_n", [1, 2, 3, 5])
def test_ntt_matches_the_definition(name: str, log_n: int) -> None:
    chosen, n = BACKENDS[name], 1 << log_n
    omega = Domain(n).omega
    values = inputs(n)
    assert chosen.ntt(values, omega) == dft(values, omega)
    assert chosen.intt(dft(values, omega), omega) == [v % R for v in values]


SLOW = pytest.mark.slow


@pytest.mark.parametrize("log_n", [4, 6, pytest.param(7, marks=SLOW), 8,
                                   pytest.param(9, marks=SLOW), pytest.param(10, marks=SLOW),
                                   pytest.param(11, marks=SLOW), 12])
def test_transforms_equal_the_reference(log_n: int) -> None:
    ref, jax_backend, n = BACKENDS["reference"], BACKENDS["jax"], 1 << log_n
    omega = Domain(n).omega
    values = inputs(n)
    assert jax_backend.ntt(values, omega) == ref.ntt(values, omega)
    assert jax_backend.intt(values, omega) == ref.intt(values, omega)
    coeffs = values[: n // 4 + 1]
    assert (jax_backend.coset_ntt(coeffs, omega, n, COSET_SHIFT)
            == ref.coset_ntt(coeffs, omega, n, COSET_SHIFT))
    assert (jax_backend.coset_intt(values, omega, COSET_SHIFT)
            == ref.coset_intt(values, omega, COSET_SHIFT))


@settings(max_examples=10, deadline=None)
@given(st.lists(st.integers(0, 2**256 - 1), min_size=16, max_size=16),
       st.integers(2, R - 1))
def test_random_transforms_equal_the_reference(values: list[int], shift: int) -> None:
    ref, jax_backend = BACKENDS["reference"], BACKENDS["jax"]
    omega = Domain(16).omega
    assert jax_backend.ntt(values, omega) == ref.ntt(values, omega)
    assert jax_backend.coset_intt(values, omega, shift) == ref.coset_intt(values, omega, shift)


@pytest.mark.parametrize("name", sorted(BACKENDS))
def test_bad_sizes_are_refused_alike(name: str) -> None:
    chosen = BACKENDS[name]
    with pytest.raises(MalformedInput, match="power of two"):
        chosen.ntt([1, 2, 3], 1)
    with pytest.raises(MalformedInput, match="do not fit"):
        chosen.coset_ntt([1, 2, 3], Domain(2).omega, 2, COSET_SHIFT)
    assert chosen.ntt([5], 1) == [5]


def test_the_jax_backend_is_registered() -> None:
    assert "jax" in backend.available()
    try:
        assert isinstance(backend.use("jax"), JaxBackend)
    finally:
        backend.use("reference")


def _proof_bytes(circuit: object, srs: object, blinders: list[int], name: str) -> bytes:
    pk, _ = setup(circuit, srs, BACKENDS[name])  # type: ignore[arg-type]
    return prove(pk, circuit, blinders=blinders, backend=BACKENDS[name]).to_bytes()  # type: ignore[arg-type]


def test_plonk_proofs_are_byte_identical() -> None:
    plonk = helpers("plonk", "plonk_helpers")
    golden = helpers("plonk", "test_prover").GOLDEN[(5, 20, 2)]
    circuit = plonk.random_circuit(5, 20, 2)
    proofs = {name: _proof_bytes(circuit, plonk.shared_srs(), list(range(1, 12)), name)
              for name in BACKENDS}
    assert proofs["jax"] == proofs["reference"]
    assert hashlib.sha256(proofs["jax"]).hexdigest() == golden


def test_plonk_proofs_with_lookups_are_byte_identical() -> None:
    plonk = helpers("plonk", "plonk_helpers")
    golden = helpers("plonk", "test_prover").GOLDEN_LOOKUP
    circuit = helpers("plonk", "test_lookup").build([1, 63, 0, 17])
    proofs = {name: _proof_bytes(circuit, plonk.shared_srs(), list(range(101, 117)), name)
              for name in BACKENDS}
    assert proofs["jax"] == proofs["reference"]
    assert hashlib.sha256(proofs["jax"]).hexdigest() == golden


class CountingJaxAll(JaxAllBackend):
    """``JaxAllBackend`` that notes which of its kernels a proof called."""

    def __init__(self) -> None:
        self.called: set[str] = set()

    def kernel(self, reference):  # type: ignore[no-untyped-def]
        chosen = super().kernel(reference)
        if chosen is not reference:
            self.called.add(reference.__name__)
        return chosen


@pytest.mark.slow
@pytest.mark.parametrize("lookups", [False, True], ids=["plain", "lookups"])
def test_proofs_with_every_kernel_in_jax_are_byte_identical(lookups: bool) -> None:
    """"jax-all": the vector MSM and the round kernels of fastpath/prover.py too."""
    plonk = helpers("plonk", "plonk_helpers")
    if lookups:
        circuit, golden = (helpers("plonk", "test_lookup").build([1, 63, 0, 17]),
                           helpers("plonk", "test_prover").GOLDEN_LOOKUP)
        blinders = list(range(101, 117))
    else:
        circuit, golden = (plonk.random_circuit(5, 20, 2),
                           helpers("plonk", "test_prover").GOLDEN[(5, 20, 2)])
        blinders = list(range(1, 12))
    pk, _ = setup(circuit, plonk.shared_srs())
    everything = CountingJaxAll()
    fast = prove(pk, circuit, blinders=blinders, backend=everything).to_bytes()
    assert hashlib.sha256(fast).hexdigest() == golden
    expected = {"accumulator", "quotient_on_coset"} | ({"running_sum"} if lookups else set())
    assert everything.called == expected
    assert "jax-all" in backend.available()


@pytest.mark.slow
def test_zkpot_proofs_are_byte_identical() -> None:
    from zkpot_ref.pot.keys import build_keys
    from zkpot_ref.pot.prove import claim, verify_accuracy
    from zkpot_ref.pot.statement import Witness, build

    pot = helpers("pot", "pot_helpers")
    sizes = (4, 3, 2)
    task, model = pot.random_task(sizes, 3, seed=21), pot.random_model(sizes, 22)
    keys = build_keys(task, pot.shared_srs(), BACKENDS["jax"])
    public = claim(task, model, 555, 42, 7)
    # each backend lays its own witness too (the jax one: fastpath/witness.py's kernel)
    circuits = {name: build(task, Witness(model, 555, public), BACKENDS[name]).circuit
                for name in BACKENDS}
    proofs = {name: prove(keys.pk, circuits[name], blinders=list(range(1, 17)),
                          backend=BACKENDS[name]) for name in BACKENDS}
    assert proofs["jax"].to_bytes() == proofs["reference"].to_bytes()
    assert verify_accuracy(keys.vk, public, proofs["jax"])


def test_zkpot_backend_names_the_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(backend, "_current", None)
    monkeypatch.setenv(backend.ENV, "jax")
    assert backend.default_name() == "jax"
    assert isinstance(backend.current(), JaxBackend)
    monkeypatch.setattr(backend, "_current", None)
    monkeypatch.delenv(backend.ENV)
    assert type(backend.current()) is backend.Backend


def test_an_installed_plugin_registers_on_first_use(monkeypatch: pytest.MonkeyPatch) -> None:
    from importlib.metadata import EntryPoint

    asked = []

    def entry_points(group: str, name: str | None = None) -> list[EntryPoint]:
        asked.append((group, name))
        return [EntryPoint(name="jax", value="fastpath:JaxBackend", group=group)]

    monkeypatch.setattr(backend, "_REGISTRY", {"reference": backend.Backend})
    monkeypatch.setattr(backend, "entry_points", entry_points)
    monkeypatch.setattr(backend, "_current", None)
    assert isinstance(backend.use("jax"), JaxBackend)
    assert asked == [("zkpot.backends", "jax")]
    monkeypatch.setattr(backend, "entry_points", lambda group, name=None: [])
    with pytest.raises(MalformedInput, match="unknown backend 'nope'"):
        backend.use("nope")
