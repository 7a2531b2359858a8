"""Waiting-list offers (as pretix does it): a freed seat is offered to the first waitlisted teacher
until a deadline, held for them meanwhile (`enrolment.seats_taken` counts open offers), accepted
from the email's signed link, and passed to the next teacher when it expires.

Every change runs under the cohort lock (`enrolment.lock_cohort`), the same lock as registration,
so capacity holds however many accept, withdraw and expire at once.
"""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from pilots import enrolment as seats
from pilots import notifications
from pilots.choices import EnrolmentStatus
from pilots.models import Cohort, Enrolment

from .models import OfferStatus, SeatOffer, WaitlistMode, WaitlistPolicy


class OfferError(ValidationError):
    """An offer can no longer be accepted; `code` says why."""


def policy_for(cohort: Cohort) -> WaitlistPolicy | None:
    return WaitlistPolicy.objects.filter(programme_id=cohort.programme_id).first()


def makes_offers(cohort: Cohort) -> bool:
    policy = policy_for(cohort)
    return policy is not None and policy.mode == WaitlistMode.OFFER


def offer_deadline(cohort: Cohort, policy: WaitlistPolicy, now: dt.datetime) -> dt.datetime:
    """`offer_hours` from now, or `short_offer_hours` once the cohort starts within
    `short_within_days`; never later than the start of the first day (local time)."""
    start = timezone.make_aware(dt.datetime.combine(cohort.start_date, dt.time.min))
    close = start - now <= dt.timedelta(days=policy.short_within_days)
    hours = policy.short_offer_hours if close else policy.offer_hours
    return max(min(now + dt.timedelta(hours=hours), start), now + dt.timedelta(hours=1))


def _next_in_line(cohort: Cohort):
    """Waitlisted teachers in order of registration who hold no offer and did not let one lapse
    (an expired offer passes the seat on: they stay on the list but are not asked again)."""
    asked = SeatOffer.objects.filter(cohort=cohort).values("enrolment_id")
    return cohort.enrolments.waiting().exclude(pk__in=asked).select_related("teacher")


def offer_free_seats(cohort: Cohort, now: dt.datetime | None = None) -> list[SeatOffer]:
    """Offer each free seat to the next waitlisted teacher. The caller holds the cohort lock."""
    now = now or timezone.now()
    policy = policy_for(cohort)
    free = cohort.capacity - seats.seats_taken(cohort)
    if free <= 0 or policy is None:
        return []
    offers = []
    for enrolment in _next_in_line(cohort)[:free]:
        offer = SeatOffer.objects.create(
            enrolment=enrolment, cohort=cohort, offered_at=now, expires_at=offer_deadline(cohort, policy, now)
        )
        notifications.seat_offered(enrolment_id=enrolment.pk)  # with the offer, in its transaction
        offers.append(offer)
    return offers


def open_offer(enrolment: Enrolment) -> SeatOffer | None:
    return enrolment.seat_offers.open().first()


def accept_offer(*, enrolment: Enrolment, now: dt.datetime | None = None) -> Enrolment:
    """Confirm the teacher holding an open offer that has not expired. An expired offer is closed
    (and its seat passed on) instead, and the teacher told so."""
    now = now or timezone.now()
    with transaction.atomic():
        cohort = seats.lock_cohort(enrolment.cohort_id)
        offer = SeatOffer.objects.select_for_update().filter(enrolment_id=enrolment.pk).open().first()
        if offer is None:
            raise OfferError(_("This offer is no longer open."), code="offer_closed")
        if offer.expires_at <= now:
            _expire(offer, cohort, now)
            expired = True
        else:
            expired = False
            offer.status = OfferStatus.ACCEPTED
            offer.closed_at = now
            offer.save(update_fields=["status", "closed_at"])
            # The held seat is released by closing the offer and taken by the confirmation, in the
            # same transaction under the same lock.
            confirmed = seats.confirm_enrolment(enrolment=offer.enrolment)
    if expired:
        raise OfferError(
            _("Sorry, this offer expired and the seat went to the next teacher. You stay on the waiting list."),
            code="offer_expired",
        )
    return confirmed


def _expire(offer: SeatOffer, cohort: Cohort, now) -> None:
    offer.status = OfferStatus.EXPIRED
    offer.closed_at = now
    offer.save(update_fields=["status", "closed_at"])
    offer_free_seats(cohort, now)


def expire_offers(*, now: dt.datetime | None = None) -> int:
    """Close every open offer past its deadline, or whose teacher is no longer waiting (withdrew,
    was confirmed or rejected by staff), and pass its seat to the next teacher. Running it twice
    does nothing more the second time (only open offers are read)."""
    now = now or timezone.now()
    expired = 0
    lapsed = SeatOffer.objects.open().filter(
        Q(expires_at__lte=now) | ~Q(enrolment__status=EnrolmentStatus.WAITLISTED)
    )
    for offer_id, cohort_id in lapsed.values_list("pk", "cohort_id"):
        with transaction.atomic():
            cohort = seats.lock_cohort(cohort_id)
            offer = SeatOffer.objects.select_for_update().filter(pk=offer_id).open().first()
            if offer is None:  # accepted or expired meanwhile
                continue
            _expire(offer, cohort, now)
            expired += 1
    return expired
