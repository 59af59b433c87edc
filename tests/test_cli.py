"""Tests for zkpot_ref/cli.py and zkpot_ref/tour.py: help, one-line errors, the tour."""

from __future__ import annotations

import subprocess
import sys

import pytest

from zkpot_ref import cli


def test_help_lists_every_command(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main([]) == 0
    out = capsys.readouterr().out
    for name in cli.COMMANDS:
        assert name in out


def test_tour_runs(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["tour", "--log-size", "6"]) == 0
    out = capsys.readouterr().out
    assert "INTT(NTT(f)) == f: True" in out
    assert "verifies for y: True;  for y + 1: False" in out
    assert "opens: True;  with other weights: False" in out


def test_user_mistakes_are_one_line_errors(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["tour", "--log-size", "99"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and err.count("\n") == 1 and "Traceback" not in err


def test_the_installed_entry_point() -> None:
    done = subprocess.run([sys.executable, "-m", "zkpot_ref.cli", "tour", "--log-size", "0"],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 2 and "error: --log-size" in done.stderr
    assert "Traceback" not in done.stderr
