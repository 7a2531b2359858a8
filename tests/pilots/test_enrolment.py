"""The enrolment rules: the cohort lock, placement, who may withdraw, and the status changes."""

import time
from contextlib import contextmanager

import pytest
from django.db import DEFAULT_DB_ALIAS, OperationalError, connection, connections, transaction
from psycopg.errors import QueryCanceled

from pilots.choices import EnrolmentStatus
from pilots.enrolment import (
    CohortBusy,
    EnrolmentError,
    can_withdraw,
    confirm_enrolment,
    lock_cohort,
    place_enrolment,
    placement_status,
    promote_waitlist,
    reject_enrolment,
    waitlist_enrolment,
    withdraw_enrolment,
)
from pilots.models import Cohort, Enrolment
from tests.factories import CohortFactory, EnrolmentFactory

pytestmark = pytest.mark.django_db


# --- the cohort lock -------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_lock_cohort_refuses_to_run_outside_a_transaction():
    cohort = CohortFactory()
    assert not connection.in_atomic_block
    with pytest.raises(transaction.TransactionManagementError, match=r"inside transaction\.atomic"):
        lock_cohort(cohort.pk)
    with transaction.atomic():
        assert lock_cohort(cohort.pk) == cohort


@contextmanager
def row_locked_elsewhere(cohort):
    """The cohort's row locked FOR UPDATE by a second database connection until the block ends."""
    other = connections.create_connection(DEFAULT_DB_ALIAS)
    try:
        other.set_autocommit(False)
        with other.cursor() as cursor:
            cursor.execute(f"SELECT id FROM {Cohort._meta.db_table} WHERE id = %s FOR UPDATE", [cohort.pk])
            assert cursor.fetchone() == (cohort.pk,)
        yield
    finally:
        other.rollback()
        other.close()


def _statement_timeout(value):
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL statement_timeout = %s", [value])


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_cohort_locked_elsewhere_is_busy_after_the_lock_timeout(settings):
    settings.PILOTS_LOCK_TIMEOUT_MS = 200
    cohort = CohortFactory()
    with row_locked_elsewhere(cohort):
        started = time.monotonic()
        with pytest.raises(CohortBusy) as exc, transaction.atomic():
            _statement_timeout("3s")  # a safety net: the suite never hangs on this lock
            lock_cohort(cohort.pk)
        waited = time.monotonic() - started
    assert exc.value.code == "busy"
    assert 0.15 <= waited < 1.0, waited
    with transaction.atomic():  # once the other connection lets go, the lock is granted
        assert lock_cohort(cohort.pk) == cohort


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_another_operational_error_is_not_taken_for_busy(settings):
    settings.PILOTS_LOCK_TIMEOUT_MS = 5000
    cohort = CohortFactory()
    with row_locked_elsewhere(cohort):
        with pytest.raises(OperationalError) as exc, transaction.atomic():
            _statement_timeout("200ms")  # cancels the statement before the lock timeout
            lock_cohort(cohort.pk)
    assert isinstance(exc.value.__cause__, QueryCanceled)


# --- placement and withdrawal rules ------------------------------------------------------------


@pytest.mark.parametrize(
    ("requires_approval", "taken", "expected"),
    [
        (True, 0, EnrolmentStatus.APPLIED),
        (True, 2, EnrolmentStatus.APPLIED),  # staff approve even when the cohort is full
        (False, 0, EnrolmentStatus.CONFIRMED),
        (False, 1, EnrolmentStatus.CONFIRMED),  # the last seat
        (False, 2, EnrolmentStatus.WAITLISTED),  # at capacity
        (False, 3, EnrolmentStatus.WAITLISTED),  # over capacity (capacity lowered later)
    ],
)
def test_placement_status_follows_approval_then_seats(requires_approval, taken, expected):
    cohort = CohortFactory.build(capacity=2, requires_approval=requires_approval)
    assert placement_status(cohort, taken) == expected


WITHDRAWABLE = {
    EnrolmentStatus.APPLIED: True,
    EnrolmentStatus.CONFIRMED: True,
    EnrolmentStatus.WAITLISTED: True,
    EnrolmentStatus.WITHDRAWN: False,
    EnrolmentStatus.REJECTED: False,
    EnrolmentStatus.COMPLETED: False,
}


def test_every_enrolment_status_says_whether_it_can_be_withdrawn():
    assert set(WITHDRAWABLE) == set(EnrolmentStatus)


@pytest.mark.parametrize(("status", "expected"), WITHDRAWABLE.items(), ids=[s.value for s in WITHDRAWABLE])
def test_can_withdraw(status, expected):
    assert can_withdraw(Enrolment(status=status)) is expected


# --- status changes ----------------------------------------------------------------------------


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
