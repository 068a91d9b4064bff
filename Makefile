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
# `make serve-class`: this many panel serve processes behind nginx (docs/serving.md).
WORKERS ?= 2
# A page's session waits 60 s for its browser (and outlives its closing as long): a class
# opening the lab at once is served in turn, and under Bokeh's 15 s default the last pages
# were discarded before their browsers connected, then built again (rlx_lab_app/harness.py).
SESSIONS := --unused-session-lifetime 60000 --check-unused-sessions 5000

.PHONY: serve serve-room serve-class serve-worker test lint bench chromium nginx clean

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e ".[test]"
	touch $(STAMP)

serve: $(STAMP)
	$(VENV)/bin/panel serve app/app.py app/status.py --setup app/server_start.py $(SESSIONS) \
		--port $(PORT) --address localhost \
		--allow-websocket-origin=localhost:$(PORT) --allow-websocket-origin=127.0.0.1:$(PORT)

# Serving a room is explicit: `make serve-room ADDRESS=<this machine's address on the LAN>`.
serve-room: $(STAMP)
	@test -n "$(ADDRESS)" || { echo "usage: make serve-room ADDRESS=<address students reach>"; exit 2; }
	$(VENV)/bin/panel serve app/app.py app/status.py --setup app/server_start.py $(SESSIONS) \
		--port $(PORT) --address $(ADDRESS) \
		--allow-websocket-origin=$(ADDRESS):$(PORT)

# A class on several processes: WORKERS panel serve processes on loopback ports behind nginx
# on localhost:PORT, or on ADDRESS:PORT when given; UPSTREAMS="host:port …" adds workers
# already running on other machines (`make serve-worker` there). Ctrl-C stops everything.
serve-class: $(STAMP) nginx
	$(PY) -m rlx_lab_app.serving --workers $(WORKERS) --port $(PORT) \
		$(if $(ADDRESS),--address $(ADDRESS)) $(foreach u,$(UPSTREAMS),--upstream $(u))

# One worker for another machine's front: `make serve-worker ADDRESS=<this machine> PORT=5101
# FRONT=<front address>:<front port>`.
serve-worker: $(STAMP)
	@test -n "$(ADDRESS)" -a -n "$(FRONT)" || { echo "usage: make serve-worker ADDRESS=<this machine's address> FRONT=<front host:port> [PORT=5101]"; exit 2; }
	$(VENV)/bin/panel serve app/app.py app/status.py --setup app/server_start.py $(SESSIONS) \
		--port $(PORT) --address $(ADDRESS) --use-xheaders \
		--allow-websocket-origin=$(FRONT) --allow-websocket-origin=$(ADDRESS):$(PORT)

# Browser tests drive Debian's chromium (never a downloaded browser build).
chromium:
	@if [ ! -x /usr/bin/chromium ]; then \
		SUDO=$$([ "$$(id -u)" = 0 ] || echo sudo); \
		($$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq chromium >/dev/null) \
		|| echo "WARNING: could not install chromium; browser tests will skip (they fail under CI=true)"; \
	fi

# make serve-class and its test run Debian's nginx (unprivileged, under a folder of its own).
nginx:
	@if ! command -v nginx >/dev/null && [ ! -x /usr/sbin/nginx ]; then \
		SUDO=$$([ "$$(id -u)" = 0 ] || echo sudo); \
		($$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq nginx >/dev/null \
		 && echo "note: Debian may also start its own nginx service (port 80); make serve-class does not use it: \`sudo systemctl disable --now nginx\` stops it") \
		|| echo "WARNING: could not install nginx; the serving tests will skip (they fail under CI=true)"; \
	fi

lint: $(STAMP)
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .

test: $(STAMP) chromium nginx lint
	$(PY) -m pytest -n $(TEST_WORKERS) --dist loadfile

bench: $(STAMP)
	$(PY) -m rlx_lab.bench core

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .serve
