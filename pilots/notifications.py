"""Emails to teachers about their enrolment: queued in the transaction of the change, sent once.

Services call `status_changed(...)` and `registration_link_requested(...)` *inside* the transaction
that changes the enrolment. Both write an `OutboundEmail` row and enqueue the `send_email` task in that
same transaction: with the database task backend (production) the task is one more row, so the
enrolment, its email and the task are saved together or not at all. A backend that runs tasks at once
(the immediate backend of `make run` and most tests) would send before the commit, so there the
enqueue waits for the commit instead.

The worker (`manage.py db_worker`, see `pilots.worker`) sends it. Sending is idempotent: the email row
is locked while it is sent and marked sent as soon as the mail server has accepted it, so a task run
twice (its worker died and the task was reclaimed) sends nothing the second time. A failed send is
counted on the row, re-enqueued with a growing delay in the same transaction, and the task fails so
that staff see it in the admin ("Task results"), up to PILOTS_EMAIL_MAX_ATTEMPTS attempts in all.

Emails are written in the teacher's language for emails, plain text and HTML, and always carry the
teacher's "My registration" link. No personal data is logged: only email and enrolment ids.
"""

import datetime as dt
import logging

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import OperationalError, transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _
from django_tasks import task
from django_tasks_db import DatabaseBackend
from psycopg.errors import LockNotAvailable

from . import rows
from .calendar.ics import attach_calendar, attach_cancellation, attach_withdrawal, cancelled_entries
from .choices import EmailKind, EnrolmentStatus
from .models import Enrolment, OutboundEmail
from .status_links import status_url

logger = logging.getLogger(__name__)

# What the email is about -> (subject, template name).
EMAILS = {
    EmailKind.CONFIRMED: (_("Your place is confirmed"), "confirmed"),
    EmailKind.WAITLISTED: (_("You are on the waiting list"), "waitlisted"),
    EmailKind.APPLIED: (_("We have received your application"), "applied"),
    EmailKind.WITHDRAWN: (_("Your registration is withdrawn"), "withdrawn"),
    EmailKind.REJECTED: (_("Your application was not accepted"), "rejected"),
    EmailKind.PROMOTED: (_("A place is free: you are confirmed"), "promoted"),
    EmailKind.LINK: (_("Your registration"), "link"),
}


class EmailInProgress(Exception):
    """Another worker holds this email's row: it is being sent right now."""


# Emails this process has handed to the mail server but could not yet record as sent (the
# database connection dropped in between): run again here, the task records them, sends nothing.
_accepted_unrecorded: set[int] = set()


def _kind_for(status: str, old_status: str | None) -> str | None:
    if status == old_status:
        return None
    if status == EnrolmentStatus.CONFIRMED and old_status == EnrolmentStatus.WAITLISTED:
        return EmailKind.PROMOTED
    if status in EmailKind.values:
        return status
    return None


def _enqueue(email_id: int, *, attempt: int = 1, run_after=None) -> None:
    sender = send_email.using(run_after=run_after) if run_after else send_email
    if isinstance(send_email.get_backend(), DatabaseBackend):
        sender.enqueue(email_id=email_id, attempt=attempt)  # one more row in this transaction
    else:
        transaction.on_commit(lambda: sender.enqueue(email_id=email_id, attempt=attempt))


def queue_email(enrolment: Enrolment, kind: str) -> OutboundEmail:
    """Write the email and its task in the caller's transaction (both saved, or neither)."""
    (email,) = rows.insert(OutboundEmail(enrolment=enrolment, kind=kind))
    _enqueue(email.pk)
    return email


def status_changed(enrolment: Enrolment, old_status: str | None) -> OutboundEmail | None:
    """Queue the email that tells a teacher about their enrolment's new status (as saved in
    `enrolment`), if that change is one we write about."""
    kind = _kind_for(enrolment.status, old_status)
    return queue_email(enrolment, kind) if kind else None


def registration_links_requested(enrolment_ids) -> list[OutboundEmail]:
    """Queue an email that sends the status link again for each enrolment, except those emailed
    within PILOTS_LINK_EMAIL_COOLDOWN seconds (a double submission, or a retried request whose
    first attempt did save, gets one email). A fixed number of queries, plus one task row per
    email with the database task backend. Returns the emails queued."""
    enrolment_ids = list(enrolment_ids)
    with transaction.atomic(savepoint=False):  # joins the caller's transaction
        recent = timezone.now() - dt.timedelta(seconds=settings.PILOTS_LINK_EMAIL_COOLDOWN)
        emailed = set(
            OutboundEmail.objects.filter(enrolment_id__in=enrolment_ids, queued_at__gte=recent)
            .values_list("enrolment_id", flat=True)
        )
        emails = OutboundEmail.objects.bulk_create(
            [OutboundEmail(enrolment_id=pk, kind=EmailKind.LINK) for pk in enrolment_ids if pk not in emailed]
        )
        for email in emails:
            _enqueue(email.pk)
    return emails


def registration_link_requested(*, enrolment_id: int) -> bool:
    """The same for one enrolment; True if an email was queued."""
    return bool(registration_links_requested([enrolment_id]))


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
        if kind in EXTRA_CONTEXT:
            context.update(EXTRA_CONTEXT[kind](enrolment))
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


def retry_delay(attempt: int) -> dt.timedelta:
    """Wait before attempt `attempt` + 1: PILOTS_EMAIL_RETRY_SECONDS, doubling (2, 4, 8, 16 minutes)."""
    return dt.timedelta(seconds=settings.PILOTS_EMAIL_RETRY_SECONDS * 2 ** (attempt - 1))


def _locked_email(email_id: int) -> OutboundEmail:
    try:
        return (
            OutboundEmail.objects.select_for_update(nowait=True, of=("self",))
            .select_related("enrolment__teacher", "enrolment__cohort")
            .get(pk=email_id)
        )
    except OperationalError as exc:
        if isinstance(exc.__cause__, LockNotAvailable):
            raise EmailInProgress(email_id) from exc
        raise


@task()
def send_email(*, email_id: int, attempt: int = 1) -> str:
    """Send one queued email unless it was sent already; on failure count it, re-enqueue it later,
    then fail so that staff see the error."""
    failure = None
    with transaction.atomic():
        try:
            email = _locked_email(email_id)
        except EmailInProgress:
            return "being sent by another worker"
        if email.sent_at is not None:
            _accepted_unrecorded.discard(email_id)
            return "already sent"
        enrolment = email.enrolment
        if email_id in _accepted_unrecorded:
            email.sent_at = timezone.now()
            email.save(update_fields=["sent_at"])
            _accepted_unrecorded.discard(email_id)
            return "already sent"
        if not enrolment.teacher.email:
            return "skipped"
        try:
            render_enrolment_email(enrolment, email.kind).send()
        except Exception as exc:
            failure = exc
            email.attempts += 1
            email.last_error = type(exc).__name__
            email.save(update_fields=["attempts", "last_error"])
            if attempt < settings.PILOTS_EMAIL_MAX_ATTEMPTS and send_email.get_backend().supports_defer:
                _enqueue(email.pk, attempt=attempt + 1, run_after=timezone.now() + retry_delay(attempt))
        else:
            # Committed right after the server's "250 accepted": from here on the email counts as sent.
            _accepted_unrecorded.add(email_id)
            email.attempts += 1
            email.sent_at = timezone.now()
            email.last_error = ""
            email.save(update_fields=["attempts", "sent_at", "last_error"])
    _accepted_unrecorded.discard(email_id)
    if failure is not None:
        logger.warning("Email %s (enrolment %s) failed, attempt %s: %s", email_id, enrolment.pk, attempt,
                       type(failure).__name__)
        raise failure
    return "sent"


# --- teachers' data requests (pilots.privacy) -------------------------------------------------
EMAILS[EmailKind.DATA_REQUEST] = (_("We have received your request about your data"), "data_request")


def data_request_received(*, enrolment: Enrolment) -> OutboundEmail:
    """Queue, in the caller's transaction, the email that confirms a teacher's request about
    their data (sent about their latest enrolment, for its link)."""
    return queue_email(enrolment, EmailKind.DATA_REQUEST)


# --- After the training: certificates, offers, reminders, calendars, surveys. Their kinds are added
# to EMAILS and sent by the same task; their templates get the same context and build their own
# links from `status_url`. Each is queued through `_queue_after_training`, in the caller's transaction.

EMAILS[EmailKind.CERTIFICATE] = (_("Your certificate of completion"), "certificate")
EMAILS[EmailKind.OFFER] = (_("A place is free: accept it before the deadline"), "offer")
EMAILS[EmailKind.REMINDER] = (_("Your training starts in two days"), "reminder")
EMAILS[EmailKind.CALENDAR_UPDATE] = (_("The training's dates or venue have changed"), "calendar_update")
EMAILS[EmailKind.CALENDAR_CANCEL] = (_("Sessions of your training are cancelled"), "calendar_cancel")
EMAILS[EmailKind.SURVEY_INVITE] = (_("Please tell us how the training went for you"), "survey_invite")
EMAILS[EmailKind.SURVEY_CLOSING] = (_("A survey closes soon: your answers count"), "survey_closing")

# Files attached to some kinds of email: the calendar with every session.
ATTACHMENTS = {
    EmailKind.CONFIRMED: [attach_calendar],
    EmailKind.PROMOTED: [attach_calendar],
    EmailKind.REMINDER: [attach_calendar],
    EmailKind.CALENDAR_UPDATE: [attach_calendar],
    # The cancellation (METHOD:CANCEL) and the calendar as it is now, for programs that ignore CANCEL.
    EmailKind.CALENDAR_CANCEL: [attach_cancellation, attach_calendar],
    # A teacher who leaves gets the sessions taken out of their calendar.
    EmailKind.WITHDRAWN: [attach_withdrawal],
    EmailKind.REJECTED: [attach_withdrawal],
}

# What some kinds of email list in their text, from the enrolment.
EXTRA_CONTEXT = {
    EmailKind.CALENDAR_CANCEL: lambda enrolment: {"cancelled": list(cancelled_entries(enrolment.cohort))},
}


def _attach(message, enrolment, kind: str) -> None:
    with translation.override(enrolment.teacher.preferred_language or enrolment.language):
        for attach in ATTACHMENTS.get(kind, ()):
            attach(message, enrolment)


def _queue_after_training(enrolment_id: int, kind: str) -> OutboundEmail:
    # In the caller's transaction, as every email (see queue_email).
    return queue_email(Enrolment.objects.get(pk=enrolment_id), kind)


def certificate_issued(*, enrolment_id: int) -> None:
    """Queue the email that gives a teacher the link to their new certificate."""
    _queue_after_training(enrolment_id, "certificate")


def seat_offered(*, enrolment_id: int) -> None:
    """Queue the email that offers a freed seat to a waitlisted teacher."""
    _queue_after_training(enrolment_id, "offer")


def scheduled_email(*, enrolment_id: int, kind: str) -> None:
    """Queue an email the scheduler decided to send (it records each one first, see
    pilots.scheduler): reminder, calendar_update, calendar_cancel, survey_invite, survey_closing."""
    _queue_after_training(enrolment_id, kind)
