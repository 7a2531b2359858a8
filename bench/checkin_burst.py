"""Benchmark: a burst of 200 teachers checking in within one minute, each exactly once.

    make bench-checkin                                  # PostgreSQL, database pilots_bench_checkin
    make bench-checkin BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/other

Every teacher posts the check-in form twice (a double tap on a slow phone), through the whole
Django stack (form, service, database), from 20 threads at once. The baseline, measured in the
same run, is the same 200 check-ins one after the other in one thread. Prints the times, their
ratio, and the counts that must hold: one attendance and one self check-in per teacher.
"""

import argparse
import datetime as dt
import os
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def ensure_postgres_database(url: str) -> None:
    import psycopg

    parsed = urlparse(url)
    name = parsed.path.lstrip("/")
    with psycopg.connect(parsed._replace(path="/postgres").geturl(), autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL")
                        or "postgres://postgres@127.0.0.1:5432/pilots_bench_checkin")
    parser.add_argument("--teachers", type=int, default=200)
    parser.add_argument("--threads", type=int, default=20)
    args = parser.parse_args()
    if args.database_url.startswith("postgres"):
        ensure_postgres_database(args.database_url)
    os.environ["DATABASE_URL"] = args.database_url
    os.environ.setdefault("PILOTS_TESTING", "1")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

    import django

    django.setup()
    from django.conf import settings

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]  # the test client's host name
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.utils import timezone

    from pilots.checkin import codes
    from pilots.checkin.services import open_check_in
    from pilots.models import Attendance, Cohort, Enrolment, Programme, SelfCheckIn, Teacher
    from tests.factories import CohortFactory, EnrolmentFactory, SessionFactory

    call_command("migrate", verbosity=0)

    def clean():
        cohorts = Cohort.objects.filter(code__startswith="bench-checkin-")
        Attendance.objects.filter(session__cohort__in=cohorts).delete()
        Enrolment.objects.filter(cohort__in=cohorts).delete()
        cohorts.delete()
        Teacher.objects.filter(email__startswith="bench-checkin-", enrolments__isnull=True).delete()

    def prepare(label):
        clean()
        today = timezone.localdate()
        programme, _ = Programme.objects.get_or_create(
            name="Check-in benchmark (demo)", defaults={"start_date": "2020-01-01", "end_date": "2030-12-31"})
        cohort = CohortFactory(code=f"bench-checkin-{len(label)}", capacity=args.teachers, start_date=today,
                               end_date=today, programme=programme)
        start = (timezone.localtime() - dt.timedelta(minutes=5)).time().replace(second=0, microsecond=0)
        session = SessionFactory(cohort=cohort, date=today, starts_at=start, ends_at=dt.time(23, 59, 59))
        enrolments = [EnrolmentFactory(cohort=cohort,
                                       teacher__email=f"bench-checkin-{len(label)}-{i}@bench.example")
                      for i in range(args.teachers)]
        return session, open_check_in(session=session, grace_minutes=15), enrolments

    def check_in(client, check_in_row, email, results):
        code = codes.code_for(check_in_row.secret, codes.window_of())
        response = client.post("/check-in/", {"code": code, "email": email})
        ok = b'id="check-in-result"' in response.content and response.status_code == 200
        if not ok:
            page = response.content.decode(errors="replace")
            print("refused:", response.status_code, page[page.find("check-in-error"):][:300])
        results.append(ok)

    def run(label, threads):
        session, check_in_row, enrolments = prepare(label)
        # Every teacher taps twice; the second tap comes from another thread, at about the same time.
        first = [e.teacher.email for e in enrolments]
        emails = first + first[7:] + first[:7]
        results, lock = [], threading.Lock()
        chunks = [emails[n::threads] for n in range(threads)]

        def worker(chunk):
            client, mine = Client(), []
            try:
                for email in chunk:
                    check_in(client, check_in_row, email, mine)
            finally:
                with lock:
                    results.extend(mine)
                connection.close()

        started = time.perf_counter()
        workers = [threading.Thread(target=worker, args=(chunk,)) for chunk in chunks]
        for thread in workers:
            thread.start()
        for thread in workers:
            thread.join()
        elapsed = time.perf_counter() - started
        attendance = Attendance.objects.filter(session=session)
        per_teacher = set(attendance.values_list("enrolment_id", flat=True))
        print(f"{connection.vendor}, {label}: {args.teachers} teachers x 2 posts from {threads} thread(s) "
              f"in {elapsed:.2f} s; answered {sum(results)}/{len(results)}; "
              f"attendance rows {attendance.count()}, teachers recorded {len(per_teacher)}, "
              f"self check-ins {SelfCheckIn.objects.filter(session=session).count()}")
        assert attendance.count() == len(per_teacher) == args.teachers, "not exactly once each"
        assert SelfCheckIn.objects.filter(session=session).count() == args.teachers
        assert all(results)
        return elapsed

    baseline = run("one after the other (baseline)", 1)
    burst = run("burst", args.threads)
    clean()
    print(f"burst / baseline: {burst / baseline:.2f}x; burst {burst:.2f} s (aim: within 60 s), "
          "every teacher recorded exactly once")


if __name__ == "__main__":
    main()
