"""Tests of zkpot_ref/fl/command.py: ``zkpot experiment`` writes CSV + markdown, plots only
with matplotlib, and keeps ``zkpot --help`` free of JAX."""

from __future__ import annotations

import csv
import subprocess
import sys
from pathlib import Path

import pytest

from zkpot_ref import cli
from zkpot_ref.errors import MalformedInput
from zkpot_ref.fl import command


def test_experiment_command_writes_csv_and_markdown(tmp_path: Path, capsys, monkeypatch) -> None:  # noqa: ANN001
    monkeypatch.setitem(sys.modules, "matplotlib", None)  # as if not installed
    argv = ["experiment", "--clients", "3", "--rounds", "2", "--byzantine", "1", "--attack",
            "stale", "--mode", "leader", "--seed", "4", "--out", str(tmp_path)]
    assert cli.main(argv) == 0
    out = capsys.readouterr().out
    assert "plot skipped" in out and "| round |" in out
    rows = list(csv.DictReader((tmp_path / "experiment.csv").open()))
    assert [r["round"] for r in rows] == ["1", "2"]
    assert all(r["rejected"] == "1" and 0 < float(r["accuracy"]) <= 1 for r in rows)
    markdown = (tmp_path / "experiment.md").read_text()
    assert markdown.count("\n| ") == 3 and "mode leader" in markdown
    assert not (tmp_path / "experiment.png").exists()


def test_plot_when_matplotlib_is_there(tmp_path: Path) -> None:
    pytest.importorskip("matplotlib")
    from zkpot_ref.fl.experiment import ExperimentConfig, run_experiment

    result = run_experiment(ExperimentConfig(clients=2, rounds=1))
    assert command.plot(result, tmp_path / "p.png") and (tmp_path / "p.png").stat().st_size > 0


def test_bad_options_give_one_line_errors(capsys, tmp_path: Path) -> None:  # noqa: ANN001
    assert cli.main(["experiment", "--mode", "mean-of-nothing", "--out", str(tmp_path)]) == 2
    assert capsys.readouterr().err.startswith("error: unknown mode")
    assert cli.main(["experiment", "--hidden", "a,b", "--out", str(tmp_path)]) == 2


def test_parse_hidden() -> None:
    assert command.parse_hidden("32") == (32,)
    assert command.parse_hidden("64, 32") == (64, 32)
    assert command.parse_hidden("") == ()
    with pytest.raises(MalformedInput):
        command.parse_hidden("0")


def test_help_does_not_import_jax() -> None:
    code = "import sys, zkpot_ref.cli as c; c.build_parser(); print('jax' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
