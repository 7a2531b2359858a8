"""Erasure keeps every report figure and leaves no personal value anywhere in the database."""

import csv
import io

from pilots.models import Cohort, Enrolment, Erasure, Teacher
from pilots.privacy.erasure import erase_teacher
from pilots.privacy.inventory import find_values
from pilots.privacy.registry import ERASED_NAME
from pilots.reports import exports
from pilots.reports.cohort import (
    attendance_by_session,
    breakdowns,
    breakdowns_by_cohort,
    cohort_summary,
    enrolment_funnel,
    gain_distribution,
    roster,
    score_distribution,
)
from pilots.reports.overview import programme_overview

from .conftest import NOTE, PERSONAL

# Roster columns that name the teacher (reference, names): the rest are figures.
ROSTER_PERSONAL_COLUMNS = {0, 1, 2, 3}


def _csv(rows):
    buffer = io.StringIO()
    csv.writer(buffer).writerows([[exports.csv_cell(v) for v in row] for row in rows])
    return buffer.getvalue()


def report_data():
    """Every figure the reports show, as plain data, with the CSV exports as their text."""
    overview = programme_overview(Cohort.objects.all())
    data = {"overview": (overview.rows, overview.total, overview.by_year, overview.by_country),
            "overview_csv": _csv(exports.overview_rows(overview)),
            "overview_shared_csv": _csv(exports.overview_shared_rows(overview, breakdowns_by_cohort(overview.cohorts)))}
    for cohort in Cohort.objects.order_by("code"):
        summary = cohort_summary(cohort)
        sessions = attendance_by_session(cohort, summary["confirmed"])
        data[cohort.code] = {
            "summary": summary,
            "funnel": enrolment_funnel(cohort),
            "breakdowns": breakdowns(cohort),
            "sessions": [(s.pk, s.present, s.late, s.absent, s.excused, s.unrecorded, s.rate) for s in sessions],
            "scores": score_distribution(cohort),
            "gains": gain_distribution(cohort),
            "summary_csv": _csv(exports.cohort_summary_rows(cohort)),
            "roster_figures": sorted(
                [v for i, v in enumerate(row) if i not in ROSTER_PERSONAL_COLUMNS]
                for row in list(exports.roster_rows(cohort))[1:]
            ),
            "roster_size": len(roster(cohort)),
        }
    return data


def test_erasure_leaves_every_report_figure_and_export_unchanged(two_cohorts):
    before = report_data()
    erase_teacher(teacher=two_cohorts["target"])
    assert report_data() == before


def test_erasure_leaves_no_personal_value_in_any_text_column_history_included(two_cohorts):
    target = two_cohorts["target"]
    references = list(target.enrolments.values_list("reference", flat=True))
    values = [*PERSONAL.values(), NOTE, *references]
    assert {label for label, *_ in find_values(values)} >= {
        "pilots.Teacher", "pilots.HistoricalTeacher", "pilots.Enrolment", "pilots.HistoricalEnrolment",
        "pilots.Attendance", "pilots.HistoricalAttendance", "admin.LogEntry",
    }  # the search finds them before
    erase_teacher(teacher=target)
    assert find_values(values) == []


def test_erased_teacher_is_an_anonymous_placeholder_that_keeps_the_statistics(two_cohorts):
    target = two_cohorts["target"]
    enrolments = set(target.enrolments.values_list("pk", "cohort_id", "status"))
    erase_teacher(teacher=target)
    placeholder = Teacher.objects.get(pk=target.pk)
    assert placeholder.full_name == ERASED_NAME and placeholder.email == "" and placeholder.school == ""
    assert (placeholder.gender, placeholder.province_id, placeholder.years_experience) == (
        target.gender, target.province_id, target.years_experience)
    assert placeholder.subjects.count() == 2
    assert set(Enrolment.objects.filter(teacher=placeholder).values_list("pk", "cohort_id", "status")) == enrolments
    assert placeholder.history.count() == 0
    assert Erasure.objects.filter(teacher=placeholder).count() == 1


def test_erasing_twice_changes_nothing_more(two_cohorts):
    first = erase_teacher(teacher=two_cohorts["target"])
    assert erase_teacher(teacher=two_cohorts["target"]) == first
    assert Erasure.objects.count() == 1


def test_other_teachers_are_untouched(two_cohorts):
    other = two_cohorts["others"][0]
    before = Teacher.objects.filter(pk=other.pk).values().get()
    erase_teacher(teacher=two_cohorts["target"])
    assert Teacher.objects.filter(pk=other.pk).values().get() == before
