# The two commands a newcomer needs: `make demo` and `make test`. Both install what they use.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: install demo ui lint test benchmark bench clean

$(BIN)/.installed: setup.cfg pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --constraint constraints.txt --editable '.[test]'
	touch $@

install: $(BIN)/.installed

demo: install
	$(BIN)/python scripts/demo.py

ui: install
	$(BIN)/python scripts/demo.py --ui

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

test: lint
	$(BIN)/pytest

benchmark: install
	for script in benchmarks/*.py; do $(BIN)/python $$script || exit 1; done

# A whole sync against its lower bound: in-process, through Airflow, and the reference strategy.
# Knobs: make bench BENCH_ARGS="--instances 10000 --ecs-latency 0.05 --jupiterone-latency 0.1"
bench: install
	$(BIN)/python benchmarks/sync_bench.py $(BENCH_ARGS)

clean:
	rm -rf $(VENV) .demo .pytest_cache .ruff_cache .hypothesis
