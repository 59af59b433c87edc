"""Tests for zkpot_ref/pot/keys.py: keys from a verified SRS, and a cache never trusted."""

from __future__ import annotations

import functools

import pytest
from pot_helpers import random_model, random_task, shared_srs

from zkpot_ref import ceremony
from zkpot_ref.ceremony_format import save_ceremony
from zkpot_ref.errors import MalformedInput, SetupError
from zkpot_ref.pot.keys import (
    build_keys,
    cache_path,
    load_keys,
    load_or_build,
    load_srs,
    read_verification_key,
    save_keys,
    srs_digest,
)
from zkpot_ref.pot.prove import claim, prove_accuracy, verify_accuracy

SIZES = (4, 3, 2)


@functools.cache
def task_and_keys():
    task = random_task(SIZES, 2, seed=31)
    return task, build_keys(task, shared_srs())


def test_cached_keys_load_back_and_prove(tmp_path) -> None:
    task, keys = task_and_keys()
    messages: list[str] = []
    first = load_or_build(task, shared_srs(), tmp_path, progress=messages.append)
    path = cache_path(tmp_path, task, srs_digest(shared_srs()))
    assert path.exists() and first.vk == keys.vk
    messages.clear()
    again = load_or_build(task, shared_srs(), tmp_path, progress=messages.append)
    assert any("using cached keys" in m for m in messages)
    assert again.vk == keys.vk and again.pk.coset == keys.pk.coset
    assert again.pk.structure_digest == keys.pk.structure_digest
    model = random_model(SIZES, 3)
    proof = prove_accuracy(task, model, 1, 2, 3, again)
    assert verify_accuracy(keys.vk, claim(task, model, 1, 2, 3), proof)


@pytest.mark.parametrize("where", [0.0, 0.001, 0.2, 0.5, 0.9, 0.99999])
def test_a_damaged_cache_is_detected_and_rebuilt(tmp_path, where: float) -> None:
    task, keys = task_and_keys()
    digest = srs_digest(shared_srs())
    path = cache_path(tmp_path, task, digest)
    save_keys(keys, path)
    data = bytearray(path.read_bytes())
    data[int(where * (len(data) - 1))] ^= 0x10
    path.write_bytes(bytes(data))
    with pytest.raises(MalformedInput):
        load_keys(path, task, shared_srs())
    messages: list[str] = []
    rebuilt = load_or_build(task, shared_srs(), tmp_path, progress=messages.append)
    assert any("unusable" in m and "rebuilding" in m for m in messages)
    assert rebuilt.vk == keys.vk
    assert load_keys(path, task, shared_srs()).vk == keys.vk  # and the cache is good again


def test_a_cache_for_another_task_or_srs_or_truncated_is_refused(tmp_path) -> None:
    task, keys = task_and_keys()
    path = tmp_path / "k.zkpk"
    save_keys(keys, path)
    with pytest.raises(MalformedInput, match="another task"):
        load_keys(path, random_task(SIZES, 2, seed=32), shared_srs())
    from zkpot_ref.kzg import SRS

    with pytest.raises(MalformedInput, match="another task or SRS"):
        load_keys(path, task, SRS.insecure_from_tau(5, 3000))
    path.write_bytes(path.read_bytes()[:5000])
    with pytest.raises(MalformedInput):
        load_keys(path, task, shared_srs())
    with pytest.raises(MalformedInput, match="cannot read"):
        load_keys(tmp_path / "missing", task, shared_srs())


def test_srs_from_a_verified_ceremony_file(tmp_path) -> None:
    c = ceremony.contribute(ceremony.start(40), "alice")
    save_ceremony(c, tmp_path / "srs.zkptau")
    srs = load_srs(tmp_path / "srs.zkptau")
    assert srs.max_degree == 40 and srs.g2_tau == c.srs.g2_tau
    bad = c.srs.g1_powers.copy()
    bad[7] = bad[7] + bad[1]
    from dataclasses import replace

    save_ceremony(replace(c, srs=replace(c.srs, g1_powers=bad)), tmp_path / "bad.zkptau")
    with pytest.raises(SetupError):
        load_srs(tmp_path / "bad.zkptau")
    with pytest.raises(SetupError, match="cannot read"):
        load_srs(tmp_path / "missing.zkptau")


@pytest.mark.slow
def test_srs_from_a_snarkjs_ptau(tmp_path) -> None:
    from zkpot_ref.ptau import find_snarkjs, snarkjs_ptau

    if find_snarkjs() is None:
        pytest.skip("snarkjs is not installed (npm ci)")
    path = snarkjs_ptau(tmp_path, 4, prepare_phase2=False)
    srs = load_srs(path)
    assert srs.max_degree == 30  # 2^(4+1) - 1 powers


def test_verification_key_file(tmp_path) -> None:
    _, keys = task_and_keys()
    (tmp_path / "vk.bin").write_bytes(keys.vk.to_bytes())
    assert read_verification_key(tmp_path / "vk.bin") == keys.vk
    with pytest.raises(SetupError, match="cannot read"):
        read_verification_key(tmp_path / "nope.bin")
    (tmp_path / "bad.bin").write_bytes(b"\x07")
    with pytest.raises(MalformedInput):
        read_verification_key(tmp_path / "bad.bin")
