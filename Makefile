# Two commands matter: `make run` and `make test` (see README.md).
PYTHON ?= python3.11
VENV ?= .venv
BIN := $(VENV)/bin
PORT ?= 8000
MANAGE := $(BIN)/python manage.py

.PHONY: run test setup install migrate messages demo lint format check check-browser bench bench-postgres clean

run: setup demo ## Set everything up and serve the portal on http://127.0.0.1:$(PORT)/
	$(MANAGE) runserver 127.0.0.1:$(PORT)

test: install checkers messages ## Set everything up and run the whole suite (tests create their own database)
	$(BIN)/pytest

check-browser: install checkers messages ## Only the real-browser, accessibility (axe-core) and HTML (vnu) checks
	$(BIN)/pytest tests/browser tests/quality

setup: install messages migrate

install: $(BIN)/.installed

$(BIN)/.installed: requirements.lock
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "$(PYTHON) not found: install Python 3.11"; exit 1; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements.lock
	touch $@

checkers: node_modules/.installed

node_modules/.installed: package.json package-lock.json ## axe-core and the Nu HTML Checker, pinned
	@command -v npm >/dev/null 2>&1 || { echo "npm not found: install Node.js and npm (see README)"; exit 1; }
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

messages: install ## Compile the UI translations (needs gettext's msgfmt)
	$(MANAGE) compilemessages --ignore=.venv --verbosity 0

migrate: install
	$(MANAGE) migrate --noinput

demo: migrate ## Load the demonstration guidelines unless an edition already exists
	$(MANAGE) load_demo --if-empty

lint: install ## ruff, migrations and deploy checks
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(MANAGE) makemigrations --check --dry-run

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

makemessages: install ## Refresh locale/ru/LC_MESSAGES/django.po after changing strings
	$(MANAGE) makemessages -l ru --ignore=.venv --ignore=staticfiles --ignore=tests --no-obsolete --add-location=file

bench: setup demo ## Serve with gunicorn and print requests per second and latency percentiles
	$(BIN)/python scripts/bench.py

bench-postgres: install messages ## Search latency on PostgreSQL, edition 10x the demonstration text
	$(BIN)/python scripts/bench.py --postgres --scale 10 --only search --requests 200

clean:
	rm -rf $(VENV) staticfiles node_modules
