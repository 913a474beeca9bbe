# Herald: `make run` starts the studio, `make test` runs every test.
# Both create .venv from requirements.txt when it is missing or older than it.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
APT_PACKAGES := chromium espeak-ng fonts-dejavu-core fonts-noto-core redis-server postgresql
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1
export TOKENIZERS_PARALLELISM := false
export STREAMLIT_BROWSER_GATHER_USAGE_STATS := false

.PHONY: run api test setup system-deps lint bench clean-venv worker

$(STAMP): requirements.txt
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	@touch $(STAMP)

setup: $(STAMP)

# Debian packages: Chromium for browser tests, espeak-ng for voice-over, fonts for video,
# redis-server and postgresql for the tests marked `service` (skip them with -m "not service").
system-deps:
	@missing=""; for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
		echo "Installing Debian packages:$$missing"; \
		SUDO=""; [ "$$(id -u)" = 0 ] || SUDO="sudo"; \
		$$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq $$missing >/dev/null; \
	fi

run: setup
	@dpkg -s espeak-ng >/dev/null 2>&1 || $(MAKE) --no-print-directory system-deps || echo "warning: Debian packages not installed; voice-over and some fonts are unavailable"
	$(PY) scripts/serve.py

# A Celery worker for HERALD_QUEUE=celery (needs HERALD_REDIS_URL); the app only submits and watches.
worker: setup
	$(PY) -m core worker

# The REST API (FastAPI + uvicorn) on HERALD_API_PORT (8600); every route but /health needs a token.
api: setup
	$(PY) -m core api

test: setup system-deps
	$(PY) -m pytest

lint: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

bench: setup
	@for b in bench/*.py; do echo "== $$b"; $(PY) $$b || exit 1; done

clean-venv:
	rm -rf $(VENV)
