"""Concurrency on real PostgreSQL: many staff tools confirm through the API at the same moment, for
a few seats. The enrolment services' cohort lock keeps capacity."""

import json
import threading

import pytest
from django.db import connections
from django.test import Client

from pilots import enrolment as enrolment_services
from pilots.choices import EnrolmentStatus
from pilots.models import Cohort, Enrolment
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
