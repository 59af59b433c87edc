"""Every user mistake on the command line: one ``error:`` line, exit status 2, no traceback,
and no work done first (issue 16).

Two parts: a table with one row per known mistake (each names what the error line must
say), and hypothesis-generated argument lists built around one option that is always
wrong, with random other options and junk around it.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from zkpot_ref import cli
from zkpot_ref.ledger.config import write_configs


def run_cli(argv: list[str], capsys: pytest.CaptureFixture[str]) -> str:
    """Run ``zkpot argv`` in-process; assert the one-line error and return that line."""
    status = cli.main(argv)
    out, err = capsys.readouterr()
    assert status == 2, (argv, out, err)
    assert err.startswith("error: ") and err.count("\n") == 1, (argv, err)
    assert "Traceback" not in err
    return err


@pytest.fixture
def files(tmp_path: Path) -> dict[str, str]:
    """Paths the table refers to: a plain file, a cluster, broken node configs."""
    (tmp_path / "a-file").write_text("not a directory")
    configs = write_configs(tmp_path / "cluster", 2, [27101, 27102])
    raw = json.loads(configs[0].read_text())
    broken = {
        "data-dir": {**raw, "data_dir": "../a-file/node0"},
        "port-99999": {**raw, "validators": [{**raw["validators"][0], "port": 99999},
                                             raw["validators"][1]]},  # fmt: skip
        "port--1": {**raw, "validators": [{**raw["validators"][0], "port": -1},
                                          raw["validators"][1]]},  # fmt: skip
        "same-keys": {**raw, "validators": [raw["validators"][0],
                                            {**raw["validators"][0], "port": 27102}]},
        "negative-timeout": {**raw, "timeouts": {"propose": -1.0}},
    }  # fmt: skip
    paths = {"file": str(tmp_path / "a-file"), "cluster": str(tmp_path / "cluster"),
             "config": str(configs[0]), "new": str(tmp_path / "new-cluster"),
             "missing": str(tmp_path / "missing" / "x")}  # fmt: skip
    for name, content in broken.items():
        path = tmp_path / "cluster" / f"{name}.json"
        path.write_text(json.dumps(content))
        paths[name] = str(path)
    text = json.dumps(raw)
    duplicated = text[:-1] + ', "index": 0}'  # a JSON key given twice
    (tmp_path / "cluster" / "dup.json").write_text(duplicated)
    paths["dup"] = str(tmp_path / "cluster" / "dup.json")
    return paths


#: (argv with {placeholders} from ``files``, what the error line must contain)
TABLE = [
    # zkpot experiment
    ("experiment --alpha inf", "--alpha inf"),
    ("experiment --alpha nan", "--alpha nan"),
    ("experiment --alpha 0", "--alpha 0"),
    ("experiment --seed -1", "--seed -1"),
    ("experiment --out {file}/sub", "--out"),
    ("experiment --byzantine 1", "needs --attack"),
    ("experiment --attack noise", "needs --byzantine"),
    ("experiment --byzantine 1 --attack meteor", "unknown attack"),
    ("experiment --k 0", "--k 0"),
    ("experiment --k -1", "--k -1"),
    ("experiment --mode top-k --clients 2 --k 3", "--k 3"),
    ("experiment --clients 0", "--clients 0"),
    ("experiment --rounds -1", "--rounds -1"),
    ("experiment --clients 2 --byzantine 3 --attack noise", "--byzantine 3"),
    ("experiment --mode mean-of-nothing", "unknown mode"),
    ("experiment --mode krum --clients 3 --byzantine 1 --attack noise", "--mode krum"),
    ("experiment --mode multi-krum --clients 2", "--mode multi-krum"),
    ("experiment --epochs 0", "--epochs 0"),
    ("experiment --batch-size 0", "--batch-size 0"),
    ("experiment --lr 0", "--lr 0"),
    ("experiment --lr inf", "--lr inf"),
    ("experiment --hidden a,b", "--hidden"),
    ("experiment --mnist {missing} {missing}", "--mnist"),
    ("experiment --k abc", "invalid int value"),
    ("experiment --no-such-option", "unrecognized arguments"),
    ("experiment --proof-test-size 0", "--proof-test-size 0"),
    ("experiment --srs {file}", "work only with --proofs"),
    ("experiment --proofs --srs {missing}", "not a file"),
    ("experiment --proofs --cache {file}", "not a directory"),
    # zkpot node
    ("node", "give --config"),
    ("node --config {missing}", "cannot read node config"),
    ("node --config {data-dir}", "data_dir"),
    ("node --config {port-99999}", "99999 is not a TCP port"),
    ("node --config {port--1}", "-1 is not a TCP port"),
    ("node --config {same-keys}", "same public key"),
    ("node --config {negative-timeout}", "timeouts.propose"),
    ("node --config {dup}", "repeated JSON key"),
    ("node --config {config} --init {new}", "not both"),
    ("node --config {config} --validators 3", "--validators works only with --init"),
    ("node --config {config} --force", "--force works only with --init"),
    ("node --init {file}", "not a directory"),
    ("node --init {new} --base-port 70000", "--base-port 70000"),
    ("node --init {new} --base-port 0", "--base-port 0"),
    ("node --init {new} --base-port 65535 --validators 2", "65536"),
    ("node --init {new} --validators 0", "--validators 0"),
    ("node --init {new} --validators -2", "--validators -2"),
    ("node --init {cluster}", "already holds a cluster"),
    # zkpot simulate
    ("simulate --validators 1", "--byzantine 1 with 1 validators"),
    ("simulate --validators 0 --byzantine 0", "--validators 0"),
    ("simulate --validators 1000 --byzantine 0", "--validators 1000"),
    ("simulate --heights 0", "--heights 0"),
    ("simulate --heights -3", "--heights -3"),
    ("simulate --faults delay --byzantine 1", "needs a Byzantine behaviour"),
    ("simulate --faults delay,equivocate --byzantine 0", "needs --byzantine"),
    ("simulate --validators 4 --byzantine 2", "--byzantine 2"),
    ("simulate --seeds 5-1", "empty range"),
    ("simulate --faults meteor", "unknown fault"),
    # zkpot ceremony
    ("ceremony new {missing}", "does not exist"),
    ("ceremony new {file}/x", "does not exist"),
    ("ceremony new {new} --degree 0", "--degree"),
    ("ceremony verify {missing}", "cannot read"),
    ("ceremony", "required: ACTION"),
    # zkpot demo
    ("demo --log-size 99", "--log-size"),
]


@pytest.mark.parametrize(("argv", "expected"), TABLE)
def test_each_known_mistake_is_one_error_line(argv: str, expected: str, files: dict[str, str],
                                              capsys: pytest.CaptureFixture[str]) -> None:
    words = [word.format(**files) for word in argv.split()]
    assert expected in run_cli(words, capsys)
    assert not Path(files["new"]).exists()  # nothing was written first


def test_init_refuses_etc_passwd_and_keeps_a_cluster(files: dict[str, str],
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    if Path("/etc/passwd").is_file():
        assert "not a directory" in run_cli(["node", "--init", "/etc/passwd"], capsys)
    before = Path(files["config"]).read_bytes()
    run_cli(["node", "--init", files["cluster"]], capsys)
    assert Path(files["config"]).read_bytes() == before
    assert cli.main(["node", "--init", files["cluster"], "--force", "--validators", "1"]) == 0
    assert Path(files["config"]).read_bytes() != before


def test_ceremony_contribute_into_a_missing_folder_fails_before_the_work(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:  # fmt: skip
    start = tmp_path / "start"
    assert cli.main(["ceremony", "new", str(start), "--degree", "4"]) == 0
    capsys.readouterr()
    line = run_cli(["ceremony", "contribute", str(start), str(tmp_path / "no" / "out"),
                    "--name", "alice"], capsys)  # fmt: skip
    assert "folder" in line and "does not exist" in line
    # the same check, once the folder is there, lets the work happen
    (tmp_path / "no").mkdir()
    assert cli.main(["ceremony", "contribute", str(start), str(tmp_path / "no" / "out"),
                     "--name", "alice"]) == 0  # fmt: skip


def test_simulate_with_one_validator_runs(capsys: pytest.CaptureFixture[str]) -> None:
    """Once a crash (unbounded recursion); a lone validator now decides height after height."""
    for faults in ("delay", "delay,crash"):
        argv = ["simulate", "--validators", "1", "--byzantine", "0", "--seeds", "0-1",
                "--faults", faults]  # fmt: skip
        assert cli.main(argv) == 0
        assert capsys.readouterr().out.splitlines()[-1] == (
            "2 runs, 0 safety violations, 0 liveness failures")  # fmt: skip


def test_a_real_process_prints_no_traceback(tmp_path: Path) -> None:
    for argv in (["experiment", "--alpha", "inf"], ["node", "--init", str(tmp_path / "f"),
                                                    "--base-port", "70000"]):  # fmt: skip
        done = subprocess.run([sys.executable, "-m", "zkpot_ref.cli", *argv],
                              capture_output=True, text=True, timeout=120)  # fmt: skip
        assert done.returncode == 2 and done.stderr.startswith("error: ")
        assert done.stderr.count("\n") == 1 and "Traceback" not in done.stderr


# ------------------------------------------------------------------ generated argument lists
#: Per command: options that are wrong whatever else is given (the core of each list).
ALWAYS_WRONG = {
    "experiment": [("--alpha", "inf"), ("--alpha", "-1"), ("--seed", "-1"), ("--k", "0"),
                   ("--clients", "0"), ("--epochs", "0"), ("--lr", "nan"),
                   ("--rounds", "-5"), ("--batch-size", "-1"), ("--k", "x")],
    "simulate": [("--heights", "0"), ("--heights", "-3"), ("--validators", "0"),
                 ("--byzantine", "-1"), ("--seeds", "a-b"), ("--faults", "meteor")],
    "node": [("--validators", "0"), ("--base-port", "70000"), ("--base-port", "-1")],
}  # fmt: skip
#: Options that may be added around the core (never ones that name files).
OTHERS = {
    "experiment": ["--clients", "--rounds", "--byzantine", "--attack", "--alpha", "--mode",
                   "--k", "--seed", "--epochs", "--batch-size", "--lr", "--hidden"],
    "simulate": ["--validators", "--byzantine", "--seeds", "--faults", "--heights"],
    "node": ["--validators", "--base-port"],
}  # fmt: skip
VALUES = st.one_of(
    st.integers(-(10**6), 10**6).map(str),
    st.sampled_from(["inf", "-inf", "nan", "1e309", "", "0", "-0", "1.5", "0x10",
                     "noise", "top-k", "delay,crash", "0-3", "--", "-", "é", "\x00"]),
    st.text(max_size=8),
)  # fmt: skip


@st.composite
def wrong_argument_lists(draw: st.DrawFn) -> list[str]:
    command = draw(st.sampled_from(sorted(ALWAYS_WRONG)))
    core = draw(st.sampled_from(ALWAYS_WRONG[command]))
    others = draw(st.lists(st.sampled_from(OTHERS[command]), unique=True, max_size=4))
    pairs = [core] + [(flag, draw(VALUES)) for flag in others if flag != core[0]]
    order = draw(st.permutations(range(len(pairs))))
    argv = [command] + [word for i in order for word in pairs[i]]
    if command == "node":
        argv += ["--init", "cluster-that-must-not-appear"]
    return argv + draw(st.lists(st.sampled_from(["junk", "-x", "--nope", "7"]), max_size=2))


@settings(max_examples=80, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])  # fmt: skip
@given(argv=wrong_argument_lists())
def test_generated_wrong_argument_lists(argv: list[str], capsys: pytest.CaptureFixture[str],
                                        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)  # whatever slips through would write here, not in the repo
    run_cli(argv, capsys)
    assert not (tmp_path / "cluster-that-must-not-appear").exists()  # refused up front,
    assert not (tmp_path / "experiment-out").exists()  # before anything was written
