"""Read-only report queries: the programme overview and the cohort report.

Every figure is aggregated in the database (`Count`/`Sum`/`Avg` with `filter=`, `values().annotate()`),
so a report is a fixed number of queries whatever the number of enrolments.

Definitions used by every report, export and the admin:
- registered: every enrolment, whatever its status; confirmed: enrolments holding a seat (status
  confirmed or completed); withdrawn: status withdrawn. Counts are enrolments (a teacher in two
  cohorts counts twice).
- participants are the confirmed enrolments. Attendance, scores and gains are those of participants.
- completion: `EnrolmentQuerySet.with_completion()` (attendance of at least the programme's
  percentage, excused sessions left out of the denominator, plus the post-test if required).
- attendance rate: sum of sessions attended (present or late) over the sum of sessions expected
  (cohort sessions minus excused); no sessions -> no rate (None), never 0.
- scores: means over participants who took that test; gain = post - pre for those with both tests;
  normalised gain g = (post - pre) / (100 - pre) averaged over those with both tests, leaving out a
  pre-test of 100 (counted in `g_excluded`).
- regional cohorts (no country) are shown to users who see every country only.
"""

from dataclasses import dataclass, field

from django.db.models import Count, F, FloatField, Q, Sum, Value
from django.db.models.functions import Floor, Least
from django.utils.translation import gettext_lazy as _

from .models import (
    SEATED_STATUSES,
    Assessment,
    AssessmentKind,
    Attendance,
    AttendanceStatus,
    Cohort,
    CohortKind,
    Country,
    Enrolment,
    EnrolmentStatus,
    Gender,
    SchoolLevel,
    Session,
    Teacher,
)

SEATED = Q(status__in=SEATED_STATUSES)
YEARS = range(2020, 2025)
SMALL_CELL = 5


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
                "gain_n", "g_n", "g_excluded", "attended", "excused", "seat_sessions"]
SUM_FIELDS = ["pre_sum", "post_sum", "gain_sum", "g_sum"]


def _empty():
    return dict.fromkeys(COUNT_FIELDS, 0) | dict.fromkeys(SUM_FIELDS, 0.0)


def _finish(row):
    """Derived figures from sums and counts: means (None without data), attendance rate (None
    without sessions), missing tests."""

    def mean(total, n):
        return total / n if n else None

    row["expected"] = row["seat_sessions"] - row["excused"]
    row["attendance_rate"] = 100.0 * row["attended"] / row["expected"] if row["expected"] > 0 else None
    row["pre_mean"] = mean(row["pre_sum"], row["pre_n"])
    row["post_mean"] = mean(row["post_sum"], row["post_n"])
    row["gain_mean"] = mean(row["gain_sum"], row["gain_n"])
    row["g_mean"] = mean(row["g_sum"], row["g_n"])
    row["missing_pre"] = row["confirmed"] - row["pre_n"]
    row["missing_post"] = row["confirmed"] - row["post_n"]
    return row


def enrolments_in_scope(user):
    return Enrolment.objects.filter(cohort__in=Cohort.objects.for_coordinator(user))


@dataclass
class Overview:
    rows: list = field(default_factory=list)  # one per year and country
    total: dict = field(default_factory=dict)
    by_year: list = field(default_factory=list)
    by_country: list = field(default_factory=list)


def programme_overview(cohorts):
    """Figures by year and country for `cohorts` (already scoped and filtered). Three queries:
    cohorts (with their number of sessions), enrolments (with scores and completion), attendance."""
    groups = {}

    def group(year, country):
        return groups.setdefault((year, country), _empty())

    # Sessions per cohort up front: completion then counts each enrolment's own attendance rows
    # (index-only) instead of joining every session of its cohort, and seat-sessions are summed
    # over the enrolments without a correlated subquery per cohort.
    sessions_by_cohort, group_of = {}, {}
    for r in cohorts.order_by().values("pk", "year", "country").annotate(n_sessions=Count("sessions")):
        group(r["year"], r["country"])["cohorts"] += 1
        sessions_by_cohort[r["pk"]] = r["n_sessions"]
        group_of[r["pk"]] = group(r["year"], r["country"])

    # The cohorts' ids, now known, filter the enrolments (no join back to the cohorts), and both
    # grouped queries group by cohort id: their sums and counts are added into year x country here.
    enrolments = Enrolment.objects.filter(cohort_id__in=list(sessions_by_cohort))
    # Only seated enrolments can complete (with_completion says so too): the others' attendance
    # rows are left out of the per-enrolment GROUP BY.
    completed_ids = (
        enrolments.seated().with_completion(sessions_count=sessions_by_cohort)
        .filter(is_completed=True).values("pk")
    )
    for r in (
        enrolments.with_scores().order_by().values("cohort_id", "status")
        .annotate(**_enrolment_figures(completed_ids))
    ):
        cohort_id, status, n = r.pop("cohort_id"), r.pop("status"), r.pop("n")
        into = group_of[cohort_id]
        into["registered"] += n
        if status == EnrolmentStatus.WITHDRAWN:
            into["withdrawn"] += n
        if status not in SEATED_STATUSES:
            continue  # scores and completion are those of participants
        into["confirmed"] += n
        for k, v in r.items():
            into[k] += v if v is not None else 0
        # Seat-sessions: the cohort's participants times its sessions (grouped by cohort, no CASE).
        into["seat_sessions"] += n * sessions_by_cohort[cohort_id]

    attendance = (
        Attendance.objects.filter(
            enrolment__cohort_id__in=list(sessions_by_cohort), enrolment__status__in=SEATED_STATUSES
        )
        .order_by()
        .values("enrolment__cohort_id")
        .annotate(
            attended=Count("pk", filter=Q(status__in=[AttendanceStatus.PRESENT, AttendanceStatus.LATE])),
            excused=Count("pk", filter=Q(status=AttendanceStatus.EXCUSED)),
        )
    )
    for r in attendance:
        into = group_of[r["enrolment__cohort_id"]]
        into["attended"] += r["attended"]
        into["excused"] += r["excused"]

    def add(into, row):
        for key in COUNT_FIELDS + SUM_FIELDS:
            into[key] += row[key]

    rows, total, years, countries = [], _empty(), {}, {}
    for (year, country), row in sorted(groups.items(), key=lambda kv: (kv[0][0], kv[0][1] == "", kv[0][1])):
        add(total, row)
        add(years.setdefault(year, _empty() | {"year": year}), row)
        add(countries.setdefault(country, _empty() | {"country": country}), row)
        row.update(year=year, country=country, country_label=country_label(country))
        rows.append(_finish(row))
    by_country = [
        _finish(countries[c] | {"country_label": country_label(c)})
        for c in sorted(countries, key=lambda c: (c == "", c))
    ]
    return Overview(rows=rows, total=_finish(total), by_year=[_finish(years[y]) for y in sorted(years)],
                    by_country=by_country)


def session_count(cohort):
    """The cohort's number of sessions (one query, remembered on the instance)."""
    if not hasattr(cohort, "_report_session_count"):
        cohort._report_session_count = cohort.sessions.count()
    return cohort._report_session_count


def cohort_figures(cohort):
    """The cohort's enrolments, each with its attendance, completion and scores: the one per-enrolment
    aggregate (GROUP BY enrolment, restricted to the cohort) that the summary and the roster reuse."""
    return (
        cohort.enrolments.with_completion(sessions_count=session_count(cohort)).with_scores().order_by()
    )


def cohort_summary(cohort, figures=None):
    """The cohort's figures, by the very same definitions as the overview, summed over the
    per-enrolment figures the database has already aggregated (`roster_figures`; pass them when
    the page has them, so the cohort's attendance is aggregated once). One query otherwise,
    plus the session count."""
    if figures is None:
        figures = roster_figures(cohort).values()
    total = _empty()
    total["cohorts"] = 1
    scores = (("pre", "pre_score"), ("post", "post_score"), ("gain", "gain"), ("g", "norm_gain"))
    for row in figures:
        total["registered"] += 1
        if row["status"] == EnrolmentStatus.WITHDRAWN:
            total["withdrawn"] += 1
        if row["status"] not in SEATED_STATUSES:
            continue
        total["confirmed"] += 1
        total["completed"] += 1 if row["is_completed"] else 0
        total["attended"] += row["present"] + row["late"]
        total["excused"] += row["excused_count"]
        for name, key in scores:
            if row[key] is not None:
                total[f"{name}_sum"] += row[key]
                total[f"{name}_n"] += 1
        if row["pre_score"] is not None and row["pre_score"] >= 100 and row["post_score"] is not None:
            total["g_excluded"] += 1
    total["seat_sessions"] = session_count(cohort) * total["confirmed"]
    return _finish(total)


def enrolment_funnel(cohort):
    counts = dict(
        cohort.enrolments.order_by().values_list("status").annotate(n=Count("pk")).values_list("status", "n")
    )
    return [(EnrolmentStatus(s).label, counts.get(s, 0)) for s in EnrolmentStatus.values]


def _breakdown(cohort, key, labels):
    rows = (
        cohort.enrolments.order_by()
        .values(key)
        .annotate(registered=Count("pk"), participants=Count("pk", filter=SEATED))
    )
    out = []
    for r in rows:
        value = r[key]
        label = labels(value) if value not in (None, "") else _("Not given")
        out.append({"label": str(label), "registered": r["registered"], "participants": r["participants"]})
    return sorted(out, key=lambda r: (-r["registered"], r["label"]))


def _labelled(counts, labels):
    out = []
    for value, (registered, participants) in counts.items():
        label = labels(value) if value not in (None, "") else _("Not given")
        out.append({"label": str(label), "registered": registered, "participants": participants})
    return sorted(out, key=lambda r: (-r["registered"], r["label"]))


def breakdowns(cohort):
    """Counts of registered enrolments and participants by gender, school level, subject, province.

    Two queries: gender x school level x province counted together in the database (their groups
    are then added up per key, as the overview adds its rows into subtotals), and subjects apart,
    since a teacher who teaches two subjects counts once under each.
    """
    keys = {"gender": "teacher__gender", "school_level": "teacher__school_level",
            "province": "teacher__province__name"}
    counts = {key: {} for key in keys}
    for row in (
        cohort.enrolments.order_by()
        .values(*keys.values())
        .annotate(registered=Count("pk"), participants=Count("pk", filter=SEATED))
    ):
        for key, field_name in keys.items():
            pair = counts[key].setdefault(row[field_name], [0, 0])
            pair[0] += row["registered"]
            pair[1] += row["participants"]
    return {
        "gender": (_("Gender"), _labelled(counts["gender"], lambda v: Gender(v).label)),
        "school_level": (
            _("School level"), _labelled(counts["school_level"], lambda v: SchoolLevel(v).label)
        ),
        "subject": (_("Subject"), _breakdown(cohort, "teacher__subjects__name", lambda v: _(v))),
        "province": (_("Province"), _labelled(counts["province"], lambda v: v)),
    }


ATTENDANCE_KEYS = [s.value for s in AttendanceStatus]


def attendance_by_session(cohort, participants):
    """Each session with its present/late/absent/excused counts among participants. One query.

    Participants without a record for a session are counted as `unrecorded`.
    """
    seated = Q(attendances__enrolment__status__in=SEATED_STATUSES)
    # Explicit order: Meta.ordering does not apply to grouped queries.
    sessions = Session.objects.filter(cohort=cohort).annotate(
        **{
            key: Count("attendances__status", filter=seated & Q(attendances__status=key))
            for key in ATTENDANCE_KEYS
        }
    ).order_by("date", "starts_at", "pk")
    out = []
    for s in sessions:
        recorded = sum(getattr(s, k) for k in ATTENDANCE_KEYS)
        s.unrecorded = max(participants - recorded, 0)
        expected = participants - s.excused
        s.rate = 100.0 * (s.present + s.late) / expected if expected > 0 else None
        out.append(s)
    return out


ROSTER_FIGURES = ["status", "sessions_count", "present", "late", "absent", "excused_count", "attendance_rate",
                  "is_completed", "pre_score", "post_score", "gain", "norm_gain"]


def roster_figures(cohort):
    """Each enrolment's attendance, scores and completion, by enrolment pk: one narrow grouped query."""
    rows = cohort_figures(cohort).values("pk", *ROSTER_FIGURES)
    return {row["pk"]: row for row in rows}


def iter_roster(cohort, chunk_size=2000, figures=None):
    """Every enrolment of the cohort (teacher, province) with its figures, `status_label` and
    `subject_names` (translated, comma-separated) as attributes.

    Three queries: the grouped figures, the subjects, then the enrolments. The figures are kept
    apart so the grouped query stays narrow (wide rows made PostgreSQL sort on disk).
    """
    if figures is None:
        figures = roster_figures(cohort)
    # Labels looked up once: get_status_display() rebuilds its choices dict on every call.
    status_labels = {k: str(v) for k, v in EnrolmentStatus.choices}
    enrolments = (
        cohort.enrolments.select_related("teacher", "teacher__province")
        .order_by("teacher__family_name", "teacher__given_name", "pk")
        # Columns no report shows (timestamps are costly to load).
        .defer("notes", "consent_version", "consented_at", "created_at", "status_changed_at", "updated_at",
               "teacher__email", "teacher__phone", "teacher__consent_at", "teacher__consent_version",
               "teacher__consent_language", "teacher__created_at", "teacher__updated_at")
    )
    # Subjects as translated names, in one narrow query (no Subject instances to build).
    names, subjects = {}, {}
    for teacher_id, name in (
        Teacher.subjects.through.objects.filter(teacher__enrolments__cohort=cohort)
        .order_by("teacher_id", "subject__order", "subject__name")
        .values_list("teacher_id", "subject__name").distinct()
    ):
        if name not in names:
            names[name] = str(_(name))
        subjects.setdefault(teacher_id, []).append(names[name])
    # The page takes the cohort at once; exports stream it in chunks (a server-side cursor).
    rows = enrolments.iterator(chunk_size=chunk_size) if chunk_size else enrolments
    for enrolment in rows:
        for key in ROSTER_FIGURES:
            setattr(enrolment, key, figures[enrolment.pk][key])
        enrolment.status_label = status_labels.get(enrolment.status, enrolment.status)
        enrolment.subject_names = ", ".join(subjects.get(enrolment.teacher_id, ()))
        yield enrolment


def roster(cohort, figures=None):
    return list(iter_roster(cohort, chunk_size=None, figures=figures))


BIN_LABELS = ["0–9", "10–19", "20–29", "30–39", "40–49", "50–59", "60–69", "70–79", "80–89", "90–100"]


def score_distribution(cohort):
    """Participants' pre- and post-test scores in ten-point bins (100 joins 90-100). One query."""
    rows = (
        Assessment.objects.filter(enrolment__cohort=cohort, enrolment__status__in=SEATED_STATUSES)
        .order_by()
        .annotate(bin=Least(Floor(F("score") / 10), Value(9), output_field=FloatField()))
        .values("kind", "bin")
        # The (never NULL) score, not the id: answered from the covering index alone.
        .annotate(n=Count("score"))
    )
    counts = {(r["kind"], int(r["bin"])): r["n"] for r in rows}
    return [
        {"label": label, "pre": counts.get((AssessmentKind.PRE, i), 0),
         "post": counts.get((AssessmentKind.POST, i), 0)}
        for i, label in enumerate(BIN_LABELS)
    ]


def gain_distribution(cohort):
    """Participants' gains (post - pre) in ten-point bins; teachers without both tests are absent."""
    rows = (
        cohort.enrolments.filter(SEATED)
        .with_scores()
        .order_by()
        .filter(gain__isnull=False)
        .annotate(bin=Floor(F("gain") / 10))
        .values("bin")
        .annotate(n=Count("pk"))
    )
    counts = {int(r["bin"]): r["n"] for r in rows}
    if not counts:
        return []
    low, high = min(counts), max(counts)
    return [
        {"label": f"{b * 10} – {b * 10 + 9}" if b < 10 else "100", "n": counts.get(b, 0)}
        for b in range(low, high + 1)
    ]


def suppress(value, threshold=SMALL_CELL):
    """For aggregates shared outside the programme: any count under `threshold` (0 included) is '<5'."""
    if isinstance(value, int) and not isinstance(value, bool) and value < threshold:
        return f"<{threshold}"
    return value


__all__ = [
    "CohortKind",
    "Overview",
    "YEARS",
    "attendance_by_session",
    "breakdowns",
    "cohort_summary",
    "country_label",
    "enrolment_funnel",
    "enrolments_in_scope",
    "gain_distribution",
    "programme_overview",
    "roster",
    "score_distribution",
    "suppress",
]
