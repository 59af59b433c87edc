"""Ceremony files and the ``zkpot ceremony`` command (zkpot_ref/ceremony_format.py)."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from zkpot_ref.ceremony import Ceremony, contribute, start, verify_ceremony
from zkpot_ref.ceremony_format import (
    HEADER,
    ceremony_from_bytes,
    ceremony_to_bytes,
    load_ceremony,
    save_ceremony,
)
from zkpot_ref.cli import main
from zkpot_ref.curve import G1, G2, Fq2
from zkpot_ref.errors import MalformedInput, SetupError, ZkpotError
from zkpot_ref.field import P_MODULUS, R_MODULUS, sqrt_mod

DEGREE = 3


@pytest.fixture(scope="module")
def ceremony() -> Ceremony:
    c = start(DEGREE)
    for name, secret in (("alice", 11), ("bob", 22)):
        c = contribute(c, name, secret=secret)
    return c


@pytest.fixture(scope="module")
def encoded(ceremony: Ceremony) -> bytes:
    return ceremony_to_bytes(ceremony)


def reseal(body: bytes) -> bytes:
    """Replace the checksum, as a forger would: then only validation can stop the change."""
    return body + hashlib.sha256(body).digest()


def test_round_trip(ceremony: Ceremony, encoded: bytes, tmp_path: Path) -> None:
    decoded = ceremony_from_bytes(encoded)
    assert decoded == ceremony
    assert ceremony_to_bytes(decoded) == encoded
    path = tmp_path / "pot.zkptau"
    save_ceremony(ceremony, path)
    assert load_ceremony(path) == ceremony and verify_ceremony(load_ceremony(path))
    assert not (tmp_path / "pot.zkptau.tmp").exists()


def test_layout(encoded: bytes) -> None:
    magic, version, degree, count = HEADER.unpack_from(encoded)
    assert (magic, version, degree, count) == (b"ZKPOTTAU", 1, DEGREE, 2)
    assert encoded[HEADER.size : HEADER.size + 64] == G1.generator().to_bytes()
    assert hashlib.sha256(encoded[:-32]).digest() == encoded[-32:]


def test_any_flipped_byte_is_caught_by_the_checksum(encoded: bytes) -> None:
    for position in range(0, len(encoded), 97):
        corrupted = bytearray(encoded)
        corrupted[position] ^= 0x01
        with pytest.raises(MalformedInput):
            ceremony_from_bytes(bytes(corrupted))


def _twist_point_outside_g2() -> bytes:
    """A point on the twist E'(Fq2) that is not in G2 (the cofactor is huge, so almost any)."""
    from zkpot_ref.curve.g2 import B2

    for x0 in range(1, 100):
        x = Fq2(x0, 1)
        rhs = x * x * x + B2
        # y^2 = rhs in Fq2: try y in Fq (needs rhs.c1 == 0) is rare; use the norm trick
        n = sqrt_mod(rhs.norm(), P_MODULUS)
        if n is None:
            continue
        half = (rhs.c0 + n) * pow(2, -1, P_MODULUS) % P_MODULUS
        a = sqrt_mod(half, P_MODULUS)
        if a is None:
            half = (rhs.c0 - n) * pow(2, -1, P_MODULUS) % P_MODULUS
            a = sqrt_mod(half, P_MODULUS)
        if not a:
            continue
        y = Fq2(a, rhs.c1 * pow(2 * a, -1, P_MODULUS) % P_MODULUS)
        assert y * y == rhs
        point = G2(x, y, Fq2.one())
        assert point.is_on_curve() and not point.is_in_subgroup()
        return b"".join(c.to_bytes(32, "big") for c in (x.c1, x.c0, y.c1, y.c0))
    raise AssertionError("no twist point found")


def test_invalid_points_are_refused_even_with_a_valid_checksum(encoded: bytes) -> None:
    body = encoded[:-32]
    g1_at = HEADER.size + 64 * 2  # [tau^2]_1
    g2_at = HEADER.size + 64 * (DEGREE + 1)  # [tau]_2
    cases = {
        "off curve": body[:g1_at] + (1).to_bytes(32, "big") * 2 + body[g1_at + 64 :],
        "x >= p": body[:g1_at] + P_MODULUS.to_bytes(32, "big") + body[g1_at + 32 :],
        "G2 not in subgroup": body[:g2_at] + _twist_point_outside_g2() + body[g2_at + 128 :],
    }
    for name, forged in cases.items():
        with pytest.raises(MalformedInput):
            ceremony_from_bytes(reseal(forged))
        assert name


def test_header_and_structure_errors(ceremony: Ceremony, encoded: bytes) -> None:
    body = encoded[:-32]
    contribution = ceremony.contributions[1].to_bytes()
    s_at = len(body) - 32
    name_at = len(body) - len(contribution)
    bad_bodies = [
        b"NOTATAU!" + body[8:],
        body[:8] + bytes([2]) + body[9:],
        body[:9] + (0).to_bytes(4, "big") + body[13:],
        body[:9] + (1 << 29).to_bytes(4, "big") + body[13:],
        body[:13] + (9).to_bytes(4, "big") + body[17:],  # more contributions than bytes
        body[:13] + (1).to_bytes(4, "big") + body[17:],  # trailing bytes
        body[:-1],
        body[:s_at] + R_MODULUS.to_bytes(32, "big"),
        body[:name_at] + bytes([0]) + body[name_at + 1 :],
        body[:name_at] + bytes([250]) + body[name_at + 1 :],
        body[:name_at + 1] + b"\xff" + body[name_at + 2 :],  # "bob" -> invalid UTF-8
    ]
    for bad in bad_bodies:
        with pytest.raises(MalformedInput):
            ceremony_from_bytes(reseal(bad))
    for raw in (b"", b"short", "text"):
        with pytest.raises(MalformedInput):
            ceremony_from_bytes(raw)  # type: ignore[arg-type]


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.data())
def test_random_mutations_only_raise_zkpot_errors(encoded: bytes, data: st.DataObject) -> None:
    body = bytearray(encoded[:-32])
    for _ in range(data.draw(st.integers(1, 3))):
        body[data.draw(st.integers(0, len(body) - 1))] = data.draw(st.integers(0, 255))
    try:
        decoded = ceremony_from_bytes(reseal(bytes(body)))
    except MalformedInput:
        return
    assert verify_ceremony(decoded) in (True, False)


def test_file_errors(tmp_path: Path) -> None:
    with pytest.raises(SetupError):
        load_ceremony(tmp_path / "missing")
    with pytest.raises(SetupError):
        save_ceremony(start(1), tmp_path / "no-such-dir" / "x")


def test_cli_new_contribute_verify(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    a, b, c = (str(tmp_path / n) for n in ("a", "b", "c"))
    assert main(["ceremony", "new", a, "--degree", "4"]) == 0
    assert main(["ceremony", "contribute", a, b, "--name", "alice"]) == 0
    assert main(["ceremony", "contribute", b, c, "--name", "bob"]) == 0
    assert main(["ceremony", "verify", c]) == 0
    out, err = capsys.readouterr()
    assert "transcript verified (2 contributions)" in out
    assert "updating powers: 5/5 (100%)" in err and "multi-pairing" in err
    assert [x.name for x in load_ceremony(c).contributions] == ["alice", "bob"]


def test_cli_errors_are_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    a = str(tmp_path / "a")
    assert main(["ceremony", "new", a, "--degree", "2"]) == 0
    capsys.readouterr()
    for argv in (
        ["ceremony", "verify", a],  # no contributions: tau = 1 is public
        ["ceremony", "verify", str(tmp_path / "missing")],
        ["ceremony", "new", a, "--degree", "0"],
        ["ceremony", "contribute", a, a + "2", "--name", ""],
    ):
        assert main(argv) == 2
        err = capsys.readouterr().err.strip().splitlines()
        assert err[-1].startswith("error: ") and "Traceback" not in "".join(err)
    broken = tmp_path / "broken"
    broken.write_bytes(Path(a).read_bytes()[:-1])
    assert main(["ceremony", "contribute", str(broken), a + "3", "--name", "x"]) == 2
    assert "checksum" in capsys.readouterr().err
    assert issubclass(MalformedInput, ZkpotError)
