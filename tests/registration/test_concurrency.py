"""Concurrency on real PostgreSQL: many teachers register at the same moment for a few seats."""

import contextlib
import threading

import pytest
from django.db import connection, connections, transaction
from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce
from phonenumber_field.phonenumber import PhoneNumber

from pilots.choices import SEATED_STATUSES, EnrolmentStatus
from pilots.enrolment import CohortBusy, lock_cohort, lock_cohort_counting_seats, seats_taken
from pilots.models import Cohort, Enrolment, Province
from pilots.registration import services as registration_services
from tests.factories import OpenCohortFactory, TeacherFactory
from tests.threads import run_at_once

# The flush after each transactional test reloads provinces and subjects (pilots.reference).
pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

CLIENTS = 40
CAPACITY = 10
ROUNDS = 20


def _details(n, province):
    return {
        "family_name": "ផល",
        "given_name": f"សុភា{n}",
        "family_name_latin": "",
        "given_name_latin": "",
        "nickname": "",
        "name_order": "family_first",
        "gender": "female",
        "email": f"race{n}@example.org",
        "phone": PhoneNumber.from_string("+85512345678"),
        "school": "School",
        "school_level": "lower_secondary",
        "province": province,
        "years_experience": 3,
        "preferred_language": "km",
    }


def fire_registrations(cohorts, clients=CLIENTS):
    """For each cohort in turn, `clients` threads register at the same moment (a barrier releases
    them together); each thread keeps its own database connection for all rounds."""
    province = Province.objects.get(code="KH-12")
    barrier = threading.Barrier(clients)
    errors = []

    def client(n):
        try:
            for round_, cohort in enumerate(cohorts):
                barrier.wait(timeout=30)
                registration_services.register_teacher(
                    cohort=cohort,
                    details=_details(round_ * 1000 + n, province),
                    language="km",
                    consent_version="2024-11",
                )
        except Exception as exc:  # reported by the test, not lost in a thread
            errors.append(exc)
            barrier.abort()
        finally:
            connections.close_all()

    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors, errors


def counts(cohort):
    seated = Enrolment.objects.filter(cohort=cohort, status=EnrolmentStatus.CONFIRMED).count()
    waiting = Enrolment.objects.filter(cohort=cohort, status=EnrolmentStatus.WAITLISTED).count()
    return seated, waiting


def test_concurrent_registrations_never_exceed_capacity():
    """40 registrations at once for 10 seats, 20 times: always 10 confirmed and 30 waitlisted."""
    cohorts = OpenCohortFactory.create_batch(ROUNDS, capacity=CAPACITY)
    fire_registrations(cohorts)
    assert [counts(cohort) for cohort in cohorts] == [(CAPACITY, CLIENTS - CAPACITY)] * ROUNDS


def _no_lock(cohort_id, **kwargs):
    cohort = Cohort.objects.get(pk=cohort_id)
    return cohort, seats_taken(cohort)


def _count_in_the_locking_statement(cohort_id, **kwargs):
    # The count as part of the SELECT ... FOR UPDATE: that statement's snapshot is taken before the
    # lock is waited for, so it misses the seats committed meanwhile.
    seated = (Enrolment.objects.filter(cohort=OuterRef("pk"), status__in=SEATED_STATUSES).order_by()
              .values("cohort").annotate(n=Count("pk")).values("n"))
    cohort = Cohort.objects.select_for_update().annotate(taken=Coalesce(Subquery(seated), 0)).get(pk=cohort_id)
    return cohort, cohort.taken


@pytest.mark.parametrize("broken_lock", [_no_lock, _count_in_the_locking_statement])
def test_the_harness_catches_overbooking_when_the_lock_or_the_count_is_wrong(monkeypatch, broken_lock):
    """Controls: without the row lock, or with the seats counted in the statement that waits for the
    lock rather than in one of its own after it, the same harness sees more confirmed than seats.

    Each round is racy by nature, so five rounds run; one overbooking proves the point.
    """
    monkeypatch.setattr(registration_services, "lock_cohort_counting_seats", broken_lock)
    cohorts = OpenCohortFactory.create_batch(5, capacity=CAPACITY)
    fire_registrations(cohorts)
    seated = [counts(cohort)[0] for cohort in cohorts]
    assert max(seated) > CAPACITY, seated


@contextlib.contextmanager
def _locked_elsewhere(cohort, meanwhile=lambda: None):
    """Another connection locks the cohort's row, does `meanwhile` under the lock, and holds it
    until the block ends or the event the block gets is set."""
    locked, release = threading.Event(), threading.Event()

    def hold_lock():
        try:
            with transaction.atomic():
                lock_cohort(cohort.pk)
                meanwhile()
                locked.set()
                release.wait(timeout=10)
        finally:
            connections.close_all()

    holder = threading.Thread(target=hold_lock)
    holder.start()
    try:
        assert locked.wait(timeout=10)
        yield release
    finally:
        release.set()
        holder.join()


def test_a_lock_held_too_long_gives_busy_not_an_error(settings):
    settings.PILOTS_LOCK_TIMEOUT_MS = 100
    cohort = OpenCohortFactory(capacity=CAPACITY)
    with _locked_elsewhere(cohort), pytest.raises(CohortBusy) as exc:
        registration_services.register_teacher(
            cohort=cohort,
            details=_details(1, Province.objects.get(code="KH-12")),
            language="km",
            consent_version="2024-11",
        )
    assert exc.value.code == "busy"
    assert connection.vendor == "postgresql"
    assert not Enrolment.objects.filter(cohort=cohort).exists()


def test_the_seats_counted_with_the_lock_include_those_committed_while_it_was_awaited():
    cohort = OpenCohortFactory(capacity=CAPACITY)
    teacher = TeacherFactory()

    def take_a_seat():
        Enrolment.objects.create(teacher=teacher, cohort=cohort, status=EnrolmentStatus.CONFIRMED)

    with _locked_elsewhere(cohort, take_a_seat) as release:
        threading.Timer(0.3, release.set).start()  # commits while the count below waits for the lock
        with transaction.atomic():
            _, taken = lock_cohort_counting_seats(cohort.pk)
    assert taken == 1


@pytest.mark.parametrize("registered_before", [False, True], ids=["new email", "known teacher"])
def test_one_teacher_sending_the_form_from_several_phones_at_once_gets_one_enrolment(registered_before):
    """The same email, eight requests at once. A new email: the teacher's insert waits for the first
    transaction and finds its teacher. A known teacher: each finds no enrolment before the lock, and
    all but the first break enrolment_one_per_teacher_and_cohort when their rows are sent; each is
    tried again and finds the enrolment (the link is sent again), with no error."""
    cohort = OpenCohortFactory(capacity=CAPACITY)
    province = Province.objects.get(code="KH-12")
    if registered_before:
        TeacherFactory(email=_details(0, province)["email"])

    def phone():
        return registration_services.register_teacher(
            cohort=cohort, details=_details(0, province), language="km", consent_version="2024-11")

    results, errors = run_at_once(*[phone] * 8)
    assert not errors, errors
    assert Enrolment.objects.filter(cohort=cohort).count() == 1
    assert sum(result.is_new for result in results) == 1 and len(results) == 8
