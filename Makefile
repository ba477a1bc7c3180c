# Một Cửa: the commune one-stop desk.  `make help` lists the targets.
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: help venv run test test-quick lint format messages check clean

help: ## List the targets
	@grep -E '^[a-z-]+:.*##' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-12s %s\n", $$1, $$2}'

$(VENV)/.installed: requirements.txt
	@command -v $(PYTHON) >/dev/null || { echo "$(PYTHON) not found: set PYTHON=python3"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip
	$(PIP) install --quiet -r requirements.txt
	@touch $@

venv: $(VENV)/.installed ## Create the virtualenv and install the pinned requirements

run: venv ## Run the app with demo data (SQLite, web + Celery worker and beat, no servers needed)
	@# Result PDFs (WeasyPrint) need Debian's Pango: installed when missing and we may (root).
	@ldconfig -p | grep -q libpangoft2-1.0 || { [ "$$(id -u)" = 0 ] && { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0; } >/dev/null 2>&1; } || echo "Pango is missing: result PDFs are off (apt-get install libpango-1.0-0 libpangoft2-1.0-0)"
	$(PY) manage.py migrate --noinput
	PORTAL_ENABLED=1 $(PY) manage.py seed_demo
	HOST=$(HOST) PORT=$(PORT) PY=$(PY) scripts/run-embedded.sh

# The test run leaves nothing behind: its temporary files (pytest's, Chromium's, the workers') live in
# the services' folder, which `test-services.sh stop` removes with the servers; then no process of the
# run may be left.
test: venv ## The whole suite: lint, checks, then pytest on PostgreSQL + Redis + Chromium (installed if missing)
	$(MAKE) --no-print-directory check
	@set -e; trap 'scripts/test-services.sh stop' EXIT; \
	  services=$$(scripts/test-services.sh start) || exit 1; eval "$$services"; \
	  mkdir -p "$$TEST_SERVICES_DIR/tmp"; status=0; \
	  TMPDIR="$$TEST_SERVICES_DIR/tmp" REQUIRE_BROWSER=1 REQUIRE_POSTGRES=1 \
	    $(PY) -m pytest --basetemp="$$TEST_SERVICES_DIR/pytest" $(PYTEST_ARGS) || status=$$?; \
	  trap - EXIT; scripts/test-services.sh stop; \
	  scripts/test-services.sh check-stopped || status=1; \
	  exit $$status

test-quick: venv ## pytest on SQLite only (services-dependent tests skip)
	$(PY) -m pytest -o tmp_path_retention_policy=failed $(PYTEST_ARGS)

check: venv ## ruff, Django system checks, migrations up to date, translations compiled
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(PY) manage.py check --fail-level WARNING
	$(PY) manage.py makemigrations --check --dry-run
	DJANGO_ENV=production SECRET_KEY=check-deploy-$$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n') \
	  ALLOWED_HOSTS=example.org CELERY_BROKER_URL=redis://localhost:6379/0 DATABASE_URL=postgres://check:check@localhost/check \
	  $(PY) manage.py check --deploy --fail-level WARNING

lint: venv ## ruff check and format check
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: venv ## Format and fix with ruff
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

messages: venv ## Update and compile the translation catalogues (needs gettext)
	$(PY) manage.py makemessages -l vi -l en --ignore=.venv --ignore=staticfiles --ignore=var
	$(PY) manage.py compilemessages -l vi -l en --ignore=.venv

clean: ## Remove the virtualenv, the SQLite database and runtime files
	rm -rf $(VENV) db.sqlite3 var staticfiles
