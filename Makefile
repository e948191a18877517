# One virtual environment, installed by `make venv`; every other target builds on it.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
# On machines without a CUDA GPU, pin a CPU build of torch for the install step only (the package itself keeps
# an open range). Override with TORCH_SPEC=... on GPU machines.
TORCH_SPEC ?= torch>=2.4,<2.14

.PHONY: venv demo test test-slow test-thorough test-hub-floor bench lint format clean

$(BIN)/medc: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet '$(TORCH_SPEC)'
	$(BIN)/pip install --quiet -e '.[train,s3,dev]'
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

# The publishing tests against the oldest huggingface_hub pyproject.toml allows, everything else from $(VENV): a
# venv that holds only that huggingface_hub and reads the rest of $(VENV) after it.
HUB_FLOOR ?= $(shell sed -n 's/.*"huggingface_hub>=\([0-9.]*\)".*/\1/p' pyproject.toml)
FLOOR_VENV := .venv-hub-floor
test-hub-floor: venv
	rm -rf $(FLOOR_VENV)
	$(BIN)/python -m venv $(FLOOR_VENV)  # the same Python as $(VENV), whose packages it reads
	$(FLOOR_VENV)/bin/pip install --quiet --no-deps 'huggingface_hub==$(HUB_FLOOR)'
	echo "import site; site.addsitedir('$$($(BIN)/python -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')')" \
		> "$$($(FLOOR_VENV)/bin/python -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')/zz-project.pth"
	$(FLOOR_VENV)/bin/python -c 'import huggingface_hub as h; assert h.__version__ == "$(HUB_FLOOR)", h.__version__'
	$(FLOOR_VENV)/bin/python -m pytest -q -p no:cacheprovider tests/medc/publish

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
	rm -rf $(VENV) $(FLOOR_VENV) demo-output .pytest_cache
