# Everything people do, as make targets. The first run creates .venv and installs into it.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DEV_ENV := DEBUG=true
PORT ?= 8000

.PHONY: run test lint format typecheck audit migrations-check check-deploy install demo messages clean release serve backup bench

$(STAMP): requirements.lock pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.lock
	touch $(STAMP)

install: $(STAMP)

## run: web + Celery worker + beat on SQLite and the embedded broker, with demo data.
run: demo
	@echo
	@echo "Starting web, Celery worker and beat. Open http://127.0.0.1:$(PORT)/ and log in"
	@echo "with a demo account above. Ctrl-C stops all three."
	@echo
	$(DEV_ENV) $(BIN)/honcho start -f Procfile.dev -p $(PORT)

## demo: migrate the development database and (re)load the demo data.
demo: $(STAMP)
	$(DEV_ENV) $(BIN)/python manage.py migrate --no-input
	$(DEV_ENV) $(BIN)/python manage.py createcachetable
	$(DEV_ENV) $(BIN)/python manage.py seed_demo

## test: the whole suite (DATABASE_URL=postgres://... runs it on PostgreSQL).
test: $(STAMP)
	$(BIN)/pytest $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

typecheck: $(STAMP)
	$(BIN)/mypy .

## audit: known vulnerabilities in the pinned dependencies, from PyPI's advisory data. The lock
## pins the whole tree, so nothing is resolved or installed. Waive a finding only with
## --ignore-vuln ID and, on the line above, why it cannot affect us.
audit: $(STAMP)
	$(BIN)/pip-audit --requirement requirements.lock --disable-pip --no-deps --strict \
		--vulnerability-service pypi --progress-spinner off

migrations-check: $(STAMP)
	$(DEV_ENV) $(BIN)/python manage.py makemigrations --check --dry-run

## check-deploy: Django's deployment checks; run it with the production environment set.
check-deploy: $(STAMP)
	$(BIN)/python manage.py check --deploy --fail-level WARNING

## messages: collect the marked strings into locale/*/django.po and compile the .mo files
## (both are committed). Needs GNU gettext: apt-get install gettext.
TRANSLATED := -l de -l fr -l it
messages: $(STAMP)
	$(DEV_ENV) $(BIN)/python manage.py makemessages $(TRANSLATED) --add-location=file --no-obsolete \
		--ignore=.venv --ignore=node_modules --ignore=tests --ignore=var --ignore=artifacts \
		--ignore=staticfiles
	$(DEV_ENV) $(BIN)/python manage.py compilemessages $(TRANSLATED) \
		--ignore=.venv --ignore=node_modules

## release: what every deployment runs before (re)starting: checks, migrations, static files.
## Needs the production environment (docs/deploy.md); refuses to run with a warning left.
release: $(STAMP)
	$(BIN)/python manage.py check --deploy --fail-level WARNING
	$(BIN)/python manage.py migrate --no-input
	$(BIN)/python manage.py createcachetable
	$(BIN)/python manage.py collectstatic --no-input --verbosity 0

## serve: the production processes of Procfile (gunicorn, Celery worker, beat) in the foreground.
serve: $(STAMP)
	$(BIN)/honcho start -f Procfile

## backup: encrypted data backup and key backup, to two different folders (docs/deploy.md).
BACKUP_DIR ?= var/backups/data
KEY_BACKUP_DIR ?= var/backups/keys
backup: $(STAMP)
	$(BIN)/python manage.py backup --output-dir $(BACKUP_DIR)
	$(BIN)/python manage.py backup --keys --output-dir $(KEY_BACKUP_DIR)
	@echo "Keep $(KEY_BACKUP_DIR) apart from $(BACKUP_DIR), with a short retention. Neither file"
	@echo "opens without ENCRYPTION_KEYS: keep a copy of that key ring (and BLIND_INDEX_KEYS) offline,"
	@echo "never next to the backups. docs/deploy.md, section Backups, says how."

## bench: seed fictional data at SCALE of the design scale (once per scale) into a PostgreSQL
## database of its own and measure pages, ratios and throughput (docs/performance.md). Exits
## non-zero only on errors, never on timings. The keys below are published: bench data only.
SCALE ?= 0.05
BENCH_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/casework_bench_$(subst .,_,$(SCALE))
BENCH_ARGS ?=
BENCH_ENV := DATABASE_URL=$(BENCH_DATABASE_URL) \
	SECRET_KEY=bench-only-secret-key-published-in-the-makefile-never-use-it \
	ENCRYPTION_KEYS=bench1:YmVuY2gtbWFzdGVyLWtleS1wdWJsaXNoZWQtMDAwMDE= \
	BLIND_INDEX_KEYS=bench1:YmVuY2gtYmxpbmQtaW5kZXgtcHVibGlzaGVkLTAwMDE= \
	ALLOWED_HOSTS=127.0.0.1,localhost CACHE_URL=db:// LOG_LEVEL=WARNING
bench: $(STAMP)
	@command -v wrk >/dev/null 2>&1 || apt-get install -y wrk >/dev/null 2>&1 \
		|| (apt-get update >/dev/null 2>&1 && apt-get install -y wrk >/dev/null 2>&1) \
		|| echo "Could not install wrk (apt-get install wrk): the load test will be skipped."
	$(BENCH_ENV) $(BIN)/python manage.py collectstatic --no-input --verbosity 0
	$(BENCH_ENV) $(BIN)/python manage.py bench --allow-production --create-database \
		--scale $(SCALE) --json var/bench-$(SCALE).json $(BENCH_ARGS)

clean:
	rm -rf $(VENV) var staticfiles
