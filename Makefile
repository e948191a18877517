# One virtual environment, installed by `make venv`; every other target builds on it.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
# On machines without a CUDA GPU, pin a CPU build of torch for the install step only (the package itself keeps
# an open range). Override with TORCH_SPEC=... on GPU machines.
TORCH_SPEC ?= torch>=2.4,<2.14

.PHONY: venv demo test test-slow test-thorough bench lint format clean

$(BIN)/medc: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet '$(TORCH_SPEC)'
	$(BIN)/pip install --quiet -e '.[train,s3,ray,dev]'
	touch $(BIN)/medc

venv: $(BIN)/medc

demo: venv
	$(BIN)/medc demo --out demo-output

test: venv
	$(BIN)/python -m pytest -q

test-slow: venv
	$(BIN)/python -m pytest -q -m slow

test-thorough: venv
	MEDC_HYPOTHESIS=thorough $(BIN)/python -m pytest -q $$(grep -rl '@given' tests)

bench: venv
	$(BIN)/pip install --quiet -e '.[bench]'
	$(BIN)/python -m pytest -q -s -m benchmark tests/benchmarks

lint: venv
	$(BIN)/ruff check medc builders trainer tests
	$(BIN)/ruff format --check medc builders trainer tests

format: venv
	$(BIN)/ruff format medc builders trainer tests
	$(BIN)/ruff check --fix medc builders trainer tests

clean:
	rm -rf $(VENV) demo-output .pytest_cache
