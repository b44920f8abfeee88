# Two commands do all set-up: `make run` and `make test`; `make demo` shows it working.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test demo lint bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

## run: migrate the embedded SQLite database and serve API + worker on 127.0.0.1:8080
run: $(STAMP)
	$(BIN)/warroom migrate
	$(BIN)/warroom serve

## test: install what the tests need, start throwaway servers, run the whole suite, stop them
test: $(STAMP)
	scripts/test.sh

## demo: warroom, a demo service to break, real Prometheus and Alertmanager; Ctrl-C stops all
demo: $(STAMP)
	BIN=$(BIN) scripts/demo.sh

## lint: ruff on everything, mypy on src/warroom, the import contracts (all also run first in `make test`)
lint: $(STAMP)
	$(BIN)/ruff check src tests bench
	$(BIN)/mypy
	$(BIN)/lint-imports

## bench: run every benchmark in its quick form
bench: $(STAMP)
	scripts/install-system-deps.sh wrk nginx prometheus prometheus-alertmanager postgresql
	for b in bench/*.py; do $(BIN)/python $$b --quick || exit 1; done

clean:
	rm -rf $(VENV) var .pytest_cache
