"""Benchmark: import 10,000 teacher rows (with their enrolments) from a CSV file.

Provinces are written as staff write them (common names, Khmer script, ISO romanisations, codes,
any case and hyphenation). Three imports in one run: 10,000 rows with ISO codes only (the
baseline), 10,000 rows with mixed spellings, and 1,000 rows with mixed spellings (to show that the
number of queries does not grow with the file). Prints the mixed/baseline time ratio.

    make bench-import                                   # SQLite (a scratch file in /tmp)
    make bench-import BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/pilots_bench

Creates the database if needed, migrates it, removes the previous run's data, then times the
three steps of a staff import (read the file, plan = validate + preview, apply = write) and counts
their queries. Only talks to the database given; prints one line per step.
"""

import argparse
import csv
import io
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

FAMILY = ["សុខ", "ហេង", "ស៊ុន", "ចាន់", "Nguyễn", "Trần", "Lê", "Phạm", "สุขสวัสดิ์", "ใจดี"]
GIVEN = ["ចាន់ថា", "ស្រីមុំ", "ធីតា", "Thị Hồng", "Văn Nam", "Minh Anh", "สมชาย", "มาลี", "Dara", "Sophea"]


MIXED_PROVINCES = ["KH-12", "Phnom Penh", "ភ្នំពេញ", "phnom-penh", "Kampong Cham", "Kampong Chaam",
                   "កំពង់ចាម", "Battambang", "Baat Dambang", "ខេត្តបាត់ដំបង", "Siem Reap", "SIEM REAB",
                   "Sihanoukville", "Kampot Province", "Takeo", "Tbong Khmum"]


def make_csv(rows: int, cohorts: list[str], provinces=("KH-12",)) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["cohort", "email", "family_name", "given_name", "school", "gender",
                     "school_level", "province", "years_experience"])
    for i in range(rows):
        email = f"bench-{i}@bench.example" if i % 5 else ""  # one in five has no email
        writer.writerow([cohorts[i % len(cohorts)], email, FAMILY[i % 10], f"{GIVEN[(i // 10) % 10]} {i}",
                         f"School {i % 300}", "female" if i % 2 else "male", "upper_secondary",
                         provinces[i % len(provinces)], str(i % 30)])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def ensure_postgres_database(url: str) -> None:
    from urllib.parse import urlparse

    import psycopg

    parsed = urlparse(url)
    name = parsed.path.lstrip("/")
    admin = parsed._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL")
                        or "sqlite:////tmp/pilots-bench-import.sqlite3")
    parser.add_argument("--rows", type=int, default=10_000)
    args = parser.parse_args()
    if args.database_url.startswith("postgres"):
        ensure_postgres_database(args.database_url)
    os.environ["DATABASE_URL"] = args.database_url
    os.environ.setdefault("PILOTS_TESTING", "1")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from pilots.imports.columns import ImportKind
    from pilots.imports.planning import plan_import
    from pilots.imports.reading import read_table
    from pilots.imports.services import apply_import
    from pilots.models import Cohort, Enrolment, Programme, Teacher
    from tests.factories import CohortFactory

    call_command("migrate", verbosity=0)
    programme, _ = Programme.objects.get_or_create(
        name="Import benchmark (demo)", defaults={"start_date": "2020-01-01", "end_date": "2024-12-31"}
    )
    codes = [f"bench-import-{n}" for n in range(10)]

    def clean():
        Enrolment.history.filter(teacher__email__endswith="@bench.example").delete()
        Enrolment.objects.filter(cohort__code__startswith="bench-import-").delete()
        Teacher.history.filter(school__startswith="School ").delete()
        Teacher.objects.filter(school__startswith="School ", enrolments__isnull=True).delete()
        Cohort.objects.filter(code__startswith="bench-import-").delete()
        for code in codes:
            CohortFactory(code=code, name=code, capacity=args.rows, programme=programme, country="KH")

    def run(label, rows, provinces):
        clean()
        data = make_csv(rows, codes, provinces)
        timings = []

        def step(name, func):
            with CaptureQueriesContext(connection) as queries:
                start = time.perf_counter()
                result = func()
                elapsed = time.perf_counter() - start
            timings.append((name, elapsed, len(queries)))
            return result

        header, table = step("read", lambda: read_table(data, "bench.csv"))
        plan = step("plan", lambda: plan_import(ImportKind.TEACHERS, header, table))
        assert plan.ok, plan.problems[:5]
        step("apply", lambda: apply_import(plan))
        replan = step("re-plan (all matched)", lambda: plan_import(ImportKind.TEACHERS, header, table))
        assert replan.ok and not replan.new_teachers
        print(f"{connection.vendor}, {label}: {rows} rows, {len(data) / 2**20:.2f} MB CSV, "
              f"{Teacher.objects.filter(school__startswith='School ').count()} teachers, "
              f"{Enrolment.objects.filter(cohort__code__startswith='bench-import-').count()} enrolments")
        for name, elapsed, count in timings:
            print(f"  {name:<24} {elapsed:7.2f} s {count:6d} queries")
        total = sum(elapsed for name, elapsed, _count in timings if name != "re-plan (all matched)")
        queries = sum(count for name, _elapsed, count in timings if name != "re-plan (all matched)")
        print(f"  {'import total':<24} {total:7.2f} s {queries:6d} queries")
        return total, queries

    baseline, _ = run("ISO codes only (baseline)", args.rows, ("KH-12",))
    mixed, mixed_queries = run("mixed spellings", args.rows, MIXED_PROVINCES)
    _small, small_queries = run("mixed spellings, a tenth of the rows", args.rows // 10, MIXED_PROVINCES)
    clean()
    print(f"mixed spellings / baseline: {mixed / baseline:.2f}x; {mixed:.2f} s (aim: under 30 s); "
          f"queries {small_queries} for {args.rows // 10} rows vs {mixed_queries} for {args.rows} rows "
          "(writes are batched by 1,000 rows, reads are fixed)")


if __name__ == "__main__":
    main()
