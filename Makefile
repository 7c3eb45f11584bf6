# Quick start: `make repro` runs the pipeline, `make test` runs the tests; both set up .venv/ first.
PYTHON ?= python3.11
VENV := .venv
STAMP := $(VENV)/.installed
export DVC_NO_ANALYTICS := 1
# dvc.yaml stages call the `scrapeseg` verbs, so the venv comes first on PATH.
export PATH := $(CURDIR)/$(VENV)/bin:$(PATH)

.PHONY: setup repro test bench

setup: $(STAMP)

$(STAMP): requirements.lock pyproject.toml
	test -x $(VENV)/bin/python || $(PYTHON) -m venv $(VENV)
	$(VENV)/bin/python -m pip install --quiet --upgrade pip
	$(VENV)/bin/python -m pip install --quiet -r requirements.lock
	$(VENV)/bin/python -m pip install --quiet --no-deps --no-build-isolation -e .
	touch $(STAMP)

repro: $(STAMP)
	$(VENV)/bin/dvc repro

test: $(STAMP)
	$(VENV)/bin/python -m pytest

bench: $(STAMP)
	$(VENV)/bin/python -m scrapeseg.corpus.bench
	$(VENV)/bin/python -m scrapeseg.train.bench
