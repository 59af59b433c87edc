"""mkdocs hook: the course site loads nothing from outside the site itself.

Two jobs, both at build time (`make docs`, `make serve`):

1. Copy the pinned npm files the pages use into the site, under `vendor/`: KaTeX's
   stylesheet and fonts (for the formulas `tools/site_katex.py` typesets) and Mermaid (the
   diagrams; Material for MkDocs uses a `mermaid` already on the page instead of fetching
   its own from a CDN). package.json / package-lock.json pin the versions; `npm ci`
   installs them into node_modules/.
2. Refuse a configuration that would make a page reach the network: a script or stylesheet
   given as a URL, or the theme's Google Fonts (`theme.font` must be `false`).

tests/test_site_browser.py checks the result in a real browser. See docs/site.md.
"""

from __future__ import annotations

from pathlib import Path

from mkdocs.exceptions import PluginError
from mkdocs.structure.files import File

ROOT = Path(__file__).resolve().parent.parent  # the repository: node_modules/ is here

# site folder -> (folder under node_modules/, the files the pages need, as globs)
VENDORED = {
    "vendor/katex": ("katex/dist", ("katex.min.css", "fonts/*.woff2", "fonts/*.woff")),
    "vendor/mermaid": ("mermaid/dist", ("mermaid.min.js",)),
}


def vendored_files(root: Path = ROOT) -> dict[str, Path]:
    """Map each site path under vendor/ to the installed npm file it is copied from."""
    found: dict[str, Path] = {}
    for site_dir, (package_dir, patterns) in VENDORED.items():
        source = root / "node_modules" / package_dir
        if not source.is_dir():
            raise PluginError(f"{source} is missing: run `npm ci` (`make docs` does it)")
        for pattern in patterns:
            for path in sorted(source.glob(pattern)):
                found[f"{site_dir}/{path.relative_to(source).as_posix()}"] = path
    return found


def on_config(config):
    """Fail the build on any page asset that would come from the network."""
    for key in ("extra_javascript", "extra_css"):
        for entry in config[key]:
            path = str(getattr(entry, "path", entry))
            if "//" in path:
                raise PluginError(f"{key}: {path} would load from the network; vendor it")
    if config.theme.get("font") is not False:
        raise PluginError("theme.font must be false: the theme would fetch Google Fonts")
    return config


def on_files(files, config):
    """Add the vendored npm files to the site (served by `mkdocs serve` too)."""
    for site_path, source in vendored_files().items():
        files.append(File.generated(config, site_path, abs_src_path=str(source)))
    return files
