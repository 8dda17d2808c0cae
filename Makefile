# Two commands do everything (see README): `make reports` and `make test`.
# Both create .venv from the dependency lock (requirements.lock) when it is missing or the lock or
# pyproject.toml changed. After changing dependencies in pyproject.toml (and environment.yml),
# run `make lock` once and commit requirements.lock.

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
UV := $(BIN)/uv
LOCK := requirements.lock
STAMP := $(VENV)/.sro-installed
# Every extra is locked, so tests (and the dask scale-out test) run on exactly the locked versions.
LOCK_EXTRAS := --extra test --extra dask

.PHONY: reports test lab list setup lock clean-reports

reports: $(STAMP)
	$(BIN)/sro-research build

test: $(STAMP)
	$(BIN)/python -m pytest

lab: $(STAMP)
	$(BIN)/jupyter lab notebooks/

list: $(STAMP)
	$(BIN)/sro-research list

setup: $(STAMP)

$(UV):
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "sro-research needs Python 3.11 or newer; set PYTHON=python3.11")'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check "uv>=0.4"

# Exactly the locked versions, each checked against its hash; then this package, without dependencies.
$(STAMP): pyproject.toml $(LOCK) | $(UV)
	$(UV) pip sync --quiet --python $(BIN)/python $(LOCK)
	$(UV) pip install --quiet --python $(BIN)/python --no-deps -e .
	touch $(STAMP)

# The one command to run after adding or changing a dependency (tests/test_lock.py checks it was run).
lock: | $(UV)
	$(UV) pip compile --quiet pyproject.toml $(LOCK_EXTRAS) --generate-hashes --universal \
		--python-version 3.11 -o $(LOCK)

clean-reports:
	find reports -mindepth 1 ! -name README.md -exec rm -rf {} +
