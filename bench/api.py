"""API benchmark: the public open-cohorts endpoint and the partners' overview endpoint in
requests/s, against a bare Django view measured in the same run (gunicorn + PostgreSQL + Redis).

    make bench-api            (or: .venv/bin/python bench/api.py)

What it does, all on 127.0.0.1 (the harness of bench/registration.py, reused):
1. (Re)creates the PostgreSQL database BENCH_DB (default pilots_api_bench), migrates it and loads
   BENCH_COHORTS open cohorts (Cambodia and Thailand) of 30 teachers each, with 5 sessions,
   attendance and pre/post scores, BENCH_ENDED_COHORTS (10) ended Thai cohorts whose teachers
   answered the reaction survey (24 of 30), and a Thai coordinator's API token.
2. Starts gunicorn with production settings (DEBUG off, Redis cache and rate limits, raised for
   the run) and the bench site (bench/api_site.py, bench/api_urls.py: the project's URLs plus a bare view).
3. With CLIENTS threads (keep-alive), BENCH_REQUESTS requests each of:
   a. the bare view (GET /bench/bare/: a JSON constant, no database);
   b. GET /api/v1/public/cohorts (one page of 20, seats left; one query);
   c. the same with If-None-Match (the 304 a cache or a partner's site gets back);
   d. GET /api/v1/partner/overview with the token (figures, protection and survey figures cached
      under the data version; token lookup, permissions, scope, and one call record written per request).
   For each: requests per second, p50/p95 and gunicorn CPU per request, and the ratio to (a).
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import psycopg

sys.path.insert(0, str(Path(__file__).resolve().parent))
import registration as harness  # noqa: E402  (the same client, timing and gunicorn helpers)

ROOT = harness.ROOT
PYTHON = harness.PYTHON
DB = os.environ.get("BENCH_DB", "pilots_api_bench")
PG = harness.PG
REDIS = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/8")
COHORTS = int(os.environ.get("BENCH_COHORTS", "60"))
ENDED = int(os.environ.get("BENCH_ENDED_COHORTS", "10"))
REQUESTS = int(os.environ.get("BENCH_REQUESTS", "2000"))

harness.PORT = int(os.environ.get("BENCH_PORT", "8315"))
harness.ENV = {
    **harness.ENV,
    "DATABASE_URL": f"{PG}/{DB}",
    "DJANGO_SETTINGS_MODULE": "bench.api_site",
    "REDIS_URL": REDIS,
    "PILOTS_API_TOKEN_RATE": "1000000/m",
    "PILOTS_API_PUBLIC_RATE": "1000000/m",
}

SETUP = f"""
import datetime as dt, random
from django.utils import timezone
from pilots.api.tokens import issue_token
from pilots.models import (Assessment, Attendance, Cohort, CountryAssignment, Enrolment, Programme, Province,
                           Session, Teacher)
from django.contrib.auth.models import Group, User
random.seed(7)
programme = Programme.objects.create(name="Bench programme", start_date=dt.date(2020, 1, 1),
                                     end_date=dt.date(2030, 12, 31))
start = timezone.localdate() + dt.timedelta(days=30)
provinces = {{"KH": Province.objects.get(code="KH-12"), "TH": Province.objects.get(code="TH-10")}}
for k in range({COHORTS}):
    country = "KH" if k % 2 else "TH"
    day = start + dt.timedelta(days=k)
    cohort = Cohort.objects.create(programme=programme, name=f"Bench cohort {{k}}", code=f"bench-{{k}}",
        year=day.year, kind="national_inservice", country=country, language="km" if country == "KH" else "th",
        venue="Venue", start_date=day, end_date=day + dt.timedelta(days=4), capacity=30, status="open",
        registration_opens=timezone.now() - dt.timedelta(days=1),
        registration_closes=timezone.now() + dt.timedelta(days=20))
    sessions = Session.objects.bulk_create([Session(cohort=cohort, title=f"Day {{d}}", date=day + dt.timedelta(days=d),
        starts_at=dt.time(8), ends_at=dt.time(11)) for d in range(5)])
    teachers = Teacher.objects.bulk_create([Teacher(family_name="Bench", given_name=f"T{{k}}-{{n}}",
        email=f"t{{k}}-{{n}}@example.org", province=provinces[country], gender="female") for n in range(30)])
    enrolments = Enrolment.objects.bulk_create([Enrolment(teacher=t, cohort=cohort, status="confirmed",
        language=cohort.language) for t in teachers])
    Attendance.objects.bulk_create([Attendance(enrolment=e, session=s, status=random.choice(
        ["present"] * 8 + ["late", "absent"])) for e in enrolments for s in sessions])
    Assessment.objects.bulk_create([Assessment(enrolment=e, kind=kind, score=random.randint(30, 95))
        for e in enrolments for kind in ("pre", "post")])
# Ended Thai cohorts whose teachers answered the reaction survey: the overview's survey figures.
from pilots.surveys.models import Answer, Response
from pilots.surveys.services import create_default_surveys
reaction = create_default_surveys(programme=programme)[0]
scales = list(reaction.questions.filter(kind="likert"))
ended = timezone.localdate() - dt.timedelta(days=10)
for k in range({ENDED}):
    cohort = Cohort.objects.create(programme=programme, name=f"Bench ended {{k}}", code=f"bench-ended-{{k}}",
        year=ended.year, kind="national_inservice", country="TH", language="th", venue="Venue",
        start_date=ended - dt.timedelta(days=4 + k), end_date=ended - dt.timedelta(days=k), capacity=30,
        status="completed")
    teachers = Teacher.objects.bulk_create([Teacher(family_name="Bench", given_name=f"E{{k}}-{{n}}",
        email=f"e{{k}}-{{n}}@example.org", province=provinces["TH"], gender="female") for n in range(30)])
    enrolments = Enrolment.objects.bulk_create([Enrolment(teacher=t, cohort=cohort, status="confirmed",
        language="th") for t in teachers])
    responses = Response.objects.bulk_create([Response(survey=reaction, enrolment=e, language="th")
        for e in enrolments[:24]])
    Answer.objects.bulk_create([Answer(response=r, question=q, number=random.randint(2, 5))
        for r in responses for q in scales])
owner = User.objects.create_user("bench-coordinator-th")
owner.groups.add(Group.objects.get(name="Coordinators"))
CountryAssignment.objects.create(user=owner, country="TH")
print("TOKEN=" + issue_token(owner=owner, name="bench")[1])
"""

SECRET = {}


def prepare_database():
    with psycopg.connect(f"{PG}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{DB}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{DB}"')
    harness.run(PYTHON, "manage.py", "migrate", "--noinput", "-v0")
    harness.run(PYTHON, "manage.py", "collectstatic", "--noinput", "-v0")
    out = subprocess.run([PYTHON, "manage.py", "shell", "-c", SETUP], cwd=ROOT, env=harness.ENV, check=True,
                         capture_output=True, text=True).stdout
    SECRET["token"] = next(line[6:] for line in out.splitlines() if line.startswith("TOKEN="))
    subprocess.run(["redis-cli", "-u", REDIS, "flushdb"], check=False, stdout=subprocess.DEVNULL)


def bare(client, i):
    return client.request("GET", "/bench/bare/")[0]


def open_cohorts(client, i):
    return client.request("GET", "/api/v1/public/cohorts", headers={"Accept-Language": "th"})[0]


def open_cohorts_prepare(client):
    client.cookies.clear()


def not_modified_prepare(client):
    import http.client

    conn = http.client.HTTPConnection(harness.HOST, harness.PORT, timeout=30)
    conn.request("GET", "/api/v1/public/cohorts", headers={"Accept-Language": "th"})
    response = conn.getresponse()
    response.read()
    client.etag = response.getheader("ETag")


def not_modified(client, i):
    return client.request("GET", "/api/v1/public/cohorts",
                          headers={"Accept-Language": "th", "If-None-Match": client.etag})[0]


not_modified.prepare = not_modified_prepare


def overview(client, i):
    return client.request("GET", "/api/v1/partner/overview", headers={"Authorization": f"Bearer {SECRET['token']}"})[0]


def survey_rows():
    import http.client

    conn = http.client.HTTPConnection(harness.HOST, harness.PORT, timeout=60)
    conn.request("GET", "/api/v1/partner/overview", headers={"Authorization": f"Bearer {SECRET['token']}"})
    body = json.loads(conn.getresponse().read())
    return sum(len(s["rows"]) for s in body["surveys"])


def main():
    load_before = " ".join(Path("/proc/loadavg").read_text().split()[:3])
    print(f"Preparing database {DB} ({COHORTS} cohorts of 30 teachers) ...", flush=True)
    prepare_database()
    server = harness.start_server()
    per_client = REQUESTS // harness.CLIENTS
    try:
        surveys = survey_rows()
        print(f"overview: {surveys} survey rows (response rates and reach) in the answer measured", flush=True)
        print(f"gunicorn: {harness.WORKERS} sync workers on {harness.HOST}:{harness.PORT}; "
              f"{harness.CLIENTS} concurrent clients", flush=True)
        results = [
            harness.hammer("bare Django view", per_client, bare, server),
            harness.hammer("public open cohorts", per_client, open_cohorts, server),
            harness.hammer("public, If-None-Match 304", per_client, not_modified, server),
            harness.hammer("partner overview", per_client, overview, server),
        ]
    finally:
        harness.stop_server(server)
    baseline = results[0]["requests_per_second"]
    for r in results:
        r["ratio_to_bare_view"] = round(r["requests_per_second"] / baseline, 3)
        print(f"{r['name']:<28} {r['requests']:>5} req in {r['seconds']:>6}s  {r['requests_per_second']:>7} req/s"
              f"  ({r['ratio_to_bare_view']:.2f} x bare)  p50 {r['p50_ms']:>6} ms  p95 {r['p95_ms']:>6} ms"
              f"  gunicorn CPU {r['server_cpu_ms_per_request']} ms/req  statuses {r['statuses']}")
    with psycopg.connect(f"{PG}/{DB}") as conn:
        calls = conn.execute("SELECT count(*) FROM pilots_apicall").fetchone()[0]
    print(f"load average before the run: {load_before}; API calls recorded: {calls}")
    print(json.dumps({"results": results, "cohorts": COHORTS, "clients": harness.CLIENTS,
                      "workers": harness.WORKERS, "load_average_before": load_before, "calls_recorded": calls}))
    ok = all(set(r["statuses"]) <= {200, 304} for r in results) and surveys > 0
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
