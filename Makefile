# Two commands: `make run` serves the archive, `make test` runs the suite.
# Everything else is set up on the way, in .venv, from pyproject.toml.

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: install run test lint format migrate clean serve bench-load bench-web bench-scale

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit("Python 3.11+ is required") if sys.version_info < (3, 11) else None'
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[test]"
	@touch $@

install: $(STAMP)

migrate: install
	DEBUG=1 $(PY) manage.py migrate --noinput

run: migrate
	DEBUG=1 $(PY) manage.py loaddata fixtures/archive.json
	DEBUG=1 $(PY) manage.py ensure_admin
	DEBUG=1 $(PY) manage.py runserver $(HOST):$(PORT)

test: install
	$(PY) -m pytest

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: install
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

clean:
	rm -rf $(VENV) var .pytest_cache .ruff_cache .hypothesis

# The public site's benchmark (scripts/bench_web.py): builds var/bench.sqlite3 and prints figures.
bench-web: install
	$(PY) -m scripts.bench_web

# fixtures/archive.json is built from fixtures/transcripts/ by the importer, in a
# throw-away SQLite database, published at a fixed time; record times are pinned
# to it too, and source paths made relative to the checkout, so the file is
# byte-for-byte reproducible on any machine.
FIXTURE_TIME ?= 2026-11-28T00:00:00+00:00
FIXTURE_ENV := DEBUG=1 DATABASE_URL=sqlite:///$(CURDIR)/var/fixtures-build.sqlite3

# export_dataset's memory at 10,000 and 100,000 reports (scripts/bench_export.py).
.PHONY: bench-export
bench-export: install
	$(PY) -m scripts.bench_export

.PHONY: fixtures bench-import
fixtures: install
	mkdir -p var && rm -f var/fixtures-build.sqlite3*
	$(FIXTURE_ENV) $(PY) manage.py migrate --noinput --verbosity 0
	$(FIXTURE_ENV) $(PY) manage.py import_transcripts fixtures/transcripts --publish --published-at $(FIXTURE_TIME)
	$(FIXTURE_ENV) $(PY) manage.py shell -c "from archive.models import Quote, Report; from django.db.models import Value; from django.db.models.functions import Replace; from django.utils.dateparse import parse_datetime; t = parse_datetime('$(FIXTURE_TIME)'); Report.objects.update(created_at=t, updated_at=t, source_path=Replace('source_path', Value('$(CURDIR)/'), Value(''))); Quote.objects.update(created_at=t)"
	$(FIXTURE_ENV) $(PY) manage.py dumpdata archive --natural-foreign --natural-primary --indent 2 --output fixtures/archive.json
	mkdir -p var && rm -f var/fixtures-build.sqlite3*

# Import speed against loaddata and a raw sqlite3 insert (scripts/bench_import.py).
bench-import: install
	$(PY) -m scripts.bench_import

# Production mode on this machine: DEBUG off, gunicorn, WhiteNoise. Without a
# SECRET_KEY in the environment, one is generated once into var/secret_key
# (mode 600) and reused. Plain HTTP on 127.0.0.1, so the HTTPS redirect is off
# unless SECURE_SSL_REDIRECT=1 is given (behind a TLS proxy it should be).
serve: install
	@mkdir -p var
	@test -n "$$SECRET_KEY" || test -s var/secret_key || \
	  (umask 077 && $(PY) -c 'import secrets; print(secrets.token_urlsafe(50))' > var/secret_key)
	@export DEBUG=0 SECRET_KEY="$${SECRET_KEY:-$$(cat var/secret_key)}" \
	  SECURE_SSL_REDIRECT="$${SECURE_SSL_REDIRECT:-0}" HOST=$(HOST) PORT=$(PORT) && \
	$(PY) manage.py migrate --noinput && \
	$(PY) manage.py collectstatic --noinput --verbosity 0 && \
	$(PY) manage.py ensure_admin && \
	exec $(VENV)/bin/gunicorn -c config/gunicorn.conf.py config.wsgi

# Every page at 10k, 100k and 1M reports on PostgreSQL (and 10k, 100k on SQLite):
# p50/p95 cold and warm, queries, growth, targets (scripts/bench_scale.py; tens of
# minutes, not part of `make test`). BENCH_SCALE_ARGS="--pg 10000,100000 --keep" to narrow.
bench-scale: install
	$(PY) -m scripts.bench_scale $(BENCH_SCALE_ARGS)

# Load and fault tests against a real gunicorn (minutes; not part of `make test`).
# PostgreSQL at BENCH_DATABASE_URL (default postgresql://postgres@127.0.0.1:5432/ra_bench_load).
bench-load: install
	$(PY) scripts/bench_load.py
