"""The course's code snippets run, so the docs cannot rot.

Every fenced block opened with ```python in docs/**/*.md is executed, in order, with the
blocks of one chapter sharing a namespace (a chapter reads like one session). Blocks
that must not run (pseudo-code, shell) use another fence: ```text, ```bash, ```pycon.

A block made only of snippet lines, `--8<-- "zkpot_ref/x.py:name"`, shows the real code of a
section of the package (pymdownx.snippets, between `# --8<-- [start:name]` and
`# --8<-- [end:name]`). Such a section must be whole functions or methods; the test runs it
in its module's namespace and checks that each function it defines is, statement for
statement, the function the package runs (same owner, same name, same syntax tree): the
chapter shows the code that is tested, not a copy.
"""

from __future__ import annotations

import ast
import importlib
import inspect
import re
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
FENCE = re.compile(r"^```python[^\n]*\n(.*?)^```", re.MULTILINE | re.DOTALL)
CHAPTERS = sorted(p for p in DOCS.rglob("*.md") if FENCE.search(p.read_text()))
SNIPPET = re.compile(r'^--8<-- "([^":]+):([^"]+)"$')


def includes(code: str) -> list[tuple[str, str]] | None:
    """(path, section) for a block made only of snippet lines; None for ordinary code."""
    lines = [line for line in code.splitlines() if line.strip()]
    found = [SNIPPET.match(line) for line in lines]
    if lines and all(found):
        return [(m.group(1), m.group(2)) for m in found if m]
    assert not any(found), "a python block mixes --8<-- includes with code"
    return None


INCLUDES = sorted({
    (chapter.name, path, section)
    for chapter in CHAPTERS
    for match in FENCE.finditer(chapter.read_text())
    for path, section in includes(match.group(1)) or []
})


def test_docs_have_chapters() -> None:
    assert (DOCS / "index.md").exists()


@pytest.mark.parametrize("chapter", CHAPTERS, ids=[str(p.relative_to(DOCS)) for p in CHAPTERS])
def test_chapter_snippets_run(chapter: Path) -> None:
    text = chapter.read_text()
    namespace: dict[str, object] = {"__name__": f"docs.{chapter.stem}"}
    for number, match in enumerate(FENCE.finditer(text), start=1):
        if includes(match.group(1)):
            continue  # the package's own code, checked by test_included_code_is_the_package_code
        code = compile(match.group(1), f"{chapter.name}[block {number}]", "exec")
        exec(code, namespace)  # noqa: S102 - running our own docs is the point


def section_lines(path: str, section: str) -> tuple[list[str], int]:
    """The lines of ``section`` in ``path`` (markers of other sections dropped), and the
    1-based line number of its first line."""
    lines = (ROOT / path).read_text().splitlines()
    starts = [i for i, line in enumerate(lines) if line.strip() == f"# --8<-- [start:{section}]"]
    ends = [i for i, line in enumerate(lines) if line.strip() == f"# --8<-- [end:{section}]"]
    assert len(starts) == len(ends) == 1 and starts[0] < ends[0], f"{path}:{section} markers"
    body = lines[starts[0] + 1 : ends[0]]
    return [line for line in body if not line.strip().startswith("# --8<-- [")], starts[0] + 2


def test_there_are_included_sections() -> None:
    assert len(INCLUDES) >= 12, INCLUDES


@pytest.mark.parametrize("chapter,path,section", INCLUDES,
                         ids=[f"{c}:{s}" for c, _, s in INCLUDES])
def test_included_code_is_the_package_code(chapter: str, path: str, section: str) -> None:
    lines, first = section_lines(path, section)
    source = textwrap.dedent("\n".join(lines))
    tree = ast.parse(source)
    assert tree.body and all(isinstance(node, ast.FunctionDef) for node in tree.body), (
        f"{path}:{section} must be whole functions or methods"
    )
    module = importlib.import_module(path.removesuffix(".py").replace("/", "."))
    # the class, if the section sits inside one: the innermost class around its first line
    owner: object = module
    for node in ast.walk(ast.parse((ROOT / path).read_text())):
        if isinstance(node, ast.ClassDef) and node.lineno < first <= (node.end_lineno or 0):
            owner = getattr(module, node.name)
    namespace = dict(vars(module))
    exec(compile(source, f"{path}:{section}", "exec"), namespace)  # noqa: S102
    for node in tree.body:
        live = getattr(owner, node.name)
        shown = namespace[node.name]
        assert callable(shown) and shown.__name__ == live.__name__
        running = ast.parse(textwrap.dedent(inspect.getsource(live))).body[0]
        assert ast.dump(node) == ast.dump(running), f"{chapter}: {node.name} is not the live code"
