"""The course's code snippets run, so the docs cannot rot.

Every fenced block opened with ```python in docs/**/*.md is executed, in order, with the
blocks of one chapter sharing a namespace (a chapter reads like one session). Blocks
that must not run (pseudo-code, shell) use another fence: ```text, ```bash, ```pycon.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

DOCS = Path(__file__).resolve().parent.parent / "docs"
FENCE = re.compile(r"^```python[^\n]*\n(.*?)^```", re.MULTILINE | re.DOTALL)
CHAPTERS = sorted(p for p in DOCS.rglob("*.md") if FENCE.search(p.read_text()))


def test_docs_have_chapters() -> None:
    assert (DOCS / "index.md").exists()


@pytest.mark.parametrize("chapter", CHAPTERS, ids=[str(p.relative_to(DOCS)) for p in CHAPTERS])
def test_chapter_snippets_run(chapter: Path) -> None:
    text = chapter.read_text()
    namespace: dict[str, object] = {"__name__": f"docs.{chapter.stem}"}
    for number, match in enumerate(FENCE.finditer(text), start=1):
        code = compile(match.group(1), f"{chapter.name}[block {number}]", "exec")
        exec(code, namespace)  # noqa: S102 - running our own docs is the point
