"""Every part of the course has a picture, and every diagram parses.

A *part* is a top-level section of the mkdocs nav (Foundations, Curves, ..., Tooling). Each
must have at least one chapter with a picture: a ```mermaid block or a Markdown image.
Diagrams are parsed by the pinned Mermaid under node (tools/mermaid_parse.mjs), so a syntax
error fails here even without a browser; tests/test_site_browser.py checks, in Chromium,
that each one is drawn as an SVG.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
PICTURE = re.compile(r"^```mermaid\b|!\[[^\]]*\]\([^)]+\)", re.MULTILINE)


class _Loader(yaml.SafeLoader):
    """mkdocs.yml's ``!!python/name:`` tags name functions; here they are just strings."""


_Loader.add_multi_constructor("tag:yaml.org,2002:python/", lambda loader, suffix, node: suffix)


def nav_parts() -> dict[str, list[str]]:
    """Top-level nav sections -> their chapter files, in nav order."""
    nav = yaml.load((ROOT / "mkdocs.yml").read_text(), Loader=_Loader)["nav"]
    parts: dict[str, list[str]] = {}
    for entry in nav:
        ((title, value),) = entry.items()
        if isinstance(value, list):
            parts[title] = [page for item in value for page in item.values()]
    return parts


def test_the_nav_has_the_course_parts() -> None:
    parts = nav_parts()
    assert len(parts) >= 10, list(parts)
    assert "1. Foundations" in parts and "Tooling" in parts


def test_every_part_has_a_picture() -> None:
    missing = [
        title for title, pages in nav_parts().items()
        if not any(PICTURE.search((DOCS / page).read_text()) for page in pages)
    ]
    assert missing == [], f"parts without a picture: {missing}"


def test_the_picture_detector_sees_both_kinds() -> None:
    assert PICTURE.search("text\n```mermaid\nflowchart LR\n  a --> b\n```\n")
    assert PICTURE.search("see ![the loss curve](img/loss.png) here")
    assert not PICTURE.search("```python\nprint('mermaid')\n```\n[a link](x.md)")


def _diagram_chapters() -> list[Path]:
    return sorted(p for p in DOCS.glob("*.md") if PICTURE.search(p.read_text()))


@pytest.mark.skipif(
    shutil.which("node") is None or not (ROOT / "node_modules" / "mermaid").is_dir(),
    reason="needs node and node_modules/mermaid (npm ci)",
)
def test_every_diagram_parses(tmp_path: Path) -> None:
    run = subprocess.run(
        ["node", "tools/mermaid_parse.mjs", *map(str, _diagram_chapters())],
        cwd=ROOT, capture_output=True, text=True, timeout=300,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert run.stdout.count("ok ") >= 10
    # the checker is not a rubber stamp: a broken diagram fails it
    broken = tmp_path / "broken.md"
    broken.write_text("```mermaid\nflowchart LR\n    a[\"x\"] --> b[[[\n```\n")
    run = subprocess.run(["node", "tools/mermaid_parse.mjs", str(broken)], cwd=ROOT,
                         capture_output=True, text=True, timeout=300)
    assert run.returncode == 1 and "FAIL" in run.stdout
