"""Exercise mode: write a student copy of the course with the solutions taken out.

The pattern is minitorch's. In the reference, a solution region is marked

    # BEGIN TASK 1.1: the extended Euclidean algorithm
    ...the reference code...
    # END TASK 1.1

and the tests that grade it carry ``@pytest.mark.task1_1``. ``--student OUT`` copies the
repository (the files git knows, minus nothing else) to OUT and replaces the body of every
region by

    raise NotImplementedError("Task 1.1 — see docs/field.md#tasks")

keeping the BEGIN/END lines, so the student sees where to write and ``--restore`` can put a
reference region back. The chapter named in the message is the one whose ``## Tasks``
section lists the task (every task is listed in exactly one chapter).

Usage:

    python tools/exercises.py --list                       # the tasks, in course order
    python tools/exercises.py --student ../zkpot-student   # write the student copy
    python tools/exercises.py --grade 1.1                  # in the student copy: grade task 1.1
    python tools/exercises.py --restore 1.1 2.3 --into ../zkpot-student   # give up on a task

Grading: ``--grade 1.1`` runs ``python -m pytest -m task1_1`` on the test files that hold
task 1.1's tests (a plain ``pytest -m task1_1`` collects the whole suite, and modules of
later lessons cannot even be imported while their tasks are unsolved). Tasks come in
course order and a task's tests use only tasks before it, so solve them in order (the check
in ``tests/test_exercises.py`` enforces exactly that: with the tasks before k solved and the
rest stubbed, task k's tests fail; solve k and they pass).
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
#: Where regions may live: the reference, and the attack labs beside it.
SOURCE_DIRS = ("zkpot_ref", "labs")
#: Never copied to the student (when the repository is not a git checkout).
SKIP = {".git", ".venv", "node_modules", "site", "site-screenshots", "__pycache__",
        ".pytest_cache", ".hypothesis", ".ruff_cache", ".import_linter_cache", "build",
        "zkpot-demo-out"}

BEGIN = re.compile(r"^(?P<indent>[ \t]*)# BEGIN TASK (?P<id>\d+\.\d+)(?::\s*(?P<title>.*))?$")
END = re.compile(r"^[ \t]*# END TASK (?P<id>\d+\.\d+)\s*$")
LISTED = re.compile(r"\*\*Task (\d+\.\d+)\*\*")


@dataclass(frozen=True)
class Region:
    """One solution region: lines [begin, end] of ``path`` (the BEGIN and END lines)."""

    task: str
    title: str
    path: str  # relative to the repository root
    begin: int
    end: int
    indent: str


def task_key(task: str) -> tuple[int, int]:
    part, number = task.split(".")
    return int(part), int(number)


def marker(task: str) -> str:
    """``"4.3"`` -> ``"task4_3"``, the pytest marker of the task's grading tests."""
    return "task" + task.replace(".", "_")


def regions_in(text: str, path: str) -> list[Region]:
    """The regions of one file; raises ValueError on an unbalanced or nested region."""
    found: list[Region] = []
    open_: tuple[str, str, int, str] | None = None
    for i, line in enumerate(text.splitlines()):
        if m := BEGIN.match(line):
            if open_ is not None:
                raise ValueError(f"{path}:{i + 1}: TASK {m['id']} begins inside TASK {open_[0]}")
            open_ = (m["id"], (m["title"] or "").strip(), i, m["indent"])
        elif m := END.match(line):
            if open_ is None or open_[0] != m["id"]:
                raise ValueError(f"{path}:{i + 1}: END TASK {m['id']} without its BEGIN")
            task, title, begin, indent = open_
            found.append(Region(task, title, path, begin, i, indent))
            open_ = None
    if open_ is not None:
        raise ValueError(f"{path}: TASK {open_[0]} never ends")
    return found


def source_files(root: Path) -> list[Path]:
    return sorted(p for d in SOURCE_DIRS if (root / d).is_dir() for p in (root / d).rglob("*.py"))


def find_regions(root: Path = ROOT) -> list[Region]:
    """Every region under ``root``, in course order; each task has exactly one region."""
    regions = [
        r for p in source_files(root)
        for r in regions_in(p.read_text(), str(p.relative_to(root)))
    ]
    seen: dict[str, Region] = {}
    for r in regions:
        if r.task in seen:
            raise ValueError(f"TASK {r.task} has two regions: {seen[r.task].path}, {r.path}")
        seen[r.task] = r
    return sorted(regions, key=lambda r: task_key(r.task))


def chapters(root: Path = ROOT) -> dict[str, str]:
    """task -> the chapter (``docs/x.md``) whose ``## Tasks`` section lists it."""
    where: dict[str, str] = {}
    for doc in sorted((root / "docs").glob("*.md")):
        text = doc.read_text()
        if "\n## Tasks" not in text:
            continue
        section = text.split("\n## Tasks", 1)[1].split("\n## ", 1)[0]
        for task in LISTED.findall(section):
            where.setdefault(task, f"docs/{doc.name}")
    return where


def stub_text(text: str, path: str, where: dict[str, str]) -> str:
    """``text`` with the body of each region replaced by ``raise NotImplementedError``."""
    lines = text.splitlines(keepends=True)
    for r in reversed(regions_in(text, path)):
        chapter = where.get(r.task, "docs/index.md")
        stub = f'{r.indent}raise NotImplementedError("Task {r.task} — see {chapter}#tasks")\n'
        lines[r.begin + 1 : r.end] = [stub]
    return "".join(lines)


def restore_text(student: str, reference: str, path: str, tasks: set[str]) -> str:
    """``student`` with the regions of ``tasks`` put back from ``reference``."""
    ref = {r.task: r for r in regions_in(reference, path)}
    ref_lines = reference.splitlines(keepends=True)
    lines = student.splitlines(keepends=True)
    for r in reversed(regions_in(student, path)):
        if r.task in tasks:
            body = ref_lines[ref[r.task].begin + 1 : ref[r.task].end]
            lines[r.begin + 1 : r.end] = body
    return "".join(lines)


def repository_files(root: Path) -> list[Path]:
    """The files to copy: what git tracks or would track; without git, a filtered walk."""
    try:
        out = subprocess.run(
            ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
            cwd=root, capture_output=True, check=True,
        ).stdout.decode()
        names = [n for n in out.split("\0") if n]
        return sorted({root / n for n in names if (root / n).is_file()})
    except (OSError, subprocess.CalledProcessError):
        return sorted(
            p for p in root.rglob("*")
            if p.is_file() and not SKIP.intersection(p.relative_to(root).parts)
        )


def grading_files(root: Path = ROOT) -> dict[str, list[str]]:
    """marker -> the test files (relative paths) that hold tests marked with it."""
    found: dict[str, set[str]] = {}
    for path in sorted((root / "tests").rglob("test_*.py")):
        for name in set(re.findall(r"pytest\.mark\.(task\d+_\d+)\b", path.read_text())):
            found.setdefault(name, set()).add(str(path.relative_to(root)))
    return {k: sorted(v) for k, v in found.items()}


def grade(task: str, root: Path = ROOT) -> int:
    """Run task's tests (only the files that hold them); pytest's exit status."""
    files = grading_files(root).get(marker(task))
    if not files:
        raise ValueError(f"no tests are marked {marker(task)} (see --list)")
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:xdist", "-m", marker(task), *files]
    print("$ python", " ".join(command[1:]), flush=True)
    return subprocess.run(command, cwd=root).returncode


def write_student(out: Path, root: Path = ROOT) -> list[Region]:
    """Copy ``root`` to ``out`` with every region stubbed; returns the regions."""
    regions = find_regions(root)
    where = chapters(root)
    with_regions = {r.path for r in regions}
    if out.exists() and any(out.iterdir()):
        raise FileExistsError(f"{out} exists and is not empty: choose a new directory")
    for src in repository_files(root):
        rel = src.relative_to(root)
        dst = out / rel
        dst.parent.mkdir(parents=True, exist_ok=True)
        if str(rel) in with_regions:
            dst.write_text(stub_text(src.read_text(), str(rel), where))
        else:
            shutil.copy2(src, dst)
    return regions


def restore(student_root: Path, tasks: set[str], root: Path = ROOT) -> None:
    """Put the reference regions of ``tasks`` back into a student copy."""
    for r in find_regions(root):
        if r.task in tasks:
            path = student_root / r.path
            path.write_text(restore_text(path.read_text(), (root / r.path).read_text(),
                                         r.path, {r.task}))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    group = parser.add_mutually_exclusive_group(required=True)
    group.add_argument("--student", metavar="OUT", help="write the student copy to OUT")
    group.add_argument("--list", action="store_true", help="list the tasks in course order")
    group.add_argument("--grade", metavar="TASK", help="run the tests of TASK (e.g. 1.1)")
    group.add_argument("--restore", nargs="+", metavar="TASK",
                       help="put the reference solution of TASK back (needs --into)")
    parser.add_argument("--into", metavar="DIR", help="the student copy for --restore")
    args = parser.parse_args(argv)
    try:
        if args.list:
            where = chapters()
            for r in find_regions():
                print(f"{r.task:>5}  {marker(r.task):<9} {r.title:<48} "
                      f"{r.path}  ({where.get(r.task, '?')})")
            return 0
        if args.grade:
            return grade(args.grade)
        if args.restore:
            if not args.into:
                raise ValueError("--restore needs --into DIR (the student copy)")
            known = {r.task for r in find_regions()}
            unknown = sorted(set(args.restore) - known)
            if unknown:
                raise ValueError(f"no such task: {', '.join(unknown)} (see --list)")
            restore(Path(args.into), set(args.restore))
            return 0
        regions = write_student(Path(args.student))
        print(f"wrote {args.student}: {len(regions)} tasks stubbed; start there with "
              f"`python tools/exercises.py --grade {regions[0].task}`")
        return 0
    except BrokenPipeError:  # e.g. `--list | head`
        return 0
    except (OSError, ValueError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
