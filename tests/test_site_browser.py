"""The course site renders completely offline, checked in a real browser (issue 18).

Builds the site (`mkdocs build --strict`, as `make docs`) into a temporary folder, serves it
on 127.0.0.1 and opens chapters in headless Chromium (Debian's `chromium`; tools/browser.py
drives it over the DevTools pipe). Chromium's proxy is a local one that records and refuses
every request that is not to loopback, and its DNS answers "not found": nothing leaves the
machine whatever the page asks for. For each chapter we check what a reader would see: no
TeX delimiters left in the text, typeset formulas, every Mermaid diagram drawn as an SVG, no
script errors, and no request outside loopback. A control page that does load from CDNs
shows that the detector sees such requests. Screenshots of two chapters are written to
site-screenshots/ (git-ignored) for a person to look at.

Without Chromium (it is not a Python package; `.ci/run` installs it with apt) the browser
tests skip with that reason; the checks on the built HTML still run.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tools.browser import Browser, PageLoad, RefusingProxy, find_chromium, serve  # noqa: E402

# one site build and one Chromium for the whole file: `make pytest` runs --dist loadgroup
pytestmark = pytest.mark.xdist_group("site")

# The four chapters, docs/site.md, and every other chapter with a diagram (the
# home page, served at the site's root rather than at /index/, is left out).
CHAPTERS = ("field", "kzg", "plonk_prover", "ledger_bft", "site") + tuple(
    page.stem for page in sorted((ROOT / "docs").glob("*.md"))
    if page.stem not in ("field", "kzg", "plonk_prover", "ledger_bft", "site", "index")
    and "```mermaid" in page.read_text()
)
SCREENSHOT_CHAPTERS = ("kzg", "site")
SCREENSHOTS = ROOT / "site-screenshots"
# Chromium's own services (search and sign-in preconnects, device check-in) reach the proxy
# too, whatever the page does; they are refused like everything else. No page of ours has a
# reason to contact google.com (Google Fonts, analytics and CDNs are other hosts). On a
# long visit Chromium's component updater also asks update.googleapis.com, despite
# --disable-component-update; that one host is allowed (fonts.googleapis.com is not).
CHROMIUM_OWN = re.compile(r"(^|\.)google\.com$|^update\.googleapis\.com$")
DELIMITERS = ("\\(", "\\)", "\\[", "\\]", "$$")

# The text a reader sees: every rendered text node outside code and outside MathML.
VISIBLE_TEXT = """(() => {
  const skip = 'pre, code, script, style, template, .katex-mathml, mjx-assistive-mml';
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  const parts = [];
  while (walker.nextNode()) {
    const parent = walker.currentNode.parentElement;
    if (parent && !parent.closest(skip) && parent.checkVisibility()) {
      parts.push(walker.currentNode.data);
    }
  }
  return parts.join('');
})()"""
MATH_COUNT = "document.querySelectorAll('.katex, mjx-container').length"

CONTROL_PAGE = """<!doctype html><html><head>
<link rel="stylesheet" href="https://fonts.googleapis.com/css?family=Roboto">
<script src="https://cdn.jsdelivr.net/npm/mathjax@4/tex-mml-chtml.js"></script>
</head><body><img src="http://example.com/pixel.png">offline?</body></html>"""


@dataclass
class Visit:
    load: PageLoad
    text: str
    formulas: int
    diagrams: list[str]  # per Mermaid block: "svg", "error", "not drawn" or "no svg"


@dataclass
class Browsed:
    base: str
    visits: dict[str, Visit]
    proxy_log: list[str]  # what reached the refusing proxy while the chapters loaded
    control: PageLoad
    control_proxy_log: list[str]


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("site")
    built = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--quiet", "--site-dir", str(out)],
        cwd=ROOT, env=dict(os.environ, NO_MKDOCS_2_WARNING="1"), capture_output=True, text=True,
    )
    assert built.returncode == 0, built.stderr
    return out


def mermaid_blocks(node: dict) -> list[str]:
    """Walk the DOM (closed shadow roots included): one verdict per Mermaid block."""
    found = []
    attrs = dict(zip(node.get("attributes", [])[::2], node.get("attributes", [])[1::2]))
    classes = attrs.get("class", "").split()
    if node.get("localName") == "div" and "mermaid" in classes:
        shadow = node.get("shadowRoots") or [{}]
        svgs = [c for c in shadow[0].get("children", []) if c.get("localName") == "svg"]
        if not svgs:
            found.append("no svg")
        else:
            svg = dict(zip(svgs[0]["attributes"][::2], svgs[0]["attributes"][1::2]))
            found.append("error" if svg.get("aria-roledescription") == "error" else "svg")
    elif ("mermaid" in classes and node.get("localName") == "pre") or "language-mermaid" in classes:
        found.append("not drawn")
    for child in node.get("children", []) + node.get("shadowRoots", []):
        found += mermaid_blocks(child)
    return found


@pytest.fixture(scope="module")
def browsed(site: Path, tmp_path_factory: pytest.TempPathFactory) -> Browsed:
    chromium = find_chromium()
    if chromium is None:
        pytest.skip("no Chromium on PATH (apt-get install chromium; .ci/run installs it)")
    control_dir = tmp_path_factory.mktemp("control")
    (control_dir / "index.html").write_text(CONTROL_PAGE)
    SCREENSHOTS.mkdir(exist_ok=True)
    proxy = RefusingProxy()
    browser = Browser(chromium, proxy)
    visits = {}
    try:
        with serve(site) as base:
            for chapter in CHAPTERS:
                load = browser.open(f"{base}{chapter}/", timeout_s=10)
                visits[chapter] = Visit(
                    load, browser.evaluate(VISIBLE_TEXT), browser.evaluate(MATH_COUNT),
                    mermaid_blocks(browser.document()),
                )
                if chapter in SCREENSHOT_CHAPTERS:
                    browser.screenshot(SCREENSHOTS / f"{chapter}.png")
                print(f"{chapter}: ready after {load.ready_ms or float('nan'):.0f} ms")
        proxy_log = list(proxy.requests)
        with serve(control_dir) as control_base:
            control = browser.open(control_base)
        control_log = proxy.requests[len(proxy_log):]
    finally:
        browser.close()
        proxy.close()
    print(f"screenshots: {SCREENSHOTS}")
    return Browsed(base, visits, proxy_log, control, control_log)


def _outside(load: PageLoad, base: str) -> list[str]:
    local = (base, f"blob:{base}", "data:", "about:")
    return [url for url in load.requests if not url.startswith(local)]


def _host(request_line: str) -> str:
    """The host in a proxy request line: "CONNECT h:443 HTTP/1.1" or "GET http://h/ HTTP/1.1"."""
    target = request_line.split()[1]
    return (urlsplit(target).hostname if "//" in target else target.rsplit(":", 1)[0]) or ""


def _pages(site: Path) -> list[Path]:
    pages = sorted(site.rglob("*.html"))
    assert len(pages) > 30, "the site lost its chapters"
    return pages


# -- the built HTML, every page (no browser needed) ---------------------------------------
LOADS = re.compile(r'<(?:script|img|iframe|source|audio|video|link)\b[^>]*\b(?:src|href)="([^"]+)"')


def test_built_pages_load_nothing_from_outside(site: Path) -> None:
    for page in _pages(site):
        for url in LOADS.findall(page.read_text()):
            assert "//" not in url, f"{page.relative_to(site)} loads {url}"
    for stylesheet in site.rglob("*.css"):
        text = stylesheet.read_text()
        assert not re.search(r"url\(\s*['\"]?(https?:)?//|@import", text), stylesheet


def test_every_formula_is_typeset_at_build_time(site: Path) -> None:
    for page in _pages(site):
        text = page.read_text()
        assert 'class="arithmatex"' not in text, page.relative_to(site)
    assert 'class="katex"' in (site / "kzg" / "index.html").read_text()


# -- the browser ----------------------------------------------------------------------------
def test_the_detector_sees_requests_that_would_leave(browsed: Browsed) -> None:
    outside = _outside(browsed.control, browsed.control.url)
    assert any("cdn.jsdelivr.net" in url for url in outside), outside
    assert any("fonts.googleapis.com" in url for url in outside), outside
    assert "http://example.com/pixel.png" in outside
    log = " ".join(browsed.control_proxy_log)
    for host in ("cdn.jsdelivr.net:443", "fonts.googleapis.com:443", "http://example.com/"):
        assert host in log, browsed.control_proxy_log


def test_no_request_leaves_loopback(browsed: Browsed) -> None:
    for chapter, visit in browsed.visits.items():
        assert _outside(visit.load, browsed.base) == [], chapter
        assert any(url.startswith(browsed.base) for url in visit.load.requests)
    unexpected = [line for line in browsed.proxy_log if not CHROMIUM_OWN.search(_host(line))]
    assert unexpected == [], "requests reached the proxy"


def test_chapters_are_ready_to_read(browsed: Browsed) -> None:
    """Loaded, fonts loaded, formulas typeset, diagrams drawn — within 10 s (see READY)."""
    for chapter, visit in browsed.visits.items():
        assert visit.load.ready_ms is not None, f"{chapter} never became ready"


def test_no_raw_tex_in_the_rendered_text(browsed: Browsed) -> None:
    for chapter, visit in browsed.visits.items():
        assert len(visit.text) > 1000, chapter
        left = [d for d in DELIMITERS if d in visit.text]
        assert left == [], f"{chapter} shows raw TeX {left}"


def test_formulas_are_rendered(browsed: Browsed) -> None:
    for chapter in ("field", "kzg", "plonk_prover", "ledger_bft"):
        assert browsed.visits[chapter].formulas >= 10, chapter


MERMAID_FENCE = re.compile(r"^[ \t]*(?:```+|~~~+)[ \t]*mermaid\b", re.MULTILINE)


def test_every_diagram_became_an_svg(browsed: Browsed) -> None:
    for chapter, visit in browsed.visits.items():
        fences = len(MERMAID_FENCE.findall((ROOT / "docs" / f"{chapter}.md").read_text()))
        assert visit.diagrams == ["svg"] * fences, f"{chapter}: {fences} diagrams in the source"
    assert browsed.visits["site"].diagrams, "docs/site.md has a diagram"


def test_mermaid_is_loaded_only_where_there_is_a_diagram(browsed: Browsed) -> None:
    for chapter, visit in browsed.visits.items():
        loaded = any(url.endswith("/vendor/mermaid/mermaid.min.js") for url in visit.load.requests)
        assert loaded == bool(visit.diagrams), chapter


def test_no_script_errors(browsed: Browsed) -> None:
    for chapter, visit in browsed.visits.items():
        assert visit.load.errors == [], chapter


def test_screenshots_are_kept(browsed: Browsed) -> None:
    for chapter in SCREENSHOT_CHAPTERS:
        png = (SCREENSHOTS / f"{chapter}.png").read_bytes()
        assert png.startswith(b"\x89PNG") and len(png) > 20_000, chapter


def test_only_chromium_s_own_hosts_are_excused() -> None:
    """The allow-list for Chromium's own traffic never excuses a host a page might use."""
    for host in ("www.google.com", "accounts.google.com", "update.googleapis.com"):
        assert CHROMIUM_OWN.search(host), host
    for host in ("fonts.googleapis.com", "fonts.gstatic.com", "cdn.jsdelivr.net",
                 "google.com.evil.example", "notgoogle.com", "update.googleapis.com.evil.example"):
        assert not CHROMIUM_OWN.search(host), host
