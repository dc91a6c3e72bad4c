# Two commands on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
HOST ?= 127.0.0.1
PORT ?= 8000
#: pytest-xdist workers for `make test` (each starts its own PostgreSQL)
TEST_WORKERS ?= 2

.PHONY: run test install init lint locale bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test,bench]'
	touch $(STAMP)

install: $(STAMP)

init: install
	$(BIN)/ascc init
	$(BIN)/ascc results load
	$(BIN)/ascc national load
	$(BIN)/ascc funds load
	@if [ -f ../shared/data/disaster_events.csv ]; then $(BIN)/ascc disasters import; fi
	@if [ -f ../shared/data/disaster_impacts_phl_subnational.csv ]; then $(BIN)/ascc disasters import-areas; fi
	$(BIN)/ascc documents seed
	@if [ -f ../shared/data/series_metadata.csv ]; then $(BIN)/ascc indicators load-demo && \
		$(BIN)/ascc indicators define-computed --file src/ascc/monitoring/data/computed.yaml && \
		$(BIN)/ascc indicators compute; fi
	@if [ -f ../shared/data/series_metadata.csv ]; then \
		$(BIN)/ascc index store examples/indices/ydi-2017.yaml --from-store --uncertainty 100 && \
		$(BIN)/ascc index store examples/indices/ydi-2022.yaml --from-store --uncertainty 100; fi
	@if [ -f ../shared/composite-asem/asem_idata.csv ]; then $(BIN)/ascc index store examples/indices/asem.yaml \
		--data ../shared/composite-asem/asem_idata.csv --meta ../shared/composite-asem/asem_imeta.csv --uncertainty 100; fi

run: init
	$(BIN)/ascc serve --host $(HOST) --port $(PORT)

lint: install
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks
	$(BIN)/lint-imports
	@if grep -rn --include='*.py' -e 'fmt: skip' -e 'fmt: off' src tests benchmarks; then \
		echo 'the formatter decides the layout: no fmt: skip/off (CONVENTIONS.md)'; exit 1; fi

test: lint
	$(BIN)/ascc check
	$(BIN)/pytest -q -p no:cacheprovider -n $(TEST_WORKERS) --dist loadfile --no-loadscope-reorder

locale: install
	$(BIN)/pybabel extract -F babel.cfg -k _ -k gettext -k N_ -k ngettext:1,2 --no-location --omit-header \
		-o src/ascc/locale/messages.pot .
	$(BIN)/pybabel update -i src/ascc/locale/messages.pot -d src/ascc/locale -l id --no-fuzzy-matching

bench: install
	command -v wrk >/dev/null || apt-get install -y -qq wrk
	$(BIN)/python benchmarks/read_api.py

clean:
	rm -rf $(VENV) ascc.db ascc.db-wal ascc.db-shm ascc.keys test-artifacts
