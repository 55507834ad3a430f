# Two commands matter: `make run` and `make test` (see README.md); `make dev` for developers.
PYTHON ?= python3.11
VENV ?= .venv
BIN := $(VENV)/bin
PORT ?= 8000
WORKERS ?= 2
MANAGE := $(BIN)/python manage.py

.PHONY: run dev test setup install checkers browser migrate messages demo lint format check check-browser bench bench-postgres clean

# Both serve on 127.0.0.1 with the background worker (edition PDFs, feedback e-mail) beside the
# server; Ctrl-C stops both (guidelines_portal/local_server.py). Absolute addresses (PDF
# colophons, e-mail, feeds) follow the port unless PORTAL_BASE_URL says otherwise.
run: setup demo ## Set everything up and serve the portal as readers get it (gunicorn, DEBUG off) on http://127.0.0.1:$(PORT)/
	@exec $(BIN)/python -m guidelines_portal.local_server --port $(PORT) --workers $(WORKERS)

dev: setup demo ## The same set-up, then Django's development server (DEBUG on, reloads on code changes)
	@exec $(BIN)/python -m guidelines_portal.local_server --dev --port $(PORT)

test: install checkers browser messages ## Set everything up and run the whole suite (tests create their own database)
	$(BIN)/pytest

check-browser: install checkers browser messages ## Only the real-browser, accessibility (axe-core) and HTML (vnu) checks
	$(BIN)/pytest tests/browser tests/quality

setup: install messages migrate

install: $(BIN)/.installed

$(BIN)/.installed: requirements.lock
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "$(PYTHON) not found: install Python 3.11"; exit 1; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements.lock
	touch $@

checkers: node_modules/.installed

# Debian's Chromium (driven by Playwright; never a downloaded browser), a Java runtime for
# the HTML checker, poppler and the Liberation fonts for the PDFs, and LibreOffice Calc for
# the spreadsheets and Writer for the Word documents, epubcheck for the EPUBs, installed when
# missing
# and we may; otherwise the affected tests fail or skip with a loud message.
browser:
	@missing=""; command -v chromium >/dev/null 2>&1 || missing="$$missing chromium chromium-driver"; \
	command -v java >/dev/null 2>&1 || missing="$$missing default-jre-headless"; \
	command -v pdftotext >/dev/null 2>&1 || missing="$$missing poppler-utils"; \
	command -v soffice >/dev/null 2>&1 || missing="$$missing libreoffice-calc-nogui"; \
	test -f /usr/share/java/epubcheck.jar || missing="$$missing epubcheck"; \
	dpkg -s libreoffice-writer-nogui >/dev/null 2>&1 || dpkg -s libreoffice-writer >/dev/null 2>&1 || missing="$$missing libreoffice-writer-nogui"; \
	fc-list 2>/dev/null | grep -q "Liberation Serif" || missing="$$missing fonts-liberation"; \
	if [ -n "$$missing" ]; then \
		if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
			echo "Installing$$missing"; apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
		else echo "*** MISSING:$$missing (apt-get install$$missing): browser and HTML checks will not run ***"; fi; \
	fi

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

lint: install ## ruff, bandit (medium severity and above), the import rules, types (mypy), migrations check
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/bandit --quiet --recursive guidelines_portal modules feedback accounts api alerts scripts --severity-level medium --exclude "*/migrations/*"
	$(BIN)/lint-imports --no-cache
	$(BIN)/mypy
	$(MANAGE) makemigrations --check --dry-run

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

makemessages: install ## Refresh locale/ru/LC_MESSAGES/django.po after changing strings
	$(MANAGE) makemessages -l ru --ignore=.venv --ignore=staticfiles --ignore=tests --no-obsolete --add-location=file

bench: setup demo ## Serve with gunicorn; every page's rate (wrk) as a ratio to a static file, and more
	@command -v wrk >/dev/null 2>&1 || { if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
		echo "Installing wrk"; apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; \
	else echo "wrk is missing: apt-get install wrk"; exit 1; fi; }
	$(BIN)/python scripts/bench.py --wrk
	$(BIN)/python scripts/bench_feedback.py
	$(BIN)/python scripts/bench_pdf.py --scale 10
	$(BIN)/python scripts/bench_publish.py
	$(BIN)/python scripts/bench_alerts.py
	@if command -v pg_isready >/dev/null 2>&1 && pg_isready -q -h 127.0.0.1 -p 5432; then \
		$(MAKE) --no-print-directory bench-postgres; \
	else echo "PostgreSQL is not reachable on 127.0.0.1:5432: search on PostgreSQL not measured (see make bench-postgres)."; fi

bench-postgres: install messages ## On PostgreSQL: search and the JSON API on an edition 10x the demonstration text; feedback load and triage; mixed read/write load
	$(BIN)/python scripts/bench.py --postgres --scale 10 --only search --requests 200
	$(BIN)/python scripts/bench.py --postgres --scale 10 --only api --requests 200
	$(BIN)/python scripts/bench_feedback.py --postgres
	$(BIN)/python scripts/bench_load.py

clean:
	rm -rf $(VENV) staticfiles node_modules
