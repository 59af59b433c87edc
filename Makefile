# The two commands: `make demo` and `make test`. Each installs what it needs into .venv
# on a fresh machine and is fast when everything is already installed (a stamp file
# remembers the install; it is redone when pyproject.toml changes).
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-dev

.PHONY: demo test lint layers sizes pytest docs serve bench-quick mutation clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev,flower]'
	touch $(STAMP)

# snarkjs and circom2 (test-only) for the interop tests, KaTeX and Mermaid for the course site
# (docs/site.md); package-lock.json pins them.
NODE_STAMP := node_modules/.installed

$(NODE_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $(NODE_STAMP)

demo: $(STAMP)
	$(BIN)/zkpot --help
	rm -rf zkpot-demo-out
	$(BIN)/zkpot demo --out zkpot-demo-out

test: lint layers sizes pytest docs

lint: $(STAMP)
	$(BIN)/ruff check .

layers: $(STAMP)
	$(BIN)/lint-imports

sizes: $(STAMP)
	$(BIN)/python tools/sizes.py

# loadgroup: the site's browser tests (one xdist_group) share one build and one Chromium
pytest: $(STAMP) $(NODE_STAMP)
	$(BIN)/python -m pytest -n 2 --dist loadgroup -q

# The course site: formulas typeset at build time, nothing loaded from outside (docs/site.md).
docs: $(STAMP) $(NODE_STAMP)
	NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs build --strict --quiet --site-dir site

# Read the course locally: http://127.0.0.1:8000 (loopback only), rebuilt on every edit.
serve: $(STAMP) $(NODE_STAMP)
	NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs serve --dev-addr 127.0.0.1:8000

bench-quick: $(STAMP)
	for b in benchmarks/*.py; do $(BIN)/python $$b --quick || exit 1; done

# Mutation testing of the soundness-critical modules (docs/architecture.md); slow (an hour or
# more on a busy machine), so not part of `test`. The report lands in mutation-report.md.
mutation: $(STAMP)
	nice -n 10 $(BIN)/python tools/mutation.py --report mutation-report.md

clean:
	rm -rf site site-screenshots .pytest_cache .hypothesis
