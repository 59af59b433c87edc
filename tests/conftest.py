"""Shared pytest set-up: the exercise markers.

Each solution region of the course (``# BEGIN TASK p.q`` in ``zkpot_ref/`` or ``labs/``) is
graded by the tests marked ``@pytest.mark.taskp_q`` (see ``tools/exercises.py`` and
``docs/how_to_take_this_course.md``). The markers are registered here, read from the
regions themselves, so a new task needs no edit to ``pyproject.toml``.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
BEGIN = re.compile(r"^[ \t]*# BEGIN TASK (\d+)\.(\d+)", re.MULTILINE)


def task_markers() -> list[str]:
    found = set()
    for folder in ("zkpot_ref", "labs"):
        for path in (ROOT / folder).rglob("*.py"):
            found.update(f"task{p}_{q}" for p, q in BEGIN.findall(path.read_text()))
    return sorted(found)


def pytest_configure(config: pytest.Config) -> None:
    for name in task_markers():
        task = name[4:].replace("_", ".")
        config.addinivalue_line("markers", f"{name}: grades exercise task {task}")
