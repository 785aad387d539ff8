# localitygis — the two commands of the quick start are `make demo` and `make test`.
# Everything else here is what those two need. Requires Python 3.11+ as `python3`.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp

.PHONY: demo test setup browser lint bench fuzz notebooks clean

## demo: set up, then build the demo county and write every map and table to maps/
demo: $(STAMP)
	$(BIN)/localitygis demo --out maps

## test: set up (incl. Chromium for the browser tests, where it can), lint, typecheck, run all tests
test: $(STAMP) browser
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy localitygis
	$(BIN)/python -m pytest
	$(BIN)/python -m pytest --nbmake notebooks -p no:randomly -o addopts="" -o testpaths=notebooks

## setup: create .venv and install localitygis with its development tools
setup: $(STAMP)

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "localitygis needs Python 3.11 or newer: set PYTHON=python3.X")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

## browser: make sure Debian's chromium and poppler-utils are there for the browser and PDF tests
browser:
	@if command -v chromium >/dev/null 2>&1 && command -v pdftoppm >/dev/null 2>&1; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
		echo "installing Debian's chromium and poppler-utils for the browser tests"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium poppler-utils >/dev/null; \
	else \
		echo "note: chromium/pdftoppm not found and cannot install them here;"; \
		echo "      browser and PDF-rendering tests will be skipped (apt-get install chromium poppler-utils)"; \
	fi

## lint: ruff and mypy
lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy localitygis

## bench: run every benchmark in quick mode (full runs: see benchmarks/README.md)
bench: $(STAMP)
	@for script in benchmarks/bench_*.py; do echo "== $$script"; $(BIN)/python $$script --quick || exit 1; done

## fuzz: many hypothesis-generated registers and parish layers through the CLI (not in CI)
fuzz: $(STAMP)
	LOCALITYGIS_FUZZ_EXAMPLES=$${FUZZ_EXAMPLES:-300} $(BIN)/python -m pytest tests/test_fuzz_cli.py \
		-p no:randomly -q

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .mypy_cache .hypothesis build *.egg-info
