"""tools/mutation.py, the mutation tester: it generates each kind of mutant, and a mutant the
tests detect is killed while one they cannot see survives (a tiny module, two tests)."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tools import mutation  # noqa: E402

MODULE = '''"""A check to mutate."""

LIMIT = 10


def check(x: int, strict: bool = False) -> bool:
    """Even and in 0..LIMIT."""
    if x < 0 or not isinstance(x, int):
        raise ValueError("negative")
    if strict and x > LIMIT:
        return False
    return x % 2 == 0 and x + 1 > 0
'''

TESTS = '''import pytest
from checked import check


def test_check():
    assert check(4) and not check(3) and not check(12, strict=True)
    with pytest.raises(ValueError):
        check(-1)
'''


def test_every_operator_is_generated() -> None:
    mutants = mutation.find_mutants("checked.py", MODULE)
    kinds = {m.operator for m in mutants}
    assert kinds >= {"arith", "compare-boundary", "compare-negate", "bool-drop", "bool-swap",
                     "if-true", "if-false", "not-drop", "raise-delete", "return-flip",
                     "return-true", "constant"}
    assert kinds <= set(mutation.OPERATORS)
    assert all(m.function == "check" for m in mutants)  # module constants, docstrings: never
    for m in mutants:
        compile(m.apply(MODULE), "checked.py", "exec")
    raise_deleted = next(m for m in mutants if m.operator == "raise-delete")
    assert "raise" not in raise_deleted.apply(MODULE) and raise_deleted.line == 9
    assert mutation.find_mutants("checked.py", MODULE, ("other",)) == []


def test_sampling_is_seeded() -> None:
    mutants = mutation.find_mutants("checked.py", MODULE)
    assert mutation.sample(mutants, 5, 1, "a") == mutation.sample(mutants, 5, 1, "a")
    assert len(mutation.sample(mutants, 5, 1, "a")) == 5
    assert mutation.sample(mutants, 0, 1, "a") == mutants


def test_a_detected_mutant_is_killed_and_an_unseen_one_survives(tmp_path: Path) -> None:
    (tmp_path / "checked.py").write_text(MODULE)
    (tmp_path / "test_checked.py").write_text(TESTS)
    mutants = {(m.operator, m.original, m.replacement): m
               for m in mutation.find_mutants("checked.py", MODULE)}
    deleted = mutants[("raise-delete", 'raise ValueError("negative")', "pass")]
    killed = mutation.run_mutant(tmp_path, deleted, ["test_checked.py"], 60, fork=False)
    assert killed.status == "killed" and "test_check" in killed.by
    boundary = mutants[("compare-boundary", "x < 0", "(x <= 0)")]  # check(0) is never tested
    survived = mutation.run_mutant(tmp_path, boundary, ["test_checked.py"], 60, fork=False)
    assert survived.status == "survived"
    assert (tmp_path / "checked.py").read_text() == MODULE  # restored after each run


def test_instrumented_module_records_statements() -> None:
    namespace: dict[str, object] = {}
    exec(compile(mutation.instrument(MODULE), "checked.py", "exec"), namespace)  # noqa: S102
    hits = namespace["_MUTATION_HITS"]
    hits.clear()  # type: ignore[attr-defined]
    namespace["check"](4)  # type: ignore[operator]
    assert hits == {7, 8, 10, 12}  # docstring, both ifs, the last return; not 9 or 11
