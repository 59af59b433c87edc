"""The mkdocs hooks that make the course site work offline: tools/site_assets.py and
tools/site_katex.py (the whole site in a browser: tests/test_site_browser.py)."""

from __future__ import annotations

import sys
from pathlib import Path
from types import SimpleNamespace

import pytest
from mkdocs.exceptions import PluginError

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tools import site_assets, site_katex  # noqa: E402


class FakeConfig(dict):
    def __init__(self, font: object = False, **lists: list[str]) -> None:
        super().__init__({"extra_javascript": [], "extra_css": [], **lists})
        self.theme = {"name": "material", "font": font}


def _page(toc: list | None = None) -> SimpleNamespace:
    return SimpleNamespace(file=SimpleNamespace(src_path="chapter.md"), toc=toc or [])


def _typeset(html: str, toc: list | None = None) -> str:
    try:
        return site_katex.on_page_content(html, page=_page(toc), config=None, files=None)
    finally:
        site_katex.on_post_build(None)


# -- site_assets ----------------------------------------------------------------------------
def test_local_assets_and_no_theme_font_are_accepted() -> None:
    config = FakeConfig(extra_javascript=["javascripts/mermaid.js"], extra_css=["vendor/k.css"])
    assert site_assets.on_config(config) is config


@pytest.mark.parametrize("key", ["extra_javascript", "extra_css"])
@pytest.mark.parametrize("url", ["https://cdn.jsdelivr.net/npm/mathjax@3/x.js", "//unpkg.com/m"])
def test_an_asset_from_the_network_fails_the_build(key: str, url: str) -> None:
    with pytest.raises(PluginError, match="would load from the network"):
        site_assets.on_config(FakeConfig(**{key: [url]}))


@pytest.mark.parametrize("font", [None, {"text": "Roboto"}])
def test_the_theme_must_not_fetch_google_fonts(font: object) -> None:
    with pytest.raises(PluginError, match="theme.font must be false"):
        site_assets.on_config(FakeConfig(font=font))


def test_vendored_files_are_the_pinned_npm_files() -> None:
    files = site_assets.vendored_files()
    assert files["vendor/katex/katex.min.css"] == ROOT / "node_modules/katex/dist/katex.min.css"
    assert files["vendor/mermaid/mermaid.min.js"].stat().st_size > 1_000_000
    fonts = [path for path in files if path.startswith("vendor/katex/fonts/")]
    assert any(p.endswith("KaTeX_Main-Regular.woff2") for p in fonts)
    css = files["vendor/katex/katex.min.css"].read_text()
    assert all(f"fonts/{Path(p).name}" in css for p in fonts if p.endswith(".woff2"))


def test_a_missing_npm_install_is_one_clear_error(tmp_path: Path) -> None:
    with pytest.raises(PluginError, match="run `npm ci`"):
        site_assets.vendored_files(tmp_path)


# -- site_katex -----------------------------------------------------------------------------
def test_inline_and_display_formulas_become_katex_html() -> None:
    html = _typeset(
        '<p>Let <span class="arithmatex">\\(a &lt; p\\)</span>.</p>\n'
        '<div class="arithmatex">\\[ \\sum_j c_j \\]</div>'
    )
    assert "arithmatex" not in html and "\\(" not in html and "\\[" not in html
    assert html.count('class="katex"') == 2 and html.count('class="katex-display"') == 1
    # the entity was unescaped before typesetting: KaTeX saw "a < p" (its MathML says so)
    assert '<annotation encoding="application/x-tex">a &lt; p</annotation>' in html


def test_text_without_formulas_is_unchanged() -> None:
    html = "<p>No math here: <code>\\(x\\)</code> is code.</p>"
    assert _typeset(html) == html


def test_formulas_in_the_table_of_contents_are_typeset() -> None:
    child = SimpleNamespace(title="Dividing by \\(X - z\\)", children=[])
    top = SimpleNamespace(title="Polynomials", children=[child])
    _typeset("<p>text</p>", toc=[top])
    assert top.title == "Polynomials"
    assert child.title.startswith("Dividing by <span class=\"katex\">") and "\\(" not in child.title


def test_a_formula_katex_cannot_typeset_fails_the_build_naming_it() -> None:
    with pytest.raises(PluginError, match=r"chapter\.md: KaTeX cannot typeset '\\\\frac\{1\}'"):
        _typeset('<span class="arithmatex">\\(\\frac{1}\\)</span>')
