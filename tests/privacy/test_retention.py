"""Retention: the dry run lists exactly what the run then erases; both are logged."""

import datetime as dt
from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command

from pilots.choices import EnrolmentStatus
from pilots.models import DataRequest, Erasure, RetentionPolicy, RetentionRun, Teacher
from pilots.privacy import services
from pilots.privacy.reminders import send_reminders
from pilots.privacy.retention import add_months, expired_teachers
from tests.factories import CohortFactory, EnrolmentFactory, ProgrammeFactory

TODAY = dt.date(2026, 6, 1)


@pytest.fixture
def programmes(db):
    """Cohorts ending 2023-03-05. Programme A keeps data 24 months after its last cohort and 6 months
    for unplaced applications; programme B has a later cohort (ending 2025-12-31) and no policy."""
    a, b = ProgrammeFactory(), ProgrammeFactory()
    RetentionPolicy.objects.create(programme=a, months_after_last_cohort=24, months_for_unplaced=6)
    old_a, old_b = CohortFactory(programme=a), CohortFactory(programme=b)
    CohortFactory(programme=b, year=2025, start_date=dt.date(2025, 12, 1), end_date=dt.date(2025, 12, 31))
    return {
        # A's last cohort ended 2023-03-05 + 24 months = 2025-03-05: expired.
        "completed_a": EnrolmentFactory(cohort=old_a, status=EnrolmentStatus.COMPLETED).teacher,
        # B's last cohort ends 2025-12-31 + 60 months (default): kept.
        "completed_b": EnrolmentFactory(cohort=old_b, status=EnrolmentStatus.COMPLETED).teacher,
        # Rejected in B: 2023-03-05 + 12 months (default): expired.
        "rejected_b": EnrolmentFactory(cohort=old_b, status=EnrolmentStatus.REJECTED).teacher,
        # Waitlisted in A, confirmed in B: B's rule keeps them.
        "both": _both(old_a, old_b),
    }


def _both(old_a, old_b):
    teacher = EnrolmentFactory(cohort=old_a, status=EnrolmentStatus.WAITLISTED).teacher
    EnrolmentFactory(cohort=old_b, teacher=teacher, status=EnrolmentStatus.CONFIRMED)
    return teacher


def test_add_months_keeps_the_end_of_month():
    assert add_months(dt.date(2024, 1, 31), 1) == dt.date(2024, 2, 29)
    assert add_months(dt.date(2023, 3, 5), 24) == dt.date(2025, 3, 5)


def test_expiry_follows_each_programmes_periods(programmes):
    expired = {e.teacher_id for e in expired_teachers(TODAY)}
    assert expired == {programmes["completed_a"].pk, programmes["rejected_b"].pk}


def test_dry_run_and_run_agree_and_both_are_logged(programmes):
    out = StringIO()
    call_command("apply_retention", "--dry-run", "--today", TODAY.isoformat(), stdout=out)
    dry = RetentionRun.objects.get()
    assert dry.dry_run and dry.erased == 0 and not Erasure.objects.exists()
    assert "would erase 2 teacher(s)" in out.getvalue()
    assert programmes["completed_a"].family_name not in out.getvalue()  # ids only, no names
    call_command("apply_retention", "--today", TODAY.isoformat(), stdout=StringIO())
    run = RetentionRun.objects.filter(dry_run=False).get()
    assert run.teacher_ids == dry.teacher_ids and run.erased == 2
    assert set(Erasure.objects.values_list("teacher_id", flat=True)) == set(dry.teacher_ids)
    assert set(Erasure.objects.values_list("reason", flat=True)) == {"retention"}
    assert Teacher.objects.get(pk=programmes["completed_b"].pk).email  # kept
    call_command("apply_retention", "--dry-run", "--today", TODAY.isoformat(), stdout=out)
    assert RetentionRun.objects.first().teacher_ids == []  # nothing left to do


def test_a_teacher_with_an_open_request_waits_for_it(programmes):
    teacher = programmes["completed_a"]
    services.submit_request(enrolment=teacher.enrolments.get(), kind="access", notify=False)
    assert teacher.pk not in {e.teacher_id for e in expired_teachers(TODAY)}


def test_staff_are_reminded_once_before_a_due_date_passes(db, staff_user):
    enrolment = EnrolmentFactory(cohort__country="TH", teacher__province=None)
    request = services.submit_request(enrolment=enrolment, kind="access", notify=False)  # due in 30 days
    assert send_reminders() == 0
    late = request.due_on - dt.timedelta(days=2)
    assert send_reminders(today=late) == 1
    assert mail.outbox[-1].to == ["staff@example.org"] and f"#{request.pk}" in mail.outbox[-1].subject
    assert enrolment.teacher.email not in mail.outbox[-1].body
    assert send_reminders(today=late) == 0  # once
    assert DataRequest.objects.get().history.filter(reminded_at__isnull=False).exists()
