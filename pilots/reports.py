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

from django.db.models import Avg, Count, F, FloatField, Q, Sum, Value
from django.db.models.functions import Floor, Least
from django.utils.translation import gettext_lazy as _

from .models import (
    SEATED_STATUSES,
    Assessment,
    AssessmentKind,
    AttendanceStatus,
    Cohort,
    CohortKind,
    Country,
    Enrolment,
    EnrolmentStatus,
    Gender,
    SchoolLevel,
    Session,
)

SEATED = Q(status__in=SEATED_STATUSES)
YEARS = range(2020, 2025)
SMALL_CELL = 5


def country_label(code):
    return Country(code).label if code else _("Regional")


def _figures():
    """The aggregate expressions shared by the overview rows, its total and the cohort summary."""
    return {
        "registered": Count("pk"),
        "confirmed": Count("pk", filter=SEATED),
        "withdrawn": Count("pk", filter=Q(status=EnrolmentStatus.WITHDRAWN)),
        "completed": Count("pk", filter=Q(is_completed=True)),
        "attended": Sum("attended_count", filter=SEATED),
        "expected": Sum("expected_sessions", filter=SEATED),
        "pre_mean": Avg("pre_score", filter=SEATED),
        "pre_n": Count("pre_score", filter=SEATED),
        "post_mean": Avg("post_score", filter=SEATED),
        "post_n": Count("post_score", filter=SEATED),
        "gain_mean": Avg("gain", filter=SEATED),
        "gain_n": Count("gain", filter=SEATED),
        "g_mean": Avg("norm_gain", filter=SEATED),
        "g_n": Count("norm_gain", filter=SEATED),
        "g_excluded": Count("pk", filter=SEATED & Q(pre_score__gte=100, post_score__isnull=False)),
    }


def _finish(row):
    """Derived figures: attendance rate (None without sessions) and missing tests."""
    expected = row.get("expected") or 0
    row["attendance_rate"] = (100.0 * row["attended"] / expected) if expected else None
    row["missing_pre"] = row["confirmed"] - row["pre_n"]
    row["missing_post"] = row["confirmed"] - row["post_n"]
    return row


def enrolments_in_scope(user):
    return Enrolment.objects.filter(cohort__in=Cohort.objects.for_coordinator(user))


def _figures_queryset(enrolments):
    return enrolments.with_completion().with_scores().order_by()


@dataclass
class Overview:
    rows: list = field(default_factory=list)
    total: dict = field(default_factory=dict)


def programme_overview(cohorts):
    """Figures by year and country for `cohorts` (already scoped and filtered). Three queries."""
    cohort_counts = {
        (r["year"], r["country"]): r["n"]
        for r in cohorts.order_by().values("year", "country").annotate(n=Count("pk"))
    }
    enrolments = _figures_queryset(Enrolment.objects.filter(cohort__in=cohorts))
    grouped = {
        (r["cohort__year"], r["cohort__country"]): r
        for r in enrolments.values("cohort__year", "cohort__country").annotate(**_figures())
    }
    empty = dict.fromkeys(_figures(), 0) | {
        k: None for k in ("attended", "expected", "pre_mean", "post_mean", "gain_mean", "g_mean")
    }
    rows = []
    for year, country in sorted(cohort_counts, key=lambda k: (k[0], k[1] == "", k[1])):
        row = dict(empty) | grouped.get((year, country), {})
        row.update(year=year, country=country, country_label=country_label(country),
                   cohorts=cohort_counts[(year, country)])
        rows.append(_finish(row))
    total = dict(empty) | enrolments.aggregate(**_figures())
    total["cohorts"] = sum(cohort_counts.values())
    return Overview(rows=rows, total=_finish(total))


def cohort_summary(cohort):
    """The cohort's figures (same definitions as the overview). One query."""
    figures = _figures_queryset(cohort.enrolments.all()).aggregate(**_figures())
    return _finish(figures)


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


def breakdowns(cohort):
    """Counts of registered enrolments and participants by gender, school level, subject, province.

    A teacher who teaches two subjects counts once under each.
    """
    return {
        "gender": (_("Gender"), _breakdown(cohort, "teacher__gender", lambda v: Gender(v).label)),
        "school_level": (
            _("School level"),
            _breakdown(cohort, "teacher__school_level", lambda v: SchoolLevel(v).label),
        ),
        "subject": (_("Subject"), _breakdown(cohort, "teacher__subjects__name", lambda v: _(v))),
        "province": (_("Province"), _breakdown(cohort, "teacher__province__name", lambda v: v)),
    }


ATTENDANCE_KEYS = [s.value for s in AttendanceStatus]


def attendance_by_session(cohort, participants):
    """Each session with its present/late/absent/excused counts among participants. One query.

    Participants without a record for a session are counted as `unrecorded`.
    """
    seated = Q(attendances__enrolment__status__in=SEATED_STATUSES)
    sessions = Session.objects.filter(cohort=cohort).annotate(
        **{
            key: Count("attendances", filter=seated & Q(attendances__status=key))
            for key in ATTENDANCE_KEYS
        }
    )
    out = []
    for s in sessions:
        recorded = sum(getattr(s, k) for k in ATTENDANCE_KEYS)
        s.unrecorded = max(participants - recorded, 0)
        expected = participants - s.excused
        s.rate = 100.0 * (s.present + s.late) / expected if expected > 0 else None
        out.append(s)
    return out


def roster(cohort):
    """Every enrolment of the cohort with the teacher, attendance counts, scores and completion."""
    from django.db.models import OuterRef, Subquery
    from django.db.models.functions import Coalesce

    from .models import Attendance

    def count(status):
        rows = (
            Attendance.objects.filter(enrolment=OuterRef("pk"), status=status)
            .order_by()
            .values(k=Value(1))
            .annotate(n=Count("pk"))
            .values("n")[:1]
        )
        return Coalesce(Subquery(rows), 0)

    return (
        cohort.enrolments.with_completion()
        .with_scores()
        .annotate(
            present=count(AttendanceStatus.PRESENT),
            late=count(AttendanceStatus.LATE),
            absent=count(AttendanceStatus.ABSENT),
        )
        .select_related("teacher", "teacher__province")
        .prefetch_related("teacher__subjects")
        .order_by("teacher__family_name", "teacher__given_name", "pk")
    )


BIN_LABELS = ["0–9", "10–19", "20–29", "30–39", "40–49", "50–59", "60–69", "70–79", "80–89", "90–100"]


def score_distribution(cohort):
    """Participants' pre- and post-test scores in ten-point bins (100 joins 90-100). One query."""
    rows = (
        Assessment.objects.filter(enrolment__cohort=cohort, enrolment__status__in=SEATED_STATUSES)
        .order_by()
        .annotate(bin=Least(Floor(F("score") / 10), Value(9), output_field=FloatField()))
        .values("kind", "bin")
        .annotate(n=Count("pk"))
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
        _figures_queryset(cohort.enrolments.filter(SEATED))
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
