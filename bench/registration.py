"""Registration benchmark: gunicorn + PostgreSQL + Redis, 20 concurrent clients, one run.

    make bench-registration            (or: .venv/bin/python bench/registration.py)

What it does, all on 127.0.0.1, with the same gunicorn settings throughout (WORKERS sync workers):
1. (Re)creates the PostgreSQL database BENCH_DB (default pilots_i3_bench), migrates it, collects
   static files, creates the open cohort(s) (BENCH_COHORTS) of capacity BENCH_CAPACITY, two
   "rush" cohorts, and the baseline's two tables (bench/raw_registration_app.py).
2. Two gunicorn servers: the raw-SQL baseline, bench/raw_registration_app.py (one file: lock the
   cohort row, count its seats, insert, commit), and Pilots (production settings: DEBUG off, Redis
   cache, the database task backend, the bench site of bench/api_site.py which adds a bare Django
   view), with the registration rate limit raised for the run.
3. Against them, CLIENTS threads:
   a. a trivial view (the home page) and the bare view (a JSON constant);
   b. BENCH_ROUNDS (5) rounds, each first the baseline then Pilots, of a share of
      BENCH_RAW_REGISTRATIONS (5 x BENCH_REGISTRATIONS: it is faster) and of BENCH_REGISTRATIONS
      POSTs. Pilots' are real registrations into one cohort: each client GETs the form once a round
      (CSRF cookie and token), then POSTs complete registrations with distinct emails. Requests/s,
      p50, p95, gunicorn's CPU per registration (its workers' /proc/<pid>/stat before and after)
      and PostgreSQL's, over all rounds; the ratio to the baseline is taken round by round (a drift
      of the machine's speed moves both sides of each ratio) and its median reported;
   c. a registration rush with readers: BENCH_RUSH_WRITERS clients register into a rush cohort
      while BENCH_RUSH_READERS clients read, until the writers are done: first the bare view, then
      the public pages (the open-cohorts list and the rush cohort's page, in English and Khmer):
      the pages' requests/s as a ratio of the bare view's under the same rush.
4. Checks: confirmed == capacity in every cohort (no overbooking) and in the baseline, no 5xx, the
   median time between consecutive seat decisions in one cohort (the enrolments' status_changed_at;
   the baseline's clock_timestamp()), and the seats left shown by the cached public pages, in both
   languages, against the database once the rush is over.
Exits non-zero when a check fails.
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

sys.path.insert(0, str(Path(__file__).resolve().parent))
import raw_registration_app  # noqa: E402  (its schema; gunicorn imports it as a module of bench/)

ROOT = Path(__file__).resolve().parent.parent
PYTHON = str(ROOT / ".venv" / "bin" / "python")
GUNICORN = str(ROOT / ".venv" / "bin" / "gunicorn")

HOST = "127.0.0.1"
PORT = int(os.environ.get("BENCH_PORT", "8300"))
RAW_PORT = int(os.environ.get("BENCH_RAW_PORT", str(PORT + 1)))
DB = os.environ.get("BENCH_DB", "pilots_i3_bench")
PG = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432")
REDIS = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/4")
CLIENTS = int(os.environ.get("BENCH_CLIENTS", "20"))
WORKERS = int(os.environ.get("BENCH_WORKERS", "4"))
CAPACITY = int(os.environ.get("BENCH_CAPACITY", "300"))
REGISTRATIONS = int(os.environ.get("BENCH_REGISTRATIONS", "1500"))
# The baseline answers several times faster: it gets more requests, so that each of its rounds
# lasts long enough (seconds, not a fraction of one) to be timed against the machine's noise.
RAW_REGISTRATIONS = int(os.environ.get("BENCH_RAW_REGISTRATIONS", str(REGISTRATIONS * 5)))
# The baseline and Pilots' registration run in turn, in this many rounds (see paired_rounds).
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "5"))
TRIVIAL = int(os.environ.get("BENCH_TRIVIAL", "2000"))
# All clients register for one cohort (the hard case: every seat decision waits for its row lock).
# BENCH_COHORTS=n spreads the clients over n cohorts, to show what the lock costs.
COHORTS = int(os.environ.get("BENCH_COHORTS", "1"))
COHORT_CODES = [f"bench-open-cohort-{k}" for k in range(COHORTS)]
# The rush: writers register into a cohort of their own while readers read (bare view, then pages).
RUSH_WRITERS = int(os.environ.get("BENCH_RUSH_WRITERS", "10"))
RUSH_READERS = int(os.environ.get("BENCH_RUSH_READERS", "10"))
RUSH_REGISTRATIONS = int(os.environ.get("BENCH_RUSH_REGISTRATIONS", "600"))
RUSH_CAPACITY = int(os.environ.get("BENCH_RUSH_CAPACITY", "200"))
RUSH_CODES = {"bare": "bench-rush-bare", "pages": "bench-rush-pages"}

ENV = {
    **os.environ,
    "DATABASE_URL": f"{PG}/{DB}",
    "DEBUG": "false",
    "SECRET_KEY": "bench-only-secret-key-not-for-production-0123456789abcdef",
    "ALLOWED_HOSTS": HOST,
    "SECURE_SSL_REDIRECT": "false",
    "REDIS_URL": REDIS,
    # Longer than a run: a backend that exits mid-run would take its CPU time out of the count.
    "CONN_MAX_AGE": "3600",
    "PILOTS_REGISTRATION_RATE": "1000000/m",
    "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
    "LOG_LEVEL": "WARNING",
    "DJANGO_SETTINGS_MODULE": "bench.api_site",  # the project's URLs plus /bench/bare/
    "RAW_DATABASE_URL": f"{PG}/{DB}",
}
ENV.pop("PILOTS_TESTING", None)

SETUP = f"""
import datetime as dt
from django.utils import timezone
from pilots.models import Cohort, Programme
programme = Programme.objects.create(name="Bench programme", start_date=dt.date(2020, 1, 1),
                                     end_date=dt.date(2030, 12, 31))
start = timezone.localdate() + dt.timedelta(days=30)
for code, capacity in {[(c, CAPACITY) for c in COHORT_CODES] + [(c, RUSH_CAPACITY) for c in RUSH_CODES.values()]!r}:
    Cohort.objects.create(programme=programme, name="Bench cohort", code=code, year=start.year,
        kind="national_inservice", country="KH", language="km", venue="Phnom Penh", start_date=start,
        end_date=start + dt.timedelta(days=2), capacity=capacity, status="open",
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
    with psycopg.connect(f"{PG}/{DB}", autocommit=True) as conn:
        conn.execute(raw_registration_app.SCHEMA)
        conn.execute("INSERT INTO raw_bench_cohort (id, capacity) VALUES (1, %s)", [CAPACITY])
    subprocess.run(["redis-cli", "-u", REDIS, "flushdb"], check=False, stdout=subprocess.DEVNULL)


def start_server(app="config.wsgi", port=PORT):
    server = subprocess.Popen(
        [GUNICORN, app, "--bind", f"{HOST}:{port}", "--workers", str(WORKERS),
         "--worker-class", "sync", "--backlog", "256", "--log-level", "warning"],
        cwd=ROOT, env=ENV, start_new_session=True,
    )
    for _ in range(100):
        try:
            conn = http.client.HTTPConnection(HOST, port, timeout=2)
            conn.request("GET", "/")
            if conn.getresponse().status == 200:
                return server
        except OSError:
            time.sleep(0.1)
    stop_server(server)
    raise SystemExit("gunicorn did not start")


def stop_server(server):
    if server.poll() is not None:  # stopped already
        return
    os.killpg(server.pid, signal.SIGTERM)
    try:
        server.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(server.pid, signal.SIGKILL)


class Client:
    def __init__(self, port=None):
        self.conn = http.client.HTTPConnection(HOST, port or PORT, timeout=30)
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


def _processes_cpu_seconds(chosen) -> float:
    """CPU time (user + system) used so far by the processes `chosen(pid_dir, stat_fields)` keeps
    (from /proc; Linux only)."""
    total = 0.0
    tick = os.sysconf("SC_CLK_TCK")
    for pid in Path("/proc").iterdir():
        if not pid.name.isdigit():
            continue
        try:
            fields = (pid / "stat").read_text().rsplit(")", 1)[1].split()
            if chosen(pid, fields):
                total += (int(fields[11]) + int(fields[12])) / tick
        except OSError:  # the process ended meanwhile
            continue
    return total


def server_cpu_seconds(server):
    """CPU time used so far by gunicorn's workers (their parent is the gunicorn master)."""
    return _processes_cpu_seconds(lambda pid, fields: int(fields[1]) == server.pid)


def _serves_bench_database(pid, fields) -> bool:
    # "postgres: 15/main: postgres <database> 127.0.0.1(port) idle" (PostgreSQL's process title)
    title = (pid / "cmdline").read_bytes().split(b"\0")[0].decode(errors="replace")
    return title.startswith("postgres:") and f": postgres {DB} " in title


def database_cpu_seconds():
    """CPU time used so far by the PostgreSQL backends connected to the benchmark's database."""
    return _processes_cpu_seconds(_serves_bench_database)


def hammer(name, per_client, work, server=None, port=None, offset=0):
    """Run `work(client, i)` per_client times in each of CLIENTS threads; time every request. The
    numbers i (distinct emails) start at `offset`."""
    latencies, statuses, lock = [], {}, threading.Lock()
    barrier = threading.Barrier(CLIENTS + 1, timeout=120)  # a client that fails to prepare ends the run

    def loop(n):
        client = Client(port)
        client.number = n
        prepare = getattr(work, "prepare", None)
        if prepare:
            prepare(client)
        barrier.wait()
        mine, codes = [], {}
        for i in range(per_client):
            start = time.perf_counter()
            status = work(client, offset + n * per_client + i)
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
    db_before = database_cpu_seconds()
    began = time.perf_counter()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - began
    cpu = server_cpu_seconds(server) - cpu_before if server else 0.0
    db_cpu = database_cpu_seconds() - db_before
    return measured(name, latencies, elapsed, statuses, cpu, db_cpu)


def measured(name, latencies, elapsed, statuses, cpu, db_cpu) -> dict:
    return {
        "server_cpu_ms_per_request": round(cpu * 1000 / max(len(latencies), 1), 2),
        "database_cpu_ms_per_request": round(db_cpu * 1000 / max(len(latencies), 1), 2),
        **timings(name, latencies, elapsed, statuses),
        # Kept to merge rounds (`paired_rounds`), left out of the JSON summary.
        "_raw": (latencies, elapsed, statuses, cpu, db_cpu),
    }


def merged(name, rounds) -> dict:
    """One result for several rounds of the same work: their requests, time and CPU added up."""
    latencies, elapsed, statuses, cpu, db_cpu = [], 0.0, {}, 0.0, 0.0
    for result in rounds:
        lat, sec, codes, c, d = result["_raw"]
        latencies += lat
        elapsed, cpu, db_cpu = elapsed + sec, cpu + c, db_cpu + d
        for code, count in codes.items():
            statuses[code] = statuses.get(code, 0) + count
    return measured(name, latencies, elapsed, statuses, cpu, db_cpu)


def paired_rounds(raw_server, server):
    """The raw baseline and Pilots' registration in turn, ROUNDS times (each a share of
    RAW_REGISTRATIONS and REGISTRATIONS): the ratio is taken round by round, so a drift of the
    machine's speed during the run moves both sides of each ratio. Returns the merged results and
    the ratio of each round."""
    per_client, raw_per_client = REGISTRATIONS // CLIENTS // ROUNDS, RAW_REGISTRATIONS // CLIENTS // ROUNDS
    raws, pilots = [], []
    for round_ in range(ROUNDS):
        raws.append(hammer("raw", raw_per_client, raw_registration, raw_server, RAW_PORT,
                           round_ * raw_per_client * CLIENTS))
        pilots.append(hammer("pilots", per_client, registration, server, offset=round_ * per_client * CLIENTS))
    ratios = [round(p["requests_per_second"] / r["requests_per_second"], 3) for r, p in zip(raws, pilots, strict=True)]
    return (merged("raw-SQL registration POST (baseline)", raws),
            merged("Pilots registration POST", pilots), ratios)


def timings(name, latencies, elapsed, statuses) -> dict:
    """What every measured phase reports: requests, time, rate, p50 and p95, statuses."""
    return {
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


def bare(client, i):
    return client.request("GET", "/bench/bare/")[0]


def register_path(client):
    code = getattr(client, "cohort_code", None) or COHORT_CODES[client.number % COHORTS]
    return f"/cohorts/{code}/register/"


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
            "email": f"bench.{getattr(client, 'email_prefix', '')}{i}@example.org",
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


def raw_registration(client, i):
    body = urllib.parse.urlencode({"email": f"raw.{i}@example.org"})
    status, _ = client.request("POST", "/register/", body=body,
                               headers={"Content-Type": "application/x-www-form-urlencoded"})
    return status


def public_page_paths(code):
    return ["/cohorts/", f"/cohorts/{code}/"]


def rush(name, code, read, readers_prepare=None):
    """RUSH_WRITERS clients register into cohort `code` (RUSH_REGISTRATIONS in all) while
    RUSH_READERS clients call `read(client, i)` until the writers are done. Returns the readers'
    figures and the writers' statuses."""
    stop = threading.Event()
    barrier = threading.Barrier(RUSH_WRITERS + RUSH_READERS + 1, timeout=120)
    lock = threading.Lock()
    reads, writes = [], {}
    read_statuses = {}
    per_writer = RUSH_REGISTRATIONS // RUSH_WRITERS

    def writer(n):
        client = Client()
        client.number, client.cohort_code, client.email_prefix = n, code, f"{code}."
        registration_prepare(client)
        barrier.wait()
        mine = {}
        for i in range(per_writer):
            status = registration(client, n * per_writer + i)
            mine[status] = mine.get(status, 0) + 1
        with lock:
            for k, v in mine.items():
                writes[k] = writes.get(k, 0) + v

    def reader(n):
        client = Client()
        client.number = n
        if readers_prepare:
            readers_prepare(client)
        barrier.wait()
        mine, codes, i = [], {}, 0
        while not stop.is_set() and i < 100000:
            began = time.perf_counter()
            status = read(client, i)
            mine.append(time.perf_counter() - began)
            codes[status] = codes.get(status, 0) + 1
            i += 1
        with lock:
            reads.extend(mine)
            for k, v in codes.items():
                read_statuses[k] = read_statuses.get(k, 0) + v

    writers = [threading.Thread(target=writer, args=(n,)) for n in range(RUSH_WRITERS)]
    readers = [threading.Thread(target=reader, args=(n,)) for n in range(RUSH_READERS)]
    for thread in writers + readers:
        thread.start()
    barrier.wait()
    began = time.perf_counter()
    for thread in writers:
        thread.join()
    writers_elapsed = time.perf_counter() - began
    stop.set()
    for thread in readers:
        thread.join()
    elapsed = time.perf_counter() - began
    return {
        **timings(name, reads, elapsed, read_statuses),
        "rush_registrations_per_second": round(sum(writes.values()) / writers_elapsed, 1),
        "rush_statuses": writes,
    }


def readers_prepare(client):
    # Half the readers read in Khmer, half in English: each language has its own cached pages.
    client.cookies["django_language"] = "km" if client.number % 2 else "en"


def read_pages(client, i):
    return client.request("GET", public_page_paths(RUSH_CODES["pages"])[i % 2])[0]


SEATS_SHOWN = {
    "en": (r"(\d+) seats? left", "Full: waiting list"),
    "km": (r"នៅសល់ (\d+) កន្លែង", "ពេញ៖ បញ្ជីរង់ចាំ"),
}


def seats_shown(code):
    """Seats left as the public pages show them now, per language and page: {(language, path): n}."""
    shown = {}
    for language, (pattern, full) in SEATS_SHOWN.items():
        client = Client()
        client.cookies["django_language"] = language
        for path in public_page_paths(code):
            status, body = client.request("GET", path)
            html = body.decode()
            if path == "/cohorts/":  # the card of this cohort only
                html = html.split(f'href="/cohorts/{code}/"', 1)[1].split("</li>", 1)[0]
            match = re.search(pattern, html)
            shown[(language, path)] = int(match.group(1)) if match else (0 if full in html else None)
    return shown


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
            "OVER (PARTITION BY cohort_id ORDER BY status_changed_at)) FROM pilots_enrolment e "
            "JOIN pilots_cohort c ON c.id = e.cohort_id WHERE c.code = ANY(%s)", [COHORT_CODES]
        ).fetchall()
        queued = conn.execute("SELECT count(*) FROM django_tasks_database_dbtaskresult").fetchone()[0]
        emails = conn.execute("SELECT count(*) FROM pilots_outboundemail").fetchone()[0]
        raw = dict(conn.execute("SELECT status, count(*) FROM raw_bench_enrolment GROUP BY status").fetchall())
        raw_gaps = conn.execute(
            "SELECT extract(epoch FROM decided_at - lag(decided_at) OVER (ORDER BY decided_at)) "
            "FROM raw_bench_enrolment"
        ).fetchall()
        capacities = dict(conn.execute("SELECT code, capacity FROM pilots_cohort").fetchall())
    per_cohort = {}
    for code, status, count in rows:
        per_cohort.setdefault(code, {})[status] = count

    def median_ms(rows):
        values = [float(g) for (g,) in rows if g is not None]
        return round(statistics.median(values) * 1000, 2) if values else None

    return per_cohort, capacities, queued, emails, raw, median_ms(gaps), median_ms(raw_gaps)


def line(r, extra=""):
    return (f"{r['name']:<38} {r['requests']:>6} req in {r['seconds']:>6}s  {r['requests_per_second']:>7} req/s"
            f"  p50 {r['p50_ms']:>6} ms  p95 {r['p95_ms']:>6} ms{extra}  statuses {r['statuses']}")


def main():
    load_before = " ".join(Path("/proc/loadavg").read_text().split()[:3])
    print(f"Preparing database {DB} ...", flush=True)
    prepare_database()
    print(f"gunicorn: {WORKERS} sync workers; {CLIENTS} concurrent clients; load average {load_before}",
          flush=True)
    raw_server = start_server("bench.raw_registration_app:app", RAW_PORT)
    server = start_server()
    try:
        trivial_result = hammer("trivial view (GET /)", TRIVIAL // CLIENTS, trivial, server)
        bare_result = hammer("bare Django view", TRIVIAL // CLIENTS, bare, server)
        raw, pilots, ratios = paired_rounds(raw_server, server)
        stop_server(raw_server)
        rush_bare = rush("bare Django view, during a rush", RUSH_CODES["bare"], bare)
        rush_pages = rush("public pages (cached), during a rush", RUSH_CODES["pages"], read_pages,
                          readers_prepare)
        shown = seats_shown(RUSH_CODES["pages"])
    finally:
        stop_server(server)
        stop_server(raw_server)
    counts, capacities, queued, emails, raw_counts, gap_ms, raw_gap_ms = count_enrolments()

    expected = {code: min(capacities[code], REGISTRATIONS if code in COHORT_CODES else RUSH_REGISTRATIONS)
                for code in [*COHORT_CODES, *RUSH_CODES.values()]}
    no_overbooking = all(counts.get(code, {}).get("confirmed", 0) == n for code, n in expected.items()) and (
        raw_counts.get("confirmed", 0) == min(CAPACITY, RAW_REGISTRATIONS))
    rush_left = capacities[RUSH_CODES["pages"]] - counts.get(RUSH_CODES["pages"], {}).get("confirmed", 0)
    seats_correct = all(n == rush_left for n in shown.values())
    results = [raw, trivial_result, bare_result, pilots, rush_bare, rush_pages]
    server_errors = sum(n for r in results for code, d in (("r", r["statuses"]), ("w", r.get("rush_statuses", {})))
                        for status, n in d.items() if int(status) >= 500)
    all_answered = pilots["statuses"].get(302) == pilots["requests"] and raw["statuses"].get(302) == raw["requests"]
    ratio = statistics.median(ratios)
    pages_ratio = round(rush_pages["requests_per_second"] / rush_bare["requests_per_second"], 3)

    print(line(raw, f"  gunicorn CPU {raw['server_cpu_ms_per_request']} ms/req"
                    f"  PostgreSQL CPU {raw['database_cpu_ms_per_request']} ms/req"))
    print(line(trivial_result, f"  gunicorn CPU {trivial_result['server_cpu_ms_per_request']} ms/req"))
    print(line(bare_result, f"  gunicorn CPU {bare_result['server_cpu_ms_per_request']} ms/req"))
    print(line(pilots, f"  gunicorn CPU {pilots['server_cpu_ms_per_request']} ms/req"
                       f"  PostgreSQL CPU {pilots['database_cpu_ms_per_request']} ms/req"))
    for r in (rush_bare, rush_pages):
        print(line(r, f"  (registrations meanwhile {r['rush_registrations_per_second']}/s {r['rush_statuses']})"))
    print(f"Pilots registration / raw-SQL baseline, median of {ROUNDS} paired rounds: {ratio:.2f}"
          f"  (rounds {', '.join(f'{r:.2f}' for r in ratios)}; aim >= 0.33 and >= 250 req/s)")
    print(f"gunicorn CPU per Pilots registration: {pilots['server_cpu_ms_per_request']} ms  (aim <= 6)")
    print(f"median time between consecutive seat decisions in one cohort: Pilots {gap_ms} ms, "
          f"raw baseline {raw_gap_ms} ms  (aim <= 2)")
    print(f"Pilots registration p95: {pilots['p95_ms']} ms  (aim < 250)")
    print(f"public pages during a rush / bare view during a rush: {pages_ratio:.2f}  (aim >= 0.5)")
    print(f"seats left shown after the rush (cached pages, en and km): {sorted(set(shown.values()))}, "
          f"database: {rush_left}; correct: {seats_correct}")
    print(f"enrolments: {counts}; baseline: {raw_counts}; emails {emails}, tasks queued {queued}")
    print(f"no overbooking: {no_overbooking}; 5xx: {server_errors}; every registration answered 302: {all_answered}")
    summary = {
        "results": [{k: v for k, v in r.items() if k != "_raw"} for r in results],
        "round_ratios": ratios, "capacity": CAPACITY, "rush_capacity": RUSH_CAPACITY,
        "load_average_before": load_before, "workers": WORKERS, "cohorts": COHORTS, "clients": CLIENTS,
        "enrolments": counts, "baseline_enrolments": raw_counts, "emails": emails, "tasks_queued": queued,
        "no_overbooking": no_overbooking, "server_errors": server_errors,
        "registration_to_baseline_ratio": ratio, "pages_to_bare_ratio_during_rush": pages_ratio,
        "median_ms_between_seat_decisions_in_a_cohort": gap_ms,
        "baseline_median_ms_between_seat_decisions": raw_gap_ms,
        "seats_shown_after_rush": {f"{k[0]} {k[1]}": v for k, v in shown.items()},
        "seats_left_in_database": rush_left, "seats_shown_correct": seats_correct,
    }
    print(json.dumps(summary))
    return 0 if no_overbooking and not server_errors and all_answered and seats_correct and emails == queued else 1


if __name__ == "__main__":
    sys.exit(main())
