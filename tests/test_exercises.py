"""Exercise mode (tools/exercises.py): no exercise is graded by a test that cannot fail.

Static checks: every task has one region, at least one grading test, and one chapter that
lists it under ``## Tasks``. The reference passes every grading test: that is the ordinary
suite (every test marked ``taskp_q`` runs in it).

The both-directions check (slow, one student copy per session): tasks come in course order,
and a task's tests may use only the tasks before it. Starting from the student copy (every
region stubbed), for each task k in order:

    1. with tasks < k restored and tasks >= k stubbed, the tests of task k FAIL;
    2. restore task k: the tests of task k PASS (tasks > k still stubbed).

Step 2 of task k and step 1 of task k+1 see the same copy, so they share one pytest run
(``-m "task_k or task_k+1"``, only the files holding those tests): N + 1 runs for N tasks.
A tiny plugin records each test's outcome per task marker. "Fail" means at least one test of
the task failed or errored (or none could be collected); "pass" means at least one passed
and none failed.
"""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
_spec = importlib.util.spec_from_file_location("exercises", ROOT / "tools" / "exercises.py")
exercises = importlib.util.module_from_spec(_spec)
sys.modules.setdefault("exercises", exercises)
_spec.loader.exec_module(exercises)  # type: ignore[union-attr]

MIN_TASKS = 25

PLUGIN = '''
import json, os
import pytest

RESULTS = {}


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    report = (yield).get_result()
    for mark in item.iter_markers():
        if mark.name.startswith("task"):
            counts = RESULTS.setdefault(mark.name, {"passed": 0, "failed": 0})
            if report.failed:
                counts["failed"] += 1
            elif report.when == "call" and report.passed:
                counts["passed"] += 1


def pytest_sessionfinish(session, exitstatus):
    with open(os.environ["ZKPOT_GRADES"], "w") as f:
        json.dump(RESULTS, f)
'''


def test_every_task_has_a_region_a_chapter_and_grading_tests() -> None:
    regions = exercises.find_regions()
    tasks = [r.task for r in regions]
    assert len(tasks) >= MIN_TASKS, tasks
    files = exercises.grading_files()
    where = exercises.chapters()
    for r in regions:
        assert exercises.marker(r.task) in files, f"task {r.task} has no grading test"
        assert r.task in where, f"task {r.task} is listed in no chapter's ## Tasks section"
    assert set(files) == {exercises.marker(t) for t in tasks}, "a marker without a region"
    assert set(where) <= set(tasks), "a chapter lists a task that has no region"


def test_stub_and_restore_round_trip() -> None:
    source = (
        "def f(x):\n"
        "    y = x\n"
        "    # BEGIN TASK 9.9: a title\n"
        "    if y:\n"
        "        return 1\n"
        "    # END TASK 9.9\n"
        "    return 0\n"
    )
    student = exercises.stub_text(source, "m.py", {"9.9": "docs/x.md"})
    assert student == (
        "def f(x):\n"
        "    y = x\n"
        "    # BEGIN TASK 9.9: a title\n"
        '    raise NotImplementedError("Task 9.9 — see docs/x.md#tasks")\n'
        "    # END TASK 9.9\n"
        "    return 0\n"
    )
    assert exercises.restore_text(student, source, "m.py", {"9.9"}) == source
    assert exercises.restore_text(student, source, "m.py", {"1.1"}) == student
    with pytest.raises(ValueError, match="never ends"):
        exercises.regions_in("# BEGIN TASK 1.1\n", "m.py")
    with pytest.raises(ValueError, match="without its BEGIN"):
        exercises.regions_in("# END TASK 1.1\n", "m.py")


def test_tool_refuses_bad_input(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    (tmp_path / "x").write_text("")
    assert exercises.main(["--student", str(tmp_path)]) == 2
    assert exercises.main(["--restore", "99.99", "--into", str(tmp_path)]) == 2
    assert exercises.main(["--grade", "99.99"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 3 and all(line.startswith("error: ") for line in err)


def _grades(copy: Path, markers: list[str], files: list[str], plugin_dir: Path) -> dict:
    out = plugin_dir / "grades.json"
    env = dict(os.environ, ZKPOT_GRADES=str(out), PYTHONPATH=str(plugin_dir))
    env.pop("PYTEST_XDIST_WORKER", None)
    cmd = [sys.executable, "-m", "pytest", "-q", "-p", "no:xdist", "-p", "no:cacheprovider",
           "-p", "zkpot_grades", "--continue-on-collection-errors",
           "-m", " or ".join(markers), *files]
    subprocess.run(cmd, cwd=copy, env=env, capture_output=True, timeout=600)
    return json.loads(out.read_text())


def _failed(counts: dict | None) -> bool:
    return counts is None or counts["failed"] > 0 or counts["passed"] == 0


@pytest.mark.slow
def test_student_copy_fails_until_each_task_is_solved(tmp_path_factory) -> None:
    start_wall, start_cpu, start_children = time.perf_counter(), time.process_time(), os.times()
    copy = tmp_path_factory.mktemp("student") / "zkpot-student"
    plugin_dir = tmp_path_factory.mktemp("plugin")
    (plugin_dir / "zkpot_grades.py").write_text(PLUGIN)
    tasks = [r.task for r in exercises.write_student(copy)]
    shared = ROOT.parent / "shared"  # ../shared/vectors, read by some test modules
    if shared.is_dir():
        (copy.parent / "shared").symlink_to(shared)
    # the student copy holds no solution: every region is one raise
    for r in exercises.find_regions(copy):
        body = (copy / r.path).read_text().splitlines()[r.begin + 1 : r.end]
        assert len(body) == 1 and "raise NotImplementedError" in body[0], r
    files = exercises.grading_files(copy)
    problems: list[str] = []
    timings: list[tuple[float, str]] = []
    previous: str | None = None
    for task in [*tasks, None]:
        if previous is not None:
            exercises.restore(copy, {previous})
        names = [exercises.marker(t) for t in (previous, task) if t is not None]
        started = time.perf_counter()
        grades = _grades(copy, names, sorted({f for n in names for f in files[n]}), plugin_dir)
        timings.append((time.perf_counter() - started, " + ".join(names)))
        if previous is not None and _failed(grades.get(exercises.marker(previous))):
            problems.append(f"task {previous}: its tests fail with its region restored "
                            f"(do they use a later task?) {grades.get(names[0])}")
        if task is not None and not _failed(grades.get(exercises.marker(task))):
            problems.append(f"task {task}: its tests pass with its region stubbed")
        previous = task
    children = os.times()
    cpu = (time.process_time() - start_cpu + children.children_user - start_children.children_user
           + children.children_system - start_children.children_system)
    print(f"both directions for {len(tasks)} tasks: {time.perf_counter() - start_wall:.1f} s "
          f"wall, {cpu:.1f} s CPU; slowest runs: "
          + ", ".join(f"{names} {s:.1f} s" for s, names in sorted(timings, reverse=True)[:5]))
    assert not problems, "\n".join(problems)
