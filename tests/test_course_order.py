"""One lesson order: the mkdocs nav, the import-linter layers and every "Read next:" agree.

Definitions (what this file checks):

- **The lesson order** is the list of modules of ``zkpot_ref`` (``__init__.py`` files and
  ``zkpot_ref/integrations/`` aside: integrations such as Flower are optional extras above the
  course, with their own top layer)
  read off the course: walk the mkdocs nav top to bottom; in each chapter take the
  ``Source:`` / ``Sources:`` paragraph near its top and, in it (before any ``Tests:``), every
  ``zkpot_ref/....py`` path in the order written. A module named by several chapters is
  placed where it is first named. Every module of the package must be placed.
- **Read next.** Each module's docstring has a ``Read next:`` line whose *first* ``name.py``
  (resolved against the module's own folder, then against ``zkpot_ref/``) is the next
  module in the lesson order. The last module needs none.
- **Layers.** The top-level layers contract in pyproject.toml ("zkpot_ref follows the
  course order"), read bottom up, must meet the lesson order in order: the layer of each
  module (its top-level module or package) never decreases along the lesson order, and
  every layer holds a lesson. Each package has its own layers contract (``containers``,
  ``exhaustive``), whose layers, bottom up, are exactly its modules in lesson order. With
  these, ``lint-imports`` (``make test``) refuses an import of a later lesson and any
  import cycle inside a package; ``test_no_module_imports_a_later_lesson`` checks the same
  on the source directly.
- **Package overviews.** A package's ``__init__.py`` docstring names all its modules, in
  lesson order (first mentions counted).
- **Numbering.** Numbered nav parts are "1. ...", "2. ..." in order, their chapters
  "p.1 ...", "p.2 ..."; unnumbered parts (Tooling) come last; a chapter's own heading
  carries no second number.
"""

from __future__ import annotations

import ast
import re
import tomllib
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "zkpot_ref"
DOCS = ROOT / "docs"
TOP_CONTRACT = "zkpot_ref follows the course order"
#: optional extras above the course: not lessons, no nested contract, a top layer of their own
EXTRAS = ("zkpot_ref/integrations/",)
EXTRA_LAYERS = ("zkpot_ref.integrations",)
SOURCE_PARAGRAPH = re.compile(r"^Sources?:", re.MULTILINE)
MODULE_PATH = re.compile(r"`(zkpot_ref/[\w/]+\.py)`")
READ_NEXT = re.compile(r"Read next:(.*?)(?:\n\n|\Z)", re.DOTALL)
FIRST_NAME = re.compile(r"``([\w./]+\.py)``")


class _Loader(yaml.SafeLoader):
    """mkdocs.yml's ``!!python/name:`` tags name functions; here they are just strings."""


_Loader.add_multi_constructor("tag:yaml.org,2002:python/", lambda loader, suffix, node: suffix)


def nav() -> list[tuple[str, list[tuple[str, str]]]]:
    """[(part title, [(chapter title, file), ...]), ...]; Home is a part of one page."""
    parts = []
    for entry in yaml.load((ROOT / "mkdocs.yml").read_text(), Loader=_Loader)["nav"]:
        ((title, value),) = entry.items()
        chapters = [next(iter(item.items())) for item in value] if isinstance(value, list) \
            else [(title, value)]
        parts.append((title, chapters))
    return parts


def chapter_modules(page: str) -> list[str]:
    """The modules a chapter's Source(s) paragraph names, in order (paths from the root)."""
    text = (DOCS / page).read_text()
    match = SOURCE_PARAGRAPH.search(text[:1500])
    if not match:
        return []
    paragraph = text[match.start():].split("\n\n", 1)[0].split("Tests:", 1)[0]
    return [m for m in MODULE_PATH.findall(paragraph)
            if not m.endswith("__init__.py") and not m.startswith(EXTRAS)]


def lesson_order() -> list[str]:
    order: list[str] = []
    for _, chapters in nav():
        for _, page in chapters:
            order += [m for m in chapter_modules(page) if m not in order]
    return order


def all_modules() -> list[str]:
    return sorted(path for p in PACKAGE.rglob("*.py")
                  if p.name != "__init__.py"
                  and not (path := str(p.relative_to(ROOT))).startswith(EXTRAS))


def dotted(path: str) -> str:
    return path.removesuffix(".py").replace("/", ".")


def read_next(path: str) -> str | None:
    """The module the docstring's "Read next:" names first (a path from the root), or None."""
    docstring = ast.get_docstring(ast.parse((ROOT / path).read_text())) or ""
    match = READ_NEXT.search(docstring)
    name = match and FIRST_NAME.search(match.group(1))
    if not name:
        return None
    for base in ((ROOT / path).parent, PACKAGE):
        candidate = (base / name.group(1)).resolve()
        if candidate.is_file():
            return str(candidate.relative_to(ROOT))
    return f"(missing) {name.group(1)}"


def contracts() -> list[dict]:
    return tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]["contracts"]


def layer_names(layer: str) -> list[str]:
    return [name.strip().strip("()") for name in re.split(r"[|:]", layer)]


# -- the lesson order ------------------------------------------------------------------------
def test_every_module_is_a_lesson_of_some_chapter() -> None:
    order = lesson_order()
    assert sorted(order) == all_modules(), (
        f"not in any chapter's Source line: {sorted(set(all_modules()) - set(order))}; "
        f"named but missing: {sorted(set(order) - set(all_modules()))}"
    )
    assert order[0] == "zkpot_ref/errors.py" and order[-1] == "zkpot_ref/cli.py"


def test_every_read_next_names_the_next_lesson() -> None:
    order = lesson_order()
    wrong = [
        f"{module}: Read next {read_next(module)}, the next lesson is {following}"
        for module, following in zip(order, order[1:])
        if read_next(module) != following
    ]
    assert wrong == [], "\n".join(wrong)


def test_the_read_next_parser_resolves_both_ways() -> None:
    assert read_next("zkpot_ref/errors.py") == "zkpot_ref/field.py"           # same folder
    assert read_next("zkpot_ref/transcript.py") == "zkpot_ref/curve/fq2.py"   # into a package
    assert read_next("zkpot_ref/curve/eip197.py") == "zkpot_ref/kzg.py"       # out of one


def test_package_overviews_list_their_lessons_in_order() -> None:
    order = lesson_order()
    for init in sorted(PACKAGE.rglob("*/__init__.py")):
        if str(init.relative_to(ROOT)).startswith(EXTRAS):
            continue
        docstring = ast.get_docstring(ast.parse(init.read_text())) or ""
        named: list[str] = []
        for name in FIRST_NAME.findall(docstring):
            if (init.parent / name).is_file() and name not in named:
                named.append(name)
        lessons = [Path(m).name for m in order if Path(m).parent == init.parent.relative_to(ROOT)]
        assert named == lessons, f"{init.relative_to(ROOT)}: names {named}, lessons {lessons}"


# -- the layers ------------------------------------------------------------------------------
def test_the_top_level_layers_follow_the_lesson_order() -> None:
    (contract,) = [c for c in contracts() if c["name"] == TOP_CONTRACT]
    course_layers = [layer for layer in contract["layers"] if layer not in EXTRA_LAYERS]
    assert contract["layers"][: len(contract["layers"]) - len(course_layers)] == [
        layer for layer in contract["layers"] if layer in EXTRA_LAYERS
    ], "the extras sit above the whole course"
    index = {name: i for i, layer in enumerate(reversed(course_layers))
             for name in layer_names(layer)}

    def layer_of(path: str) -> int:
        parts = dotted(path).split(".")
        for depth in range(len(parts), 0, -1):
            if ".".join(parts[:depth]) in index:
                return index[".".join(parts[:depth])]
        raise AssertionError(f"{path} is in no layer of {TOP_CONTRACT!r}")

    order = lesson_order()
    levels = [layer_of(m) for m in order]
    inversions = [f"{a} (layer {x}) before {b} (layer {y})"
                  for a, b, x, y in zip(order, order[1:], levels, levels[1:]) if y < x]
    assert inversions == [], "\n".join(inversions)
    assert set(levels) == set(range(len(course_layers))), "a layer without a lesson"


def test_each_package_has_a_layers_contract_in_lesson_order() -> None:
    order = lesson_order()
    packages = sorted({p.parent.name for p in PACKAGE.rglob("*/__init__.py")
                       if not str(p.relative_to(ROOT)).startswith(EXTRAS)})
    nested = {c["containers"][0]: c for c in contracts() if c.get("containers")}
    for package in packages:
        contract = nested.get(f"zkpot_ref.{package}")
        assert contract is not None, f"no layers contract for zkpot_ref/{package}/"
        assert contract.get("exhaustive") is True, package
        layers = [name for layer in reversed(contract["layers"]) for name in layer_names(layer)]
        lessons = [Path(m).stem for m in order if m.startswith(f"zkpot_ref/{package}/")]
        assert layers == lessons, f"zkpot_ref/{package}/: layers {layers}, lessons {lessons}"


def _imports(path: str) -> set[str]:
    """zkpot_ref modules ``path`` imports, at any depth (function-level imports included)."""
    tree = ast.parse((ROOT / path).read_text())
    known = {dotted(m) for m in all_modules()}
    found = set()
    for node in ast.walk(tree):
        names = []
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
        found |= {n for n in names if n in known}
    return found - {dotted(path)}


def test_no_module_imports_a_later_lesson() -> None:
    position = {dotted(m): i for i, m in enumerate(lesson_order())}
    forward = [f"{m} imports {d}" for m, i in position.items()
               for d in sorted(_imports(m.replace(".", "/") + ".py")) if position[d] > i]
    assert forward == [], "\n".join(forward)


# -- the numbering ---------------------------------------------------------------------------
def test_one_lesson_numbering() -> None:
    parts = [(title, chapters) for title, chapters in nav() if title != "Home"]
    numbered = [p for p in parts if re.match(r"\d+\. ", p[0])]
    assert parts[: len(numbered)] == numbered, "unnumbered parts come after the numbered ones"
    assert len(numbered) >= 9
    for number, (title, chapters) in enumerate(numbered, start=1):
        assert title.startswith(f"{number}. "), title
        for k, (chapter, page) in enumerate(chapters, start=1):
            assert chapter.startswith(f"{number}.{k} "), f"{chapter!r} should be {number}.{k}"
            heading = (DOCS / page).read_text().splitlines()[0]
            assert not re.match(r"# [\w ]+ \d+:", heading), f"{page}: a second numbering"


# -- notation (docs/index.md#notation) -------------------------------------------------------
XI_PARTS = ("curve_tower.md", "curve_points.md", "curve_pairing.md", "index.md")
BLINDER_AS_B = re.compile(r"(?<![\\\w])b_(\{\d+\}|\d)")


def test_one_meaning_per_symbol() -> None:
    """xi is the tower's 9 + u, so the evaluation point is zeta; b is a wire, not a blinder."""
    for page in sorted(DOCS.glob("*.md")):
        text = page.read_text()
        if page.name not in XI_PARTS:
            assert "\\xi" not in text, f"{page.name}: \\xi outside the tower (use \\zeta)"
        if page.name.startswith("plonk_"):
            assert not BLINDER_AS_B.search(text), f"{page.name}: blinders are \\rho_i, b is a wire"
    assert BLINDER_AS_B.search("(b_1 X + b_{10})") and not BLINDER_AS_B.search("\\bar b, q_{b,j}")
