"""mkdocs hook: typeset every formula at build time with KaTeX, so pages need no math script.

`pymdownx.arithmatex` (generic mode) leaves each formula in the HTML as
`<span class="arithmatex">\\(...\\)</span>` (inline) or `<div class="arithmatex">\\[...\\]</div>`
(display). This hook replaces each one with KaTeX's HTML (what the reader sees) plus MathML
(what screen readers read), rendered by `tools/katex_render.cjs` with the KaTeX that
package-lock.json pins. The page then only needs KaTeX's stylesheet and fonts, which
`tools/site_assets.py` copies into the site. A formula KaTeX cannot typeset fails the build,
naming the chapter and the formula. docs/site.md says why KaTeX and not MathJax (measured).
"""

from __future__ import annotations

import html
import json
import re
import shutil
import subprocess
from pathlib import Path

from mkdocs.exceptions import PluginError

ROOT = Path(__file__).resolve().parent.parent  # the repository: node_modules/ is here
RENDERER = ROOT / "tools" / "katex_render.cjs"
FORMULA = re.compile(
    r'<(?P<tag>span|div) class="arithmatex">\s*'
    r"(?P<open>\\\(|\\\[)(?P<tex>.*?)(?:\\\)|\\\])"
    r"\s*</(?P=tag)>",
    re.DOTALL,
)
TOC_FORMULA = re.compile(r"\\\((?P<tex>.*?)\\\)", re.DOTALL)


class KaTeX:
    """One long-lived `node` process answering one JSON line per formula."""

    def __init__(self) -> None:
        node = shutil.which("node")
        if node is None or not (ROOT / "node_modules" / "katex").is_dir():
            raise PluginError("KaTeX is not installed: run `npm ci` (`make docs` does it)")
        self.process = subprocess.Popen(
            [node, str(RENDERER)], cwd=ROOT, text=True, encoding="utf-8",
            stdin=subprocess.PIPE, stdout=subprocess.PIPE,
        )

    def render(self, tex: str, display: bool) -> tuple[str | None, str | None]:
        """Return (html, None), or (None, KaTeX's error message)."""
        assert self.process.stdin is not None and self.process.stdout is not None
        self.process.stdin.write(json.dumps({"tex": tex, "display": display}) + "\n")
        self.process.stdin.flush()
        answer = json.loads(self.process.stdout.readline() or '{"error": "KaTeX exited"}')
        return answer.get("html"), answer.get("error")

    def close(self) -> None:
        if self.process.stdin is not None:
            self.process.stdin.close()
        self.process.wait(timeout=10)


_katex: KaTeX | None = None


def _renderer() -> KaTeX:
    global _katex
    if _katex is None:
        _katex = KaTeX()
    return _katex


def _typeset(tex: str, display: bool, where: str) -> str:
    rendered, error = _renderer().render(html.unescape(tex).strip(), display)
    if rendered is None:
        raise PluginError(f"{where}: KaTeX cannot typeset {tex.strip()!r}: {error}")
    return rendered


def on_page_content(html_text: str, page, config, files) -> str:
    """Typeset the page's formulas, and those in its table of contents (headings)."""
    where = page.file.src_path

    def replace(match: re.Match[str]) -> str:
        return _typeset(match["tex"], match["open"] == "\\[", where)

    for item in _toc_items(page.toc):
        item.title = TOC_FORMULA.sub(lambda m: _typeset(m["tex"], False, where), item.title)
    return FORMULA.sub(replace, html_text)


def _toc_items(items):
    for item in items:
        yield item
        yield from _toc_items(item.children)


def on_post_build(config) -> None:
    _stop()


def on_build_error(error) -> None:
    _stop()


def _stop() -> None:
    global _katex
    if _katex is not None:
        _katex.close()
        _katex = None
