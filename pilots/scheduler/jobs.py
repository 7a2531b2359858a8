"""The time-driven jobs, each a function of `now` returning how many things it did. Each is
idempotent: it records what it sent (`Notice`, unique per occasion) or acts only on rows still
open, so that the scheduler can run it again, or twice at once, without sending anything twice."""

import datetime as dt

from django.db import IntegrityError, transaction
from django.db.models import Min
from django.db.models.functions import Coalesce
from django.utils import timezone

from pilots import notifications
from pilots.calendar.services import calendar_revision, revise_changed_sessions
from pilots.choices import SEATED_STATUSES
from pilots.models import Cohort, Enrolment
from pilots.offers.services import expire_offers

from .models import Notice

REMINDER_DAYS_BEFORE = 2


def notify_once(*, enrolment_id: int, kind: str, key: str) -> bool:
    """Record the notice and queue its email after commit; False if it was already sent."""
    try:
        with transaction.atomic():
            Notice.objects.create(enrolment_id=enrolment_id, kind=kind, key=key)
            transaction.on_commit(lambda: notifications.scheduled_email(enrolment_id=enrolment_id, kind=kind))
    except IntegrityError:
        return False
    return True


def session_reminders(now: dt.datetime) -> int:
    """Email seated teachers two days before their cohort's first session (keyed by that date, so a
    rescheduled start gets a new reminder)."""
    today = timezone.localdate(now)
    cohorts = (
        Cohort.objects.annotate(first_day=Coalesce(Min("sessions__date"), "start_date"))
        .filter(first_day__gt=today, first_day__lte=today + dt.timedelta(days=REMINDER_DAYS_BEFORE))
        .values_list("pk", "first_day")
    )
    sent = 0
    for cohort_id, first_day in cohorts:
        seated = Enrolment.objects.filter(cohort_id=cohort_id, status__in=SEATED_STATUSES).values_list("pk", flat=True)
        for enrolment_id in seated:
            sent += notify_once(enrolment_id=enrolment_id, kind="reminder", key=first_day.isoformat())
    return sent


def calendar_updates(now: dt.datetime) -> int:
    """Send the new calendar to the seated teachers of cohorts whose sessions changed."""
    sent = 0
    for cohort_id in revise_changed_sessions(now=now):
        key = calendar_revision(cohort_id)
        seated = Enrolment.objects.filter(cohort_id=cohort_id, status__in=SEATED_STATUSES).values_list("pk", flat=True)
        for enrolment_id in seated:
            sent += notify_once(enrolment_id=enrolment_id, kind="calendar_update", key=key)
    return sent


def offer_expiry(now: dt.datetime) -> int:
    return expire_offers(now=now)


# name -> job, in the order they run. Offers expire first so that a seat passed on is offered at once.
JOBS = {
    "offer_expiry": offer_expiry,
    "calendar_updates": calendar_updates,
    "session_reminders": session_reminders,
}
