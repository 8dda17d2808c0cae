# Two commands do everything (see README): `make reports` and `make test`.
# `make reports` installs only what building reports needs (requirements.lock); `make test`, `make lab`
# and `make setup` install that plus the test tools, dask and JupyterLab (requirements-dev.lock).
# Each (re)creates .venv when it is missing or a lock or pyproject.toml changed. After changing
# dependencies in pyproject.toml (and environment.yml), run `make lock` once and commit both locks.

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
UV := $(BIN)/uv
LOCK := requirements.lock
DEV_LOCK := requirements-dev.lock
STAMP := $(VENV)/.sro-installed
DEV_STAMP := $(VENV)/.sro-installed-dev
# Every extra is locked, so tests (and the dask scale-out test) run on exactly the locked versions.
DEV_EXTRAS := --extra test --extra dask --extra lab
LOCK_OPTIONS := --quiet --generate-hashes --universal --python-version 3.11
# Containers often run as root, where Jupyter refuses to start without this flag.
ALLOW_ROOT := $(if $(filter 0,$(shell id -u)),--allow-root)

.PHONY: reports test lab list setup lock clean-reports

reports: $(STAMP)
	$(BIN)/sro-research build

test: $(DEV_STAMP)
	$(BIN)/python -m pytest

# Opens at the project root, so data/, reports/ and scratch/ can be browsed beside notebooks/.
lab: $(DEV_STAMP)
	$(BIN)/jupyter lab --ServerApp.root_dir="$(CURDIR)" $(ALLOW_ROOT)

list: $(STAMP)
	$(BIN)/sro-research list

setup: $(DEV_STAMP)

$(UV):
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "sro-research needs Python 3.11 or newer; set PYTHON=python3.11")'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check "uv>=0.4"

# Exactly the locked versions, each checked against its hash; then this package, without dependencies.
# Installed with their bytecode compiled: where PYTHONDONTWRITEBYTECODE is set (as in many containers)
# Python would otherwise compile pandas, scipy and matplotlib again in every process and kernel.
# In a venv `make test` set up, the runtime packages are already there at the same versions (the dev
# lock is resolved within the runtime lock): install adds what is missing and keeps the test tools.
$(STAMP): pyproject.toml $(LOCK) | $(UV)
	if [ -f $(DEV_STAMP) ]; then $(UV) pip install --quiet --compile-bytecode --python $(BIN)/python -r $(LOCK); \
	else $(UV) pip sync --quiet --compile-bytecode --python $(BIN)/python $(LOCK); fi
	$(UV) pip install --quiet --python $(BIN)/python --no-deps -e .
	touch $(STAMP)

$(DEV_STAMP): pyproject.toml $(LOCK) $(DEV_LOCK) | $(UV)
	$(UV) pip sync --quiet --compile-bytecode --python $(BIN)/python $(DEV_LOCK)
	$(UV) pip install --quiet --python $(BIN)/python --no-deps -e .
	touch $(DEV_STAMP) $(STAMP)

# The one command to run after adding or changing a dependency (tests/test_lock.py checks it was run).
# The dev lock is constrained by the runtime lock, so the two never pin a package differently.
lock: | $(UV)
	$(UV) pip compile pyproject.toml $(LOCK_OPTIONS) -o $(LOCK)
	$(UV) pip compile pyproject.toml $(DEV_EXTRAS) -c $(LOCK) $(LOCK_OPTIONS) -o $(DEV_LOCK)

clean-reports:
	find reports -mindepth 1 ! -name README.md -exec rm -rf {} +
