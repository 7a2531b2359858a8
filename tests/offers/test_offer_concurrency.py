"""Offers under concurrency on real PostgreSQL: withdrawals, acceptances, expiry runs and new
registrations at the same moment never put more teachers in seats than the cohort has."""

import datetime as dt
import threading

import pytest
from django.db import connections
from django.utils import timezone

from pilots.choices import EnrolmentStatus
from pilots.enrolment import withdraw_enrolment
from pilots.models import Enrolment, Province
from pilots.offers import services
from pilots.offers.models import SeatOffer, WaitlistPolicy
from pilots.registration import services as registration_services
from tests.factories import EnrolmentFactory, OpenCohortFactory
from tests.registration.test_concurrency import _details

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

CAPACITY = 8


def _run_together(actions):
    barrier = threading.Barrier(len(actions))
    errors = []

    def run(action):
        try:
            barrier.wait(timeout=30)
            action()
        except services.OfferError:
            pass  # an offer that closed meanwhile: the expected refusal
        except Exception as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(a,)) for a in actions]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors


def test_withdrawals_acceptances_expiry_and_registrations_at_once_keep_capacity():
    province = Province.objects.get(code="KH-12")
    for round_ in range(3):
        cohort = OpenCohortFactory(capacity=CAPACITY)
        WaitlistPolicy.objects.create(programme=cohort.programme)
        seated = [EnrolmentFactory(cohort=cohort) for _ in range(CAPACITY)]
        waiting = [EnrolmentFactory(cohort=cohort, status=EnrolmentStatus.WAITLISTED) for _ in range(12)]
        # Half the seats free at once: four offers go out.
        _run_together([lambda e=e: withdraw_enrolment(enrolment=e) for e in seated[:4]])
        assert SeatOffer.objects.filter(cohort=cohort).open().count() == 4
        later = timezone.now() + dt.timedelta(hours=49)
        actions = [lambda e=e: services.accept_offer(enrolment=e) for e in waiting]  # only 4 hold offers
        actions += [lambda e=e: withdraw_enrolment(enrolment=e) for e in seated[4:6]]
        actions += [lambda later=later: services.expire_offers(now=later)] * 2
        actions += [
            lambda n=n, cohort=cohort, round_=round_: registration_services.register_teacher(
                cohort=cohort, details=_details(round_ * 100 + n, province), language="km", consent_version="x"
            )
            for n in range(6)
        ]
        _run_together(actions)
        seated_now = Enrolment.objects.filter(cohort=cohort, status__in=[EnrolmentStatus.CONFIRMED]).count()
        held = SeatOffer.objects.filter(cohort=cohort).open().count()
        assert seated_now <= CAPACITY
        assert seated_now + held == CAPACITY, (seated_now, held)
