# Two commands for a newcomer: `make run` and `make test`. Both set everything up first.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-requirements
HOST ?= 127.0.0.1:8000

.PHONY: install run test lint bench-registration bench-reports bench-import bench-page-weight clean

$(STAMP): requirements.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt
	touch $(STAMP)

install: $(STAMP)

run: install
	DEBUG=true $(PY) manage.py migrate --noinput
	DEBUG=true $(PY) manage.py seed_demo
	DEBUG=true $(PY) manage.py runserver $(HOST)

lint: install
	$(VENV)/bin/ruff check .

test: lint
	PILOTS_TESTING=1 $(PY) manage.py makemigrations --check --dry-run
	$(VENV)/bin/pytest

# Weight of the registration page over the wire, production static storage (bench/page_weight.py).
bench-page-weight: install
	$(PY) bench/page_weight.py

clean:
	rm -rf $(VENV) db.sqlite3 db.sqlite3-wal db.sqlite3-shm staticfiles

# Import benchmark (issue 5): 10,000 teacher rows; SQLite unless BENCH_DATABASE_URL is set.
bench-import: install
	BENCH_DATABASE_URL="$(BENCH_DATABASE_URL)" $(PY) bench/import_teachers.py

# Reports benchmark (issue 4): loads 100,000 enrolments / 1,000,000 attendance rows into PostgreSQL
# (BENCH_DATABASE_URL, default database pilots_i4_bench) once, then times the reports.
bench-reports: install
	$(PY) bench/reports.py

# Registration benchmark: gunicorn + PostgreSQL (DB pilots_i3_bench), 20 clients; see bench/registration.py.
bench-registration: install
	$(PY) bench/registration.py
