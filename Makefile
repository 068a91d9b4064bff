# rlx_lab: `make serve` runs the app on http://localhost:5006 (the server's status at /status),
# `make test` runs the whole suite.
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp
PORT ?= 5006
# Test files run in this many processes (pytest-xdist; a file stays in one process, so its
# served app and browser are shared by its tests). 2 = the CI machine's cores.
TEST_WORKERS ?= 2

.PHONY: serve serve-room test lint bench chromium clean

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e ".[test]"
	touch $(STAMP)

serve: $(STAMP)
	$(VENV)/bin/panel serve app/app.py app/status.py --setup app/server_start.py \
		--port $(PORT) --address localhost \
		--allow-websocket-origin=localhost:$(PORT) --allow-websocket-origin=127.0.0.1:$(PORT)

# Serving a room is explicit: `make serve-room ADDRESS=<this machine's address on the LAN>`.
serve-room: $(STAMP)
	@test -n "$(ADDRESS)" || { echo "usage: make serve-room ADDRESS=<address students reach>"; exit 2; }
	$(VENV)/bin/panel serve app/app.py app/status.py --setup app/server_start.py \
		--port $(PORT) --address $(ADDRESS) \
		--allow-websocket-origin=$(ADDRESS):$(PORT)

# Browser tests drive Debian's chromium (never a downloaded browser build).
chromium:
	@if [ ! -x /usr/bin/chromium ]; then \
		SUDO=$$([ "$$(id -u)" = 0 ] || echo sudo); \
		($$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq chromium >/dev/null) \
		|| echo "WARNING: could not install chromium; browser tests will skip (they fail under CI=true)"; \
	fi

lint: $(STAMP)
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .

test: $(STAMP) chromium lint
	$(PY) -m pytest -n $(TEST_WORKERS) --dist loadfile

bench: $(STAMP)
	$(PY) -m rlx_lab.bench core

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
