import pytest

from pilots.choices import EnrolmentStatus
from pilots.models import Attendance
from pilots.staffing import services as staffing_services
from tests.factories import CohortFactory, EnrolmentFactory, SessionFactory
from tests.threads import run_at_once

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_two_reviewers_confirming_at_once_never_exceed_capacity():
    cohort = CohortFactory(capacity=3, requires_approval=True)
    EnrolmentFactory(cohort=cohort, status=EnrolmentStatus.CONFIRMED, teacher__province=None)
    applicants = EnrolmentFactory.create_batch(
        6, cohort=cohort, status=EnrolmentStatus.APPLIED, teacher__province=None
    )
    first, second = [e.pk for e in applicants[:3]], [e.pk for e in applicants[3:]]

    results, errors = run_at_once(
        lambda: staffing_services.review_enrolments(cohort=cohort, enrolment_ids=first, action="confirm"),
        lambda: staffing_services.review_enrolments(cohort=cohort, enrolment_ids=second, action="confirm"),
    )

    assert errors == []
    assert cohort.enrolments.seated().count() == 3
    confirmed = sum(len(done) for done, _refused in results)
    refused = [exc.code for _done, refusals in results for exc in refusals]
    assert confirmed == 2 and refused == ["cohort_full"] * 4


def test_two_registers_saved_at_once_do_not_both_win():
    cohort = CohortFactory()
    session = SessionFactory(cohort=cohort)
    enrolment = EnrolmentFactory(cohort=cohort, status=EnrolmentStatus.CONFIRMED, teacher__province=None)
    opened = {"enrolment_id": enrolment.pk, "version": "", "note": ""}

    results, errors = run_at_once(
        lambda: staffing_services.record_attendance(session=session, entries=[{**opened, "status": "present"}]),
        lambda: staffing_services.record_attendance(session=session, entries=[{**opened, "status": "absent"}]),
    )

    # Exactly one save wins; the other is told about the conflict: nothing silently overwritten.
    assert len([r for r in results if r]) == 1
    assert [type(e) for e in errors] == [staffing_services.AttendanceConflict]
    assert Attendance.objects.count() == 1
    assert Attendance.history.count() == 1


def test_two_score_pages_saved_at_once_do_not_both_win():
    from decimal import Decimal

    from pilots.models import Assessment

    cohort = CohortFactory()
    enrolment = EnrolmentFactory(cohort=cohort, status=EnrolmentStatus.CONFIRMED, teacher__province=None)

    def save(score):
        return lambda: staffing_services.record_scores(
            cohort=cohort, kind="pre", scores={enrolment.pk: Decimal(score)}, versions={enrolment.pk: ""}
        )

    results, errors = run_at_once(save("40"), save("45"))

    assert len([r for r in results if r]) == 1
    assert [type(e) for e in errors] == [staffing_services.ScoreConflict]
    assert Assessment.objects.count() == 1


def test_two_reviewers_posting_the_review_page_at_once_never_exceed_capacity(django_user_model):
    from django.contrib.auth.models import Group
    from django.test import Client
    from django.urls import reverse

    from pilots.models import Enrolment
    from pilots.roles import PROGRAMME_STAFF

    cohort = CohortFactory(capacity=2, requires_approval=True)
    applicants = EnrolmentFactory.create_batch(
        4, cohort=cohort, status=EnrolmentStatus.APPLIED, teacher__province=None
    )
    clients, reviewers = [], []
    for name in ("reviewer-1", "reviewer-2"):
        user = django_user_model.objects.create_user(name, password="x")
        user.groups.add(Group.objects.get(name=PROGRAMME_STAFF))
        client = Client()
        client.force_login(user)
        clients.append(client)
        reviewers.append(user)
    url = reverse("staffing:review", args=[cohort.pk])
    ids = [e.pk for e in applicants]

    results, errors = run_at_once(
        lambda: clients[0].post(url, {"action": "confirm", "enrolments": ids[::-1]}).status_code,
        lambda: clients[1].post(url, {"action": "confirm", "enrolments": ids}).status_code,
    )

    assert errors == [] and results == [302, 302]
    assert cohort.enrolments.seated().count() == 2
    confirmers = {
        Enrolment.history.filter(id=e.pk, status=EnrolmentStatus.CONFIRMED).get().history_user
        for e in cohort.enrolments.seated()
    }
    assert confirmers <= set(reviewers) and None not in confirmers
