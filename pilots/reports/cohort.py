"""Read-only figures of one cohort's report: summary, funnel, breakdowns, attendance per session,
roster, score and gain distributions (definitions: `pilots.reports.overview`). A fixed number of
queries whatever the size of the cohort."""

import math
from itertools import groupby
from operator import itemgetter

from django.db.models import Count, F, FloatField, Q, Value
from django.db.models.functions import Floor, Least
from django.utils.translation import gettext_lazy as _

from pilots.choices import SEATED_STATUSES, AssessmentKind, AttendanceStatus, EnrolmentStatus, Gender, SchoolLevel
from pilots.models import Assessment, Attendance, Enrolment, Session, Teacher, subject_name

from .overview import empty_figures, finish_figures
from .snapshot import snapshot

SEATED = Q(status__in=SEATED_STATUSES)


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
    total = empty_figures()
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
        total["absent"] += row["absent"]
        total["excused"] += row["excused_count"]
        for name, key in scores:
            if row[key] is not None:
                total[f"{name}_sum"] += row[key]
                total[f"{name}_n"] += 1
        if row["pre_score"] is not None and row["pre_score"] >= 100 and row["post_score"] is not None:
            total["g_excluded"] += 1
    total["seat_sessions"] = session_count(cohort) * total["confirmed"]
    return finish_figures(total)


def enrolment_funnel(cohort):
    counts = dict(
        cohort.enrolments.order_by().values_list("status").annotate(n=Count("pk")).values_list("status", "n")
    )
    return [(status_label(s), counts.get(s, 0)) for s in EnrolmentStatus.values]


def status_label(status):
    """An enrolment status as the reports name it: "Status: Completed" is what staff recorded,
    never to be read as "Met the completion rule"."""
    return _("Status: %(status)s") % {"status": EnrolmentStatus(status).label}


def _breakdown(cohort, key, labels):
    rows = (
        cohort.enrolments.order_by()
        .values(key)
        .annotate(registered=Count("pk"), participants=Count("pk", filter=SEATED))
    )
    counts = {}
    for r in rows:
        pair = counts.setdefault(r[key] or "", [0, 0])
        pair[0] += r["registered"]
        pair[1] += r["participants"]
    return _labelled(counts, labels)


def _labelled(counts, labels):
    """Rows {value, label, registered, participants}; `value` (the stored value, "" when not
    given) names a cell whatever the reader's language."""
    out = []
    for value, (registered, participants) in counts.items():
        label = labels(value) if value not in (None, "") else _("Not given")
        out.append({"value": value, "label": str(label), "registered": registered, "participants": participants})
    return sorted(out, key=lambda r: (-r["registered"], r["label"]))


# Breakdowns in which every teacher counts once: each adds up to the cohort's teachers.
BREAKDOWN_FIELDS = {"gender": "teacher__gender", "school_level": "teacher__school_level",
                    "province": "teacher__province__name"}
BREAKDOWN_LABELS = {"gender": lambda v: Gender(v).label, "school_level": lambda v: SchoolLevel(v).label,
                    "province": lambda v: v}


def _breakdown_tables(rows):
    """Gender, school level and province tables from rows grouped by the three fields."""
    counts = {key: {} for key in BREAKDOWN_FIELDS}
    for row in rows:
        for key, field_name in BREAKDOWN_FIELDS.items():
            pair = counts[key].setdefault(row[field_name] or "", [0, 0])
            pair[0] += row["registered"]
            pair[1] += row["participants"]
    return {key: _labelled(counts[key], BREAKDOWN_LABELS[key]) for key in BREAKDOWN_FIELDS}


def _breakdown_rows(enrolments, *extra):
    return (
        enrolments.order_by()
        .values(*extra, *BREAKDOWN_FIELDS.values())
        .annotate(registered=Count("pk"), participants=Count("pk", filter=SEATED))
    )


def breakdowns(cohort):
    """Counts of registered enrolments and participants by gender, school level, subject, province.

    Two queries: gender x school level x province counted together in the database (their groups
    are then added up per key, as the overview adds its rows into subtotals), and subjects apart,
    since a teacher who teaches two subjects counts once under each.
    """
    tables = _breakdown_tables(_breakdown_rows(cohort.enrolments))
    return {
        "gender": (_("Gender"), tables["gender"]),
        "school_level": (_("School level"), tables["school_level"]),
        "subject": (_("Subject"), _breakdown(cohort, "teacher__subjects__name", subject_name)),
        "province": (_("Province"), tables["province"]),
    }


def breakdowns_by_cohort(cohort_ids):
    """{cohort id: the gender, school level and province tables of `breakdowns`}: one query."""
    rows = {}
    for row in _breakdown_rows(Enrolment.objects.filter(cohort_id__in=list(cohort_ids)), "cohort_id"):
        rows.setdefault(row["cohort_id"], []).append(row)
    return {cohort_id: _breakdown_tables(group) for cohort_id, group in rows.items()}


ATTENDANCE_KEYS = [s.value for s in AttendanceStatus]


def attendance_by_session(cohort, participants):
    """Each session with its present/late/absent/excused counts among participants. Two queries.

    Participants without a record for a session are counted as `unrecorded`, not as missed: the
    rate is attended (present or late) over recorded (present, late or absent).
    """
    # The counts start from the cohort's participants (the enrolment's cohort named as well as the
    # session's): PostgreSQL then hashes the ~1,000 participants and reads the sessions' rows from
    # the covering index, instead of looking each attendance row's enrolment up one by one.
    counts = {
        row["session_id"]: row
        for row in Attendance.objects.filter(
            session__cohort=cohort, enrolment__cohort=cohort, enrolment__status__in=SEATED_STATUSES
        )
        .order_by()
        .values("session_id")
        .annotate(**{key: Count("status", filter=Q(status=key)) for key in ATTENDANCE_KEYS})
    }
    out = []
    for s in Session.objects.filter(cohort=cohort).order_by("date", "starts_at", "pk"):
        row = counts.get(s.pk, {})
        for key in ATTENDANCE_KEYS:
            setattr(s, key, row.get(key, 0))
        recorded = sum(getattr(s, k) for k in ATTENDANCE_KEYS)
        s.unrecorded = max(participants - recorded, 0)
        counted = s.present + s.late + s.absent
        s.rate = 100.0 * (s.present + s.late) / counted if counted > 0 else None
        out.append(s)
    return out


ROSTER_FIGURES = ["status", "sessions_count", "present", "late", "absent", "excused_count", "attendance_rate",
                  "is_completed", "pre_score", "post_score", "gain", "norm_gain"]


def roster_figures(cohort):
    """Each enrolment's attendance, scores and completion, by enrolment pk: one narrow grouped query."""
    rows = cohort_figures(cohort).values("pk", *ROSTER_FIGURES)
    return {row["pk"]: row for row in rows}


ROSTER_ORDER = ["teacher__family_name", "teacher__given_name", "pk"]


def _roster_enrolments(cohort):
    return (
        cohort.enrolments.select_related("teacher", "teacher__province")
        .order_by(*ROSTER_ORDER)
        # Columns no report shows (timestamps are costly to load).
        .defer("notes", "consent_version", "consented_at", "created_at", "status_changed_at", "updated_at",
               "teacher__email", "teacher__phone", "teacher__consent_at", "teacher__consent_version",
               "teacher__consent_language", "teacher__created_at", "teacher__updated_at")
    )


# What the page's roster and breakdowns read, and nothing more, as plain tuples: ~1,000 rows of
# three model instances each cost more Python than every query of the page, and left the garbage
# collector most of its work (a full collection every few requests, 100-200 ms each).
PAGE_ROSTER_FIELDS = [
    "pk", "teacher_id", "reference", "status", "teacher__family_name", "teacher__given_name",
    "teacher__family_name_latin", "teacher__given_name_latin", "teacher__name_order", "teacher__gender",
    "teacher__school_level", "teacher__province__name",
]


class PageRosterRow:
    """One enrolment of the page's roster (`page_roster`): the enrolment's and its teacher's fields
    (`PAGE_ROSTER_FIELDS`: `family_name`, `gender`, `province_name`...), its figures
    (`ROSTER_FIGURES`), `status_label`, `subject_names` (shown) and `subject_rows` (counted by the
    subject breakdown)."""

    __slots__ = ("pk", "teacher_id", "reference", "status", "family_name", "given_name", "family_name_latin",
                 "given_name_latin", "name_order", "gender", "school_level", "province_name",
                 "sessions_count", "present", "late", "absent", "excused_count", "attendance_rate", "is_completed",
                 "pre_score", "post_score", "gain", "norm_gain", "status_label", "subject_names", "subject_rows")
    # The figures but the status (the enrolment's own), in the order __init__ sets them.
    _figures = itemgetter(*(key for key in ROSTER_FIGURES if key != "status"))

    # The teacher's name as Teacher itself writes it (name order, Latin letters): the same rule.
    full_name = Teacher.full_name
    latin_name = Teacher.latin_name

    def __init__(self, values, figures, status_label, subject_names, subject_rows):
        # Unpacked, not set in a loop: ~1,000 rows of 26 attributes.
        (self.pk, self.teacher_id, self.reference, self.status, self.family_name, self.given_name,
         self.family_name_latin, self.given_name_latin, self.name_order, self.gender, self.school_level,
         self.province_name) = values
        (self.sessions_count, self.present, self.late, self.absent, self.excused_count, self.attendance_rate,
         self.is_completed, self.pre_score, self.post_score, self.gain, self.norm_gain) = self._figures(figures)
        self.status_label, self.subject_names, self.subject_rows = status_label, subject_names, subject_rows


NO_SUBJECTS = ((), "")  # subjects counted, subjects shown


def page_roster(cohort, figures):
    """The page's roster: every enrolment of the cohort in name order (`ROSTER_ORDER`) as a
    `PageRosterRow`, with its `figures` ({pk: row}, from `roster_figures`). Two queries: the
    enrolments with their teacher and province, and their teachers' subjects. The same rows and
    labels as `iter_roster`, read without model instances."""
    status_labels = _status_labels()
    translated = _subject_translator()
    # Tuples and strings only (no list or dict per teacher): they never reach the garbage
    # collector's oldest generation, whose collection costs more than the page.
    subjects, shown_names = {}, {}
    rows = (
        # Straight from the teachers' subjects: a teacher has one enrolment per cohort (a constraint).
        Teacher.subjects.through.objects.filter(teacher_id__in=cohort.enrolments.values("teacher_id"))
        .order_by("teacher_id", "subject__order", "subject__name", "subject_id")
        .values_list("teacher_id", "subject__name", "subject__order")
    )
    for teacher_id, group in groupby(rows, key=itemgetter(0)):
        group = tuple((name, order) for _teacher, name, order in group)
        # The breakdown counts every subject; the roster shows each (name, order) once.
        shown = tuple(dict.fromkeys(group))
        if shown not in shown_names:
            shown_names[shown] = ", ".join(translated(name) for name, _order in shown)
        subjects[teacher_id] = (tuple(name for name, _order in group), shown_names[shown])
    out = []
    for values in cohort.enrolments.order_by(*ROSTER_ORDER).values_list(*PAGE_ROSTER_FIELDS):
        pk, teacher_id, _reference, status = values[:4]
        subject_rows, subject_names = subjects.get(teacher_id, NO_SUBJECTS)
        out.append(PageRosterRow(values, figures[pk], status_labels.get(status, status), subject_names,
                                 subject_rows))
    return out


def _status_labels():
    # Labels looked up once: get_status_display() rebuilds its choices dict on every call.
    return {k: str(v) for k, v in EnrolmentStatus.choices}


def _subject_translator():
    names = {}

    def translated(name):
        if name not in names:
            names[name] = subject_name(name)
        return names[name]

    return translated


def _roster_subjects(cohort):
    """One row per enrolment of the cohort and subject its teacher teaches (`_subject`, `_order`,
    `_subject_pk`)."""
    return (
        cohort.enrolments.annotate(_subject=F("teacher__subjects__name"), _order=F("teacher__subjects__order"),
                                   _subject_pk=F("teacher__subjects__pk"))
        .filter(_subject__isnull=False)
    )


def _labelled_roster(rows, status_labels):
    for enrolment, figures, subjects in rows:
        for key, value in zip(ROSTER_FIGURES, figures, strict=True):
            setattr(enrolment, key, value)
        enrolment.status_label = status_labels.get(enrolment.status, enrolment.status)
        enrolment.subject_names = ", ".join(subjects)
        yield enrolment


def iter_roster(cohort, chunk_size=500):
    """Every enrolment of the cohort (teacher, province) in name order, with its figures,
    `status_label` and `subject_names` (translated, comma-separated) as attributes: the exports'
    roster (the page reads the same rows as tuples: `page_roster`).

    Three queries, streamed side by side in the same order (server-side cursors, one snapshot),
    so memory stays flat whatever the size of the cohort: the enrolments, their grouped figures
    and their subjects (the figures are kept apart so the grouped query stays narrow: wide rows
    made PostgreSQL sort on disk).
    """
    yield from _labelled_roster(
        _streamed_roster(cohort, _roster_subjects(cohort), chunk_size, _subject_translator()), _status_labels()
    )


def _streamed_roster(cohort, subjects, chunk_size, translated):
    enrolments = _roster_enrolments(cohort)
    db = enrolments.db
    # One snapshot for the three streams, so that they hold the same enrolments even if one
    # registers meanwhile. Read-only: no savepoint needed inside a caller's transaction.
    with snapshot(using=db, savepoint=False):
        figure_rows = (
            cohort_figures(cohort).using(db).order_by(*ROSTER_ORDER)
            .values_list("pk", *ROSTER_FIGURES).iterator(chunk_size=chunk_size)
        )
        subject_rows = (
            subjects.using(db).order_by(*ROSTER_ORDER, "_order", "_subject")
            .values_list("pk", "_subject").iterator(chunk_size=chunk_size)
        )
        pending = next(subject_rows, None)
        for enrolment in enrolments.iterator(chunk_size=chunk_size):
            pk, *figures = next(figure_rows)
            if pk != enrolment.pk:
                raise RuntimeError("roster streams out of step")  # the same ORDER BY: never
            names = []
            while pending is not None and pending[0] == enrolment.pk:
                names.append(translated(pending[1]))
                pending = next(subject_rows, None)
            yield enrolment, figures, names


def roster(cohort):
    return list(iter_roster(cohort, chunk_size=None))


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
    return _gain_bins({int(r["bin"]): r["n"] for r in rows})


def _gain_bins(counts):
    if not counts:
        return []
    low, high = min(counts), max(counts)
    return [
        {"label": f"{b * 10} – {b * 10 + 9}" if b < 10 else "100", "n": counts.get(b, 0)}
        for b in range(low, high + 1)
    ]


# --- the cohort page from the rows it has already loaded ----------------------------------------
# The page reads the per-enrolment figures (`roster_figures`) and the roster (`page_roster`:
# teacher, province, subjects) anyway: the funnel, the breakdowns and the two distributions are
# counted from those rows in Python instead of five more queries over the cohort. Same
# definitions, same figures as the functions above (tests/reports/test_cohort_from_rows.py
# compares the two).


def funnel_from_rows(figures):
    """`enrolment_funnel` from the per-enrolment figures."""
    counts = {}
    for row in figures:
        counts[row["status"]] = counts.get(row["status"], 0) + 1
    return [(status_label(s), counts.get(s, 0)) for s in EnrolmentStatus.values]


def breakdowns_from_roster(roster_rows):
    """`breakdowns` from the roster of the page (`page_roster`: teacher, province and one subject
    row per subject taught)."""
    counts = {key: {} for key in ("gender", "school_level", "subject", "province")}

    def add(key, value, seated):
        pair = counts[key].setdefault(value or "", [0, 0])
        pair[0] += 1
        pair[1] += seated

    for e in roster_rows:
        seated = 1 if e.status in SEATED_STATUSES else 0
        add("gender", e.gender, seated)
        add("school_level", e.school_level, seated)
        add("province", e.province_name, seated)
        for name in e.subject_rows or ("",):
            add("subject", name, seated)
    return {
        "gender": (_("Gender"), _labelled(counts["gender"], BREAKDOWN_LABELS["gender"])),
        "school_level": (_("School level"), _labelled(counts["school_level"], BREAKDOWN_LABELS["school_level"])),
        "subject": (_("Subject"), _labelled(counts["subject"], subject_name)),
        "province": (_("Province"), _labelled(counts["province"], BREAKDOWN_LABELS["province"])),
    }


def _score_bin(score):
    return min(math.floor(score / 10), 9)


def score_distribution_from_rows(figures):
    """`score_distribution` from the per-enrolment figures (one test of each kind per enrolment)."""
    counts = {}
    for row in figures:
        if row["status"] not in SEATED_STATUSES:
            continue
        for kind, key in ((AssessmentKind.PRE, "pre_score"), (AssessmentKind.POST, "post_score")):
            if row[key] is not None:
                bin_ = (kind, _score_bin(row[key]))
                counts[bin_] = counts.get(bin_, 0) + 1
    return [
        {"label": label, "pre": counts.get((AssessmentKind.PRE, i), 0),
         "post": counts.get((AssessmentKind.POST, i), 0)}
        for i, label in enumerate(BIN_LABELS)
    ]


def gain_distribution_from_rows(figures):
    """`gain_distribution` from the per-enrolment figures."""
    counts = {}
    for row in figures:
        if row["status"] in SEATED_STATUSES and row["gain"] is not None:
            bin_ = math.floor(row["gain"] / 10)
            counts[bin_] = counts.get(bin_, 0) + 1
    return _gain_bins(counts)
