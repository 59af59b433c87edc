"""``zkpot demo``: the reduced run CI makes, end to end, and every option's bad values."""

from __future__ import annotations

from pathlib import Path

import pytest

from zkpot_ref import cli


@pytest.mark.slow
def test_the_reduced_demo_runs_end_to_end(tmp_path: Path, capsys) -> None:  # noqa: ANN001
    """--rounds 1 --clients 2, with its real one-party ceremony (no known tau)."""
    out = tmp_path / "chain"
    assert cli.main(["demo", "--rounds", "1", "--clients", "2", "--out", str(out),
                     "--cache", str(tmp_path / "cache")]) == 0
    text = capsys.readouterr().out
    assert "| 0 (Byzantine) |" in text or "| 1 (Byzantine) |" in text
    assert "proof does not verify" in text
    last = text.strip().splitlines()[-1]
    assert last.startswith("chain verified: 1 blocks, 1 rounds, final accuracy")
    assert cli.main(["chain", "verify", str(out)]) == 0


@pytest.mark.parametrize(("args", "message"), [
    (["--clients", "0"], "--clients"), (["--rounds", "0"], "--rounds"),
    (["--byzantine", "9"], "--byzantine"), (["--attack", "sybil"], "--attack"),
    (["--validators", "0"], "--validators"), (["--byzantine-validators", "2"], "--byzantine-v"),
    (["--validator-behaviour", "x"], "--validator-behaviour"), (["--hidden", "0"], "--hidden"),
    (["--hidden", "x"], "--hidden"), (["--test-size", "0"], "--test-size"),
    (["--workers", "0"], "--workers"), (["--epochs", "0"], "--epochs"),
    (["--seed", "-1"], "--seed"), (["--backend", "nope"], "unknown backend"),
    (["--mnist", "a", "b"], "cannot read"), (["--srs", "/nonexistent.zkptau"], "cannot read"),
])
def test_bad_options_are_one_error_line(tmp_path: Path, capsys, args: list[str],
                                        message: str) -> None:  # noqa: ANN001
    assert cli.main(["demo", "--out", str(tmp_path / "o"), *args]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err[-1].startswith("error: ") and message in err[-1], err


def test_an_existing_output_directory_is_refused(tmp_path: Path, capsys) -> None:  # noqa: ANN001
    (tmp_path / "o").mkdir()
    (tmp_path / "o" / "keep.txt").write_text("precious")
    assert cli.main(["demo", "--out", str(tmp_path / "o")]) == 2
    assert "not an empty directory" in capsys.readouterr().err
    assert (tmp_path / "o" / "keep.txt").read_text() == "precious"
    (tmp_path / "file").write_text("x")
    assert cli.main(["demo", "--out", str(tmp_path / "file")]) == 2
