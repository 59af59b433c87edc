"""Keys for a task: from a verified SRS, built once, cached on disk, never trusted blindly.

Lesson: the one-time cost of a ZKPoT task. The statement's circuit depends only on the
task (``statement.build(task)``), so its PLONK keys (``plonk/preprocess.setup``) are made
once per (task, SRS) — the task publisher does it and publishes the verification key;
each client rebuilds or reuses the proving key.

**Where the SRS comes from.** A KZG SRS is only as good as its ceremony: ``load_srs``
reads a ceremony file (``ceremony_format.py``) and replays the whole transcript
(``check_ceremony``), or a snarkjs ``.ptau`` file and checks it is a power sequence
(``ptau.load_ptau(verify=True)``). ``SRS.insecure_from_tau`` is for tests only.

**The cache.** The proving key of a 2^16-row circuit is ~60 columns of field elements
(124 MB as bytes) and takes minutes to compute, so it is cached at
``<cache>/<task id>-<SRS digest>.zkpk``. The file names what it was made from (task id,
SRS digest, circuit structure digest) and ends in a SHA-256 of everything before it. On
load every one of those is checked, every element must be canonical (< r) and every SRS
point on the curve; anything off — a flipped bit, a truncated file, a key for another
task or SRS — is reported on one line and the key is rebuilt, never used.

File format (ours): magic "ZKPOTPK1", version u8, task id, SRS digest, structure digest
(32 bytes each), the verification key (u32 length + ``VerificationKey.to_bytes``), then
named columns (u16 count; each: u8 name length, name, u32 length, 32-byte big-endian
elements), then the SHA-256. The SRS itself is not stored: loading needs it anyway (its
digest is what the file is checked against), and the key takes its first n + 6 powers.

Read next: ``prove.py``.
"""

from __future__ import annotations

import hashlib
import struct
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from zkpot_ref.backend import Backend
from zkpot_ref.ceremony import check_ceremony
from zkpot_ref.ceremony_format import load_ceremony
from zkpot_ref.errors import MalformedInput, SetupError
from zkpot_ref.field import R_MODULUS
from zkpot_ref.kzg import SRS
from zkpot_ref.plonk.preprocess import ProvingKey, VerificationKey, setup
from zkpot_ref.poly import Domain
from zkpot_ref.pot.statement import build
from zkpot_ref.pot.task import Task, write_atomic
from zkpot_ref.ptau import load_ptau

MAGIC = b"ZKPOTPK1"
VERSION = 1
Progress = Callable[[str], None]


@dataclass
class Keys:
    """A task's keys: ``pk`` for provers, ``vk`` for everyone (``vk.to_bytes()`` to publish)."""

    task_id: int
    srs_digest: bytes
    pk: ProvingKey

    @property
    def vk(self) -> VerificationKey:
        return self.pk.vk


def load_srs(path: str | Path, progress: Progress | None = None) -> SRS:
    """A verified SRS from a ceremony file or a snarkjs ``.ptau`` file."""
    say = progress or (lambda message: None)
    if str(path).endswith(".ptau"):
        say(f"reading and checking {path}")
        return load_ptau(path, verify=True)
    ceremony = load_ceremony(path)
    say(f"verifying the ceremony in {path} ({len(ceremony.contributions)} contributions)")
    check_ceremony(ceremony, progress)
    return ceremony.srs


def srs_digest(srs: SRS) -> bytes:
    """SHA-256 of the SRS's points (what a cached key was made from)."""
    h = hashlib.sha256(len(srs.g1_powers).to_bytes(4, "big"))
    for point in srs.g1_powers:
        h.update(point.to_bytes())
    h.update(srs.g2_one.to_bytes() + srs.g2_tau.to_bytes())
    return h.digest()


def build_keys(task: Task, srs: SRS, backend: Backend | None = None,
               progress: Progress | None = None) -> Keys:
    """Build the statement's circuit (no witness) and preprocess it with ``srs``."""
    say = progress or (lambda message: None)
    say(f"building the statement's circuit for {task.n} test images")
    pk, _ = setup(build(task).circuit, srs, backend, progress)
    return Keys(task.task_id, srs_digest(srs), pk)


def cache_path(cache_dir: str | Path, task: Task, digest: bytes) -> Path:
    return Path(cache_dir) / f"{task.task_id:064x}-{digest.hex()[:16]}.zkpk"


def load_or_build(task: Task, srs: SRS, cache_dir: str | Path, backend: Backend | None = None,
                  progress: Progress | None = None) -> Keys:
    """The cached keys if the cache file checks out, else fresh ones (then cached)."""
    say = progress or (lambda message: None)
    digest = srs_digest(srs)
    path = cache_path(cache_dir, task, digest)
    if path.exists():
        try:
            keys = load_keys(path, task, srs)
            say(f"using cached keys {path}")
            return keys
        except MalformedInput as exc:
            say(f"key cache {path} is unusable ({exc}); rebuilding")
    keys = build_keys(task, srs, backend, progress)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        save_keys(keys, path)
    except (OSError, MalformedInput) as exc:
        say(f"could not write the key cache {path}: {exc}")
    return keys


# -- the cache file -------------------------------------------------------------------


def _columns(pk: ProvingKey) -> dict[str, list[int]]:
    out = {f"selector {k}": v for k, v in pk.selectors.items()}
    out.update({f"sigma evals {i}": v for i, v in enumerate(pk.sigma_evals)})
    out.update({f"sigma coeffs {i}": v for i, v in enumerate(pk.sigma_coeffs)})
    out.update({f"lookup {k}": v for k, v in pk.lookup_evals.items()})
    out.update({f"coset {k}": v for k, v in pk.coset.items()})
    return out


def save_keys(keys: Keys, path: str | Path) -> None:
    """Write the cache file (module docstring) atomically."""
    pk = keys.pk
    vk = pk.vk.to_bytes()
    parts = [MAGIC, bytes([VERSION]), keys.task_id.to_bytes(32, "big"), keys.srs_digest,
             pk.structure_digest, struct.pack(">I", len(vk)), vk]
    columns = _columns(pk)
    parts.append(struct.pack(">H", len(columns)))
    for name, values in columns.items():
        raw = name.encode()
        parts += [bytes([len(raw)]), raw, struct.pack(">I", len(values))]
        parts.append(b"".join(v.to_bytes(32, "big") for v in values))
    body = b"".join(parts)
    write_atomic(Path(path), body + hashlib.sha256(body).digest())


class _Reader:
    def __init__(self, data: bytes) -> None:
        self.data, self.at = data, 0

    def take(self, n: int) -> bytes:
        if self.at + n > len(self.data):
            raise MalformedInput("truncated")
        self.at += n
        return self.data[self.at - n : self.at]

    def u32(self) -> int:
        return struct.unpack(">I", self.take(4))[0]


def load_keys(path: str | Path, task: Task, srs: SRS) -> Keys:
    """Read and check a cache file made for ``task`` and ``srs``."""
    digest = srs_digest(srs)
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise MalformedInput(f"cannot read: {exc.strerror}") from None
    if len(data) < 64 or data[:8] != MAGIC or data[8] != VERSION:
        raise MalformedInput("not a zkpot key cache file of this version")
    body = data[:-32]
    if hashlib.sha256(body).digest() != data[-32:]:
        raise MalformedInput("checksum mismatch (damaged)")
    r = _Reader(body)
    r.take(9)
    if int.from_bytes(r.take(32), "big") != task.task_id or r.take(32) != digest:
        raise MalformedInput("made for another task or SRS")
    structure = r.take(32)
    vk = VerificationKey.from_bytes(r.take(r.u32()))
    if vk.X_2 != srs.g2_tau or srs.max_degree < vk.n + 5:
        raise MalformedInput("its verification key does not match the SRS")
    columns = {}
    for _ in range(struct.unpack(">H", r.take(2))[0]):
        name = r.take(r.take(1)[0]).decode("ascii", "replace")
        length = r.u32()
        raw = r.take(32 * length)
        values = [int.from_bytes(raw[i : i + 32], "big") for i in range(0, len(raw), 32)]
        if values and max(values) >= R_MODULUS:
            raise MalformedInput(f"column {name!r} holds a non-canonical element")
        columns[name] = values
    if r.at != len(body):
        raise MalformedInput("unexpected trailing bytes")
    pk = _proving_key(vk, srs.truncated(vk.n + 5), structure, columns)
    return Keys(task.task_id, digest, pk)


def _proving_key(vk: VerificationKey, srs: SRS, structure: bytes,
                 columns: dict[str, list[int]]) -> ProvingKey:
    def group(prefix: str) -> dict[str, list[int]]:
        return {k[len(prefix) :]: v for k, v in columns.items() if k.startswith(prefix)}

    n = vk.n
    selectors, coset = group("selector "), group("coset ")
    evals, coeffs = group("sigma evals "), group("sigma coeffs ")
    expected = {"q_M", "q_L", "q_R", "q_O", "q_C"} | ({"q_K", "t"} if vk.has_lookups else set())
    if set(selectors) != expected or sorted(evals) != ["0", "1", "2"] or sorted(coeffs) != [
        "0", "1", "2"
    ]:
        raise MalformedInput("missing or unexpected columns")
    sizes_ok = all(len(v) <= n + 6 for v in (*selectors.values(), *coeffs.values())) and all(
        len(v) == n for v in evals.values()) and all(len(v) == 4 * n for v in coset.values())
    if not sizes_ok or len(coset) != len(selectors) + 4:
        raise MalformedInput("a column has the wrong length")
    pk = ProvingKey(vk=vk, domain=Domain(n), srs=srs, structure_digest=structure,
                    selectors=selectors, sigma_evals=[evals[k] for k in "012"],
                    sigma_coeffs=[coeffs[k] for k in "012"], lookup_evals=group("lookup "),
                    coset=coset)
    if pk.lookup_evals and set(pk.lookup_evals) != {"q_K", "t"}:
        raise MalformedInput("missing lookup columns")
    return pk


def read_verification_key(path: str | Path) -> VerificationKey:
    """A published verification key file (``VerificationKey.to_bytes``)."""
    try:
        return VerificationKey.from_bytes(Path(path).read_bytes())
    except OSError as exc:
        raise SetupError(f"cannot read verification key {path}: {exc.strerror}") from None


def default_cache() -> Path:
    """Where keys are cached: $ZKPOT_CACHE, else $XDG_CACHE_HOME/zkpot, else ~/.cache/zkpot."""
    import os

    if os.environ.get("ZKPOT_CACHE"):
        return Path(os.environ["ZKPOT_CACHE"])
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "zkpot" / "keys"


def local_srs(degree: int, cache_dir: str | Path, progress: Progress | None = None) -> SRS:
    """A ONE-PARTY ceremony of ``degree`` made on this machine (cached in ``cache_dir``):
    as trustworthy as this machine forgetting its secret — for experiments and demos;
    publish real tasks with a multi-party ceremony file."""
    from zkpot_ref import ceremony
    from zkpot_ref.ceremony_format import save_ceremony

    say = progress or (lambda message: None)
    path = Path(cache_dir) / f"one-party-{degree}.zkptau"
    if path.exists():
        try:
            return load_srs(path, progress)
        except (SetupError, MalformedInput) as exc:
            say(f"{path} is unusable ({exc}); making a new one")
    say(f"one-party powers-of-tau ceremony of degree {degree} (experiments only)")
    made = ceremony.contribute(ceremony.start(degree), "zkpot one-party")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        save_ceremony(made, path)
    except (OSError, SetupError) as exc:
        say(f"could not cache the SRS at {path}: {exc}")
    return made.srs


def choose_srs(source: str | Path | SRS | None, degree: int, cache_dir: str | Path,
               progress: Progress | None = None) -> SRS:
    """The SRS a run uses: an ``SRS`` given in code (tests pass a known-tau one), a
    verified ceremony or .ptau file, or — with nothing given — the cached one-party
    ceremony of ``degree`` (:func:`local_srs`). Too short an SRS fails later, in
    ``build_keys``, with the size it needs."""
    if isinstance(source, SRS):
        return source
    if source is not None:
        return load_srs(source, progress)
    return local_srs(degree, cache_dir, progress)
