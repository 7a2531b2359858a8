# Two commands for a newcomer: `make run` and `make test`. Both set everything up first.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-requirements
DEV_STAMP := $(VENV)/.installed-requirements-dev
PIP_INSTALL := $(PY) -m pip install --quiet --disable-pip-version-check
# The flags are also written into each generated file's header, so that the header is the command.
PIP_COMPILE := $(VENV)/bin/pip-compile --quiet --strip-extras --no-emit-index-url --no-emit-find-links
HOST ?= 127.0.0.1:8000

.PHONY: install install-dev requirements run test test-packages lint bench-registration profile-registration bench-reports bench-import \
	bench-checkin bench-upload bench-page-weight bench-api bench-certificates clean

# Runtime set only: what production installs (requirements.txt, compiled from requirements.in).
$(STAMP): requirements.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP_INSTALL) -r requirements.txt
	touch $(STAMP)

# Runtime + development tools in one pip run, so that they resolve together; it covers the runtime
# stamp too. Either file changing re-installs.
$(DEV_STAMP): requirements.txt requirements-dev.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP_INSTALL) -r requirements.txt -r requirements-dev.txt
	touch $(STAMP) $(DEV_STAMP)

install: $(STAMP)

install-dev: $(DEV_STAMP)

# After editing requirements.in or requirements-dev.in: re-pin both. Runtime first, since the dev set
# is constrained by it (-c requirements.txt); existing pins are kept unless the .in files demand otherwise.
requirements:
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP_INSTALL) -c requirements-dev.txt pip-tools
	$(PIP_COMPILE) --output-file requirements.txt requirements.in
	$(PIP_COMPILE) --output-file requirements-dev.txt requirements-dev.in

run: install
	DEBUG=true $(PY) manage.py migrate --noinput
	DEBUG=true $(PY) manage.py seed_demo
	DEBUG=true $(PY) manage.py runserver $(HOST)

lint: install-dev
	$(VENV)/bin/ruff check .

# Debian packages the suite uses: Chromium (browser tests), GNU gettext (the catalogues re-extracted
# and checked complete), poppler-utils (pdftotext reads the certificates back). Their tests skip,
# saying why, where they are missing.
TEST_PACKAGES = chromium gettext poppler-utils

test-packages:
	deploy/install-debian-packages $(TEST_PACKAGES)

test: lint test-packages
	PILOTS_TESTING=1 $(PY) manage.py makemigrations --check --dry-run
	$(VENV)/bin/pytest

# Benchmarks use the dev install: Playwright (page weight) and tests.factories (import) are dev-only.
# Weight of the registration page over the wire, production static storage (bench/page_weight.py).
bench-page-weight: install-dev
	$(PY) bench/page_weight.py

clean:
	rm -rf $(VENV) db.sqlite3 db.sqlite3-wal db.sqlite3-shm staticfiles

# Import benchmark: 10,000 teacher rows; SQLite unless BENCH_DATABASE_URL is set.
bench-import: install-dev
	BENCH_DATABASE_URL="$(BENCH_DATABASE_URL)" $(PY) bench/import_teachers.py

# Reports benchmark (bench/reports.py): loads once, with set-based SQL, 1,000,000 enrolments and
# 10,000,000 attendance rows (BENCH_SCALE=national, the default; about 5 minutes, database
# pilots_bench_reports_national) or 100,000 / 1,000,000 (BENCH_SCALE=small, pilots_bench_reports)
# into PostgreSQL (BENCH_DATABASE_URL to choose), then times the reports against raw SQL.
BENCH_SCALE ?= national
bench-reports: install-dev
	BENCH_SCALE=$(BENCH_SCALE) BENCH_DATABASE_URL="$(BENCH_DATABASE_URL)" $(PY) bench/reports.py

# Registration benchmark: gunicorn + PostgreSQL (DB pilots_i3_bench), 20 clients; see bench/registration.py.
bench-registration: install-dev
	$(PY) bench/registration.py

# Where a registration POST spends its time: pyinstrument over 300 POSTs in one process (bench/profile_registration.py).
profile-registration: install-dev
	$(PY) bench/profile_registration.py

# API benchmark: gunicorn + PostgreSQL (DB pilots_api_bench) + Redis, 20 clients; public open cohorts and the
# partners' overview against a bare Django view in the same run; see bench/api.py.
bench-api: install-dev
	$(PY) bench/api.py

# Check-in burst: 200 teachers x 2 posts from 20 threads, PostgreSQL (DB pilots_bench_checkin).
bench-checkin: install-dev
	BENCH_DATABASE_URL="$(BENCH_DATABASE_URL)" $(PY) bench/checkin_burst.py

# Upload refusal: a 1.19 GB zip bomb, an entity bomb and an external entity against reading the
# largest accepted workbook (bench/upload_refusal.py; no database).
bench-upload: install-dev
	$(PY) bench/upload_refusal.py

# Certificates benchmark: a 1,000-teacher cohort's certificates by the background worker (bench/certificates.py).
bench-certificates: install-dev
	BENCH_DATABASE_URL="$(BENCH_DATABASE_URL)" $(PY) bench/certificates.py

# ---------------------------------------------------------------------------------------------------
# Production stack on this machine (deploy/, README "Running in production"): nginx on
# https://127.0.0.1:$(PILOTS_PROD_PORT) (default 8443), two gunicorn app servers, two task workers
# under supervisord, the PostgreSQL primary and a streaming replica, Redis. Needs root (nginx,
# and the replica runs as the postgres user). `make prod-down CLEAN=1` also removes its data.
.PHONY: prod-packages prod-up prod-down prod-status prod-test prod-backup prod-restore-check

prod-packages:
	deploy/install-debian-packages

prod-up: prod-packages install
	deploy/stack.sh up

prod-down:
	deploy/stack.sh down

prod-status:
	deploy/stack.sh status

# Load and fault test against the stack (brings it up first; leaves it running).
prod-test: prod-up
	$(PY) deploy/loadtest.py

prod-backup:
	deploy/with-env $(PY) deploy/backup.py dump

prod-restore-check:
	deploy/with-env $(PY) deploy/backup.py restore-check
