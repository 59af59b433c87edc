"""Tests of zkpot_ref/fl/grid.py and benchmarks/fl_grid.py: a reduced grid (seconds),
determinism per seed, resuming from the CSV, the tables, and bad options."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from zkpot_ref.errors import MalformedInput
from zkpot_ref.fl import grid

SMALL = grid.GridSpec(("gated-fedavg", "median"), ("none", "ipm"), (0.5, None), (1,),
                      clients=4, byzantine=1, rounds=1, epochs=1)
TIMES = ("wall_s", "cpu_s")


def _strip(rows: list[dict]) -> list[dict]:
    return [{k: v for k, v in r.items() if k not in TIMES} for r in rows]


@pytest.fixture(scope="module")
def small_rows(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[dict]]:
    path = tmp_path_factory.mktemp("grid") / "grid.csv"
    return path, grid.run_grid(SMALL, path)


def test_configs_cover_the_grid_in_order() -> None:
    configs = grid.configs(SMALL)
    assert len(configs) == len(SMALL) == 8
    assert [(c.mode, c.attack, c.alpha) for c in configs[:3]] == [
        ("gated-fedavg", "none", 0.5), ("median", "none", 0.5), ("gated-fedavg", "ipm", 0.5)]
    assert all(c.f == 1 for c in configs)  # the defence assumes f even when nobody attacks
    assert [c.byzantine for c in configs[:4]] == [0, 0, 1, 1]


def test_grid_is_deterministic_and_resumes(small_rows, tmp_path: Path) -> None:  # noqa: ANN001
    path, rows = small_rows
    assert len(rows) == 8 and {r["alpha"] for r in rows} == {"0.5", "iid"}
    again = grid.run_grid(SMALL, tmp_path / "again.csv")
    assert _strip(again) == _strip(rows)  # the same seed: the same numbers
    before = path.read_text()
    assert _strip(grid.run_grid(SMALL, path)) == _strip(rows)  # all done: nothing re-run
    assert path.read_text() == before
    # resuming after an interruption runs only the missing rows
    lines = before.splitlines(keepends=True)
    partial = tmp_path / "partial.csv"
    partial.write_text("".join(lines[:4]))
    ran: list[str] = []
    resumed = grid.run_grid(SMALL, partial, progress=ran.append)
    assert len(ran) == 5 and _strip(resumed) == _strip(rows)


def test_another_seed_differs() -> None:
    spec = grid.GridSpec(("median",), ("none",), (0.5,), (2,), clients=4, byzantine=1,
                         rounds=1, epochs=1)
    one = grid.run_one(grid.configs(SMALL)[1])
    two = grid.run_one(grid.configs(spec)[0])
    assert one["final_accuracy"] != two["final_accuracy"]


def test_summary_and_markdown(small_rows) -> None:  # noqa: ANN001
    _, rows = small_rows
    fake = [dict(rows[0], seed="1", final_accuracy="0.5"),
            dict(rows[0], seed="2", final_accuracy="0.7")]
    mean, std, n = grid.summarize(fake)[("gated-fedavg", "none", "0.5")]
    assert (round(mean, 6), round(std, 6), n) == (0.6, 0.141421, 2)
    text = grid.markdown(rows, SMALL)
    assert "Dirichlet alpha = 0.5" in text and "IID shards" in text
    assert "| attack | gated-fedavg | median |" in text and text.count("| ipm |") == 2


def test_bad_specs_and_csv(tmp_path: Path) -> None:
    for bad in ({"modes": ("mean-of-nothing",)}, {"attacks": ("sybil",)}, {"alphas": (0.0,)},
                {"seeds": ()}, {"byzantine": 4}, {"rounds": 0}):
        with pytest.raises(MalformedInput):
            grid.GridSpec(**{**SMALL.__dict__, **bad})
    foreign = tmp_path / "other.csv"
    foreign.write_text("a,b\n1,2\n")
    with pytest.raises(MalformedInput):
        grid.read_rows(foreign)


def _script():  # noqa: ANN202
    path = Path(__file__).resolve().parents[2] / "benchmarks" / "fl_grid.py"
    spec = importlib.util.spec_from_file_location("fl_grid_script", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("argv", [
    ["--alphas", "0.5,x"], ["--alphas", "-1"], ["--seeds", "a"], ["--seeds", ""],
    ["--modes", "mean-of-nothing"], ["--attacks", "sybil"], ["--rounds", "0"],
    ["--clients", "1"], ["--byzantine", "7"],
])
def test_script_bad_options(argv: list[str], tmp_path: Path,
                            capsys: pytest.CaptureFixture[str]) -> None:
    assert _script().main([*argv, "--out", str(tmp_path)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("error: ")


def test_script_refuses_a_foreign_csv(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "grid.csv").write_text("a,b\n")
    assert _script().main(["--quick", "--out", str(tmp_path)]) == 2
    assert capsys.readouterr().err.startswith("error: ")


def test_absent_clients_send_nothing() -> None:
    from zkpot_ref.fl.experiment import ExperimentConfig, run_experiment
    from zkpot_ref.fl.model import TrainConfig

    result = run_experiment(ExperimentConfig(clients=4, rounds=1, byzantine=1, attack="absent",
                                             mode="fedavg-all", alpha=0.5, seed=1,
                                             train=TrainConfig(epochs=1)))
    honest = tuple(c for c in range(4) if c not in result.byzantine_ids)
    assert result.rounds[0].selected == honest and result.rounds[0].accepted == 3
    assert grid.GridSpec(("fedavg-all",), ("absent",), (None,), (1,)).attacks == ("absent",)
