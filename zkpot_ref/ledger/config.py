"""A validator's configuration: every field checked before the node does anything.

Lesson: the cheapest failure is the one at startup. A node that finds out about a bad port
when it tries to listen, or about an unwritable data directory when it first commits,
has already joined consensus and may fail halfway through a height. So
:func:`load_config` checks each field — type, range, uniqueness, that the secret key is
really this validator's, that the data directory is usable — and reports the first
problem as one ``MalformedInput`` line naming the file and the field.

Configuration (JSON, one file per node; :func:`write_configs` makes a local cluster)::

    {"version": 2, "chain_id": "zkpot-local-1a2b3c4d", "index": 0,
     "secret_key": "<hex>", "data_dir": "node0", "tick": 0.2, "pause": 0.1,
     "timeouts": {"propose": 1.0, "prevote": 1.0, "precommit": 1.0, "delta": 0.5},
     "log_burst": 20, "round_dir": "../federation",
     "validators": [{"public_key": "<hex>", "host": "127.0.0.1", "port": 26600}, ...]}

``round_dir`` (optional) points at a federation's directory (``zkpot_ref/round.py``): the
node then proposes and validates the real ZKPoT blocks of its rounds.

``chain_id`` names the cluster; with the validator keys it forms the digest that the
handshake binds (``handshake.chain_digest``), so nodes of two clusters never talk.
Unknown fields and repeated JSON keys are refused too: a typo must not silently mean
"use the default".

Read next: ``handshake.py`` (how two validators recognise each other), then ``node.py``.
"""

from __future__ import annotations

import json
import math
import os
import re
import secrets
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from zkpot_ref.errors import MalformedInput
from zkpot_ref.ledger import signatures
from zkpot_ref.ledger.messages import DEFAULT_TIMEOUTS, Timeouts, Validators

CONFIG_VERSION = 2
#: Validator indices are 16-bit on the wire; a local cluster of more makes little sense.
MAX_VALIDATORS = 100
FIELDS = {"version", "chain_id", "index", "secret_key", "data_dir", "tick", "pause",
          "timeouts", "validators", "log_burst", "round_dir"}  # fmt: skip
OPTIONAL = {"tick", "pause", "timeouts", "log_burst", "round_dir"}
_CHAIN_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")
#: The most seconds any timing field may be (an hour: anything above is a typo).
MAX_SECONDS = 3600.0


@dataclass(frozen=True)
class NodeConfig:
    index: int
    secret: bytes
    data_dir: Path
    addresses: tuple[tuple[str, int], ...]  # (host, port) per validator
    validators: Validators
    chain_id: str = "zkpot-local"
    tick: float = 0.2
    pause: float = 0.1
    timeouts: Timeouts = DEFAULT_TIMEOUTS
    log_burst: int = 20  # lines of one kind of dropped input shown per 10 s
    #: a federation's directory (``round.py``: genesis.json, store/, batches/): the node
    #: then validates real ZKPoT blocks; None: the dummy round of ``app.py``
    round_dir: Path | None = None


def _no_repeats(pairs: list[tuple[str, Any]]) -> dict:
    keys = [k for k, _ in pairs]
    repeated = sorted({k for k in keys if keys.count(k) > 1})
    if repeated:
        raise MalformedInput(f"repeated JSON key(s) {repeated}")
    return dict(pairs)


def _seconds(value: Any, what: str, *, zero_ok: bool) -> float:
    """A finite number of seconds, > 0 (or >= 0), at most MAX_SECONDS."""
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise MalformedInput(f"{what} must be a number of seconds, not {value!r}")
    if not (0 <= value if zero_ok else 0 < value) or value > MAX_SECONDS:
        low = "0 <=" if zero_ok else "0 <"
        raise MalformedInput(f"{what} = {value}: need {low} seconds <= {MAX_SECONDS:g}")
    return float(value)


def check_port(port: Any, what: str) -> int:
    """A TCP port number, 1..65535."""
    if isinstance(port, bool) or not isinstance(port, int) or not 1 <= port <= 65535:
        raise MalformedInput(f"{what} {port!r} is not a TCP port (1..65535)")
    return port


def _hex_key(value: Any, what: str) -> bytes:
    if not isinstance(value, str) or not re.fullmatch(r"[0-9a-fA-F]{64}", value):
        raise MalformedInput(f"{what} must be 64 hex digits (32 bytes)")
    return bytes.fromhex(value)


def check_data_dir(path: Path) -> None:
    """``MalformedInput`` unless ``path`` is (or can be created as) a writable directory
    whose ``blocks.log``, if present, is a readable and writable file."""
    existing = path
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent
    if not existing.is_dir():
        raise MalformedInput(f"data_dir {path}: {existing} is not a directory")
    if not os.access(existing, os.W_OK | os.X_OK):
        raise MalformedInput(f"data_dir {path}: {existing} is not writable")
    log = path / "blocks.log"
    if path.exists() and (log.exists() or log.is_symlink()):
        if not log.is_file() or not os.access(log, os.R_OK | os.W_OK):
            raise MalformedInput(f"data_dir {path}: {log} is not a readable, writable file")


def _validators(raw: Any) -> tuple[tuple[bytes, ...], tuple[tuple[str, int], ...]]:
    if not isinstance(raw, list) or not 1 <= len(raw) <= MAX_VALIDATORS:
        raise MalformedInput(f"validators must be a list of 1..{MAX_VALIDATORS} entries")
    keys, addresses = [], []
    for i, entry in enumerate(raw):
        what = f"validators[{i}]"
        if not isinstance(entry, dict) or set(entry) - {"public_key", "host", "port"}:
            raise MalformedInput(f"{what} must have public_key, host and port only")
        keys.append(_hex_key(entry.get("public_key"), f"{what}.public_key"))
        host = entry.get("host", "127.0.0.1")
        if not isinstance(host, str) or not host or len(host) > 253:
            raise MalformedInput(f"{what}.host must be a host name or address")
        addresses.append((host, check_port(entry.get("port"), f"{what}.port")))
    for name, items in (("public key", keys), ("host:port", addresses)):
        if len(set(items)) != len(items):
            raise MalformedInput(f"two validators have the same {name}")
    return tuple(keys), tuple(addresses)


def load_config(path: str | Path) -> NodeConfig:
    """Read and check a node's JSON configuration; ``MalformedInput`` says what is wrong."""
    path = Path(path)
    try:
        text = path.read_text()
    except (OSError, UnicodeDecodeError) as exc:
        raise MalformedInput(f"cannot read node config {path}: {exc}") from None
    try:
        return _parse(path, json.loads(text, object_pairs_hook=_no_repeats))
    except json.JSONDecodeError as exc:
        raise MalformedInput(f"node config {path}: not JSON ({exc})") from None
    except MalformedInput as exc:
        raise MalformedInput(f"node config {path}: {exc}") from None


def _parse(path: Path, raw: Any) -> NodeConfig:
    if not isinstance(raw, dict):
        raise MalformedInput("expected a JSON object")
    if raw.get("version") != CONFIG_VERSION:
        raise MalformedInput(f"version {raw.get('version')!r}, expected {CONFIG_VERSION} "
                             "(re-create the cluster with zkpot node --init)")  # fmt: skip
    unknown, missing = set(raw) - FIELDS, FIELDS - OPTIONAL - set(raw)
    if unknown:
        raise MalformedInput(f"unknown field(s) {sorted(unknown)}")
    if missing:
        raise MalformedInput(f"missing field(s) {sorted(missing)}")
    chain_id = raw["chain_id"]
    if not isinstance(chain_id, str) or not _CHAIN_ID.fullmatch(chain_id):
        raise MalformedInput("chain_id must be 1..64 letters, digits, '.', '_' or '-'")
    keys, addresses = _validators(raw["validators"])
    index = raw["index"]
    if isinstance(index, bool) or not isinstance(index, int) or not 0 <= index < len(keys):
        raise MalformedInput(f"index {index!r} is not 0..{len(keys) - 1}")
    secret = _hex_key(raw["secret_key"], "secret_key")
    if signatures.public_key(secret) != keys[index]:
        raise MalformedInput(f"secret_key is not validator {index}'s key")
    data_dir = raw["data_dir"]
    if not isinstance(data_dir, str) or not data_dir or "\0" in data_dir:
        raise MalformedInput("data_dir must be a non-empty path")
    directory = path.parent / data_dir
    check_data_dir(directory)
    tick = _seconds(raw.get("tick", 0.2), "tick", zero_ok=False)
    pause = _seconds(raw.get("pause", 0.1), "pause", zero_ok=True)
    timeouts = raw.get("timeouts", {})
    if not isinstance(timeouts, dict) or set(timeouts) - {"propose", "prevote", "precommit",
                                                          "delta"}:  # fmt: skip
        raise MalformedInput("timeouts may set propose, prevote, precommit and delta only")
    checked = {name: _seconds(value, f"timeouts.{name}", zero_ok=name == "delta")
               for name, value in timeouts.items()}  # fmt: skip
    burst = raw.get("log_burst", 20)
    if isinstance(burst, bool) or not isinstance(burst, int) or not 1 <= burst <= 10**6:
        raise MalformedInput(f"log_burst {burst!r}: lines a kind per 10 s, 1..10^6")
    round_dir = raw.get("round_dir")
    if round_dir is not None:
        if not isinstance(round_dir, str) or not round_dir or "\0" in round_dir:
            raise MalformedInput("round_dir must be a non-empty path")
        round_dir = path.parent / round_dir
        if not (round_dir / "genesis.json").is_file():
            raise MalformedInput(f"round_dir {round_dir} holds no genesis.json (zkpot demo)")
    return NodeConfig(index, secret, directory, addresses, Validators(keys), chain_id,
                      tick, pause, Timeouts(**checked), burst, round_dir)  # fmt: skip


# -------------------------------------------------------------------- making a cluster
def _write_atomically(path: Path, text: str) -> None:
    """Temporary file (mode 0600: it holds a secret key), fsync, rename."""
    fd, temp = tempfile.mkstemp(prefix=".tmp-", dir=path.parent)
    try:
        with os.fdopen(fd, "w") as file:
            file.write(text)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


def existing_cluster(directory: Path) -> list[Path]:
    """The node configs and block logs of a cluster already in ``directory``."""
    configs = [p for p in directory.glob("node*.json") if re.fullmatch(r"node\d+\.json", p.name)]
    logs = [p for p in directory.glob("node*/blocks.log")
            if re.fullmatch(r"node\d+", p.parent.name)]  # fmt: skip
    return sorted(configs) + sorted(logs)


def write_configs(directory: str | Path, n: int, ports: list[int], *, force: bool = False,
                  chain_id: str | None = None, **options: object) -> list[Path]:  # fmt: skip
    """Write ``node0.json`` .. for a local cluster of ``n`` validators on 127.0.0.1 with
    fresh random keys; ``options`` (tick, pause, timeouts) go into every file.

    Refuses a directory that already holds a cluster (its keys and chain would no longer
    match) unless ``force``, which also removes that cluster's block logs."""
    directory = Path(directory)
    if not 1 <= n <= MAX_VALIDATORS:
        raise MalformedInput(f"--validators {n}: choose 1..{MAX_VALIDATORS}")
    if len(ports) != n:
        raise MalformedInput(f"{n} validators need {n} ports, not {len(ports)}")
    for port in ports:
        check_port(port, "port")
    if directory.exists() and not directory.is_dir():
        raise MalformedInput(f"{directory} exists and is not a directory")
    old = existing_cluster(directory) if directory.is_dir() else []
    if old and not force:
        raise MalformedInput(f"{directory} already holds a cluster ({old[0].name}, ...): its "
                             "keys and chain would be replaced; pass --force to do that")
    try:
        directory.mkdir(parents=True, exist_ok=True)
        for path in old:
            path.unlink()
        keys = [signatures.generate_keypair() for _ in range(n)]
        validators = [{"public_key": public.hex(), "host": "127.0.0.1", "port": port}
                      for (_, public), port in zip(keys, ports, strict=True)]  # fmt: skip
        chain_id = chain_id or f"zkpot-local-{secrets.token_hex(4)}"
        paths = []
        for i, (secret, _) in enumerate(keys):
            config = {"version": CONFIG_VERSION, "chain_id": chain_id, "index": i,
                      "secret_key": secret.hex(), "data_dir": f"node{i}",
                      "validators": validators, **options}  # fmt: skip
            paths.append(directory / f"node{i}.json")
            _write_atomically(paths[-1], json.dumps(config, indent=2))
    except OSError as exc:
        raise MalformedInput(f"cannot write the cluster into {directory}: {exc.strerror}") from None
    return paths
