"""Waiting-list offers: a freed seat is offered with a deadline, held, accepted from the email's
link, passed on when it expires; programmes without a policy keep automatic confirmation."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from pilots.choices import EnrolmentStatus
from pilots.enrolment import seats_left, seats_taken, withdraw_enrolment
from pilots.models import Cohort, Enrolment
from pilots.offers import services
from pilots.offers.models import OfferStatus, SeatOffer, WaitlistMode, WaitlistPolicy
from pilots.registration.services import register_teacher
from pilots.status_links import make_registration_token
from tests.factories import EnrolmentFactory, OpenCohortFactory

pytestmark = pytest.mark.django_db


def _full_cohort(capacity=2, waiting=2, mode=WaitlistMode.OFFER, **policy):
    cohort = OpenCohortFactory(capacity=capacity)
    if mode:
        WaitlistPolicy.objects.create(programme=cohort.programme, mode=mode, **policy)
    seated = [EnrolmentFactory(cohort=cohort) for _ in range(capacity)]
    queue = [EnrolmentFactory(cohort=cohort, status=EnrolmentStatus.WAITLISTED) for _ in range(waiting)]
    return cohort, seated, queue


def _status(enrolment):
    return Enrolment.objects.get(pk=enrolment.pk).status


def test_freed_seat_is_offered_to_the_first_waitlisted_with_a_48_hour_deadline(
        mailoutbox, django_capture_on_commit_callbacks):
    cohort, seated, queue = _full_cohort()
    with django_capture_on_commit_callbacks(execute=True):
        withdraw_enrolment(enrolment=seated[0])
    offer = SeatOffer.objects.get()
    assert offer.enrolment == queue[0] and offer.status == OfferStatus.OPEN
    assert offer.expires_at - offer.offered_at == dt.timedelta(hours=48)
    assert _status(queue[0]) == EnrolmentStatus.WAITLISTED  # not confirmed until they accept
    offer_email = [m for m in mailoutbox if m.to == [queue[0].teacher.email]][0]
    assert f"{reverse('offers:offer', args=[make_registration_token(queue[0])])}" in offer_email.body


def test_the_offered_seat_is_held_from_new_registrations():
    cohort, seated, queue = _full_cohort()
    withdraw_enrolment(enrolment=seated[0])
    assert seats_taken(cohort) == cohort.capacity
    from pilots.models import Province
    from tests.registration.test_concurrency import _details

    registration = register_teacher(
        cohort=cohort, details=_details(900, Province.objects.get(code="KH-12")), language="km", consent_version="x"
    )
    assert registration.enrolment.status == EnrolmentStatus.WAITLISTED


def test_the_offered_seat_is_not_shown_as_left(client):
    # Every page that says seats left counts the seat offered as taken, as the seat decision does.
    cohort, seated, queue = _full_cohort(capacity=3, waiting=1)
    withdraw_enrolment(enrolment=seated[0])
    assert SeatOffer.objects.open().count() == 1
    client.cookies["django_language"] = "en"
    for url in (reverse("registration:open_cohorts"), reverse("registration:cohort_detail", args=[cohort.code])):
        page = client.get(url).content.decode()
        assert "Full: waiting list" in page and "seat left" not in page, url
    assert "Join the waiting list" in client.get(reverse("registration:register", args=[cohort.code])).content.decode()
    assert Cohort.objects.with_fill_stats().get(pk=cohort.pk).seats_left == 0  # the admin, staff pages, API
    assert seats_left([cohort.pk]) == {cohort.pk: (False, 0)}
    SeatOffer.objects.update(status=OfferStatus.EXPIRED)
    assert Cohort.objects.with_fill_stats().get(pk=cohort.pk).seats_left == 1
    assert seats_left([cohort.pk]) == {cohort.pk: (False, 1)}
    assert "1 seat left" in client.get(reverse("registration:cohort_detail", args=[cohort.code])).content.decode()


def test_shorter_deadline_close_to_the_start():
    cohort, seated, queue = _full_cohort(offer_hours=48, short_offer_hours=6, short_within_days=7)
    cohort.start_date = timezone.localdate() + dt.timedelta(days=3)
    cohort.end_date = cohort.start_date + dt.timedelta(days=2)
    cohort.save()
    withdraw_enrolment(enrolment=seated[0])
    offer = SeatOffer.objects.get()
    assert offer.expires_at - offer.offered_at == dt.timedelta(hours=6)


def test_one_tap_from_the_email_accepts(client):
    cohort, seated, queue = _full_cohort()
    withdraw_enrolment(enrolment=seated[0])
    token = make_registration_token(queue[0])
    page = client.get(reverse("offers:offer", args=[token]))
    assert b"Accept the place" in page.content
    assert _status(queue[0]) == EnrolmentStatus.WAITLISTED  # opening the link changes nothing
    response = client.post(reverse("offers:offer", args=[token]), follow=True)
    assert _status(queue[0]) == EnrolmentStatus.CONFIRMED
    assert "your seat is confirmed" in response.content.decode()
    assert SeatOffer.objects.get().status == OfferStatus.ACCEPTED
    assert seats_taken(cohort) == cohort.capacity


def test_status_page_shows_the_open_offer(client):
    cohort, seated, queue = _full_cohort()
    withdraw_enrolment(enrolment=seated[0])
    page = client.get(reverse("registration:my_registration", args=[make_registration_token(queue[0])]))
    assert b'id="offer-block"' in page.content


def test_an_expired_offer_passes_to_the_next_and_cannot_be_accepted(mailoutbox, django_capture_on_commit_callbacks):
    cohort, seated, queue = _full_cohort()
    withdraw_enrolment(enrolment=seated[0])
    later = timezone.now() + dt.timedelta(hours=49)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.expire_offers(now=later) == 1
        assert services.expire_offers(now=later) == 0  # twice: nothing more
    offers = {o.enrolment_id: o.status for o in SeatOffer.objects.all()}
    assert offers == {queue[0].pk: OfferStatus.EXPIRED, queue[1].pk: OfferStatus.OPEN}
    with pytest.raises(services.OfferError) as exc:
        services.accept_offer(enrolment=queue[0], now=later)
    assert exc.value.code == "offer_closed"
    assert _status(queue[0]) == EnrolmentStatus.WAITLISTED


def test_accepting_after_the_deadline_but_before_the_scheduler_ran_is_refused():
    cohort, seated, queue = _full_cohort()
    withdraw_enrolment(enrolment=seated[0])
    with pytest.raises(services.OfferError) as exc:
        services.accept_offer(enrolment=queue[0], now=timezone.now() + dt.timedelta(hours=49))
    assert exc.value.code == "offer_expired"
    assert _status(queue[0]) == EnrolmentStatus.WAITLISTED
    assert SeatOffer.objects.open().get().enrolment == queue[1]


def test_a_programme_can_keep_automatic_confirmation():
    cohort, seated, queue = _full_cohort(mode=WaitlistMode.AUTOMATIC)
    withdraw_enrolment(enrolment=seated[0])
    assert _status(queue[0]) == EnrolmentStatus.CONFIRMED
    assert not SeatOffer.objects.exists()


def test_without_a_policy_a_programme_confirms_at_once_as_before():
    cohort, seated, queue = _full_cohort(mode=None)
    withdraw_enrolment(enrolment=seated[0])
    assert _status(queue[0]) == EnrolmentStatus.CONFIRMED


def test_an_offer_to_a_teacher_who_withdrew_passes_on():
    cohort, seated, queue = _full_cohort()
    withdraw_enrolment(enrolment=seated[0])
    withdraw_enrolment(enrolment=queue[0])
    assert services.expire_offers() == 1
    assert SeatOffer.objects.open().get().enrolment == queue[1]


def test_forged_offer_link_is_404(client):
    assert client.get(reverse("offers:offer", args=["12:forged"])).status_code == 404
