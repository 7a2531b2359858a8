"""The registration benchmark's baseline: the least a registration can do, as one WSGI app.

    gunicorn bench.raw_registration_app:app     (started by bench/registration.py)

POST /register/ with an urlencoded body (`email`): in one transaction, lock the cohort row, count its
confirmed seats, insert the enrolment as confirmed or waitlisted, commit; answer 302. Raw SQL through
psycopg, one connection per worker process, no framework. The tables (raw_bench_cohort,
raw_bench_enrolment) are made by bench/registration.py in the benchmark's database (RAW_DATABASE_URL).
"""

import os
import urllib.parse

import psycopg

_connection = None


def _db():
    global _connection
    if _connection is None or _connection.closed:
        _connection = psycopg.connect(os.environ["RAW_DATABASE_URL"])
    return _connection


LOCK = "SELECT capacity FROM raw_bench_cohort WHERE id = %s FOR UPDATE"
COUNT = "SELECT count(*) FROM raw_bench_enrolment WHERE cohort_id = %s AND status = 'confirmed'"
INSERT = ("INSERT INTO raw_bench_enrolment (cohort_id, email, status, decided_at) "
          "VALUES (%s, %s, %s, clock_timestamp())")


def app(environ, start_response):
    if environ["REQUEST_METHOD"] != "POST":
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [b"raw registration baseline\n"]
    length = int(environ.get("CONTENT_LENGTH") or 0)
    form = urllib.parse.parse_qs(environ["wsgi.input"].read(length).decode())
    email = form.get("email", [""])[0].strip().lower()
    cohort_id = 1
    conn = _db()
    with conn.transaction():
        capacity = conn.execute(LOCK, [cohort_id]).fetchone()[0]
        taken = conn.execute(COUNT, [cohort_id]).fetchone()[0]
        status = "confirmed" if taken < capacity else "waitlisted"
        conn.execute(INSERT, [cohort_id, email, status])
    start_response("302 Found", [("Location", "/done/"), ("Content-Length", "0")])
    return [b""]


SCHEMA = """
DROP TABLE IF EXISTS raw_bench_enrolment;
DROP TABLE IF EXISTS raw_bench_cohort;
CREATE TABLE raw_bench_cohort (id integer PRIMARY KEY, capacity integer NOT NULL);
CREATE TABLE raw_bench_enrolment (
    id bigserial PRIMARY KEY,
    cohort_id integer NOT NULL REFERENCES raw_bench_cohort (id),
    email text NOT NULL UNIQUE,
    status text NOT NULL,
    decided_at timestamptz NOT NULL
);
CREATE INDEX raw_bench_enrolment_seats ON raw_bench_enrolment (cohort_id, status);
"""
