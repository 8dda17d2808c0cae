# Two commands do everything (see README): `make reports` and `make test`.
# Both create .venv from pyproject.toml when it is missing or pyproject.toml changed.

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.sro-installed

.PHONY: reports test lab list setup clean-reports

reports: $(STAMP)
	$(BIN)/sro-research build

test: $(STAMP)
	$(BIN)/python -m pytest

lab: $(STAMP)
	$(BIN)/jupyter lab notebooks/

list: $(STAMP)
	$(BIN)/sro-research list

setup: $(STAMP)

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "sro-research needs Python 3.11 or newer; set PYTHON=python3.11")'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

clean-reports:
	find reports -mindepth 1 ! -name README.md -exec rm -rf {} +
