"""benchmarks/plot_fastpath.py: one bar per speedup, heights on a log scale, clear errors."""

from __future__ import annotations

import importlib.util
import json
import math
import xml.etree.ElementTree as ET
from pathlib import Path
from types import ModuleType

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "benchmarks" / "plot_fastpath.py"
SVG = "{http://www.w3.org/2000/svg}"


def plot() -> ModuleType:
    spec = importlib.util.spec_from_file_location("plot_fastpath", SCRIPT)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


RESULTS = {"ntt_2_16_speedup": 2.4, "ntt_2_16_speedup_wall": 2.9, "msm_2_16_speedup": 0.42,
           "z_acc_2_12_speedup": 0.9, "trace_n16_speedup": 2.5, "zkpot_n16_jax_wall_s": 106.9,
           "prove_2_16_speedup": 1.0}


def test_one_bar_per_speedup_with_log_heights(tmp_path: Path) -> None:
    source = tmp_path / "bench.txt"
    source.write_text("kernel size ...\nntt 2^16 ...\n" + json.dumps(RESULTS) + "\n")
    out = tmp_path / "chart.svg"
    assert plot().main([str(source), "--out", str(out)]) == 0
    root = ET.parse(out).getroot()
    rects = [r for r in root.iter(f"{SVG}rect") if r.get("class") == "bar"]
    labels = [r.get("data-label") for r in rects]
    assert labels == ["ntt 2^16", "msm 2^16", "z_acc 2^12", "trace n16", "prove 2^16"]
    heights = {r.get("data-label"): float(r.get("height", "nan")) for r in rects}
    # log scale: 2.4x rises as far above parity as 1/2.4x would hang below it
    assert heights["prove 2^16"] == pytest.approx(0, abs=0.05)
    ratio = heights["ntt 2^16"] / heights["msm 2^16"]
    assert ratio == pytest.approx(abs(math.log(2.4) / math.log(0.42)), rel=1e-2)
    lines = {line.get("class") for line in root.iter(f"{SVG}line")}
    assert {"parity", "target"} <= lines


@pytest.mark.parametrize("content", ["", "not json\n", '{"ntt_2_16_speedup_wall": 3}\n', "[1]\n"])
def test_input_without_speedups_is_one_line_and_exit_2(tmp_path: Path, content: str,
                                                         capsys: pytest.CaptureFixture[str]
                                                         ) -> None:
    source = tmp_path / "bench.txt"
    source.write_text(content)
    assert plot().main([str(source), "--out", str(tmp_path / "x.svg")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("plot_fastpath: ") and err.count("\n") == 1
    assert not (tmp_path / "x.svg").exists()


def test_a_missing_file_is_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert plot().main([str(tmp_path / "nope.txt")]) == 2
    assert "cannot read" in capsys.readouterr().err


def test_a_later_file_replaces_an_earlier_figure(tmp_path: Path) -> None:
    first, second = tmp_path / "all.txt", tmp_path / "big.txt"
    first.write_text(json.dumps(RESULTS) + "\n")
    second.write_text(json.dumps({"ntt_2_16_speedup": 3.5, "ntt_2_20_speedup": 1.5}) + "\n")
    out = tmp_path / "chart.svg"
    assert plot().main([str(first), str(second), "--out", str(out)]) == 0
    rects = [r for r in ET.parse(out).getroot().iter(f"{SVG}rect") if r.get("class") == "bar"]
    speedups = {r.get("data-label"): float(r.get("data-speedup", "nan")) for r in rects}
    assert speedups["ntt 2^16"] == 3.5 and speedups["msm 2^16"] == 0.42
    assert [r.get("data-label") for r in rects][-1] == "ntt 2^20"


def test_an_unwritable_output_is_one_line(tmp_path: Path,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    source = tmp_path / "bench.txt"
    source.write_text(json.dumps(RESULTS) + "\n")
    assert plot().main([str(source), "--out", str(tmp_path / "no" / "such" / "x.svg")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("plot_fastpath: error: cannot write") and err.count("\n") == 1
