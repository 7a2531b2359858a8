"""Read-only report queries. This module: the programme overview by year and country; the cohort
report is in `pilots.reports.cohort`.

Every figure is aggregated in the database (`Count`/`Sum`/`Avg` with `filter=`, `values().annotate()`),
so a report is a fixed number of queries whatever the number of enrolments.

Definitions used by every report, export and the admin:
- registered: every enrolment, whatever its status; confirmed: enrolments holding a seat (status
  confirmed or completed); withdrawn: status withdrawn. Counts are enrolments (a teacher in two
  cohorts counts twice).
- participants are the confirmed enrolments. Attendance, scores and gains are those of participants.
- completion: `EnrolmentQuerySet.with_completion()` (attendance of at least the programme's
  percentage, excused sessions left out of the denominator, plus the post-test if required).
- attendance rate: sessions attended (present or late) over sessions recorded (present, late or
  absent), for participants only: a session whose attendance is not recorded yet is not counted as
  missed, excused sessions leave the count; nothing recorded -> no rate (None, shown "–"), never 0.
  A teacher without a seat has no rate ("–").
- met the completion rule (`completed` here): `EnrolmentQuerySet.with_completion()`, not the
  enrolment status "completed" that staff set (the funnel shows that one, as "Status: Completed").
- scores: means over participants who took that test; gain = post - pre for those with both tests;
  normalised gain g = (post - pre) / (100 - pre) averaged over those with both tests, leaving out a
  pre-test of 100 (counted in `g_excluded`).
- regional cohorts (no country) are shown to users who see every country only.
"""

from dataclasses import dataclass, field

from django.db.models import Count, Q, Sum
from django.utils.translation import gettext_lazy as _

from pilots.choices import ATTENDED_STATUSES, SEATED_STATUSES, AttendanceStatus, Country, EnrolmentStatus
from pilots.models import Attendance, Enrolment

from .models import FIGURE_FIELDS


def country_label(code):
    return Country(code).label if code else _("Regional")


def _enrolment_figures(completed_ids):
    """Aggregates over enrolments (scores joined one-to-one), for rows grouped by cohort and status:
    the caller keeps the scores of seated statuses only (no FILTER evaluated on every row). Means
    are computed from sums and counts so that group rows add up exactly to the total."""
    return {
        "n": Count("pk"),
        "completed": Count("pk", filter=Q(pk__in=completed_ids)),
        "pre_sum": Sum("pre_score"),
        "pre_n": Count("pre_score"),
        "post_sum": Sum("post_score"),
        "post_n": Count("post_score"),
        "gain_sum": Sum("gain"),
        "gain_n": Count("gain"),
        "g_sum": Sum("norm_gain"),
        "g_n": Count("norm_gain"),
        "g_excluded": Count("pk", filter=Q(pre_score__gte=100, post_score__isnull=False)),
    }


COUNT_FIELDS = ["cohorts", "registered", "confirmed", "withdrawn", "completed", "pre_n", "post_n",
                "gain_n", "g_n", "g_excluded", "attended", "absent", "excused", "seat_sessions"]
SUM_FIELDS = ["pre_sum", "post_sum", "gain_sum", "g_sum"]
# The figures of `_enrolment_figures` a cohort's participants add up (`n` is every status's).
ENROLMENT_KEYS = ["completed", "pre_sum", "pre_n", "post_sum", "post_n", "gain_sum", "gain_n", "g_sum", "g_n",
                  "g_excluded"]


def empty_figures():
    return dict.fromkeys(COUNT_FIELDS, 0) | dict.fromkeys(SUM_FIELDS, 0.0)


def finish_figures(row):
    """Derived figures from sums and counts: means (None without data), attendance rate (None
    when nothing is recorded), missing tests."""

    def mean(total, n):
        return total / n if n else None

    row["expected"] = row["seat_sessions"] - row["excused"]
    row["recorded"] = row["attended"] + row["absent"]
    row["attendance_rate"] = 100.0 * row["attended"] / row["recorded"] if row["recorded"] > 0 else None
    row["pre_mean"] = mean(row["pre_sum"], row["pre_n"])
    row["post_mean"] = mean(row["post_sum"], row["post_n"])
    row["gain_mean"] = mean(row["gain_sum"], row["gain_n"])
    row["g_mean"] = mean(row["g_sum"], row["g_n"])
    row["missing_pre"] = row["confirmed"] - row["pre_n"]
    row["missing_post"] = row["confirmed"] - row["post_n"]
    return row


@dataclass
class Overview:
    rows: list = field(default_factory=list)  # one per year and country
    total: dict = field(default_factory=dict)
    by_year: list = field(default_factory=list)
    by_country: list = field(default_factory=list)
    # {cohort id: year, country, enrolments by status, completed}: what each cohort's shared
    # summary publishes, for protecting the shared overview against both files together.
    cohorts: dict = field(default_factory=dict)
    # The stored figures' refresh it was added up from (`pilots.reports.figures`); None: live.
    refresh: object = None


def cohort_status_figures(cohorts):
    """Live: ({cohort id: (year, country)}, rows), a row per cohort and enrolment status with the
    counts and sums of `FIGURE_FIELDS` (scores, completion, attendance and seat-sessions of
    participants only). Three queries: cohorts (with their number of sessions), enrolments
    (with scores and completion), attendance."""
    # Sessions per cohort up front: completion then counts each enrolment's own attendance rows
    # (index-only) instead of joining every session of its cohort, and seat-sessions are summed
    # over the enrolments without a correlated subquery per cohort.
    meta, sessions_by_cohort = {}, {}
    for r in cohorts.order_by().values("pk", "year", "country").annotate(n_sessions=Count("sessions")):
        meta[r["pk"]] = (r["year"], r["country"])
        sessions_by_cohort[r["pk"]] = r["n_sessions"]

    # The cohorts' ids, now known, filter the enrolments (no join back to the cohorts); both
    # grouped queries group by cohort id and status.
    enrolments = Enrolment.objects.filter(cohort_id__in=list(sessions_by_cohort))
    # Only seated enrolments can complete (with_completion says so too): the others' attendance
    # rows are left out of the per-enrolment GROUP BY.
    completed_ids = (
        enrolments.seated().with_completion(sessions_count=sessions_by_cohort)
        .filter(is_completed=True).values("pk")
    )
    rows = {}
    for r in (
        enrolments.with_scores().order_by().values("cohort_id", "status")
        .annotate(**_enrolment_figures(completed_ids))
    ):
        row = dict.fromkeys(FIGURE_FIELDS, 0) | {"cohort_id": r["cohort_id"], "status": r["status"], "n": r["n"]}
        if r["status"] in SEATED_STATUSES:  # scores and completion are those of participants
            for key in ENROLMENT_KEYS:
                row[key] = r[key] if r[key] is not None else 0
            # Seat-sessions: the cohort's participants times its sessions (grouped by cohort, no CASE).
            row["seat_sessions"] = r["n"] * sessions_by_cohort[r["cohort_id"]]
        rows[(r["cohort_id"], r["status"])] = row

    attendance = (
        Attendance.objects.filter(
            enrolment__cohort_id__in=list(sessions_by_cohort), enrolment__status__in=SEATED_STATUSES
        )
        .order_by()
        .values("enrolment__cohort_id", "enrolment__status")
        .annotate(
            attended=Count("pk", filter=Q(status__in=ATTENDED_STATUSES)),
            absent=Count("pk", filter=Q(status=AttendanceStatus.ABSENT)),
            excused=Count("pk", filter=Q(status=AttendanceStatus.EXCUSED)),
        )
    )
    for r in attendance:
        row = rows[(r["enrolment__cohort_id"], r["enrolment__status"])]
        for key in ("attended", "absent", "excused"):
            row[key] = r[key]
    return meta, list(rows.values())


def overview_from(meta, figure_rows, refresh=None):
    """The overview added up from per-cohort, per-status rows (`cohort_status_figures`, or the
    stored ones), by year and country; `meta` {cohort id: (year, country)} names every cohort,
    with or without enrolments."""
    groups, per_cohort = {}, {}

    def group(year, country):
        return groups.setdefault((year, country), empty_figures())

    for cohort_id, (year, country) in meta.items():
        group(year, country)["cohorts"] += 1
        per_cohort[cohort_id] = {"year": year, "country": country, "statuses": {}, "completed": 0}
    for r in figure_rows:
        cohort_id, status, n = r["cohort_id"], r["status"], r["n"]
        into = group(*meta[cohort_id])
        per_cohort[cohort_id]["statuses"][status] = n
        into["registered"] += n
        if status == EnrolmentStatus.WITHDRAWN:
            into["withdrawn"] += n
        if status not in SEATED_STATUSES:
            continue
        into["confirmed"] += n
        per_cohort[cohort_id]["completed"] += r["completed"]
        for key in FIGURE_FIELDS:
            if key != "n":
                into[key] += r[key]

    def add(into, row):
        for key in COUNT_FIELDS + SUM_FIELDS:
            into[key] += row[key]

    rows, total, years, countries = [], empty_figures(), {}, {}
    for (year, country), row in sorted(groups.items(), key=lambda kv: (kv[0][0], kv[0][1] == "", kv[0][1])):
        add(total, row)
        add(years.setdefault(year, empty_figures() | {"year": year}), row)
        add(countries.setdefault(country, empty_figures() | {"country": country}), row)
        row.update(year=year, country=country, country_label=country_label(country))
        rows.append(finish_figures(row))
    by_country = [
        finish_figures(countries[c] | {"country_label": country_label(c)})
        for c in sorted(countries, key=lambda c: (c == "", c))
    ]
    return Overview(rows=rows, total=finish_figures(total), by_year=[finish_figures(years[y]) for y in sorted(years)],
                    by_country=by_country, cohorts=per_cohort, refresh=refresh)


def programme_overview(cohorts):
    """Figures by year and country for `cohorts` (already scoped and filtered), computed live
    from every enrolment and attendance row: three queries (`cohort_status_figures`). Pages read
    the stored figures instead when there are some (`pilots.reports.figures.overview_for`)."""
    return overview_from(*cohort_status_figures(cohorts))
