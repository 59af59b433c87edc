"""Tests for the ZKPoT commands: zkpot task create | train | show, zkpot prove, zkpot verify.

One happy path end to end (tiny sizes), then every option and file with a bad value: one
``error:`` line, exit status 2, no traceback."""

from __future__ import annotations

from pathlib import Path

import pytest
from pot_helpers import shared_srs

from zkpot_ref import ceremony, cli
from zkpot_ref.ceremony_format import save_ceremony

KEY = "ab" * 32


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """task create + train + prove once (hidden 2, 1 test image), as a user would."""
    root = tmp_path_factory.mktemp("cli")
    srs = root / "srs.ptau.bin"
    from zkpot_ref.pot import keys

    original = keys.load_srs
    keys.load_srs = lambda path, progress=None: shared_srs()  # the ceremony path is tested
    try:
        task = root / "task"
        args = ["task", "create", str(task), "--srs", str(srs), "--test-size", "1",
                "--hidden", "2", "--cache", str(root / "cache")]
        assert cli.main(args) == 0
        assert cli.main(["task", "train", str(task), "--out", str(root / "m.zkm"),
                         "--epochs", "1"]) == 0
        assert cli.main(["prove", "--task", str(task), "--srs", str(srs), "--model",
                         str(root / "m.zkm"), "--round", "3", "--client-key", KEY, "--out",
                         str(root / "c.proof"), "--cache", str(root / "cache")]) == 0
    finally:
        keys.load_srs = original
    return {"root": root, "task": task, "model": root / "m.zkm", "proof": root / "c.proof",
            "srs": srs}


def test_create_train_prove_verify_show(workspace, capsys) -> None:  # noqa: ANN001
    w = workspace
    assert (w["task"] / "task.zkt").exists() and (w["task"] / "vk.bin").exists()
    assert (w["root"] / "c.proof.salt").exists()
    capsys.readouterr()
    assert cli.main(["verify", "--task", str(w["task"]), str(w["proof"])]) == 0
    assert capsys.readouterr().out.startswith("valid: ")
    assert cli.main(["task", "show", str(w["task"])]) == 0
    assert "(64, 2, 10)" in capsys.readouterr().out


def test_a_tampered_proof_file_exits_1(workspace, tmp_path, capsys) -> None:  # noqa: ANN001
    data = bytearray(workspace["proof"].read_bytes())
    data[9 + 32 + 31] ^= 1  # the round public input
    (tmp_path / "bad.proof").write_bytes(bytes(data))
    assert cli.main(["verify", "--task", str(workspace["task"]), str(tmp_path / "bad.proof")]) == 1
    assert capsys.readouterr().out.startswith("INVALID")


def bad(args: list[str], capsys, message: str) -> None:  # noqa: ANN001
    assert cli.main(args) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err[-1].startswith("error: ") and message in err[-1] and "Traceback" not in err[-1]


def test_prove_bad_inputs(workspace, tmp_path, capsys) -> None:  # noqa: ANN001
    w = workspace
    base = ["prove", "--task", str(w["task"]), "--srs", str(w["srs"]), "--model",
            str(w["model"]), "--round", "1", "--client-key", KEY, "--out",
            str(tmp_path / "p.proof")]

    def with_(option: str, value: str) -> list[str]:
        out = list(base)
        out[out.index(option) + 1] = value
        return out

    bad(with_("--round", "-1"), capsys, "--round")
    bad(with_("--client-key", "xyz"), capsys, "--client-key")
    bad(with_("--client-key", "ab" * 31), capsys, "--client-key")
    bad(base + ["--salt", "zz"], capsys, "--salt")
    bad(base + ["--salt", "f" * 65], capsys, "--salt")
    bad(with_("--out", str(tmp_path / "no" / "dir" / "p.proof")), capsys, "does not exist")
    bad(with_("--task", str(tmp_path / "nowhere")), capsys, "does not exist")
    bad(with_("--model", str(tmp_path / "missing.zkm")), capsys, "cannot read model")
    (tmp_path / "garbage.zkm").write_bytes(b"ZKPOTMDL" + b"\0" * 40)
    bad(with_("--model", str(tmp_path / "garbage.zkm")), capsys, "checksum")
    data = bytearray(w["model"].read_bytes())
    data[20] ^= 1
    (tmp_path / "flipped.zkm").write_bytes(bytes(data))
    bad(with_("--model", str(tmp_path / "flipped.zkm")), capsys, "checksum")
    bad(base + ["--backend", "nope"], capsys, "unknown backend")
    bad(with_("--srs", str(tmp_path / "missing.zkptau")), capsys, "cannot read")


def test_verify_and_task_bad_inputs(workspace, tmp_path, capsys) -> None:  # noqa: ANN001
    w = workspace
    bad(["verify", "--task", str(w["task"]), str(tmp_path / "missing.proof")], capsys,
        "cannot read proof")
    (tmp_path / "junk.proof").write_bytes(b"junk")
    bad(["verify", "--task", str(w["task"]), str(tmp_path / "junk.proof")], capsys,
        "not a zkpot accuracy proof")
    bad(["task", "show", str(tmp_path)], capsys, "cannot read task file")
    (tmp_path / "task.zkt").write_bytes(b"ZKPOTASK" + b"\1" * 40)
    bad(["task", "show", str(tmp_path)], capsys, "checksum")
    srs = str(w["srs"])
    for args, message in [
        (["--test-size", "0"], "--test-size"), (["--test-size", "100000"], "--test-size"),
        (["--hidden", "0"], "--hidden"), (["--hidden", "a,b"], "--hidden"),
        (["--table-bits", "12"], "--table-bits"), (["--seed", "-1"], "--seed"),
        (["--shift", "99"], "shift"), (["--backend", "nope"], "unknown backend"),
    ]:
        bad(["task", "create", str(tmp_path / "t"), "--srs", srs, *args], capsys, message)
    (tmp_path / "file").write_text("x")
    bad(["task", "create", str(tmp_path / "file"), "--srs", srs], capsys, "not a directory")
    bad(["task", "train", str(w["task"]), "--out", str(tmp_path / "m.zkm"), "--epochs", "0"],
        capsys, "--epochs")
    bad(["task", "train", str(w["task"]), "--out", str(tmp_path / "x" / "m.zkm")], capsys,
        "does not exist")


def test_a_ceremony_file_too_small_for_the_task(tmp_path, capsys) -> None:  # noqa: ANN001
    made = ceremony.contribute(ceremony.start(16), "tests")
    save_ceremony(made, tmp_path / "small.zkptau")
    bad(["task", "create", str(tmp_path / "t"), "--srs", str(tmp_path / "small.zkptau"),
         "--test-size", "1", "--hidden", "2", "--cache", str(tmp_path / "c")], capsys,
        "use a larger ceremony")
