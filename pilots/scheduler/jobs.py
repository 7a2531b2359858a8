"""The time-driven jobs, each a function of `now` returning how many things it did. Each is
idempotent: it records what it sent (`Notice`, unique per occasion) or acts only on rows still
open, so that the scheduler can run it again, or twice at once, without sending anything twice."""

import datetime as dt

from django.db import IntegrityError, transaction
from django.db.models import Min
from django.db.models.functions import Coalesce
from django.utils import timezone

from pilots import data_version, notifications
from pilots.calendar.services import CANCELLED, CHANGED, calendar_revision, cohorts_to_revise, revise_cohort_calendar
from pilots.choices import SEATED_STATUSES, EmailKind
from pilots.models import Cohort, Enrolment
from pilots.offers.services import expire_offers
from pilots.reports import figures
from pilots.surveys.models import Survey
from pilots.surveys.services import latest_surveys, window

from .models import Notice

REMINDER_DAYS_BEFORE = 2
# What happened to a cohort's calendar -> the email that tells its teachers.
CALENDAR_EMAILS = {CHANGED: EmailKind.CALENDAR_UPDATE, CANCELLED: EmailKind.CALENDAR_CANCEL}


def notify_once(*, enrolment_id: int, kind: str, key: str) -> bool:
    """Record the notice and queue its email in the same transaction; False if it was already sent."""
    try:
        with transaction.atomic():
            Notice.objects.create(enrolment_id=enrolment_id, kind=kind, key=key)
            notifications.scheduled_email(enrolment_id=enrolment_id, kind=kind)
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
    """Send the seated teachers of each cohort whose sessions changed the new calendar, and of each
    cohort with sessions deleted or cancelled a cancellation, once per revision. The revision and
    its emails are written in one transaction: a run that fails half-way leaves both for the next."""
    sent = 0
    for cohort_id in cohorts_to_revise(now=now):
        with transaction.atomic():
            happened = revise_cohort_calendar(cohort_id=cohort_id, now=now)
            key = calendar_revision(cohort_id)
            seated = Enrolment.objects.filter(cohort_id=cohort_id, status__in=SEATED_STATUSES).values_list(
                "pk", flat=True
            )
            for enrolment_id in seated:
                for change, kind in CALENDAR_EMAILS.items():
                    if change in happened:
                        sent += notify_once(enrolment_id=enrolment_id, kind=kind, key=key)
    return sent


def _survey_notices(now: dt.datetime, kind: str, due) -> int:
    """Notify the invited teachers of each cohort for which `due(survey, opens, closes, today)`."""
    today = timezone.localdate(now)
    sent = 0
    for survey in Survey.objects.filter(is_active=True).select_related("programme"):
        if survey not in latest_surveys(survey.programme_id):
            continue
        for cohort in Cohort.objects.filter(programme_id=survey.programme_id, end_date__lte=today):
            opens, closes = window(survey, cohort)
            if not due(survey, opens, closes, today):
                continue
            waiting = (
                Enrolment.objects.filter(cohort=cohort, status__in=SEATED_STATUSES)
                .exclude(survey_responses__survey=survey)
                .values_list("pk", flat=True)
            )
            for enrolment_id in waiting:
                sent += notify_once(enrolment_id=enrolment_id, kind=kind, key=f"survey-{survey.pk}")
    return sent


def survey_invitations(now: dt.datetime) -> int:
    """Invite each teacher once while a survey is open for their cohort."""
    return _survey_notices(now, "survey_invite", lambda s, opens, closes, today: opens <= today < closes)


def survey_closing_reminders(now: dt.datetime) -> int:
    """Remind those who have not answered, `reminder_days_before_close` days before it closes."""
    return _survey_notices(
        now, "survey_closing",
        lambda s, opens, closes, today: opens <= today < closes
        and (closes - today).days <= s.reminder_days_before_close,
    )


def offer_expiry(now: dt.datetime) -> int:
    return expire_offers(now=now)


def report_figures(now: dt.datetime) -> int:
    """Recompute the overview's stored figures if the data changed since they were computed
    (or there are none yet): 1 if it did."""
    stamp = figures.latest()
    if stamp and stamp[2] == data_version.current():
        return 0
    figures.refresh_figures()
    return 1


# name -> job, in the order they run. Offers expire first so that a seat passed on is offered at once.
JOBS = {
    "offer_expiry": offer_expiry,
    "calendar_updates": calendar_updates,
    "session_reminders": session_reminders,
    "survey_invitations": survey_invitations,
    "survey_closing_reminders": survey_closing_reminders,
    "report_figures": report_figures,
}
