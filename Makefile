# Quick start: `make repro` runs the pipeline, `make test` runs the tests; both set up .venv/ first.
PYTHON ?= python3.11
VENV := .venv
STAMP := $(VENV)/.installed
export DVC_NO_ANALYTICS := 1
# Label Studio lives in its own venv: its pins clash with ours.
STUDIO_VENV := .venv-studio
STUDIO_STAMP := $(STUDIO_VENV)/.installed
STUDIO_PORT ?= 8080
STUDIO_DATA ?= $(HOME)/.local/share/scrapeseg-label-studio
# dvc.yaml stages call the `scrapeseg` verbs, so the venv comes first on PATH.
export PATH := $(CURDIR)/$(VENV)/bin:$(PATH)

.PHONY: setup setup-studio repro test bench browser studio

setup: $(STAMP)

$(STAMP): requirements.lock pyproject.toml
	test -x $(VENV)/bin/python || $(PYTHON) -m venv $(VENV)
	$(VENV)/bin/python -m pip install --quiet --upgrade pip
	$(VENV)/bin/python -m pip install --quiet -r requirements.lock
	$(VENV)/bin/python -m pip install --quiet --no-deps --no-build-isolation -e .
	touch $(STAMP)

$(STUDIO_STAMP): requirements-studio.lock
	test -x $(STUDIO_VENV)/bin/python || $(PYTHON) -m venv $(STUDIO_VENV)
	$(STUDIO_VENV)/bin/python -m pip install --quiet --upgrade pip
	$(STUDIO_VENV)/bin/python -m pip install --quiet -r requirements-studio.lock
	touch $(STUDIO_STAMP)

# The browser test drives Debian's Chromium through its chromedriver.
browser:
	command -v chromium >/dev/null && command -v chromedriver >/dev/null || \
	  (apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium chromium-driver)

setup-studio: $(STUDIO_STAMP)

# Start Label Studio for annotating; LABEL_STUDIO_USERNAME/PASSWORD on the first start create a user.
studio: $(STUDIO_STAMP)
	LABEL_STUDIO_BASE_DATA_DIR=$(STUDIO_DATA) LABEL_STUDIO_ENABLE_LEGACY_API_TOKEN=true \
	  $(STUDIO_VENV)/bin/label-studio start --no-browser --internal-host 127.0.0.1 --port $(STUDIO_PORT)

repro: $(STAMP)
	$(VENV)/bin/dvc repro

test: $(STAMP) $(STUDIO_STAMP) browser
	SCRAPESEG_STUDIO_BIN=$(CURDIR)/$(STUDIO_VENV)/bin/label-studio $(VENV)/bin/python -m pytest

bench: $(STAMP) $(STUDIO_STAMP)
	$(VENV)/bin/python -m scrapeseg.corpus.bench
	$(VENV)/bin/python -m scrapeseg.train.bench
	SCRAPESEG_STUDIO_BIN=$(CURDIR)/$(STUDIO_VENV)/bin/label-studio $(VENV)/bin/python -m scrapeseg.labeling.bench
