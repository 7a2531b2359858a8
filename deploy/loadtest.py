"""Load and fault test of the running stack (`make prod-test` brings it up, runs this, prints figures).

Everything goes through nginx on https://127.0.0.1:PILOTS_PROD_PORT/ except the database checks,
and only to 127.0.0.1. Each simulated teacher connects from its own loopback address (127.R.x.y,
R chosen per run), so the per-client rate limit sees 200 different clients through the proxy.

1. The edge: HTTP/2 offered (ALPN), gzip on HTML and static files, hashed static files cached a
   year, and the rate limit counting the real client (an address over the limit gets 429; a forged
   X-Forwarded-For does not help it; another address is still served).
2. Rush: 200 teachers GET the form, then POST at once into a 20-seat cohort. A teacher told "busy"
   (503) or whose server failed (502) tries again, as the page says. Then exactly 20 confirmed and
   180 waitlisted, every one of the 200 in the database once, and both app servers served POSTs.
3. App server killed: 200 more POST at once; after the first answers app1's gunicorn (master and
   workers) gets SIGKILL. Every registration answered with 2xx/3xx must be in the database.
   supervisord restarts app1.
4. Replica: a coordinator (superuser) logs in (a write: pinned to the primary by the signed
   cookie), reads the cohort report; then, unpinned, reads it from the replica (seen in the
   replica's pg_stat_activity); the replica is stopped: the report still answers (from the primary)
   and /readyz warns; the replica is started again and /readyz is clean.
5. Backup: deploy/backup.py dump writes a pg_dump, restore-check restores it into a scratch
   database and compares row counts.
6. Logs: a teacher opens the status page behind the signed link; every line of the nginx, app
   server and worker logs is JSON, and none holds a status token.
Exit status 0 only when every check holds. Stops by itself (every wait has a deadline).
"""

import http.client
import json
import os
import random
import re
import secrets
import signal
import ssl
import subprocess
import sys
import threading
import time
import urllib.parse
from collections import Counter
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parent.parent
STATE = Path(os.environ.get("PILOTS_PROD_STATE", ROOT / "deploy" / "state"))
HOST = "127.0.0.1"
PORT = int(os.environ.get("PILOTS_PROD_PORT", "8443"))
APP1_PORT = int(os.environ.get("PILOTS_APP1_PORT", "8101"))
REPLICA_PORT = int(os.environ.get("PILOTS_REPLICA_PORT", "5433"))
PG_BIN = os.environ.get("PILOTS_PG_BIN", "/usr/lib/postgresql/15/bin")
TEACHERS = int(os.environ.get("LOADTEST_TEACHERS", "200"))
SEATS = int(os.environ.get("LOADTEST_SEATS", "20"))
ORIGIN = f"https://{HOST}:{PORT}" if PORT != 443 else f"https://{HOST}"
RUN = secrets.token_hex(3)
NET = random.randint(1, 254)  # second octet of this run's client addresses

ENV = dict(line.split("=", 1) for line in (STATE / "env").read_text().splitlines()
           if line and not line.startswith("#") and "=" in line)
DATABASE_URL = ENV["DATABASE_URL"]
REPLICA_URL = ENV["DATABASE_REPLICA_URL"]

TLS = ssl.create_default_context(cafile=str(STATE / "tls" / "cert.pem"))
FAILURES = []


def check(condition, message):
    print(("  ok   " if condition else "  FAIL ") + message, flush=True)
    if not condition:
        FAILURES.append(message)


def address(k: int) -> str:
    return f"127.{NET}.{k // 250}.{k % 250 + 1}"


class Client:
    """One browser: its own source address, keep-alive TLS connection and cookies."""

    def __init__(self, source=None):
        self.source = source
        self.cookies = {}
        self.conn = None

    def _connect(self):
        self.conn = http.client.HTTPSConnection(
            HOST, PORT, context=TLS, timeout=90,
            source_address=(self.source, 0) if self.source else None,
        )

    def request(self, method, path, body=None, headers=None):
        headers = {"Origin": ORIGIN, "Referer": ORIGIN + "/", **(headers or {})}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            body = urllib.parse.urlencode(body, doseq=True)
        if self.conn is None:
            self._connect()
        try:
            self.conn.request(method, path, body=body, headers=headers)
            response = self.conn.getresponse()
            data = response.read()
        except (OSError, http.client.HTTPException):
            self.conn.close()
            self.conn = None
            raise
        for header in response.headers.get_all("Set-Cookie") or []:
            name, _, rest = header.partition("=")
            value = rest.split(";", 1)[0]
            if "max-age=0" in header.lower() or not value.strip('"'):
                self.cookies.pop(name.strip(), None)
            else:
                self.cookies[name.strip()] = value
        if response.getheader("Connection", "").lower() == "close":
            self.conn.close()
            self.conn = None
        return response, data


def manage_shell(code):
    subprocess.run(
        [str(ROOT / "deploy" / "with-env"), str(ROOT / ".venv" / "bin" / "python"), "manage.py", "shell", "-c", code],
        cwd=ROOT, check=True, stdout=subprocess.DEVNULL,
    )


def create_cohorts_and_admin(password):
    manage_shell(f"""
import datetime as dt
from django.contrib.auth import get_user_model
from django.utils import timezone
from pilots.models import Cohort, Programme
programme, _ = Programme.objects.get_or_create(name="Load test programme",
    defaults=dict(start_date=dt.date(2020, 1, 1), end_date=dt.date(2030, 12, 31)))
start = timezone.localdate() + dt.timedelta(days=30)
for code, capacity in (("load-{RUN}-rush", {SEATS}), ("load-{RUN}-kill", 1000), ("load-{RUN}-limit", 10)):
    Cohort.objects.create(programme=programme, name="Load test " + code, code=code, year=start.year,
        kind="national_inservice", country="KH", language="km", venue="Phnom Penh", start_date=start,
        end_date=start + dt.timedelta(days=2), capacity=capacity, status="open",
        registration_opens=timezone.now() - dt.timedelta(days=1),
        registration_closes=timezone.now() + dt.timedelta(days=20))
User = get_user_model()
user, _ = User.objects.get_or_create(username="loadtest-admin",
    defaults=dict(is_staff=True, is_superuser=True, email="loadtest-admin@example.org"))
user.is_staff = user.is_superuser = True
user.set_password({password!r})
user.save()
""")


FORM = {}
BAD_GATEWAY_PAGES = set()  # whether each 502 page seen was the four-language one


def get_form(client, code):
    response, body = client.request("GET", f"/cohorts/{code}/register/")
    assert response.status == 200, response.status
    html = body.decode()
    client.csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
    if not FORM:
        FORM["province"] = re.search(r'<option value="(\d+)"[^>]*>[^<]*Phnom Penh', html).group(1)
        FORM["subject"] = re.search(r'name="subjects" value="(\d+)"', html).group(1)


def registration(client, email, i):
    return {
        "csrfmiddlewaretoken": client.csrf, "family_name": "សុខ", "given_name": f"ចាន់ថា {i}",
        "family_name_latin": "Sok", "given_name_latin": f"Chantha {i}", "gender": "female",
        "email": email, "phone": "012 345 678", "school": "Load test secondary school",
        "school_level": "upper_secondary", "subjects": FORM["subject"], "province": FORM["province"],
        "years_experience": "5", "preferred_language": "km", "consent": "on", "website": "",
    }


def post_registration(client, code, email, i):
    """(status or exception name, seconds)."""
    began = time.perf_counter()
    try:
        response, body = client.request("POST", f"/cohorts/{code}/register/", registration(client, email, i))
        status = response.status
        if status == 502:
            BAD_GATEWAY_PAGES.add("សូមព្យាយាមម្តងទៀត" in body.decode(errors="replace"))
    except (OSError, http.client.HTTPException) as exc:
        status = type(exc).__name__
    return status, time.perf_counter() - began


def burst(code, first, count, retries, on_answer=None):
    """`count` teachers GET the form, wait for each other, then POST at once."""
    clients = [Client(address(first + k)) for k in range(count)]
    emails = [f"load.{RUN}.{first + k}@example.org" for k in range(count)]
    results = [None] * count
    barrier = threading.Barrier(count + 1, timeout=180)
    answered = threading.Semaphore(0)

    def teacher(k):
        try:
            get_form(clients[k], code)
        finally:
            barrier.wait()
        attempts = []
        for _ in range(retries + 1):
            status, seconds = post_registration(clients[k], code, emails[k], first + k)
            attempts.append((status, seconds))
            answered.release()
            if status not in (502, 503, 504) and isinstance(status, int):
                break
            time.sleep(0.5)
        results[k] = attempts

    threads = [threading.Thread(target=teacher, args=(k,), daemon=True) for k in range(count)]
    for thread in threads:
        thread.start()
    barrier.wait()
    began = time.perf_counter()
    if on_answer:
        on_answer(answered)
    for thread in threads:
        thread.join(timeout=240)
    elapsed = time.perf_counter() - began
    return emails, results, elapsed


def enrolments(code):
    with psycopg.connect(DATABASE_URL) as conn:
        rows = conn.execute(
            "SELECT t.email, e.status FROM pilots_enrolment e JOIN pilots_cohort c ON c.id = e.cohort_id "
            "JOIN pilots_teacher t ON t.id = e.teacher_id WHERE c.code = %s", [code]).fetchall()
    return dict(rows)


def upstreams_of(path_fragment, since_line):
    lines = (STATE / "log" / "nginx-access.log").read_text().splitlines()[since_line:]
    counts = Counter()
    for line in lines:
        entry = json.loads(line)
        if entry["method"] == "POST" and path_fragment in entry["uri"]:
            counts[entry["upstream"].split(",")[-1].strip() or "nginx"] += 1
    return dict(counts)


def access_log_lines():
    path = STATE / "log" / "nginx-access.log"
    return len(path.read_text().splitlines()) if path.exists() else 0


def percentile(values, p):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))] if ordered else None


def edge_checks():
    print("1. nginx in front", flush=True)
    context = ssl.create_default_context(cafile=str(STATE / "tls" / "cert.pem"))
    context.set_alpn_protocols(["h2", "http/1.1"])
    import socket
    with socket.create_connection((HOST, PORT)) as raw, context.wrap_socket(raw, server_hostname=HOST) as tls:
        check(tls.selected_alpn_protocol() == "h2", f"HTTP/2 negotiated (ALPN {tls.selected_alpn_protocol()})")
    client = Client()
    response, html = client.request("GET", "/cohorts/", headers={"Accept-Encoding": "gzip"})
    check(response.getheader("Content-Encoding") == "gzip", "HTML gzipped")
    static = re.search(rb'/static/[^"]+\.[0-9a-f]{12}\.css', __import__("gzip").decompress(html)).group(0).decode()
    response, _ = client.request("GET", static, headers={"Accept-Encoding": "gzip"})
    check(response.getheader("Content-Encoding") == "gzip", f"static file gzipped ({static})")
    check("max-age=31536000" in (response.getheader("Cache-Control") or ""),
          f"hashed static file cached a year ({response.getheader('Cache-Control')})")
    response, _ = client.request("GET", "/healthz")
    check(response.status == 200, "/healthz 200 through nginx")

    # Rate limit per real client: 20 POSTs per hour from one address (the stack's default).
    limit = int(ENV.get("PILOTS_REGISTRATION_RATE", "20/h").split("/")[0])
    code = f"load-{RUN}-limit"
    abuser = Client(f"127.{NET}.250.1")
    get_form(abuser, code)
    statuses = []
    for n in range(limit + 1):
        response, _ = abuser.request(
            "POST", f"/cohorts/{code}/register/", {"csrfmiddlewaretoken": abuser.csrf},
            headers={"X-Forwarded-For": f"198.51.100.{n}"},  # forged: must not buy a new bucket
        )
        statuses.append(response.status)
    check(statuses[:limit].count(200) == limit and statuses[limit] == 429,
          f"one address: {limit} invalid POSTs answered 200 (form errors), then 429; forged X-Forwarded-For ignored")
    other = Client(f"127.{NET}.250.2")
    get_form(other, code)
    response, _ = other.request("POST", f"/cohorts/{code}/register/", {"csrfmiddlewaretoken": other.csrf})
    check(response.status == 200, "another address behind the same proxy is still served (200)")


def rush_phase():
    print(f"2. Rush: {TEACHERS} concurrent registrations into a {SEATS}-seat cohort", flush=True)
    code = f"load-{RUN}-rush"
    mark = access_log_lines()
    emails, results, elapsed = burst(code, 0, TEACHERS, retries=3)
    first = Counter(str(r[0][0]) for r in results)
    final = Counter(str(r[-1][0]) for r in results)
    latencies = [s for r in results for _, s in r]
    rows = enrolments(code)
    statuses = Counter(rows.values())
    lost = [e for e in emails if e not in rows]
    upstreams = upstreams_of(f"/cohorts/{code}/register/", mark)
    print(f"  {TEACHERS} POSTs in {elapsed:.2f}s ({TEACHERS / elapsed:.1f}/s); first answers {dict(first)}; "
          f"final answers {dict(final)}; p50 {percentile(latencies, 50) * 1000:.0f} ms, "
          f"p95 {percentile(latencies, 95) * 1000:.0f} ms; POSTs per app server {upstreams}")
    print(f"  database: {dict(statuses)}; lost {len(lost)}")
    check(statuses.get("confirmed", 0) == SEATS, f"exactly {SEATS} confirmed ({statuses.get('confirmed', 0)})")
    check(statuses.get("waitlisted", 0) == TEACHERS - SEATS,
          f"exactly {TEACHERS - SEATS} waitlisted ({statuses.get('waitlisted', 0)})")
    check(not lost and len(rows) == TEACHERS, f"nothing lost: {len(rows)} of {TEACHERS} in the database")
    check(len([u for u in upstreams if u != "nginx"]) == 2, "both app servers took registrations")
    return {"seconds": round(elapsed, 2), "first_answers": dict(first), "final_answers": dict(final),
            "database": dict(statuses), "lost": len(lost), "per_app_server": upstreams,
            "p50_ms": round(percentile(latencies, 50) * 1000), "p95_ms": round(percentile(latencies, 95) * 1000)}


def app1_pids():
    """The gunicorn master listening on APP1_PORT (found through supervisord) and its workers."""
    out = subprocess.run([str(ROOT / ".venv" / "bin" / "supervisorctl"), "-c", str(STATE / "supervisord.conf"),
                          "pid", "app1"], capture_output=True, text=True).stdout.strip()
    master = int(out)
    pids = [master]
    for proc in Path("/proc").iterdir():
        if proc.name.isdigit():
            try:
                ppid = int((proc / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            if ppid == master:
                pids.append(int(proc.name))
    return pids


def kill_phase():
    print(f"3. App server killed in the middle of a burst of {TEACHERS}", flush=True)
    code = f"load-{RUN}-kill"
    mark = access_log_lines()
    killed = {}

    def killer(answered):
        for _ in range(TEACHERS // 4):  # a quarter answered: the burst is in full flight
            if not answered.acquire(timeout=60):
                break
        pids = app1_pids()
        for pid in pids:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        killed.update(pids=pids, at=time.perf_counter())

    emails, results, elapsed = burst(code, 1000, TEACHERS, retries=0, on_answer=killer)
    rows = enrolments(code)
    answers = Counter(str(r[0][0]) for r in results)
    def succeeded(attempts):
        return isinstance(attempts[0][0], int) and 200 <= attempts[0][0] < 400

    success = [e for e, r in zip(emails, results, strict=True) if succeeded(r)]
    failed = [e for e, r in zip(emails, results, strict=True) if not succeeded(r)]
    lost = [e for e in success if e not in rows]
    committed_unanswered = [e for e in failed if e in rows]
    upstreams = upstreams_of(f"/cohorts/{code}/register/", mark)
    print(f"  SIGKILL to app1 (gunicorn master + {len(killed.get('pids', [])) - 1} workers) after "
          f"{TEACHERS // 4} answers; {TEACHERS} POSTs in {elapsed:.2f}s; answers {dict(answers)}")
    print(f"  answered 2xx/3xx: {len(success)}, all in the database: {not lost} (lost {len(lost)}); "
          f"failed answers: {len(failed)}, of which committed anyway: {len(committed_unanswered)}; "
          f"POSTs per app server (nginx log) {upstreams}")
    check(bool(killed.get("pids")), "app1 killed mid-burst")
    if BAD_GATEWAY_PAGES:
        check(BAD_GATEWAY_PAGES == {True}, "every 502 is the page in English, Khmer, Thai and Vietnamese")
    check(not lost, f"nothing answered with success is lost ({len(success)} successes, {len(lost)} lost)")
    restarted = False
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection(HOST, APP1_PORT, timeout=2)
            conn.request("GET", "/healthz")
            if conn.getresponse().status == 200:
                restarted = True
                break
        except OSError:
            pass
        time.sleep(0.5)
    check(restarted, "supervisord restarted app1 (/healthz 200 on its port)")
    return {"seconds": round(elapsed, 2), "answers": dict(answers), "successes": len(success),
            "lost": len(lost), "failed": len(failed), "failed_but_committed": len(committed_unanswered),
            "per_app_server": upstreams}


def replica_queries():
    """Report-shaped queries the app's connections last ran on the replica."""
    with psycopg.connect(REPLICA_URL, autocommit=True) as conn:
        return conn.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
            "AND pid <> pg_backend_pid() AND query ILIKE '%%pilots\\_%%' AND query NOT ILIKE '%%pg\\_last\\_wal%%'"
        ).fetchone()[0]


def readyz(client):
    response, body = client.request("GET", "/readyz")
    return response.status, json.loads(body)


def replica_phase(password):
    print("4. Reports and the replica", flush=True)
    code = f"load-{RUN}-rush"
    coordinator = Client()
    response, body = coordinator.request("GET", "/accounts/login/")
    csrf = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', body).group(1).decode()
    response, _ = coordinator.request("POST", "/accounts/login/", {
        "csrfmiddlewaretoken": csrf, "username": "loadtest-admin", "password": password})
    check(response.status == 302 and "pilots_primary" in coordinator.cookies,
          "login (a write) answers 302 and pins the browser to the primary (signed cookie)")
    with psycopg.connect(REPLICA_URL, autocommit=True) as conn:
        conn.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() "
                     "AND pid <> pg_backend_pid() AND backend_type = 'client backend'")
    time.sleep(0.3)
    response, body = coordinator.request("GET", f"/reports/cohorts/{code}/")
    check(response.status == 200, f"report while pinned: {response.status}")
    pinned_on_replica = replica_queries()
    check(pinned_on_replica == 0, f"pinned: the report did not read from the replica ({pinned_on_replica} connections)")
    coordinator.cookies.pop("pilots_primary", None)  # as if the pin had expired
    response, body = coordinator.request("GET", f"/reports/cohorts/{code}/")
    on_replica = replica_queries()
    check(response.status == 200 and on_replica > 0,
          f"unpinned: report {response.status}, read from the replica "
          f"({on_replica} app connections ran report queries)")
    status, ready = readyz(coordinator)
    check(status == 200 and ready["checks"]["replica"]["reads_from"] == "replica" and not ready["warnings"],
          f"/readyz with the replica up: {status} {ready['status']}, lag {ready['checks']['replica']['lag_seconds']}s")

    print("  stopping the replica", flush=True)
    subprocess.run(["runuser", "-u", "postgres", "--", f"{PG_BIN}/pg_ctl", "-D", str(STATE / "pg-replica"),
                    "-m", "fast", "-w", "stop"], check=True, stdout=subprocess.DEVNULL)
    try:
        timings = []
        for path in (f"/reports/cohorts/{code}/", "/reports/", f"/reports/cohorts/{code}/roster.csv"):
            began = time.perf_counter()
            response, body = coordinator.request("GET", path)
            timings.append(round((time.perf_counter() - began) * 1000))
            check(response.status == 200, f"replica down: GET {path} {response.status} in {timings[-1]} ms (primary)")
        status, ready = readyz(coordinator)
        warned = [w for w in ready["warnings"] if "primary" in w]
        check(status == 200 and ready["checks"]["replica"]["reads_from"] == "primary" and warned,
              f"/readyz with the replica down: {status} {ready['status']}, warning {warned}")
    finally:
        print("  starting the replica again", flush=True)
        subprocess.run(["runuser", "-u", "postgres", "--", f"{PG_BIN}/pg_ctl", "-D", str(STATE / "pg-replica"),
                        "-l", str(STATE / "log" / "pg-replica.log"), "-w", "-t", "60", "start"],
                       check=True, stdout=subprocess.DEVNULL)
    recovered = False
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        status, ready = readyz(coordinator)
        if ready["checks"]["replica"]["reads_from"] == "replica":
            recovered = True
            break
        time.sleep(1)
    check(recovered, "replica back: /readyz reads from the replica again")
    return {"report_ms_with_replica_down": timings, "readyz_warning": warned}


def backup_phase():
    print("5. Backup and tested restore", flush=True)
    began = time.perf_counter()
    command = [str(ROOT / "deploy" / "with-env"), str(ROOT / ".venv" / "bin" / "python"), "deploy/backup.py"]
    env = {**os.environ, "PILOTS_PROD_STATE": str(STATE)}
    ok = True
    for action in ("dump", "restore-check"):
        result = subprocess.run([*command, action], cwd=ROOT, capture_output=True, text=True, env=env, timeout=300)
        print("  " + (result.stdout + result.stderr).strip().replace("\n", "\n  "))
        ok = ok and result.returncode == 0
    check(ok, f"pg_dump, then restore into a scratch database with equal row counts "
              f"({time.perf_counter() - began:.1f}s)")


def logs_phase():
    """A teacher follows the link to the status page; no log then holds a status token."""
    print("6. Logs", flush=True)
    teacher = Client(f"127.{NET}.251.1")
    code = f"load-{RUN}-kill"
    get_form(teacher, code)
    response, _ = teacher.request("POST", f"/cohorts/{code}/register/",
                                  registration(teacher, f"load.{RUN}.logs@example.org", 9999))
    location = response.getheader("Location", "")
    followed, _ = teacher.request("GET", location) if location.startswith("/registration/") else (response, b"")
    check(followed.status == 200, f"status page behind the signed link: {followed.status}")
    time.sleep(1)  # let the servers flush their logs
    token_in_path = re.compile(r"/registration/(?!\[redacted\])[^/\s\"?]+")
    leaked, redacted, lines, not_json = 0, 0, 0, 0
    for path in sorted((STATE / "log").glob("*.log")):
        if path.name.startswith(("pg-", "supervisord", "nginx-error")):
            continue
        for line in path.read_text(errors="replace").splitlines():
            lines += 1
            leaked += len(token_in_path.findall(line))
            redacted += line.count("/registration/[redacted]")
            try:
                json.loads(line)
            except ValueError:
                not_json += 1
    check(leaked == 0 and redacted > 0,
          f"{lines} log lines (nginx, app servers, workers): {redacted} status paths redacted, {leaked} tokens")
    check(not_json == 0, f"every log line is JSON ({not_json} are not)")
    return {"log_lines": lines, "redacted": redacted, "tokens": leaked, "not_json": not_json}


def emails_phase(total):
    """The workers send the queued emails (the stack's dummy mail backend discards them)."""
    deadline = time.monotonic() + 90
    while True:
        with psycopg.connect(DATABASE_URL) as conn:
            rows = dict(conn.execute(
                "SELECT status, count(*) FROM django_tasks_database_dbtaskresult "
                "WHERE enqueued_at > now() - interval '30 minutes' GROUP BY status").fetchall())
        if rows.get("READY", 0) + rows.get("RUNNING", 0) == 0 or time.monotonic() > deadline:
            break
        time.sleep(2)
    print(f"  email tasks of the last 30 minutes by status: {rows}")
    return rows


def main():
    began = time.perf_counter()
    password = secrets.token_urlsafe(16)
    print(f"Load and fault test on https://{HOST}:{PORT}/ (run {RUN}, client addresses 127.{NET}.x.y)")
    create_cohorts_and_admin(password)
    edge_checks()
    figures = {"rush": rush_phase(), "kill": kill_phase(), "replica": replica_phase(password)}
    figures["logs"] = logs_phase()
    figures["emails"] = emails_phase(TEACHERS * 2)
    backup_phase()
    figures["total_seconds"] = round(time.perf_counter() - began, 1)
    print(json.dumps(figures))
    if FAILURES:
        print(f"{len(FAILURES)} checks failed:\n  " + "\n  ".join(FAILURES))
        return 1
    print(f"all checks passed in {figures['total_seconds']}s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
