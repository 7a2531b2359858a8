"""Concurrency on real PostgreSQL: many staff tools confirm through the API at the same moment, for
a few seats, or lower a cohort's capacity while a seat is being taken. The cohort lock keeps capacity."""

import json
import threading

import pytest
from django.db import connections, transaction
from django.test import Client

from pilots import enrolment as enrolment_services
from pilots.choices import EnrolmentStatus
from pilots.models import Cohort, Enrolment
from pilots.staffing import services as staffing_services
from tests.api.support import bearer, staff_token
from tests.factories import CohortFactory, EnrolmentFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

CLIENTS = 12
CAPACITY = 4


def fire_confirmations(secret, cohorts):
    """For each cohort in turn, every thread confirms its own waitlisted enrolment at the same moment."""
    barrier = threading.Barrier(CLIENTS)
    errors, statuses = [], []
    references = [list(c.enrolments.order_by("pk").values_list("reference", flat=True)) for c in cohorts]

    def client(n):
        http = Client()
        try:
            for refs in references:
                barrier.wait(timeout=30)
                response = http.post(f"/api/v1/staff/enrolments/{refs[n]}/status", json.dumps({"action": "confirm"}),
                                     content_type="application/json", **bearer(secret))
                statuses.append((response.status_code, response.json()["code"] if response.status_code != 200
                                 else "confirmed"))
        except Exception as exc:  # reported by the test, not lost in a thread
            errors.append(exc)
            barrier.abort()
        finally:
            connections.close_all()

    threads = [threading.Thread(target=client, args=(n,)) for n in range(CLIENTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors, errors
    return statuses


def _cohorts(rounds):
    cohorts = CohortFactory.create_batch(rounds, capacity=CAPACITY)
    for cohort in cohorts:
        EnrolmentFactory.create_batch(CLIENTS, cohort=cohort, status=EnrolmentStatus.WAITLISTED)
    return cohorts


def seated(cohort):
    return Enrolment.objects.filter(cohort=cohort, status=EnrolmentStatus.CONFIRMED).count()


def test_concurrent_api_confirmations_never_exceed_capacity(django_user_model, settings):
    settings.PILOTS_API_TOKEN_RATE = "10000/m"
    _token, secret = staff_token(django_user_model)
    cohorts = _cohorts(5)
    statuses = fire_confirmations(secret, cohorts)
    assert [seated(c) for c in cohorts] == [CAPACITY] * 5
    assert {code for _status, code in statuses} <= {"confirmed", "cohort_full", "busy"}
    assert sum(1 for status, _code in statuses if status == 200) == CAPACITY * 5


def _no_lock(cohort_id):
    return Cohort.objects.get(pk=cohort_id)


def test_the_harness_catches_overbooking_when_the_lock_is_removed(django_user_model, settings, monkeypatch):
    settings.PILOTS_API_TOKEN_RATE = "10000/m"
    monkeypatch.setattr(enrolment_services, "lock_cohort", _no_lock)
    _token, secret = staff_token(django_user_model)
    cohorts = _cohorts(5)
    fire_confirmations(secret, cohorts)
    assert max(seated(c) for c in cohorts) > CAPACITY


def cut_capacity_while_a_seat_is_taken(secret, cohort, waiting):
    """A confirmation holds the cohort's lock, not yet committed, while the API lowers the capacity
    to the seats it saw before: the cut must wait for the lock and count the new seat."""
    locked, release = threading.Event(), threading.Event()
    errors = []

    def confirm():
        try:
            with transaction.atomic():
                enrolment_services.lock_cohort(cohort.pk)
                Enrolment.objects.filter(pk=waiting.pk).update(status=EnrolmentStatus.CONFIRMED)
                locked.set()
                release.wait(timeout=2)
        except Exception as exc:  # reported by the test, not lost in a thread
            errors.append(exc)
            locked.set()
        finally:
            connections.close_all()

    thread = threading.Thread(target=confirm)
    thread.start()
    locked.wait(timeout=30)
    timer = threading.Timer(1.0, release.set)
    timer.start()
    response = Client().patch(f"/api/v1/staff/cohorts/{cohort.code}", json.dumps({"capacity": 2}),
                              content_type="application/json", **bearer(secret))
    thread.join()
    timer.cancel()
    assert not errors, errors
    return response


def test_a_capacity_cut_waits_for_a_confirmation_under_way_and_counts_its_seat(django_user_model):
    _token, secret = staff_token(django_user_model)
    cohort = CohortFactory(capacity=3)
    EnrolmentFactory.create_batch(2, cohort=cohort, status=EnrolmentStatus.CONFIRMED)
    waiting = EnrolmentFactory(cohort=cohort, status=EnrolmentStatus.WAITLISTED)
    response = cut_capacity_while_a_seat_is_taken(secret, cohort, waiting)
    assert response.status_code == 409
    assert response.json()["code"] == "capacity_below_seats"
    cohort.refresh_from_db()
    assert (cohort.capacity, seated(cohort)) == (3, 3)


def test_without_the_lock_the_cut_would_leave_more_seats_than_capacity(django_user_model, monkeypatch):
    monkeypatch.setattr(staffing_services, "lock_cohort", _no_lock)
    _token, secret = staff_token(django_user_model)
    cohort = CohortFactory(capacity=3)
    EnrolmentFactory.create_batch(2, cohort=cohort, status=EnrolmentStatus.CONFIRMED)
    waiting = EnrolmentFactory(cohort=cohort, status=EnrolmentStatus.WAITLISTED)
    assert cut_capacity_while_a_seat_is_taken(secret, cohort, waiting).status_code == 200
    cohort.refresh_from_db()
    assert seated(cohort) > cohort.capacity
