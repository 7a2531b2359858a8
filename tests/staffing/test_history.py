"""History shows what changed: old -> new, field by field, who and why."""

import re
from decimal import Decimal

import pytest
from django.urls import reverse

from pilots.choices import AssessmentKind, AttendanceStatus
from pilots.imports.columns import ImportKind
from pilots.imports.planning import plan_import
from pilots.imports.reading import read_table
from pilots.imports.services import apply_import
from pilots.models import Assessment, Attendance
from tests.factories import AssessmentFactory
from tests.imports.test_import import csv_bytes
from tests.staffing.support import cohort_with_teachers, formset_post, text

pytestmark = pytest.mark.django_db


def history_table(page):
    return re.search(r'<table id="change-history".*?</table>', page, re.S).group(0)


def test_admin_history_shows_the_score_going_from_54_to_66_5_with_its_reason(admin_client, admin_user):
    cohort, _session, (enrolment,) = cohort_with_teachers(1, team=[admin_user])
    AssessmentFactory(enrolment=enrolment, kind=AssessmentKind.PRE, score=54)
    url = reverse("staffing:scores", args=[cohort.pk, "pre"])
    admin_client.post(url, formset_post(admin_client.get(url), "sc", {enrolment.pk: {"score": "66,5"}}))
    assessment = Assessment.objects.get()
    assert assessment.score == Decimal("66.50")
    table = text(admin_client.get(reverse("admin:pilots_assessment_history", args=[assessment.pk])))
    table = history_table(table)
    assert "54.00 &nbsp;&rarr;&nbsp;&nbsp;66.50" in table
    assert "scores page" in table


def test_a_row_created_without_history_says_its_earlier_values_were_not_recorded(admin_client):
    _cohort, _session, (enrolment,) = cohort_with_teachers(1)
    Assessment.objects.bulk_create([Assessment(enrolment=enrolment, kind="pre", score=54)])
    assessment = Assessment.objects.get()
    assessment.score = 60
    assessment.save()
    table = history_table(text(admin_client.get(
        reverse("admin:pilots_assessment_history", args=[assessment.pk]))))
    assert "not recorded" in table


def test_the_staff_history_page_shows_old_and_new_values_with_reasons(staff_client, staff_user):
    cohort, session, (enrolment,) = cohort_with_teachers(1, team=[staff_user], code="kh-1")
    url = reverse("staffing:attendance", args=[session.pk])
    staff_client.post(url, formset_post(staff_client.get(url), "att", {enrolment.pk: {"status": "present"}}))
    plan = plan_import(ImportKind.ATTENDANCE, *read_table(csv_bytes(
        [["kh-1", enrolment.teacher.email, session.date.isoformat(), "late"]],
        header=["cohort", "email", "session_date", "attendance"])))
    assert plan.ok, plan.problems
    apply_import(plan, user=staff_user)
    assert Attendance.objects.get().status == AttendanceStatus.LATE
    page = text(staff_client.get(reverse("staffing:enrolment_history", args=[enrolment.pk])))
    assert "Present → Late" in page.replace('<span aria-label="changed to">→</span>', "→")
    assert "spreadsheet import" in page and "attendance register" in page


@pytest.mark.parametrize("n", [1, 10])
def test_the_staff_history_page_uses_a_fixed_number_of_queries(staff_client, staff_user, n,
                                                               django_assert_max_num_queries):
    cohort, _session, (enrolment,) = cohort_with_teachers(1, team=[staff_user])
    assessment = AssessmentFactory(enrolment=enrolment, kind="pre", score=10)
    for i in range(n):
        assessment.score = 20 + i
        assessment.save()
    with django_assert_max_num_queries(12):
        staff_client.get(reverse("staffing:enrolment_history", args=[enrolment.pk]))
