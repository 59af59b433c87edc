"""Interop with snarkjs 0.7.6, both directions (zkpot_ref/plonk/snarkjs.py).

1. Our verifier ACCEPTS the snarkjs PLONK fixtures in ../shared/vectors/snarkjs_plonk/ and
   REJECTS each after any single field of proof.json or public.json is changed.
2. snarkjs (`snarkjs plonk verify`) ACCEPTS a proof our prover made, for our circuit
   exported to snarkjs' format, with an SRS read from a snarkjs .ptau.
"""

from __future__ import annotations

import copy
import json
import os
import subprocess
from pathlib import Path

import pytest
from plonk_helpers import random_circuit, shared_srs

from zkpot_ref.errors import MalformedInput, ZkpotError
from zkpot_ref.field import R_MODULUS
from zkpot_ref.plonk import snarkjs
from zkpot_ref.plonk.circuit import Circuit
from zkpot_ref.plonk.preprocess import VerificationKey, setup
from zkpot_ref.plonk.prover import prove
from zkpot_ref.plonk.verifier import verify
from zkpot_ref.ptau import find_snarkjs, load_ptau, snarkjs_ptau

FIXTURES = Path(__file__).resolve().parents[3] / "shared" / "vectors" / "snarkjs_plonk"
CIRCUITS = ["pow5", "dot4"]


def load(name: str) -> tuple[dict, dict, list]:
    folder = FIXTURES / name
    return tuple(json.loads((folder / f).read_text())
                 for f in ("verification_key.json", "proof.json", "public.json"))


def rejected(vk: dict, proof: dict, public: list) -> bool:
    try:
        return not snarkjs.verify(vk, proof, public)
    except ZkpotError as error:
        return isinstance(error, MalformedInput)


@pytest.mark.parametrize("name", CIRCUITS)
def test_snarkjs_fixtures_verify(name: str) -> None:
    assert "OK!" in (FIXTURES / name / "plonk_verify_output.txt").read_text()
    assert snarkjs.verify(*load(name))


def _changed(value):
    if isinstance(value, str):
        return str(int(value) + 1)
    if isinstance(value, list):
        return [_changed(value[0]), *value[1:]]
    return value


@pytest.mark.parametrize("name", CIRCUITS)
def test_any_single_changed_field_is_rejected(name: str) -> None:
    vk, proof, public = load(name)
    changed_fields = 0
    for key in proof:
        if key in ("protocol", "curve"):
            continue
        for index in range(len(proof[key]) if isinstance(proof[key], list) else 1):
            tampered = copy.deepcopy(proof)
            if isinstance(tampered[key], list):
                tampered[key][index] = _changed(tampered[key][index])
            else:
                tampered[key] = _changed(tampered[key])
            assert rejected(vk, tampered, public), f"{key}[{index}]"
            changed_fields += 1
    for i in range(len(public)):
        tampered_public = list(public)
        tampered_public[i] = _changed(public[i])
        assert rejected(vk, proof, tampered_public), f"public[{i}]"
    assert changed_fields == 9 * 3 + 6


def test_malformed_json_is_malformed_input() -> None:
    vk, proof, public = load("pow5")
    for bad_vk in ({**vk, "protocol": "groth16"}, {**vk, "power": -1}, {**vk, "Qm": ["1", "2"]},
                   {**vk, "w": "5"}, {k: v for k, v in vk.items() if k != "S1"}):
        with pytest.raises(MalformedInput):
            snarkjs.verify(bad_vk, proof, public)
    for bad_public in (["01"], ["-1", "2"], [1, 2], "100000", public[:1]):
        with pytest.raises(MalformedInput):
            snarkjs.verify(vk, proof, bad_public)
    with pytest.raises(MalformedInput, match="identity"):
        snarkjs.verify(vk, {**proof, "A": ["5", "1", "0"]}, public)


def test_numbers_too_long_for_int_are_malformed_input() -> None:
    """Python refuses int() of more than 4300 digits with a bare ValueError; the length
    check comes first, so the caller sees MalformedInput (issue 16)."""
    vk, proof, public = load("pow5")
    huge = "9" * 5000
    for bad_vk, bad_proof, bad_public in (
        (vk, proof, [huge, *public[1:]]),
        (vk, {**proof, "eval_a": huge}, public),
        ({**vk, "k1": huge}, proof, public),
        ({**vk, "Qm": [huge, "1", "1"]}, proof, public),
    ):
        with pytest.raises(MalformedInput, match="5000 digits"):
            snarkjs.verify(bad_vk, bad_proof, bad_public)
    digits = len(str(R_MODULUS))
    with pytest.raises(MalformedInput, match="not below the modulus"):
        snarkjs.public_from_json(["9" * digits])  # as long as r, but larger: range check
    assert snarkjs.public_from_json([str(R_MODULUS - 1)]) == [R_MODULUS - 1]


def test_a_key_with_as_many_public_inputs_as_rows_round_trips() -> None:
    """setup makes such a key (every row a public input); both readers now accept it, and
    the proof verifies. One more public input than rows is still refused."""
    circuit = Circuit()
    for value in range(1, 9):
        circuit.public_input(value)
    pk, vk = setup(circuit, shared_srs(64))
    assert vk.num_public == vk.n == 8
    assert VerificationKey.from_bytes(vk.to_bytes()) == vk
    assert snarkjs.vk_from_json(snarkjs.vk_to_json(vk)) == vk
    proof = prove(pk, circuit)
    assert verify(vk, circuit.public_values(), proof)
    assert not verify(vk, [2, *circuit.public_values()[1:]], proof)
    with pytest.raises(MalformedInput, match="bad nPublic"):
        snarkjs.vk_from_json({**snarkjs.vk_to_json(vk), "nPublic": 9})
    too_many = bytearray(vk.to_bytes())
    too_many[2:6] = (9).to_bytes(4, "big")
    with pytest.raises(MalformedInput, match="more public inputs than rows"):
        VerificationKey.from_bytes(bytes(too_many))


def test_json_round_trips() -> None:
    vk, proof, public = load("dot4")
    parsed_vk = snarkjs.vk_from_json(vk)
    assert snarkjs.vk_from_json(snarkjs.vk_to_json(parsed_vk)) == parsed_vk
    parsed = snarkjs.proof_from_json(proof)
    assert snarkjs.proof_to_json(parsed) == {k: v for k, v in proof.items()}
    assert snarkjs.public_to_json(snarkjs.public_from_json(public)) == public


def snarkjs_or_skip() -> Path:
    path = find_snarkjs()
    if path is None:
        if os.environ.get("CI"):
            pytest.fail("snarkjs is missing in CI: `make test` runs `npm ci` first")
        pytest.skip("snarkjs not installed (run `npm ci`); CI always runs this test")
    return path


@pytest.mark.slow
def test_snarkjs_accepts_our_proof_with_a_ptau_srs(tmp_path: Path) -> None:
    tool = snarkjs_or_skip()
    srs = load_ptau(snarkjs_ptau(tmp_path, power=6, snarkjs=tool))
    circuit = random_circuit(2026, 40, 4)
    pk, vk = setup(circuit, srs)
    proof = prove(pk, circuit)
    files = {"verification_key.json": snarkjs.vk_to_json(vk),
             "proof.json": snarkjs.proof_to_json(proof),
             "public.json": snarkjs.public_to_json(circuit.public_values())}
    for name, content in files.items():
        (tmp_path / name).write_text(json.dumps(content))
    assert snarkjs.verify(*files.values())

    def snarkjs_verify() -> subprocess.CompletedProcess:
        return subprocess.run(
            [str(tool), "plonk", "verify", "verification_key.json", "public.json", "proof.json"],
            cwd=tmp_path, capture_output=True, text=True, timeout=120)

    done = snarkjs_verify()
    assert done.returncode == 0 and "OK!" in done.stdout, done.stdout + done.stderr
    # and snarkjs rejects it for another public input: the check is real
    public = circuit.public_values()
    public[0] += 1
    (tmp_path / "public.json").write_text(json.dumps(snarkjs.public_to_json(public)))
    assert snarkjs_verify().returncode != 0
