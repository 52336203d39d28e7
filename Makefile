# Tukipolku – developer commands. `make help` lists them.
SHELL := /bin/bash
PY := .venv/bin/python
UV := .venv/bin/uv
MANAGE := $(PY) manage.py
DEMO_ENV := DEBUG=true DATABASE_URL=sqlite:///$(CURDIR)/db.sqlite3 TUKIPOLKU_AUDIT_ANCHOR_DIR=$(CURDIR)/tmp/audit-anchors TUKIPOLKU_SITE_URL=http://127.0.0.1:8000
PG_URL ?= postgres://postgres@127.0.0.1:5432/tukipolku
# pytest-xdist workers: one per core (`make test WORKERS=1` runs in one process).
WORKERS ?= auto

.DEFAULT_GOAL := help
.PHONY: help install install-test run dev worker test test-fast lint types checks security messages migrations bench bench-http bench-audit bench-sweep clean

help: ## Show this help
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*## "}; {printf "  make %-12s %s\n", $$1, $$2}'

.venv/bin/uv:
	python3 -m venv .venv
	.venv/bin/pip install --quiet --disable-pip-version-check uv

install: .venv/bin/uv ## Install the application's dependencies (uv.lock) into .venv
	$(UV) sync --frozen --quiet

install-test: install ## Install test tools too, and Debian's chromium for browser tests
	@if [ ! -x /usr/bin/chromium ]; then \
	  echo "Installing Debian's chromium for the browser tests..."; \
	  if [ "$$(id -u)" = "0" ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	  else sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; fi; \
	fi

run: install ## Demo: migrate, load synthetic demo data, serve http://127.0.0.1:8000 (SQLite) with the task worker and the sweep
	$(DEMO_ENV) $(MANAGE) migrate --noinput -v0
	$(DEMO_ENV) $(MANAGE) load_demo
	$(DEMO_ENV) $(MANAGE) audit_checkpoint -v0
	$(DEMO_ENV) PY=$(PY) scripts/run_with_worker.sh

dev: run ## Same as run

test: install-test lint types checks security ## Lint, types, checks, security, every test (PostgreSQL when reachable, else SQLite)
	@url="$${DATABASE_URL:-}"; \
	if [ -z "$$url" ] && $(PY) -c "import socket; socket.create_connection(('127.0.0.1', 5432), 2)" 2>/dev/null; then url="$(PG_URL)"; fi; \
	if [ -n "$$url" ]; then \
	  echo "== all tests on PostgreSQL"; DATABASE_URL="$$url" $(PY) -m pytest -n $(WORKERS) || exit $$?; \
	  echo "== tests without the browser on SQLite"; DATABASE_URL= $(PY) -m pytest -n $(WORKERS) -m "not browser"; \
	else \
	  echo "== all tests on SQLite (no PostgreSQL reachable)"; DATABASE_URL= $(PY) -m pytest -n $(WORKERS); \
	fi

test-fast: install ## Tests without the browser journeys, on SQLite
	DATABASE_URL= $(PY) -m pytest -n $(WORKERS) -m "not browser"

lint: install ## ruff lint and format check
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .

types: install ## mypy
	$(PY) -m mypy tukipolku config

checks: install ## Django system checks, missing migrations, deploy check with production settings
	DEBUG=true $(MANAGE) check --fail-level WARNING
	DEBUG=true $(MANAGE) makemigrations --check --dry-run
	DEBUG=false SECRET_KEY=check-deploy-$$RANDOM-$$RANDOM-$$RANDOM-$$RANDOM-long-enough-for-the-check ALLOWED_HOSTS=tukipolku.example TUKIPOLKU_SITE_URL=https://tukipolku.example \
	  TUKIPOLKU_ACCESSIBILITY_FEEDBACK_EMAIL=saavutettavuus@tukipolku.example \
	  $(MANAGE) check --deploy --fail-level WARNING

security: install ## bandit over our code; pip-audit of uv.lock (needs PyPI's JSON API or an OSV server)
	$(PY) -m bandit -c pyproject.toml -r tukipolku config -ll -q
	@# A package that cannot be looked up fails the audit; see scripts/dependency_audit.py for the
	@# case where no vulnerability database is reachable at all.
	@req="$$(mktemp)"; trap 'rm -f "$$req"' EXIT; \
	$(UV) export --frozen --all-groups --no-emit-project --format requirements.txt --quiet -o "$$req" && \
	$(PY) scripts/dependency_audit.py "$$req"

messages: install ## Extract translatable strings and compile the fi/sv/en catalogues
	DEBUG=true $(MANAGE) makemessages -l fi -l sv -l en --no-location --ignore=".venv/*" --ignore="bench/*" --ignore="tests/*" --ignore="*/tests/*"
	DEBUG=true $(MANAGE) compilemessages --ignore=.venv

migrations: install ## Make migrations after a model change
	DEBUG=true $(MANAGE) makemigrations

bench: install ## Caseload and case page in-process at 200,000 clients: wall, CPU and raw SQL (docs/performance.md)
	$(PY) bench/run.py

bench-http: install ## HTTP load: gunicorn, 1/10/50 users with and without think time, ~6 min (docs/performance.md)
	$(PY) bench/http_load.py

bench-audit: install ## Access-log write cost and the client's log report over 2M rows (docs/performance.md)
	$(PY) bench/audit_overhead.py
	$(PY) bench/log_report.py --verify

bench-sweep: install ## The sweep: 1,000,000 open actions, and 1x vs 5x open relationships (docs/performance.md)
	$(PY) bench/sweep.py

clean: ## Remove the demo database (and its audit anchors) and caches
	rm -rf db.sqlite3* tmp/audit-anchors staticfiles .pytest_cache .ruff_cache .mypy_cache
