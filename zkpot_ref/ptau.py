"""Reading snarkjs ``.ptau`` files: use the world's powers-of-tau ceremonies.

Lesson. Our own ceremony (``ceremony.py``) shows how an SRS is made; in practice one reuses
a big public one, such as the Perpetual Powers of Tau (Bowe et al., 70+ participants) in the
snarkjs/Hermez distribution. Those are ``.ptau`` files, whose layout is defined by snarkjs'
source (``src/powersoftau_new.js``, ``src/powersoftau_utils.js``, and
``@iden3/binfileutils``). This module reads just what KZG needs: [tau^i]_1, [1]_2, [tau]_2.

The container ("binfile"), all integers little-endian::

    "ptau"  u32 version (1)  u32 n_sections
    n_sections x { u32 section_id   u64 size   size bytes of payload }

Sections we read (ids from snarkjs):

    1 header   u32 n8 (= 32)  n8 bytes q (the base-field prime, LE)  u32 power
               u32 ceremony_power
    2 tauG1    (2^power * 2 - 1) G1 points: [tau^0]_1 ... [tau^(2^(power+1) - 2)]_1
    3 tauG2    2^power G2 points: [tau^0]_2, [tau^1]_2, ...

Sections 4-7 hold alpha/beta powers and the contribution records (Groth16's phase 2
needs them; KZG does not). ``snarkjs powersoftau prepare phase2`` copies sections 2-7
unchanged and appends sections 12-15, the same points in Lagrange form; so a "final"
``.ptau`` reads the same here.

Points are stored *the way ffjavascript holds them in memory*: affine, each coordinate in
**Montgomery form** (x * 2^256 mod q) as 32 little-endian bytes; an Fq2 element as c0 then
c1 (real part first — the opposite of EIP-197's order); the identity as all zero bytes.
So decoding multiplies by 2^-256 mod q. We reject everything off: wrong magic or version,
sections out of the file or duplicated, another curve's prime, coordinates >= q,
points off the curve or (G2) outside the subgroup, and — unless ``verify=False`` — a G1
sequence that is not a power sequence of the G2 point's tau (``kzg.verify_srs``).

Also here, for tests and demos: ``snarkjs_ptau`` runs the snarkjs command line to make a
small ``.ptau`` (new, one contribution, optionally prepare phase2).

Read next: ``backend.py`` (part 4, PLONK, starts where the prover's speed plugs in).
"""

from __future__ import annotations

import os
import shutil
import struct
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from zkpot_ref.curve import G1, G2, Fq2
from zkpot_ref.errors import MalformedInput, SetupError
from zkpot_ref.field import P_MODULUS
from zkpot_ref.kzg import SRS, verify_srs

P = P_MODULUS
MAGIC = b"ptau"
SECTION_HEADER, SECTION_TAU_G1, SECTION_TAU_G2 = 1, 2, 3
#: bytes of one stored coordinate (n8) and of one affine G1 / G2 point
N8 = 32
G1_BYTES, G2_BYTES = 2 * N8, 4 * N8
#: 2^-256 mod q: turns a Montgomery-form coordinate back into the coordinate
MONTGOMERY_R_INV = pow(1 << 256, -1, P)
#: snarkjs supports powers up to 28 for bn128 (the 2-adicity of r)
MAX_POWER = 28


@dataclass(frozen=True)
class PtauHeader:
    """What a ``.ptau`` file declares: its power, and where each section lies."""

    power: int
    ceremony_power: int
    #: section id -> (offset of its payload, payload size)
    sections: dict[int, tuple[int, int]]

    @property
    def n_tau_g1(self) -> int:
        """Number of [tau^i]_1 points in section 2: 2^(power+1) - 1."""
        return (1 << self.power) * 2 - 1

    @property
    def n_tau_g2(self) -> int:
        """Number of [tau^i]_2 points in section 3: 2^power."""
        return 1 << self.power


def _read_exact(f: BinaryIO, n: int, what: str) -> bytes:
    data = f.read(n)
    if len(data) != n:
        raise MalformedInput(f"ptau: file ends inside {what}")
    return data


def read_ptau_header(path: str | Path) -> PtauHeader:
    """Parse the container and section 1; check that the curve is BN254 and sizes add up."""
    try:
        with open(path, "rb") as f:
            return _read_header(f, os.fstat(f.fileno()).st_size)
    except OSError as exc:
        raise SetupError(f"cannot read ptau file {path}: {exc.strerror}") from exc


def _read_header(f: BinaryIO, file_size: int) -> PtauHeader:
    magic, version, n_sections = struct.unpack("<4sII", _read_exact(f, 12, "the file header"))
    if magic != MAGIC:
        raise MalformedInput("ptau: not a .ptau file (the magic bytes are not 'ptau')")
    if version != 1:
        raise MalformedInput(f"ptau: unsupported version {version} (this reader knows 1)")
    sections: dict[int, tuple[int, int]] = {}
    position = 12
    for _ in range(n_sections):
        section_id, size = struct.unpack("<IQ", _read_exact(f, 12, "a section header"))
        position += 12
        if position + size > file_size:
            raise MalformedInput(f"ptau: section {section_id} runs past the end of the file")
        if section_id in sections:
            raise MalformedInput(f"ptau: section {section_id} appears twice")
        sections[section_id] = (position, size)
        position += size
        f.seek(position)
    for needed in (SECTION_HEADER, SECTION_TAU_G1, SECTION_TAU_G2):
        if needed not in sections:
            raise MalformedInput(f"ptau: section {needed} is missing")
    offset, size = sections[SECTION_HEADER]
    if size != 4 + N8 + 8:
        raise MalformedInput(f"ptau: header section has {size} bytes, expected {4 + N8 + 8}")
    f.seek(offset)
    raw = _read_exact(f, size, "the header section")
    (n8,) = struct.unpack_from("<I", raw, 0)
    if n8 != N8:
        raise MalformedInput(f"ptau: field elements of {n8} bytes; BN254 uses {N8}")
    prime = int.from_bytes(raw[4 : 4 + N8], "little")
    if prime != P:
        raise MalformedInput("ptau: the file is for another curve (its prime is not BN254's q)")
    power, ceremony_power = struct.unpack_from("<II", raw, 4 + N8)
    if not 1 <= power <= MAX_POWER:
        raise MalformedInput(f"ptau: power {power} is outside 1..{MAX_POWER}")
    header = PtauHeader(power, ceremony_power, sections)
    for section_id, count, width in (
        (SECTION_TAU_G1, header.n_tau_g1, G1_BYTES),
        (SECTION_TAU_G2, header.n_tau_g2, G2_BYTES),
    ):
        if sections[section_id][1] != count * width:
            raise MalformedInput(
                f"ptau: section {section_id} has {sections[section_id][1]} bytes, "
                f"expected {count} points of {width} bytes for power {power}"
            )
    return header


def _coordinate(raw: bytes, what: str) -> int:
    """One coordinate: 32 little-endian bytes in Montgomery form -> its value in [0, q)."""
    montgomery = int.from_bytes(raw, "little")
    if montgomery >= P:
        raise MalformedInput(f"ptau: {what} has a coordinate >= q (non-canonical)")
    return montgomery * MONTGOMERY_R_INV % P


def decode_g1(raw: bytes, what: str = "a G1 point") -> G1:
    """A G1 point from its 64 stored bytes (x, y in Montgomery form, little-endian)."""
    if len(raw) != G1_BYTES:
        raise MalformedInput(f"ptau: {what} needs {G1_BYTES} bytes, got {len(raw)}")
    if not any(raw):
        return G1.identity()
    x, y = _coordinate(raw[:N8], what), _coordinate(raw[N8:], what)
    try:
        return G1.from_affine(x, y)
    except MalformedInput as exc:
        raise MalformedInput(f"ptau: {what}: {exc}") from exc


def decode_g2(raw: bytes, what: str = "a G2 point") -> G2:
    """A G2 point from its 128 stored bytes (x.c0, x.c1, y.c0, y.c1; Montgomery, LE)."""
    if len(raw) != G2_BYTES:
        raise MalformedInput(f"ptau: {what} needs {G2_BYTES} bytes, got {len(raw)}")
    if not any(raw):
        return G2.identity()
    x0, x1, y0, y1 = (_coordinate(raw[i : i + N8], what) for i in range(0, G2_BYTES, N8))
    try:
        return G2.from_affine(Fq2(x0, x1), Fq2(y0, y1))
    except MalformedInput as exc:
        raise MalformedInput(f"ptau: {what}: {exc}") from exc


def load_ptau(path: str | Path, max_degree: int | None = None, verify: bool = True) -> SRS:
    """The KZG SRS in a snarkjs ``.ptau`` file (phase 1, or prepared for phase 2).

    ``max_degree`` reads only [tau^0..max_degree]_1 (default: all 2^(power+1) - 1 of them).
    With ``verify`` (the default) the powers are checked to be one tau's powers, matching
    [tau]_2 (two MSMs and two pairings); pass False only for a file you already checked.
    """
    try:
        with open(path, "rb") as f:
            header = _read_header(f, os.fstat(f.fileno()).st_size)
            available = header.n_tau_g1 - 1
            degree = available if max_degree is None else max_degree
            if not 0 <= degree <= available:
                raise SetupError(
                    f"ptau of power {header.power} supports degrees 0..{available}, "
                    f"asked for {max_degree}"
                )
            f.seek(header.sections[SECTION_TAU_G1][0])
            raw_g1 = _read_exact(f, (degree + 1) * G1_BYTES, "section 2")
            f.seek(header.sections[SECTION_TAU_G2][0])
            raw_g2 = _read_exact(f, 2 * G2_BYTES, "section 3")
    except OSError as exc:
        raise SetupError(f"cannot read ptau file {path}: {exc.strerror}") from exc
    g1_powers = [
        decode_g1(raw_g1[i * G1_BYTES : (i + 1) * G1_BYTES], f"[tau^{i}]_1")
        for i in range(degree + 1)
    ]
    srs = SRS(
        g1_powers,
        decode_g2(raw_g2[:G2_BYTES], "[1]_2"),
        decode_g2(raw_g2[G2_BYTES:], "[tau]_2"),
    )
    if verify and not verify_srs(srs):
        raise SetupError(
            f"ptau file {path} is not a valid powers-of-tau SRS "
            "(generators, or the pairing check that all points share one tau, failed)"
        )
    return srs


# --------------------------------------------------------------------------------------
# Test and demo helper: make a small .ptau with the snarkjs command line
# --------------------------------------------------------------------------------------


def find_snarkjs() -> Path | None:
    """The snarkjs command: $ZKPOT_SNARKJS, the repository's node_modules, or the PATH."""
    candidates = [os.environ.get("ZKPOT_SNARKJS", "")]
    candidates.append(str(Path(__file__).resolve().parents[1] / "node_modules/.bin/snarkjs"))
    candidates.append(shutil.which("snarkjs") or "")
    for candidate in candidates:
        if candidate and Path(candidate).is_file():
            return Path(candidate)
    return None


def snarkjs_ptau(
    directory: str | Path, power: int, entropy: str = "zkpot test entropy",
    prepare_phase2: bool = True, snarkjs: Path | None = None,
) -> Path:
    """FOR TESTS AND DEMOS: run ``snarkjs powersoftau new / contribute / prepare phase2``.

    Returns the path of the final ``.ptau`` (``pot_final.ptau`` if ``prepare_phase2``, the
    one-contribution ``pot_0001.ptau`` otherwise). One contributor with known entropy is
    no ceremony: never use the result for anything but tests.
    """
    snarkjs = snarkjs or find_snarkjs()
    if snarkjs is None:
        raise SetupError("snarkjs not found: run `npm ci` in the repository root")
    directory = Path(directory)
    steps = [
        ["powersoftau", "new", "bn128", str(power), "pot_0000.ptau"],
        ["powersoftau", "contribute", "pot_0000.ptau", "pot_0001.ptau",
         "--name=zkpot-test", f"-e={entropy}"],
    ]
    if prepare_phase2:
        steps.append(["powersoftau", "prepare", "phase2", "pot_0001.ptau", "pot_final.ptau"])
    for step in steps:
        try:
            done = subprocess.run(
                [str(snarkjs), *step], cwd=directory, capture_output=True, text=True, timeout=600
            )
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise SetupError(f"cannot run snarkjs {' '.join(step[:2])}: {exc}") from exc
        if done.returncode != 0:
            output = (done.stderr + done.stdout).strip().splitlines()
            raise SetupError(
                f"snarkjs {' '.join(step[:2])} failed: {output[-1] if output else 'no output'}"
            )
    return directory / ("pot_final.ptau" if prepare_phase2 else "pot_0001.ptau")
