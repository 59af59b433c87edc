"""Benchmark: how fast a course chapter is ready to read, formulas typeset at build time
(KaTeX, what the site uses) or in the browser (MathJax, vendored the same way).

Builds the site twice from the same docs: as configured (`tools/site_katex.py` typesets every
formula with KaTeX during the build) and a variant that leaves the TeX in the page and loads
the pinned MathJax 4 (`tex-mml-chtml.js` and its fonts, copied from node_modules into the
site) to typeset it in the browser. Both are served on 127.0.0.1 and opened in headless
Chromium (tools/browser.py; cache disabled, so every load is a first visit); the two
variants are interleaved, chapter by chapter, so that a busy machine slows both alike.

Prints per chapter: the median (over >= 5 loads) milliseconds from navigation start until
the page is ready (loaded, fonts loaded, every formula typeset, every diagram drawn), the
bytes transferred, and the number of typeset formulas and formula errors (fidelity); then
the MathJax / KaTeX ratio. `--quick` loads each page twice; `--json` ends with one JSON
line; `--screenshots DIR` saves the top of each chapter in both variants.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tools.browser import Browser, RefusingProxy, find_chromium, serve  # noqa: E402

CHAPTERS = ("field", "kzg", "plonk_prover", "ledger_bft")
MATHJAX_CONFIG = """window.MathJax = {
  loader: { paths: { fonts: "[mathjax]/../@mathjax" } },
  tex: { inlineMath: [["\\\\(", "\\\\)"]], displayMath: [["\\\\[", "\\\\]"]],
         processEscapes: true, processEnvironments: true },
  options: { ignoreHtmlClass: ".*|", processHtmlClass: "arithmatex"%s }
};
"""
# MathJax 4 computes speech and Braille for every formula by default (semantic enrichment);
# "mathjax-lean" turns that off, as MathJax 3 had it, to compare typesetting alone; it keeps
# the hidden MathML for screen readers, as the KaTeX pages have.
# (The menu's saved settings win over the options, so both are set.)
LEAN = """,
    enableEnrichment: false, enableSpeech: false, enableBraille: false, enableExplorer: false,
    menuOptions: { settings: { enrich: false, speech: false, braille: false } }"""
VARIANTS = ("katex", "mathjax", "mathjax-lean")
# What a page shows: formulas typeset, formula errors, bytes it transferred.
FIGURES = """(() => {
  const resources = performance.getEntriesByType('resource');
  const nav = performance.getEntriesByType('navigation')[0];
  return {
    formulas: document.querySelectorAll('.katex, mjx-container').length,
    errors: document.querySelectorAll('.katex-error, mjx-merror').length,
    bytes: nav.transferSize + resources.reduce((sum, r) => sum + r.transferSize, 0),
  };
})()"""


def build(site: Path, config: Path) -> None:
    env = dict(os.environ, NO_MKDOCS_2_WARNING="1")
    subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--quiet", "--config-file",
         str(config), "--site-dir", str(site)], cwd=ROOT, env=env, check=True,
    )


def build_mathjax_variant(site: Path, work: Path) -> None:
    """The same site, formulas left as TeX for MathJax in the browser (and the lean twin)."""
    config = work / "mathjax.yml"
    config.write_text(
        f"INHERIT: {ROOT / 'mkdocs.yml'}\n"
        f"docs_dir: {ROOT / 'docs'}\n"
        f"hooks: [{ROOT / 'tools' / 'site_assets.py'}]\n"
        "extra_css: []\n"
        "extra_javascript: [vendor/mathjax-config.js, vendor/mathjax/tex-mml-chtml.js,"
        " javascripts/mermaid.js]\n"
    )
    build(site, config)
    modules = ROOT / "node_modules"
    shutil.copytree(modules / "mathjax", site / "vendor" / "mathjax")
    shutil.copytree(
        modules / "@mathjax" / "mathjax-newcm-font",
        site / "vendor" / "@mathjax" / "mathjax-newcm-font",
    )
    (site / "vendor" / "mathjax-config.js").write_text(MATHJAX_CONFIG % "")
    lean = site.with_name(site.name + "-lean")
    shutil.copytree(site, lean)
    (lean / "vendor" / "mathjax-config.js").write_text(MATHJAX_CONFIG % LEAN)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="two loads a page")
    parser.add_argument("--json", action="store_true", help="end with one JSON line")
    parser.add_argument("--screenshots", type=Path, help="save each chapter's top here")
    args = parser.parse_args()
    chromium = find_chromium()
    if chromium is None:
        print("skipped: no Chromium on PATH (apt-get install chromium)")
        return
    if not (ROOT / "node_modules" / "mathjax").is_dir():
        print("skipped: MathJax is not installed (npm ci)")
        return
    runs = 2 if args.quick else 7
    variants = VARIANTS
    with tempfile.TemporaryDirectory(prefix="zkpot-site-load-") as tmp:
        work = Path(tmp)
        build(work / "katex", ROOT / "mkdocs.yml")
        build_mathjax_variant(work / "mathjax", work)
        proxy = RefusingProxy()
        browser = Browser(chromium, proxy)
        times: dict[tuple[str, str], list[float]] = {}
        figures: dict[tuple[str, str], dict] = {}
        outside: list[str] = []
        try:
            with serve(work) as base:
                for chapter in CHAPTERS:
                    for run in range(runs + 1):  # the first load warms Chromium up
                        for variant in variants:
                            load = browser.open(f"{base}{variant}/{chapter}/")
                            if load.ready_ms is None:
                                raise SystemExit(f"{variant}/{chapter}: never ready to read")
                            local = (base, f"blob:{base}", "data:")
                            outside += [u for u in load.requests if not u.startswith(local)]
                            if run:
                                times.setdefault((chapter, variant), []).append(load.ready_ms)
                            figures[chapter, variant] = browser.evaluate(FIGURES)
                            if args.screenshots and run == runs:
                                args.screenshots.mkdir(parents=True, exist_ok=True)
                                browser.screenshot(args.screenshots / f"{chapter}-{variant}.png")
        finally:
            browser.close()
            proxy.close()
    print(f"Chromium {chromium}; {runs} loads a page, cache disabled; shared machine")
    print(f"{'chapter':14s} {'variant':12s} {'ready ms':>9s} {'KiB':>7s} {'formulas':>9s} "
          f"{'errors':>7s}")
    result: dict[str, float] = {}
    for chapter in CHAPTERS:
        for variant in variants:
            ms = statistics.median(times[chapter, variant])
            fig = figures[chapter, variant]
            print(f"{chapter:14s} {variant:12s} {ms:9.0f} {fig['bytes'] / 1024:7.0f} "
                  f"{fig['formulas']:9d} {fig['errors']:7d}")
            key = f"{chapter}_{variant.replace('-', '_')}"
            result[f"{key}_ready_ms"] = round(ms, 1)
            result[f"{key}_kib"] = round(fig["bytes"] / 1024, 1)
            result[f"{key}_formula_errors"] = fig["errors"]
        for variant in ("mathjax", "mathjax_lean"):
            ratio = result[f"{chapter}_{variant}_ready_ms"] / result[f"{chapter}_katex_ready_ms"]
            result[f"{chapter}_ready_ratio_{variant}_vs_katex"] = round(ratio, 2)
            print(f"{chapter:14s} ready-time ratio {variant} / katex: {ratio:.2f}")
    print(f"requests that tried to leave the machine: {sorted(set(outside)) or 'none'}")
    if args.json:
        print(json.dumps(result))


if __name__ == "__main__":
    main()
