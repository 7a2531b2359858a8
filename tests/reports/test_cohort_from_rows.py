"""The cohort page counts its funnel, breakdowns and score and gain distributions from the rows it
has already loaded (the per-enrolment figures and the roster): exactly the figures the standalone
queries give (the shared summary export and the API use those), on cohorts with every status,
missing and duplicated subjects, teachers without a province, missing and perfect scores."""

import random
from decimal import Decimal

import pytest

from pilots.choices import AssessmentKind, AttendanceStatus, EnrolmentStatus, Gender, SchoolLevel
from pilots.models import Assessment, Attendance, Province, Subject, Teacher
from pilots.reports.cohort import (
    breakdowns,
    breakdowns_from_roster,
    enrolment_funnel,
    funnel_from_rows,
    gain_distribution,
    gain_distribution_from_rows,
    iter_roster,
    page_roster,
    roster_figures,
    score_distribution,
    score_distribution_from_rows,
)
from tests.factories import CohortFactory, EnrolmentFactory, SessionFactory, TeacherFactory

pytestmark = pytest.mark.django_db


def _random_cohort(rnd, code):
    cohort = CohortFactory(code=code, capacity=500)
    sessions = [SessionFactory(cohort=cohort, title=f"S{k}") for k in range(rnd.randint(0, 4))]
    subjects = list(Subject.objects.all())
    # Two subjects of the same name: each still counts once in the subject breakdown.
    subjects.append(Subject.objects.create(code=f"{code}-dup", name=subjects[0].name, order=subjects[0].order))
    provinces = [None, *Province.objects.all()[:5]]
    for _i in range(rnd.randint(0, 40)):
        teacher = TeacherFactory(gender=rnd.choice(Gender.values), province=rnd.choice(provinces),
                                 school_level=rnd.choice(["", *SchoolLevel.values]))
        teacher.subjects.set(rnd.sample(subjects, rnd.choice([0, 1, 1, 2, 3])))
        enrolment = EnrolmentFactory(cohort=cohort, teacher=teacher, status=rnd.choice(EnrolmentStatus.values))
        for session in sessions:
            if rnd.random() < 0.8:
                Attendance.objects.create(enrolment=enrolment, session=session,
                                          status=rnd.choice(AttendanceStatus.values))
        for kind in AssessmentKind.values:
            if rnd.random() < 0.8:
                score = rnd.choice([0, 9.99, 10, 45.5, 89.99, 90, 99.5, 100, rnd.randint(0, 100)])
                Assessment.objects.create(enrolment=enrolment, kind=kind, score=Decimal(str(score)))
    return cohort


@pytest.mark.parametrize("seed", range(6))
def test_the_page_counts_the_same_figures_as_the_standalone_queries(seed):
    rnd = random.Random(seed)
    cohort = _random_cohort(rnd, f"from-rows-{seed}")
    CohortFactory(code=f"other-{seed}")  # another cohort's rows are never counted
    figures = roster_figures(cohort)
    rows = page_roster(cohort, figures)

    assert funnel_from_rows(figures.values()) == enrolment_funnel(cohort)
    assert breakdowns_from_roster(rows) == breakdowns(cohort)
    assert score_distribution_from_rows(figures.values()) == score_distribution(cohort)
    assert gain_distribution_from_rows(figures.values()) == gain_distribution(cohort)
    # The roster names each subject once, in the subjects' order.
    for e in rows:
        names = [s.name for s in Teacher.objects.get(pk=e.teacher_id).subjects.all()]
        assert e.subject_names == ", ".join(dict.fromkeys(names)), (e.subject_names, names)
    # The page's rows are the exports' roster, read as tuples: the same enrolments, order, names,
    # labels and figures (the exports list a subject twice when two subjects share its name).
    assert [_page_row(e) for e in rows] == [_exported_row(e) for e in iter_roster(cohort)]


FIGURES = ["sessions_count", "present", "late", "absent", "excused_count", "attendance_rate", "is_completed",
           "pre_score", "post_score", "gain", "norm_gain"]


def _page_row(e):
    return (e.pk, e.reference, e.status, e.status_label, e.full_name, e.latin_name, e.gender, e.school_level,
            e.province_name, *(getattr(e, k) for k in FIGURES))


def _exported_row(e):
    t = e.teacher
    return (e.pk, e.reference, e.status, e.status_label, t.full_name, t.latin_name, t.gender, t.school_level,
            t.province.name if t.province else None, *(getattr(e, k) for k in FIGURES))
