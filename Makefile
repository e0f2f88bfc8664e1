# Corridors: two commands on a fresh machine.
#   make run   - set everything up and start the dashboard on http://localhost:8501
#   make test  - set everything up (Chromium included) and run the whole test suite
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8501
ADDRESS ?= 127.0.0.1

.PHONY: run test setup setup-dev browser browser-optional validate bench lint lock clean

# Installs come from the lock files (exact versions, with hashes); requirements*.txt say what is wanted and why.
$(VENV)/.ok-runtime: requirements.lock pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Corridors needs Python 3.11 or newer; set PYTHON=/path/to/python3.11")'
	$(PYTHON) -m venv $(VENV) || { echo "error: could not create $(VENV); on Debian/Ubuntu install the venv module: apt-get install python3-venv" >&2; exit 1; }
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet --require-hashes -r requirements.lock
	$(PY) -m pip install --quiet --no-deps -e .
	touch $@

$(VENV)/.ok-dev: $(VENV)/.ok-runtime requirements-dev.lock
	$(PY) -m pip install --quiet --require-hashes -r requirements-dev.lock
	touch $@

setup: $(VENV)/.ok-runtime
setup-dev: $(VENV)/.ok-dev

browser:
	@PY=$(PY) bash scripts/ensure-chromium.sh >/dev/null

# The dashboard runs without a browser; only its chart downloads need one, so a failed install is a note, not a stop.
browser-optional:
	@PY=$(PY) bash scripts/ensure-chromium.sh >/dev/null || echo "note: chart downloads (PNG/SVG/PDF, report) need Chromium: see the README" >&2

run: setup browser-optional
	$(PY) -m corridors validate
	$(PY) -m streamlit run app.py --server.port $(PORT) --server.address $(ADDRESS)

test: setup-dev browser
	BROWSER_PATH="$$(PY=$(PY) bash scripts/ensure-chromium.sh)" CORRIDORS_NGINX="$$(bash scripts/ensure-nginx.sh)" $(PY) -m pytest -n auto --dist loadfile

validate: setup
	$(PY) -m corridors validate

bench: setup-dev browser
	BROWSER_PATH="$$(PY=$(PY) bash scripts/ensure-chromium.sh)" $(PY) -m corridors bench
	BROWSER_PATH="$$(PY=$(PY) bash scripts/ensure-chromium.sh)" $(PY) scripts/bench_browser.py --load 20

lint: setup-dev
	$(VENV)/bin/ruff check .

# After editing requirements*.txt: pin everything again, with hashes (uv: pip install uv).
lock:
	uv pip compile requirements.txt --generate-hashes --universal --python-version 3.11 -o requirements.lock --custom-compile-command "make lock"
	uv pip compile requirements-dev.txt --generate-hashes --universal --python-version 3.11 -o requirements-dev.lock --custom-compile-command "make lock"

clean:
	rm -rf $(VENV) .pytest_cache
