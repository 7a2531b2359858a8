"""Registration benchmark: gunicorn + PostgreSQL, 20 concurrent clients, one run.

    make bench-registration            (or: .venv/bin/python bench/registration.py)

What it does, all on 127.0.0.1:
1. (Re)creates the PostgreSQL database BENCH_DB (default pilots_i3_bench), migrates it, collects
   static files and creates one open cohort (BENCH_COHORTS) of capacity BENCH_CAPACITY.
2. Starts gunicorn (production settings: DEBUG off, a SECRET_KEY, ALLOWED_HOSTS, no SSL redirect,
   the Redis cache for the rate limit, the database task backend) on BENCH_PORT, with the
   registration rate limit raised for the run.
3. Measures, with CLIENTS threads using http.client (keep-alive where the server allows it):
   a. a trivial view (the home page), BENCH_TRIVIAL requests;
   b. real registrations: each client GETs the form once (CSRF cookie and token), then POSTs
      BENCH_REGISTRATIONS / CLIENTS complete registrations with distinct emails.
   For each: requests per second, p50 and p95 latency.
4. Counts confirmed enrolments against the capacity (must be equal) and stops gunicorn.
"""

import http.client
import json
import os
import re
import signal
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parent.parent
PYTHON = str(ROOT / ".venv" / "bin" / "python")
GUNICORN = str(ROOT / ".venv" / "bin" / "gunicorn")

HOST = "127.0.0.1"
PORT = int(os.environ.get("BENCH_PORT", "8300"))
DB = os.environ.get("BENCH_DB", "pilots_i3_bench")
PG = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432")
REDIS = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/4")
CLIENTS = int(os.environ.get("BENCH_CLIENTS", "20"))
WORKERS = int(os.environ.get("BENCH_WORKERS", "4"))
CAPACITY = int(os.environ.get("BENCH_CAPACITY", "300"))
REGISTRATIONS = int(os.environ.get("BENCH_REGISTRATIONS", "1500"))
TRIVIAL = int(os.environ.get("BENCH_TRIVIAL", "2000"))
# All clients register for one cohort (the hard case: every seat decision waits for its row lock).
# BENCH_COHORTS=n spreads the clients over n cohorts, to show what the lock costs.
COHORTS = int(os.environ.get("BENCH_COHORTS", "1"))
COHORT_CODES = [f"bench-open-cohort-{k}" for k in range(COHORTS)]

ENV = {
    **os.environ,
    "DATABASE_URL": f"{PG}/{DB}",
    "DEBUG": "false",
    "SECRET_KEY": "bench-only-secret-key-not-for-production-0123456789abcdef",
    "ALLOWED_HOSTS": HOST,
    "SECURE_SSL_REDIRECT": "false",
    "REDIS_URL": REDIS,
    "CONN_MAX_AGE": "60",
    "PILOTS_REGISTRATION_RATE": "1000000/m",
    "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
    "LOG_LEVEL": "WARNING",
}
ENV.pop("PILOTS_TESTING", None)

SETUP = f"""
import datetime as dt
from django.utils import timezone
from pilots.models import Cohort, Programme
programme = Programme.objects.create(name="Bench programme", start_date=dt.date(2020, 1, 1),
                                     end_date=dt.date(2030, 12, 31))
start = timezone.localdate() + dt.timedelta(days=30)
for code in {COHORT_CODES!r}:
    Cohort.objects.create(programme=programme, name="Bench cohort", code=code, year=start.year,
        kind="national_inservice", country="KH", language="km", venue="Phnom Penh", start_date=start,
        end_date=start + dt.timedelta(days=2), capacity={CAPACITY}, status="open",
        registration_opens=timezone.now() - dt.timedelta(days=1),
        registration_closes=timezone.now() + dt.timedelta(days=20))
"""


def run(*args):
    subprocess.run(args, cwd=ROOT, env=ENV, check=True, stdout=subprocess.DEVNULL)


def prepare_database():
    with psycopg.connect(f"{PG}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{DB}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{DB}"')
    run(PYTHON, "manage.py", "migrate", "--noinput", "-v0")
    run(PYTHON, "manage.py", "collectstatic", "--noinput", "-v0")
    run(PYTHON, "manage.py", "shell", "-c", SETUP)
    subprocess.run(["redis-cli", "-u", REDIS, "flushdb"], check=False, stdout=subprocess.DEVNULL)


def start_server():
    server = subprocess.Popen(
        [GUNICORN, "config.wsgi", "--bind", f"{HOST}:{PORT}", "--workers", str(WORKERS),
         "--worker-class", "sync", "--backlog", "256", "--log-level", "warning"],
        cwd=ROOT, env=ENV, start_new_session=True,
    )
    for _ in range(100):
        try:
            conn = http.client.HTTPConnection(HOST, PORT, timeout=2)
            conn.request("GET", "/")
            if conn.getresponse().status == 200:
                return server
        except OSError:
            time.sleep(0.1)
    stop_server(server)
    raise SystemExit("gunicorn did not start")


def stop_server(server):
    os.killpg(server.pid, signal.SIGTERM)
    try:
        server.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(server.pid, signal.SIGKILL)


class Client:
    def __init__(self):
        self.conn = http.client.HTTPConnection(HOST, PORT, timeout=30)
        self.cookies = {}

    def request(self, method, path, body=None, headers=None):
        headers = dict(headers or {})
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        for attempt in range(2):
            try:
                self.conn.request(method, path, body=body, headers=headers)
                response = self.conn.getresponse()
                data = response.read()
                break
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                self.conn.close()
                if attempt:
                    raise
        for header in response.headers.get_all("Set-Cookie") or []:
            name, _, rest = header.partition("=")
            self.cookies[name.strip()] = rest.split(";", 1)[0]
        if response.getheader("Connection", "").lower() == "close":
            self.conn.close()
        return response.status, data


def percentile(values, p):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def server_cpu_seconds(server):
    """CPU time (user + system) used so far by gunicorn's workers (from /proc; Linux only)."""
    total = 0.0
    tick = os.sysconf("SC_CLK_TCK")
    for pid in Path("/proc").iterdir():
        if not pid.name.isdigit():
            continue
        try:
            fields = (pid / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == server.pid:  # parent is the gunicorn master
            total += (int(fields[11]) + int(fields[12])) / tick
    return total


def hammer(name, per_client, work, server=None):
    """Run `work(client, i)` per_client times in each of CLIENTS threads; time every request."""
    latencies, statuses, lock = [], {}, threading.Lock()
    barrier = threading.Barrier(CLIENTS + 1, timeout=120)  # a client that fails to prepare ends the run

    def loop(n):
        client = Client()
        client.number = n
        prepare = getattr(work, "prepare", None)
        if prepare:
            prepare(client)
        barrier.wait()
        mine, codes = [], {}
        for i in range(per_client):
            start = time.perf_counter()
            status = work(client, n * per_client + i)
            mine.append(time.perf_counter() - start)
            codes[status] = codes.get(status, 0) + 1
        with lock:
            latencies.extend(mine)
            for code, count in codes.items():
                statuses[code] = statuses.get(code, 0) + count

    threads = [threading.Thread(target=loop, args=(n,)) for n in range(CLIENTS)]
    for thread in threads:
        thread.start()
    barrier.wait()
    cpu_before = server_cpu_seconds(server) if server else 0.0
    began = time.perf_counter()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - began
    cpu = server_cpu_seconds(server) - cpu_before if server else 0.0
    return {
        "server_cpu_ms_per_request": round(cpu * 1000 / max(len(latencies), 1), 2),
        "name": name,
        "requests": len(latencies),
        "seconds": round(elapsed, 2),
        "requests_per_second": round(len(latencies) / elapsed, 1),
        "p50_ms": round(statistics.median(latencies) * 1000, 1),
        "p95_ms": round(percentile(latencies, 95) * 1000, 1),
        "statuses": statuses,
    }


def trivial(client, i):
    return client.request("GET", "/")[0]


def register_path(client):
    return f"/cohorts/{COHORT_CODES[client.number % COHORTS]}/register/"
FORM_FIELDS = {}


def registration_prepare(client):
    status, body = client.request("GET", register_path(client))
    assert status == 200, status
    html = body.decode()
    client.csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
    if not FORM_FIELDS:
        province = re.search(r'<option value="(\d+)"[^>]*>[^<]*Phnom Penh', html).group(1)
        subject = re.search(r'name="subjects" value="(\d+)"', html).group(1)
        FORM_FIELDS.update(province=province, subject=subject)


def registration(client, i):
    body = urllib.parse.urlencode(
        {
            "csrfmiddlewaretoken": client.csrf,
            "family_name": "សុខ",
            "given_name": f"ចាន់ថា {i}",
            "family_name_latin": "Sok",
            "given_name_latin": f"Chantha {i}",
            "gender": "female",
            "email": f"bench.{i}@example.org",
            "phone": "012 345 678",
            "school": "Bench secondary school",
            "school_level": "upper_secondary",
            "subjects": FORM_FIELDS["subject"],
            "province": FORM_FIELDS["province"],
            "years_experience": "5",
            "preferred_language": "km",
            "consent": "on",
            "website": "",
        }
    )
    status, _ = client.request(
        "POST", register_path(client), body=body,
        headers={"Content-Type": "application/x-www-form-urlencoded", "Referer": f"http://{HOST}:{PORT}/"},
    )
    return status


registration.prepare = registration_prepare


def count_enrolments():
    """Enrolments per status and cohort, queued emails, and the median time between two
    consecutive seat decisions in a cohort (each is made under the cohort's row lock)."""
    with psycopg.connect(f"{PG}/{DB}") as conn:
        rows = conn.execute(
            "SELECT c.code, e.status, count(*) FROM pilots_enrolment e "
            "JOIN pilots_cohort c ON c.id = e.cohort_id GROUP BY c.code, e.status"
        ).fetchall()
        gaps = conn.execute(
            "SELECT extract(epoch FROM status_changed_at - lag(status_changed_at) "
            "OVER (PARTITION BY cohort_id ORDER BY status_changed_at)) FROM pilots_enrolment"
        ).fetchall()
        queued = conn.execute("SELECT count(*) FROM django_tasks_database_dbtaskresult").fetchone()[0]
    per_cohort = {}
    for code, status, count in rows:
        per_cohort.setdefault(code, {})[status] = count
    gaps = [float(g) for (g,) in gaps if g is not None]
    gap_ms = round(statistics.median(gaps) * 1000, 2) if gaps else None
    return per_cohort, queued, gap_ms


LOAD_BEFORE = None


def main():
    global LOAD_BEFORE
    LOAD_BEFORE = " ".join(Path("/proc/loadavg").read_text().split()[:3])
    print(f"Preparing database {DB} ...", flush=True)
    prepare_database()
    server = start_server()
    try:
        print(f"gunicorn: {WORKERS} sync workers on {HOST}:{PORT}; {CLIENTS} concurrent clients", flush=True)
        results = [
            hammer("trivial view (GET /)", TRIVIAL // CLIENTS, trivial, server),
            hammer("registration POST", REGISTRATIONS // CLIENTS, registration, server),
        ]
    finally:
        stop_server(server)
    counts, queued, gap_ms = count_enrolments()
    confirmed_ok = all(c.get("confirmed", 0) == CAPACITY for c in counts.values()) and len(counts) == COHORTS
    summary = {
        "results": results,
        "capacity": CAPACITY,
        "load_average_before": LOAD_BEFORE,
        "workers": WORKERS,
        "cohorts": COHORTS,
        "clients": CLIENTS,
        "enrolments": counts,
        "emails_queued": queued,
        "confirmed_equals_capacity": confirmed_ok,
        "median_ms_between_seat_decisions_in_a_cohort": gap_ms,
        "trivial_to_registration_ratio": round(
            results[0]["requests_per_second"] / results[1]["requests_per_second"], 2
        ),
    }
    for r in results:
        print(f"{r['name']:<24} {r['requests']:>5} req in {r['seconds']:>6}s"
              f"  {r['requests_per_second']:>7} req/s  p50 {r['p50_ms']:>6} ms  p95 {r['p95_ms']:>6} ms"
              f"  gunicorn CPU {r['server_cpu_ms_per_request']} ms/req  statuses {r['statuses']}")
    print(f"load average before the run: {LOAD_BEFORE}")
    print(f"median time between consecutive seat decisions in a cohort: {gap_ms} ms")
    print(f"capacity {CAPACITY} per cohort: {counts}; emails queued {queued}; "
          f"confirmed == capacity: {summary['confirmed_equals_capacity']}")
    print(json.dumps(summary))
    return 0 if confirmed_ok and results[1]["statuses"].get(302) else 1


if __name__ == "__main__":
    sys.exit(main())
