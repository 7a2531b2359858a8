import pytest

from pilots.choices import EnrolmentStatus
from pilots.enrolment import (
    EnrolmentError,
    confirm_enrolment,
    place_enrolment,
    promote_waitlist,
    reject_enrolment,
    waitlist_enrolment,
    withdraw_enrolment,
)
from tests.factories import CohortFactory, EnrolmentFactory

pytestmark = pytest.mark.django_db


def test_withdrawing_a_confirmed_enrolment_promotes_the_first_waitlisted(
    django_capture_on_commit_callbacks, mailoutbox
):
    cohort = CohortFactory(capacity=1)
    seated = EnrolmentFactory(cohort=cohort, status=EnrolmentStatus.CONFIRMED)
    first = EnrolmentFactory(cohort=cohort, status=EnrolmentStatus.WAITLISTED)
    second = EnrolmentFactory(cohort=cohort, status=EnrolmentStatus.WAITLISTED)

    with django_capture_on_commit_callbacks(execute=True):
        withdraw_enrolment(enrolment=seated)

    first.refresh_from_db()
    second.refresh_from_db()
    assert first.status == EnrolmentStatus.CONFIRMED
    assert second.status == EnrolmentStatus.WAITLISTED
    assert {m.to[0] for m in mailoutbox} == {seated.teacher.email, first.teacher.email}


def test_confirming_into_a_full_cohort_is_refused_with_a_code():
    cohort = CohortFactory(capacity=1)
    EnrolmentFactory(cohort=cohort, status=EnrolmentStatus.CONFIRMED)
    waiting = EnrolmentFactory(cohort=cohort, status=EnrolmentStatus.WAITLISTED)

    with pytest.raises(EnrolmentError) as exc:
        confirm_enrolment(enrolment=waiting)

    assert exc.value.code == "cohort_full"
    waiting.refresh_from_db()
    assert waiting.status == EnrolmentStatus.WAITLISTED


@pytest.mark.parametrize(
    ("service", "from_status"),
    [
        (confirm_enrolment, EnrolmentStatus.WITHDRAWN),
        (waitlist_enrolment, EnrolmentStatus.REJECTED),
        (reject_enrolment, EnrolmentStatus.CONFIRMED),
        (withdraw_enrolment, EnrolmentStatus.COMPLETED),
    ],
)
def test_status_changes_that_break_the_rules_are_refused(service, from_status):
    enrolment = EnrolmentFactory(status=from_status)
    with pytest.raises(EnrolmentError) as exc:
        service(enrolment=enrolment)
    assert exc.value.code == "invalid_status"
    enrolment.refresh_from_db()
    assert enrolment.status == from_status


def test_promote_waitlist_fills_free_seats_in_order():
    cohort = CohortFactory(capacity=3)
    EnrolmentFactory(cohort=cohort, status=EnrolmentStatus.CONFIRMED)
    waiting = [EnrolmentFactory(cohort=cohort, status=EnrolmentStatus.WAITLISTED) for _ in range(3)]

    promoted = promote_waitlist(cohort=cohort)

    assert [e.pk for e in promoted] == [waiting[0].pk, waiting[1].pk]
    assert cohort.enrolments.seated().count() == 3


def test_place_enrolment_takes_applications_when_the_cohort_needs_approval():
    cohort = CohortFactory(capacity=5, requires_approval=True)
    enrolment = EnrolmentFactory.build(cohort=cohort, teacher=EnrolmentFactory().teacher)
    place_enrolment(enrolment=enrolment, cohort=cohort)
    assert enrolment.status == EnrolmentStatus.APPLIED
