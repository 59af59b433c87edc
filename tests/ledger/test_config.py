"""zkpot_ref/ledger/config.py: every field of a node's configuration is checked up front,
and ``write_configs`` never silently replaces a cluster."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest

from zkpot_ref.errors import MalformedInput
from zkpot_ref.ledger.config import (
    check_data_dir,
    check_port,
    existing_cluster,
    load_config,
    write_configs,
)

PORTS = [26601, 26602, 26603, 26604]


@pytest.fixture
def cluster(tmp_path: Path) -> list[Path]:
    return write_configs(tmp_path, 4, PORTS, tick=0.1, pause=0.0)


def _broken(path: Path, **changes: object) -> Path:
    raw = json.loads(path.read_text())
    raw.update(changes)
    bad = path.with_name("bad.json")
    bad.write_text(json.dumps(raw))
    return bad


def test_a_written_config_loads(cluster: list[Path], tmp_path: Path) -> None:
    config = load_config(cluster[0])
    assert config.index == 0 and config.addresses[1] == ("127.0.0.1", 26602)
    assert config.validators.n == 4 and config.data_dir == tmp_path / "node0"
    assert config.tick == 0.1 and config.pause == 0.0
    assert config.chain_id.startswith("zkpot-local-")
    assert {load_config(p).chain_id for p in cluster} == {config.chain_id}
    assert stat.S_IMODE(cluster[0].stat().st_mode) == 0o600  # it holds a secret key
    assert not list(tmp_path.glob(".tmp-*"))


def test_every_field_is_checked(cluster: list[Path]) -> None:
    raw = json.loads(cluster[0].read_text())
    other_secret = json.loads(cluster[1].read_text())["secret_key"]
    same_key = [raw["validators"][0], *raw["validators"][:3]]
    same_port = [*raw["validators"][:3], {**raw["validators"][3], "port": 26601}]
    cases = {
        "version": ({"version": 1}, "version 1"),
        "unknown field": ({"tik": 0.1}, "unknown field"),
        "chain id": ({"chain_id": "a b"}, "chain_id"),
        "index type": ({"index": "0"}, "index"),
        "index range": ({"index": 9}, "index 9"),
        "index bool": ({"index": False}, "index"),
        "not hex": ({"secret_key": "zz"}, "secret_key"),
        "someone else's key": ({"secret_key": other_secret}, "not validator 0"),
        "port too big": ({"validators": [{**raw["validators"][0], "port": 99999},
                                         *raw["validators"][1:]]}, "99999"),  # fmt: skip
        "negative port": ({"validators": [{**raw["validators"][0], "port": -1},
                                          *raw["validators"][1:]]}, "-1"),  # fmt: skip
        "port as text": ({"validators": [{**raw["validators"][0], "port": "80"},
                                         *raw["validators"][1:]]}, "port"),  # fmt: skip
        "duplicate keys": ({"validators": same_key}, "same public key"),
        "duplicate addresses": ({"validators": same_port}, "same host:port"),
        "no validators": ({"validators": []}, "validators"),
        "negative timeout": ({"timeouts": {"propose": -1}}, "timeouts.propose"),
        "zero timeout": ({"timeouts": {"prevote": 0}}, "timeouts.prevote"),
        "infinite timeout": ({"timeouts": {"precommit": 1e309}}, "timeouts.precommit"),
        "unknown timeout": ({"timeouts": {"never": 1}}, "timeouts may set"),
        "negative tick": ({"tick": -0.1}, "tick"),
        "tick as text": ({"tick": "fast"}, "tick"),
        "huge pause": ({"pause": 1e6}, "pause"),
        "empty data_dir": ({"data_dir": ""}, "data_dir"),
        "log_burst": ({"log_burst": 0}, "log_burst"),
    }
    for name, (changes, message) in cases.items():
        with pytest.raises(MalformedInput, match=message):
            load_config(_broken(cluster[0], **changes))
        assert name
    del raw["secret_key"]
    cluster[0].with_name("bad.json").write_text(json.dumps(raw))
    with pytest.raises(MalformedInput, match="missing field"):
        load_config(cluster[0].with_name("bad.json"))


def test_json_problems(tmp_path: Path, cluster: list[Path]) -> None:
    bad = tmp_path / "bad.json"
    for text, message in (("{", "not JSON"), ("[]", "JSON object"),
                          ('{"version": 2, "version": 2}', "repeated JSON key")):  # fmt: skip
        bad.write_text(text)
        with pytest.raises(MalformedInput, match=message):
            load_config(bad)
    with pytest.raises(MalformedInput, match="cannot read"):
        load_config(tmp_path / "missing.json")
    bad.write_bytes(b"\xff\xfe")
    with pytest.raises(MalformedInput, match="cannot read"):
        load_config(bad)


def test_an_unusable_data_dir_is_refused_before_the_node_starts(cluster: list[Path],
                                                              tmp_path: Path) -> None:
    (tmp_path / "a-file").write_text("not a directory")
    with pytest.raises(MalformedInput, match="is not a directory"):
        load_config(_broken(cluster[0], data_dir="a-file/node0"))
    (tmp_path / "node9").mkdir()
    (tmp_path / "node9" / "blocks.log").mkdir()  # a directory where the log should be
    with pytest.raises(MalformedInput, match="readable, writable file"):
        load_config(_broken(cluster[0], data_dir="node9"))
    check_data_dir(tmp_path / "new" / "deeper")  # creatable: fine
    if os.geteuid() != 0:  # root may write anywhere
        locked = tmp_path / "locked"
        locked.mkdir(mode=0o500)
        with pytest.raises(MalformedInput, match="not writable"):
            check_data_dir(locked / "node0")


def test_ports() -> None:
    assert check_port(1, "p") == 1 and check_port(65535, "p") == 65535
    for bad in (0, 65536, -1, 70000, True, 1.5, "80"):
        with pytest.raises(MalformedInput):
            check_port(bad, "p")


def test_write_configs_refuses_to_replace_a_cluster(tmp_path: Path) -> None:
    first = write_configs(tmp_path, 2, [27001, 27002])
    (tmp_path / "node0").mkdir()
    (tmp_path / "node0" / "blocks.log").write_bytes(b"old chain")
    before = [p.read_bytes() for p in first]
    old_keys = load_config(first[0]).validators.public_keys
    with pytest.raises(MalformedInput, match="already holds a cluster.*--force"):
        write_configs(tmp_path, 2, [27001, 27002])
    assert [p.read_bytes() for p in first] == before  # untouched
    assert existing_cluster(tmp_path) == [*first, tmp_path / "node0" / "blocks.log"]
    again = write_configs(tmp_path, 3, [27001, 27002, 27003], force=True)
    assert len(again) == 3 and not (tmp_path / "node0" / "blocks.log").exists()
    assert not set(load_config(again[0]).validators.public_keys) & set(old_keys)


def test_write_configs_checks_its_arguments(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("x")
    cases = [((tmp_path / "file", 1, [27000]), "not a directory"),
             ((tmp_path / "c", 0, []), "--validators 0"),
             ((tmp_path / "c", 2, [27000]), "need 2 ports"),
             ((tmp_path / "c", 1, [70000]), "not a TCP port")]  # fmt: skip
    for arguments, message in cases:
        with pytest.raises(MalformedInput, match=message):
            write_configs(*arguments)
    assert not (tmp_path / "c").exists()
