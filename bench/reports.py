"""Benchmark of the coordinator reports on PostgreSQL (not a test).

    make bench-reports                         # national scale (BENCH_SCALE=national, the default)
    BENCH_SCALE=small make bench-reports       # 100,000 enrolments, for a quick look
    .venv/bin/python bench/reports.py [--scale national|small] [--reload] [--runs 30]

Loads (once per database; --reload to start again), with set-based SQL only (INSERT ... SELECT
generate_series; about 80 s at national scale here):
- national: 1,000,000 enrolments in 1,000 cohorts and 10,000,000 attendance rows
  (database pilots_bench_reports_national);
- small: 100,000 enrolments in 100 cohorts and 1,000,000 attendance rows (pilots_bench_reports);
BENCH_DATABASE_URL names another database. Then measures, in one run:
- the programme overview cold (report cache cleared) served from the overview figures the
  scheduler keeps (`pilots.reports.figures`), against the equivalent raw SQL over those figures,
  and the refresh itself against the raw SQL that aggregates every enrolment and attendance row;
- the cohort report of a typical cohort (~1,000 enrolments, 10 sessions), cold: p95 against the
  equivalent hand-written SQL and against the page's own statements replayed (the three
  interleaved run by run, so that all meet the same load);
  and after a write to another cohort (still cached: the cohort report has its own data version);
- the XLSX and CSV roster of a 1,200- and a 12,000-enrolment cohort: time and peak Python memory
  (tracemalloc), and the ratio of the two peaks (constant memory: a ratio near 1).
Only 127.0.0.1 is contacted.
"""

import argparse
import os
import resource
import statistics
import sys
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SCALES = {
    # enrolments, cohorts (the big one included), database
    "national": (1_000_000, 1_000, "pilots_bench_reports_national"),
    "small": (100_000, 100, "pilots_bench_reports"),
}
SCALE = os.environ.get("BENCH_SCALE", "national")
for i, arg in enumerate(sys.argv):
    if arg == "--scale" and i + 1 < len(sys.argv):
        SCALE = sys.argv[i + 1]
    elif arg.startswith("--scale="):
        SCALE = arg.split("=", 1)[1]
if SCALE not in SCALES:
    sys.exit(f"BENCH_SCALE/--scale: one of {', '.join(SCALES)}")
ENROLMENTS, COHORTS, _DB = SCALES[SCALE]
DB_URL = os.environ.get("BENCH_DATABASE_URL") or f"postgres://postgres@127.0.0.1:5432/{_DB}"
os.environ["DATABASE_URL"] = DB_URL
os.environ.setdefault("PILOTS_TESTING", "1")
# The shared cache of production: Redis (database 8 by default; BENCH_REDIS_URL to change it).
os.environ.setdefault("REDIS_URL", os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/8"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

BIG_COHORT = 12_000
SMALL_ROSTER = 1_200  # the second export cohort: a tenth of the big one, for the memory ratio
SESSIONS_PER_COHORT = 10


def ensure_database():
    import psycopg

    base, name = DB_URL.rsplit("/", 1)
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')


def load(reload=False):
    import datetime as dt

    from django.core.management import call_command
    from django.db import connection

    from pilots.choices import CohortKind, Language
    from pilots.models import Cohort, Enrolment, Programme, Session

    call_command("migrate", verbosity=0)
    if not reload and Enrolment.objects.count() >= ENROLMENTS:
        print(f"data already loaded ({SCALE}; use --reload to load again)")
        return
    started = time.perf_counter()
    with connection.cursor() as cur:
        cur.execute(
            "TRUNCATE pilots_attendance, pilots_assessment, pilots_enrolment, pilots_teacher_subjects, "
            "pilots_teacher, pilots_session, pilots_cohort, pilots_programme CASCADE"
        )
    programme = Programme.objects.create(
        name="Bench programme", start_date=dt.date(2020, 1, 1), end_date=dt.date(2024, 12, 31)
    )
    countries = ["KH", "TH", "VN", ""]
    languages = {"KH": Language.KHMER, "TH": Language.THAI, "VN": Language.VIETNAMESE, "": Language.ENGLISH}
    codes = {0: "bench-big", 1: "bench-roster-1200"}
    cohorts = Cohort.objects.bulk_create(
        Cohort(
            programme=programme, name=f"Bench cohort {i}", code=codes.get(i, f"bench-{i}"),
            year=2020 + i % 5, country=countries[i % 4],
            kind=CohortKind.REGIONAL if countries[i % 4] == "" else CohortKind.NATIONAL,
            language=languages[countries[i % 4]], start_date=dt.date(2020 + i % 5, 3, 1),
            end_date=dt.date(2020 + i % 5, 3, 20), capacity=BIG_COHORT,
        )
        for i in range(COHORTS)
    )
    Session.objects.bulk_create(
        Session(cohort=c, title=f"Session {k + 1}", date=c.start_date + dt.timedelta(days=k),
                starts_at=dt.time(8), ends_at=dt.time(11, 30))
        for c in cohorts for k in range(SESSIONS_PER_COHORT)
    )
    ids = [c.pk for c in cohorts]
    with connection.cursor() as cur:
        # Foreign keys are checked by triggers, row by row: off for this session's load, since every
        # id below is read from the table it refers to. Indexes and other constraints stay on.
        cur.execute("SET session_replication_role = replica")
        cur.execute("SELECT setseed(0.42)")
        step = time.perf_counter()

        def done(what):
            nonlocal step
            print(f"  {what}: {time.perf_counter() - step:.1f} s", flush=True)
            step = time.perf_counter()

        cur.execute(
            """
            INSERT INTO pilots_teacher (family_name, given_name, family_name_latin, given_name_latin,
                nickname, name_order, gender, email, phone, school, school_level, preferred_language,
                consent_version, consent_language, created_at, updated_at, province_id, title)
            SELECT 'សុខ', 'ចាន់ថា' || g, 'Sok', 'Chantha' || g, '', 'family_first',
                (ARRAY['female','male','female','undisclosed'])[1 + g %% 4], 'bench' || g || '@example.org',
                '', 'School ' || (g %% 500),
                (ARRAY['primary','lower_secondary','upper_secondary','university',''])[1 + g %% 5],
                'km', '', '', now(), now(), p.ids[1 + g %% array_length(p.ids, 1)], ''
            FROM generate_series(1, %s) g, (SELECT array_agg(id) AS ids FROM pilots_province) p
            """,
            [ENROLMENTS],
        )
        done("teachers")
        cur.execute(
            """
            INSERT INTO pilots_teacher_subjects (teacher_id, subject_id)
            SELECT t.id, s.ids[1 + t.id % array_length(s.ids, 1)]
            FROM pilots_teacher t, (SELECT array_agg(id) AS ids FROM pilots_subject) s
            """
        )
        done("subjects")
        # The big cohort, then the 1,200-enrolment one, then every other cohort in turn.
        cur.execute(
            """
            INSERT INTO pilots_enrolment (status, reference, language, consent_version, notes, created_at,
                status_changed_at, updated_at, cohort_id, teacher_id)
            SELECT CASE WHEN r < 0.85 THEN 'confirmed' WHEN r < 0.90 THEN 'completed'
                        WHEN r < 0.95 THEN 'withdrawn' WHEN r < 0.98 THEN 'waitlisted' ELSE 'applied' END,
                   'B' || lpad(to_hex(rn), 8, '0'), 'km', '', '', now(), now(), now(),
                   CASE WHEN rn <= %(big)s THEN (%(ids)s::bigint[])[1]
                        WHEN rn <= %(big)s + %(small)s THEN (%(ids)s::bigint[])[2]
                        ELSE (%(ids)s::bigint[])[3 + (rn - %(big)s - %(small)s - 1) %% %(rest)s] END,
                   id
            FROM (SELECT id, row_number() OVER (ORDER BY id) AS rn, random() AS r FROM pilots_teacher) t
            """,
            {"big": BIG_COHORT, "small": SMALL_ROSTER, "ids": ids, "rest": COHORTS - 2},
        )
        done("enrolments")
        cur.execute(
            """
            INSERT INTO pilots_attendance (status, note, updated_at, enrolment_id, session_id)
            SELECT CASE WHEN r < 0.80 THEN 'present' WHEN r < 0.87 THEN 'late'
                        WHEN r < 0.95 THEN 'absent' ELSE 'excused' END, '', now(), e.id, s.id
            FROM pilots_enrolment e JOIN pilots_session s ON s.cohort_id = e.cohort_id,
                 LATERAL (SELECT random() + 0 * e.id AS r) x
            """
        )
        done("attendance")
        cur.execute(
            """
            INSERT INTO pilots_assessment (kind, score, updated_at, enrolment_id)
            SELECT 'pre', LEAST(100, GREATEST(0, round((48 + 18 * (random() + random() - 1))::numeric, 0))),
                   now(), id
            FROM pilots_enrolment WHERE random() < 0.95
            """
        )
        cur.execute(
            """
            INSERT INTO pilots_assessment (kind, score, updated_at, enrolment_id)
            SELECT 'post', LEAST(100, GREATEST(0, round((74 + 18 * (random() + random() - 1))::numeric, 0))),
                   now(), id
            FROM pilots_enrolment WHERE random() < 0.85
            """
        )
        cur.execute("UPDATE pilots_assessment SET score = 100 WHERE kind = 'pre' AND id % 400 = 0")
        done("assessments")
        cur.execute("SET session_replication_role = DEFAULT")
    connection.close()
    import psycopg

    with psycopg.connect(DB_URL, autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE")
    counts = {m.__name__: m.objects.count() for m in (Enrolment,)}
    from pilots.models import Attendance

    counts["Attendance"] = Attendance.objects.count()
    print(f"loaded {counts} in {time.perf_counter() - started:.1f} s (VACUUM ANALYZE included)")


def timed(fn, runs):
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1000)
    times.sort()
    p95 = times[min(len(times) - 1, int(round(0.95 * (len(times) - 1))))]
    return statistics.median(times), p95


def timed_together(fns, runs):
    """`timed` for each of `fns`, their runs interleaved (a, b, a, b...): on a shared machine both
    then meet the same load, so their ratio does not depend on which ran while another job did."""
    times = [[] for _ in fns]
    for _ in range(runs):
        for fn, out in zip(fns, times, strict=True):
            t0 = time.perf_counter()
            fn()
            out.append((time.perf_counter() - t0) * 1000)
    stats = []
    for out in times:
        out.sort()
        stats.append((statistics.median(out), out[min(len(out) - 1, int(round(0.95 * (len(out) - 1))))]))
    return stats


def sql_run(statements, params):
    """Run each statement; the rows of each, in order."""
    from django.db import connection

    out = []
    with connection.cursor() as cur:
        for sql in statements if isinstance(statements, (list, tuple)) else [statements]:
            cur.execute(sql, params)
            out.append(cur.fetchall())
    return out


def sql_time(sql, params, runs):
    return timed(lambda: sql_run(sql, params), runs)


# Everything the cohort page shows, by the same definitions, as PostgreSQL would be asked by hand:
# the summary, the funnel, the four breakdowns, attendance per session, the score and gain
# distributions and the roster (teacher, province, subjects and per-enrolment figures).
COHORT_PER = """
WITH ses AS (SELECT count(*) AS n FROM pilots_session WHERE cohort_id = %(cohort)s),
att AS (
  SELECT a.enrolment_id,
         count(*) FILTER (WHERE a.status = 'present') AS present,
         count(*) FILTER (WHERE a.status = 'late') AS late,
         count(*) FILTER (WHERE a.status = 'absent') AS absent,
         count(*) FILTER (WHERE a.status = 'excused') AS excused
  FROM pilots_enrolment e JOIN pilots_attendance a ON a.enrolment_id = e.id
  JOIN pilots_session s ON s.id = a.session_id AND s.cohort_id = e.cohort_id
  WHERE e.cohort_id = %(cohort)s GROUP BY a.enrolment_id
), per AS (
  SELECT e.id, e.status, e.status IN ('confirmed', 'completed') AS seated, ses.n AS sessions,
         COALESCE(att.present, 0) AS present, COALESCE(att.late, 0) AS late,
         COALESCE(att.absent, 0) AS absent, COALESCE(att.excused, 0) AS excused,
         COALESCE(att.present, 0) + COALESCE(att.late, 0) AS attended,
         pre.score::float AS pre, post.score::float AS post
  FROM pilots_enrolment e CROSS JOIN ses
  LEFT JOIN att ON att.enrolment_id = e.id
  LEFT JOIN pilots_assessment pre ON pre.enrolment_id = e.id AND pre.kind = 'pre'
  LEFT JOIN pilots_assessment post ON post.enrolment_id = e.id AND post.kind = 'post'
  WHERE e.cohort_id = %(cohort)s
), fig AS (
  SELECT per.*, (seated AND sessions - excused > 0
                 AND attended * 100.0 / (sessions - excused) >= p.completion_min_attendance
                 AND (post IS NOT NULL OR NOT p.completion_requires_post_test)) AS completed
  FROM per, pilots_cohort c JOIN pilots_programme p ON p.id = c.programme_id WHERE c.id = %(cohort)s
)
"""
COHORT_SQL = [
    COHORT_PER + """
SELECT count(*), count(*) FILTER (WHERE seated), count(*) FILTER (WHERE status = 'withdrawn'),
       count(*) FILTER (WHERE completed), sum(attended) FILTER (WHERE seated),
       sum(excused) FILTER (WHERE seated), sum(pre) FILTER (WHERE seated), count(pre) FILTER (WHERE seated),
       sum(post) FILTER (WHERE seated), count(post) FILTER (WHERE seated),
       sum(post - pre) FILTER (WHERE seated), count(post - pre) FILTER (WHERE seated),
       sum((post - pre) / (100 - pre)) FILTER (WHERE seated AND pre < 100),
       count((post - pre) / NULLIF(100 - pre, 0)) FILTER (WHERE seated AND pre < 100)
FROM fig""",
    "SELECT status, count(*) FROM pilots_enrolment WHERE cohort_id = %(cohort)s GROUP BY status",
    *[f"""SELECT {col}, count(*), count(*) FILTER (WHERE e.status IN ('confirmed', 'completed'))
FROM pilots_enrolment e JOIN pilots_teacher t ON t.id = e.teacher_id {join}
WHERE e.cohort_id = %(cohort)s GROUP BY 1""" for col, join in (
        ("t.gender", ""), ("t.school_level", ""),
        ("sub.name", "LEFT JOIN pilots_teacher_subjects ts ON ts.teacher_id = t.id "
                     "LEFT JOIN pilots_subject sub ON sub.id = ts.subject_id"),
        ("pr.name", "LEFT JOIN pilots_province pr ON pr.id = t.province_id"))],
    """SELECT s.id, s.title, s.date, count(a.id) FILTER (WHERE a.status = 'present'),
       count(a.id) FILTER (WHERE a.status = 'late'), count(a.id) FILTER (WHERE a.status = 'absent'),
       count(a.id) FILTER (WHERE a.status = 'excused')
FROM pilots_session s LEFT JOIN (pilots_attendance a JOIN pilots_enrolment e ON e.id = a.enrolment_id
     AND e.status IN ('confirmed', 'completed')) ON a.session_id = s.id
WHERE s.cohort_id = %(cohort)s GROUP BY s.id ORDER BY s.date, s.starts_at, s.id""",
    """SELECT a.kind, LEAST(floor(a.score / 10), 9), count(*) FROM pilots_assessment a
JOIN pilots_enrolment e ON e.id = a.enrolment_id
WHERE e.cohort_id = %(cohort)s AND e.status IN ('confirmed', 'completed') GROUP BY 1, 2""",
    COHORT_PER + "SELECT floor((post - pre) / 10), count(*) FROM fig WHERE seated AND post - pre IS NOT NULL "
    "GROUP BY 1",
    COHORT_PER + """
SELECT e.reference, t.family_name, t.given_name, t.family_name_latin, t.given_name_latin, t.name_order,
       t.gender, t.school_level, pr.name,
       (SELECT string_agg(sub.name, ', ' ORDER BY sub."order", sub.name) FROM pilots_teacher_subjects ts
        JOIN pilots_subject sub ON sub.id = ts.subject_id WHERE ts.teacher_id = t.id),
       fig.status, fig.present, fig.late, fig.absent, fig.excused, fig.pre, fig.post, fig.completed
FROM fig JOIN pilots_enrolment e ON e.id = fig.id JOIN pilots_teacher t ON t.id = e.teacher_id
LEFT JOIN pilots_province pr ON pr.id = t.province_id
ORDER BY t.family_name, t.given_name, e.id""",
]


OVERVIEW_SQL = """
WITH att AS (
  SELECT a.enrolment_id,
         count(*) FILTER (WHERE a.status IN ('present', 'late')) AS attended,
         count(*) FILTER (WHERE a.status = 'excused') AS excused
  FROM pilots_attendance a GROUP BY a.enrolment_id
), ses AS (
  SELECT cohort_id, count(*) AS n FROM pilots_session GROUP BY cohort_id
), per AS (
  SELECT c.year, c.country, e.status, e.status IN ('confirmed', 'completed') AS seated,
         COALESCE(ses.n, 0) AS sessions, COALESCE(att.attended, 0) AS attended,
         COALESCE(att.excused, 0) AS excused, pre.score::float AS pre, post.score::float AS post,
         p.completion_min_attendance AS min_attendance, p.completion_requires_post_test AS needs_post
  FROM pilots_enrolment e JOIN pilots_cohort c ON c.id = e.cohort_id
  JOIN pilots_programme p ON p.id = c.programme_id
  LEFT JOIN ses ON ses.cohort_id = e.cohort_id
  LEFT JOIN att ON att.enrolment_id = e.id
  LEFT JOIN pilots_assessment pre ON pre.enrolment_id = e.id AND pre.kind = 'pre'
  LEFT JOIN pilots_assessment post ON post.enrolment_id = e.id AND post.kind = 'post'
)
SELECT year, country, count(*), count(*) FILTER (WHERE seated),
       count(*) FILTER (WHERE status = 'withdrawn'),
       count(*) FILTER (WHERE seated AND sessions - excused > 0
                        AND attended * 100.0 / (sessions - excused) >= min_attendance
                        AND (post IS NOT NULL OR NOT needs_post)),
       sum(attended) FILTER (WHERE seated), sum(sessions - excused) FILTER (WHERE seated),
       avg(pre) FILTER (WHERE seated), avg(post) FILTER (WHERE seated), avg(post - pre) FILTER (WHERE seated),
       avg((post - pre) / NULLIF(100 - pre, 0)) FILTER (WHERE seated AND pre < 100)
FROM per GROUP BY GROUPING SETS ((year, country), ())
"""


def check_same_figures(cohort):
    """The raw SQL is the equivalent aggregate: its figures are the ORM's (else stop)."""
    from pilots.reports.cohort import attendance_by_session, cohort_summary, roster

    raw = sql_run(COHORT_SQL, {"cohort": cohort.pk})
    summary = cohort_summary(cohort)
    (reg, conf, wd, comp, att, exc, pre_s, pre_n, post_s, post_n, gain_s, gain_n, g_s, g_n), = raw[0]
    orm = (summary["registered"], summary["confirmed"], summary["withdrawn"], summary["completed"],
           summary["attended"], summary["excused"], pre_n, post_n, gain_n, g_n)
    assert orm == (reg, conf, wd, comp, att, exc, summary["pre_n"], summary["post_n"], summary["gain_n"],
                   summary["g_n"]), (orm, raw[0])
    for mine, theirs in ((pre_s, "pre_sum"), (post_s, "post_sum"), (gain_s, "gain_sum"), (g_s, "g_sum")):
        assert abs((mine or 0) - summary[theirs]) < 1e-6, (theirs, mine, summary[theirs])
    roster = roster(cohort)
    assert [(e.reference, e.present, e.late, e.absent, e.excused_count, e.pre_score, e.post_score,
             bool(e.is_completed)) for e in roster] == [
        (r[0], r[11], r[12], r[13], r[14], r[15], r[16], bool(r[17])) for r in raw[-1]]
    sessions = attendance_by_session(cohort, summary["confirmed"])
    assert [(s.present, s.late, s.absent, s.excused) for s in sessions] == [r[3:] for r in raw[6]]
    print(f"raw SQL figures checked against the ORM: summary, {len(roster)} roster rows, "
          f"{len(sessions)} sessions")


# The overview page from the stored figures, by hand: the latest refresh's rows summed by year and
# country with the subtotals and total the page shows, and the list of cohorts it links to.
STORED_OVERVIEW_SQL = [
    """
WITH latest AS (SELECT id FROM pilots_figuresrefresh ORDER BY computed_at DESC, id DESC LIMIT 1)
SELECT c.year, c.country, count(DISTINCT c.id), sum(f.n),
       sum(f.n) FILTER (WHERE f.status IN ('confirmed', 'completed')),
       sum(f.n) FILTER (WHERE f.status = 'withdrawn'), sum(f.completed), sum(f.attended), sum(f.absent),
       sum(f.excused), sum(f.seat_sessions), sum(f.pre_sum), sum(f.pre_n), sum(f.post_sum), sum(f.post_n),
       sum(f.gain_sum), sum(f.gain_n), sum(f.g_sum), sum(f.g_n), sum(f.g_excluded)
FROM pilots_cohort c LEFT JOIN pilots_cohortfigures f
     ON f.cohort_id = c.id AND f.refresh_id = (SELECT id FROM latest)
GROUP BY GROUPING SETS ((c.year, c.country), (c.year), (c.country), ())""",
    """SELECT code, name, year, country, kind, language, start_date FROM pilots_cohort
ORDER BY year DESC, country, name""",
]


def check_same_overview(raw_rows, overview):
    """The raw SQL over every row gives the stored figures' totals (else stop)."""
    total = overview.total
    raw = next(r for r in raw_rows if r[0] is None and r[1] is None)
    orm = (total["registered"], total["confirmed"], total["withdrawn"], total["completed"], total["attended"],
           total["expected"])
    assert orm == tuple(int(v) for v in raw[2:8]), (orm, raw)
    assert abs(raw[8] - total["pre_mean"]) < 1e-9 and abs(raw[9] - total["post_mean"]) < 1e-9, raw
    print("raw SQL over every enrolment and attendance row checked against the stored figures' totals")


def peak_memory(client, path):
    """Peak Python memory (tracemalloc) of one streamed download, and the file's size."""
    tracemalloc.start()
    response = client.get(path)
    size = sum(len(chunk) for chunk in response.streaming_content)
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak, size


def measure(runs, live_runs):
    from django.contrib.auth import get_user_model
    from django.db import connection, reset_queries
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, setup_test_environment

    from pilots.data_version import replace as invalidate
    from pilots.models import Cohort
    from pilots.reports import figures

    setup_test_environment()
    user, _ = get_user_model().objects.get_or_create(
        username="bench-admin", defaults={"is_staff": True, "is_superuser": True}
    )
    client = Client()
    client.force_login(user)
    cohort = Cohort.objects.get(code="bench-2")
    n_typical = cohort.enrolments.count()
    url = f"/reports/cohorts/{cohort.code}/"

    def get(path):
        def go():
            response = client.get(path)
            assert response.status_code == 200, response.status_code
            if hasattr(response, "streaming_content"):
                for _chunk in response.streaming_content:
                    pass
        return go

    def cold(fn):
        def go():
            invalidate()  # what the first request after a programme-wide change pays (every cohort cold)
            fn()
        return go

    results = {}
    # The overview computed from every row (what the page did before the stored figures, and what a
    # refresh by the scheduler costs: the same queries, plus writing 5 rows per cohort), against
    # the same aggregate by hand.
    # The raw SQL with the refresh's work_mem (`figures.REFRESH_WORK_MEM`), for a fair comparison.
    with connection.cursor() as cur:
        cur.execute(f"SET work_mem = '{figures.REFRESH_WORK_MEM}'")
    raw_rows = []
    results["overview live (raw SQL)"] = timed(lambda: raw_rows.append(sql_run(OVERVIEW_SQL, {})[0]), live_runs)
    with connection.cursor() as cur:
        cur.execute("RESET work_mem")
    refresh = None

    def refresh_now():
        nonlocal refresh
        refresh = figures.refresh_figures()

    results["refresh of the stored figures (scheduler)"] = timed(refresh_now, live_runs)
    check_same_overview(raw_rows[-1], figures.overview_for(Cohort.objects.all(), figures.latest()))

    get("/reports/")()
    results["overview, cold (HTML request)"] = timed(cold(get("/reports/")), runs)
    results["overview, cached (HTML request)"] = timed(get("/reports/"), runs)
    results["overview (ORM queries only)"] = timed(
        lambda: figures.overview_for(Cohort.objects.all(), figures.latest()), runs
    )
    results["overview (raw SQL)"] = sql_time(STORED_OVERVIEW_SQL, {}, runs)

    get(url)()
    # The page's own SELECTs as it sent them (the access record's INSERT left out), replayed: the
    # database's share of the cold page; the rest is the ORM, the template and the request.
    with CaptureQueriesContext(connection) as page_queries:
        cold(get(url))()
    page_sql = [q["sql"] for q in page_queries.captured_queries if q["sql"].lstrip().upper().startswith("SELECT")]
    # The cold page and its raw SQL interleaved: the ratio is measured under the same load.
    (results["cohort report, cold (HTML request)"], results["cohort report (raw SQL)"],
     results["cohort report (its own SQL, replayed)"]) = timed_together(
        [cold(get(url)), lambda: sql_run(COHORT_SQL, {"cohort": cohort.pk}), lambda: sql_run(page_sql, None)], runs
    )
    results["cohort report, cached (HTML request)"] = timed(get(url), runs)
    other = Cohort.objects.get(code="bench-3")

    def after_other_cohort_write():
        invalidate(cohorts=[other.pk])  # what a register, a score page or a status change there pays
        get(url)()

    results["cohort report after another cohort's write"] = timed(after_other_cohort_write, runs)

    from pilots.reports.views import _cohort_context

    def cohort_queries():
        cohort.__dict__.pop("_report_session_count", None)  # as a fresh request would
        _cohort_context(cohort, "ce")  # every query of the page and its Python, no template

    results["cohort report (ORM queries only)"] = timed(cohort_queries, runs)
    check_same_figures(cohort)

    print(f"\nPostgreSQL, {SCALE} scale: {ENROLMENTS:,} enrolments, {ENROLMENTS * SESSIONS_PER_COHORT:,} "
          f"attendance rows, {COHORTS:,} cohorts; {runs} runs (live overview {live_runs}); typical cohort: "
          f"{n_typical} enrolments, {SESSIONS_PER_COHORT} sessions")
    print(f"{'measure':45} {'median ms':>10} {'p95 ms':>10}")
    for name, (median, p95) in results.items():
        print(f"{name:45} {median:10.1f} {p95:10.1f}")

    def ratio(which, of, stat=0):
        return results[which][stat] / results[of][stat]

    refresh_ratio = ratio("refresh of the stored figures (scheduler)", "overview live (raw SQL)")
    print(f"refresh / live raw SQL: {refresh_ratio:.2f}x")
    print("overview, cold (HTML request) / raw SQL over the stored figures: "
          f"median {ratio('overview, cold (HTML request)', 'overview (raw SQL)'):.2f}x, "
          f"p95 {ratio('overview, cold (HTML request)', 'overview (raw SQL)', 1):.2f}x; "
          f"ORM queries only {ratio('overview (ORM queries only)', 'overview (raw SQL)'):.2f}x")
    print("overview, cold (HTML request) / the live raw SQL it replaces: "
          f"{ratio('overview, cold (HTML request)', 'overview live (raw SQL)'):.3f}x")
    print("cohort report, cold (HTML request) / raw SQL: "
          f"median {ratio('cohort report, cold (HTML request)', 'cohort report (raw SQL)'):.2f}x, "
          f"p95 {ratio('cohort report, cold (HTML request)', 'cohort report (raw SQL)', 1):.2f}x; "
          f"ORM queries only {ratio('cohort report (ORM queries only)', 'cohort report (raw SQL)'):.2f}x")
    print(f"cohort report, cold (HTML request) / its own {len(page_sql)} statements replayed: "
          f"median {ratio('cohort report, cold (HTML request)', 'cohort report (its own SQL, replayed)'):.2f}x, "
          f"p95 {ratio('cohort report, cold (HTML request)', 'cohort report (its own SQL, replayed)', 1):.2f}x")
    print(f"load average during the run: {os.getloadavg()[0]:.1f} (2 cores, shared)")

    print("\nroster exports (streamed): time, file size, peak Python memory (tracemalloc, a second pass)")
    peaks = {}
    for code in ("bench-roster-1200", "bench-big"):
        n = Cohort.objects.get(code=code).enrolments.count()
        for fmt in ("xlsx", "csv"):
            path = f"/reports/cohorts/{code}/roster.{fmt}"
            t0 = time.perf_counter()
            get(path)()
            elapsed = time.perf_counter() - t0
            peak, size = peak_memory(client, path)
            peaks[(fmt, n)] = peak
            print(f"{n:6} rows roster.{fmt}: {elapsed:.2f} s, {size / 1e6:.1f} MB file, peak {peak / 1e6:.1f} MB")
    for fmt in ("xlsx", "csv"):
        (small, big) = sorted(n for f, n in peaks if f == fmt)
        print(f"roster.{fmt} peak memory {big} rows / {small} rows: {peaks[(fmt, big)] / peaks[(fmt, small)]:.2f}x "
              f"(the rows: {big / small:.0f}x)")
    print(f"max RSS of the process: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")
    connection.close()
    reset_queries()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reload", action="store_true", help="drop and load the data again")
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--live-runs", type=int, default=2,
                        help="runs of the live overview over every row (seconds each at national scale)")
    parser.add_argument("--scale", choices=list(SCALES), default=SCALE,
                        help="national (the default, or BENCH_SCALE) or small")
    args = parser.parse_args()
    ensure_database()
    import django

    django.setup()
    load(reload=args.reload)
    measure(args.runs, args.live_runs)


if __name__ == "__main__":
    main()
