"""Emails to teachers about their enrolment, sent by a background task after commit.

Services call `enrolment_status_changed(...)` and `registration_link_requested(...)` from
`transaction.on_commit`, so an email is only ever about a saved registration. Both only *enqueue*
`send_enrolment_email` (django-tasks): with the database backend that is one INSERT, so a mail server
that is down never blocks nor loses a registration. The worker (`manage.py db_worker`) sends it; a
failed send is recorded as a failed task result (visible to staff in the admin under "Task results",
with the traceback) and re-enqueued with a growing delay, up to PILOTS_EMAIL_MAX_ATTEMPTS in all.

Emails are written in the teacher's language for emails, plain text and HTML, and always carry
the teacher's "My registration" link. No personal data is logged: only enrolment ids.
"""

import datetime as dt
import logging

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _
from django_tasks import task

from .calendar.ics import attach_calendar
from .choices import EnrolmentStatus
from .models import Enrolment
from .status_links import status_url

logger = logging.getLogger(__name__)

# What the email is about -> (subject, template name). "link" re-sends the status link.
EMAILS = {
    EnrolmentStatus.CONFIRMED: (_("Your place is confirmed"), "confirmed"),
    EnrolmentStatus.WAITLISTED: (_("You are on the waiting list"), "waitlisted"),
    EnrolmentStatus.APPLIED: (_("We have received your application"), "applied"),
    EnrolmentStatus.WITHDRAWN: (_("Your registration is withdrawn"), "withdrawn"),
    EnrolmentStatus.REJECTED: (_("Your application was not accepted"), "rejected"),
    "promoted": (_("A place is free: you are confirmed"), "promoted"),
    "link": (_("Your registration"), "link"),
}


def _kind_for(status: str, old_status: str | None) -> str | None:
    if status == old_status:
        return None
    if status == EnrolmentStatus.CONFIRMED and old_status == EnrolmentStatus.WAITLISTED:
        return "promoted"
    if status in EMAILS:
        return status
    return None


def _enqueue(enrolment_id: int, kind: str) -> None:
    # Runs after commit: the registration is saved whatever happens here.
    try:
        send_enrolment_email.enqueue(enrolment_id=enrolment_id, kind=kind, attempt=1)
    except Exception:
        logger.exception("Could not enqueue the %s email of enrolment %s", kind, enrolment_id)


def enrolment_status_changed(*, enrolment_id: int, old_status: str | None) -> None:
    """Queue the email that tells a teacher about their enrolment's new status."""
    status = Enrolment.objects.values_list("status", flat=True).get(pk=enrolment_id)
    kind = _kind_for(status, old_status)
    if kind:
        _enqueue(enrolment_id, kind)


def registration_link_requested(*, enrolment_id: int) -> None:
    """Queue an email that re-sends the status link (the teacher registered again)."""
    _enqueue(enrolment_id, "link")


def render_enrolment_email(enrolment: Enrolment, kind: str) -> EmailMultiAlternatives:
    subject, template = EMAILS[kind]
    # The language the teacher chose for our emails (the form asks), else the one they registered in.
    language = enrolment.teacher.preferred_language or enrolment.language
    with translation.override(language):
        context = {
            "enrolment": enrolment,
            "teacher": enrolment.teacher,
            "cohort": enrolment.cohort,
            "status_url": status_url(enrolment),
            "LANGUAGE_CODE": language,
        }
        text = render_to_string(f"pilots/email/{template}.txt", context)
        html = render_to_string(f"pilots/email/{template}.html", context)
        message = EmailMultiAlternatives(
            subject=f"{subject}: {enrolment.cohort.name}",
            body=text,
            to=[enrolment.teacher.email],
            headers={"Content-Language": language},
        )
    message.attach_alternative(html, "text/html")
    _attach(message, enrolment, kind)
    return message


def _retry_delay(attempt: int) -> dt.timedelta:
    return dt.timedelta(minutes=2 ** attempt)  # 2, 4, 8, 16 minutes


@task()
def send_enrolment_email(*, enrolment_id: int, kind: str, attempt: int = 1) -> str:
    """Send one email; on failure re-enqueue itself later, then fail so staff see the error."""
    enrolment = Enrolment.objects.select_related("teacher", "cohort").get(pk=enrolment_id)
    if not enrolment.teacher.email or kind not in EMAILS:
        return "skipped"
    try:
        render_enrolment_email(enrolment, kind).send()
    except Exception:
        logger.warning(
            "Email %s for enrolment %s failed (attempt %s)", kind, enrolment_id, attempt, exc_info=True
        )
        backend = send_enrolment_email.get_backend()
        if attempt < settings.PILOTS_EMAIL_MAX_ATTEMPTS and backend.supports_defer:
            send_enrolment_email.using(run_after=timezone.now() + _retry_delay(attempt)).enqueue(
                enrolment_id=enrolment_id, kind=kind, attempt=attempt + 1
            )
        raise
    return "sent"


# --- After the training: certificates, offers, reminders, calendars, surveys. Their kinds are added
# to EMAILS and sent by the same task; their templates get the same context and build their own
# links from `status_url`. Each kind name fits in 16 characters. Every one of them is queued through
# `_queue_after_training`, the one place to adapt to a new enqueue API.

EMAILS["certificate"] = (_("Your certificate of completion"), "certificate")
EMAILS["offer"] = (_("A place is free: accept it before the deadline"), "offer")
EMAILS["reminder"] = (_("Your training starts in two days"), "reminder")
EMAILS["calendar_update"] = (_("The training's dates or venue have changed"), "calendar_update")
EMAILS["survey_invite"] = (_("Please tell us how the training went for you"), "survey_invite")
EMAILS["survey_closing"] = (_("A survey closes soon: your answers count"), "survey_closing")

# Files attached to some kinds of email: the calendar with every session.
ATTACHMENTS = {
    EnrolmentStatus.CONFIRMED: [attach_calendar],
    "promoted": [attach_calendar],
    "reminder": [attach_calendar],
    "calendar_update": [attach_calendar],
}


def _attach(message, enrolment, kind: str) -> None:
    with translation.override(enrolment.teacher.preferred_language or enrolment.language):
        for attach in ATTACHMENTS.get(kind, ()):
            attach(message, enrolment)


def _queue_after_training(enrolment_id: int, kind: str) -> None:
    _enqueue(enrolment_id, kind)


def certificate_issued(*, enrolment_id: int) -> None:
    """Queue the email that gives a teacher the link to their new certificate."""
    _queue_after_training(enrolment_id, "certificate")


def seat_offered(*, enrolment_id: int) -> None:
    """Queue the email that offers a freed seat to a waitlisted teacher."""
    _queue_after_training(enrolment_id, "offer")


def scheduled_email(*, enrolment_id: int, kind: str) -> None:
    """Queue an email the scheduler decided to send (it records each one first, see
    pilots.scheduler): reminder, calendar_update, survey_invite, survey_closing."""
    _queue_after_training(enrolment_id, kind)
