"""A session deleted, or its cohort cancelled, is cancelled in the teachers' calendars: the file
keeps the entry as STATUS:CANCELLED with the same UID and a higher SEQUENCE, and each seated
teacher gets one email with a METHOD:CANCEL file, however often the scheduler runs."""

import datetime as dt
import io
import threading

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command
from django.db import connections
from icalendar import Calendar

from pilots import notifications
from pilots.choices import CohortStatus, EmailKind, EnrolmentStatus
from pilots.enrolment import withdraw_enrolment
from pilots.models import OutboundEmail
from pilots.scheduler import jobs
from pilots.scheduler.models import JobOutcome, JobRun
from pilots.status_links import make_registration_token
from tests.factories import CohortFactory, EnrolmentFactory, SessionFactory

pytestmark = pytest.mark.django_db

TZ = dt.timezone(dt.timedelta(hours=7))
START = dt.date(2030, 3, 10)
BEFORE = dt.datetime(2030, 2, 1, 9, tzinfo=TZ)


def _cohort():
    cohort = CohortFactory(start_date=START, end_date=START + dt.timedelta(days=2), year=2030)
    SessionFactory(cohort=cohort, date=START, title="Risk factors")
    SessionFactory(cohort=cohort, date=START + dt.timedelta(days=1), title="Countering hate speech")
    return cohort


def _run(when, capture):
    with time_machine.travel(when, tick=False), capture(execute=True):
        call_command("run_scheduler", "--once", stdout=io.StringIO())


def _feed(client, enrolment):
    with time_machine.travel(BEFORE, tick=False):
        response = client.get(f"/registration/{make_registration_token(enrolment)}/calendar.ics")
    return {str(e["uid"]): e for e in Calendar.from_ical(response.content).walk("VEVENT")}


def _attachment(email, name):
    (content,) = [c for n, c, _m in email.attachments if n == name]
    return Calendar.from_ical(content)


def test_a_deleted_session_stays_in_the_file_as_cancelled_with_a_higher_sequence(
    client, django_capture_on_commit_callbacks
):
    cohort = _cohort()
    enrolment = EnrolmentFactory(cohort=cohort)
    before = _feed(client, enrolment)  # the teacher has both sessions in their calendar
    kept, deleted = cohort.sessions.order_by("date")
    uid = next(u for u, e in before.items() if str(e["summary"]).endswith(deleted.title))
    assert before[uid]["sequence"] == 0
    deleted.delete()
    _run(BEFORE, django_capture_on_commit_callbacks)
    after = _feed(client, enrolment)
    assert set(after) == set(before)
    assert str(after[uid]["status"]) == "CANCELLED" and after[uid]["sequence"] == 1
    assert after[uid].decoded("dtstart") == before[uid].decoded("dtstart")
    (other,) = set(after) - {uid}
    assert str(after[other]["status"]) == "CONFIRMED" and after[other]["sequence"] == 0


def test_teachers_get_exactly_one_cancellation_email(client, mailoutbox, django_capture_on_commit_callbacks):
    cohort = _cohort()
    seated = [EnrolmentFactory(cohort=cohort), EnrolmentFactory(cohort=cohort, status=EnrolmentStatus.COMPLETED)]
    EnrolmentFactory(cohort=cohort, status=EnrolmentStatus.WAITLISTED)
    uids = set(_feed(client, seated[0]))
    session = cohort.sessions.get(title="Risk factors")
    session.delete()
    for minutes in (0, 5, 10):  # the scheduler runs again and again: nothing twice
        _run(BEFORE + dt.timedelta(minutes=minutes), django_capture_on_commit_callbacks)
    assert sorted(m.to[0] for m in mailoutbox) == sorted(e.teacher.email for e in seated)
    email = mailoutbox[0]
    assert "Risk factors" in email.body and "Countering hate speech" not in email.body
    mimetypes = {name: mimetype for name, _c, mimetype in email.attachments}
    assert mimetypes["cancelled.ics"].startswith("text/calendar; method=CANCEL")
    cancel = _attachment(email, "cancelled.ics")
    assert str(cancel["method"]) == "CANCEL"
    (event,) = cancel.walk("VEVENT")
    assert str(event["uid"]) in uids and event["sequence"] == 1 and str(event["status"]) == "CANCELLED"
    assert str(event["organizer"]).startswith("mailto:")
    assert OutboundEmail.objects.filter(kind=EmailKind.CALENDAR_UPDATE).count() == 0


def test_a_cancelled_cohort_cancels_every_session_in_one_email(client, mailoutbox, django_capture_on_commit_callbacks):
    cohort = _cohort()
    enrolment = EnrolmentFactory(cohort=cohort)
    uids = set(_feed(client, enrolment))
    cohort.status = CohortStatus.CANCELLED
    cohort.save()
    _run(BEFORE, django_capture_on_commit_callbacks)
    _run(BEFORE + dt.timedelta(minutes=5), django_capture_on_commit_callbacks)
    (email,) = mailoutbox
    events = _attachment(email, "cancelled.ics").walk("VEVENT")
    assert {str(e["uid"]) for e in events} == uids
    assert {e["sequence"] for e in events} == {1}
    assert {str(e["status"]) for e in _feed(client, enrolment).values()} == {"CANCELLED"}


def test_sessions_nobody_was_sent_are_deleted_without_an_email(mailoutbox, django_capture_on_commit_callbacks):
    cohort = _cohort()
    EnrolmentFactory(cohort=cohort)
    cohort.sessions.first().delete()  # no calendar file was ever made: no teacher has the entry
    _run(BEFORE, django_capture_on_commit_callbacks)
    assert mailoutbox == []


def test_a_run_that_fails_half_way_leaves_the_cancellation_to_the_next_run(
    client, mailoutbox, monkeypatch, django_capture_on_commit_callbacks
):
    cohort = _cohort()
    enrolments = [EnrolmentFactory(cohort=cohort) for _ in range(3)]
    uids = set(_feed(client, enrolments[0]))
    cohort.sessions.get(title="Risk factors").delete()
    queue = notifications.scheduled_email
    calls = []

    def fails_on_the_second_email(**kwargs):
        calls.append(kwargs)
        if len(calls) == 2:
            raise ConnectionError("the database went away")
        queue(**kwargs)

    monkeypatch.setattr(notifications, "scheduled_email", fails_on_the_second_email)
    _run(BEFORE, django_capture_on_commit_callbacks)
    assert JobRun.objects.get(job="calendar_updates").outcome == JobOutcome.FAILED
    assert mailoutbox == []  # nothing half-sent
    monkeypatch.setattr(notifications, "scheduled_email", queue)
    _run(BEFORE + dt.timedelta(minutes=5), django_capture_on_commit_callbacks)
    _run(BEFORE + dt.timedelta(minutes=10), django_capture_on_commit_callbacks)
    assert sorted(m.to[0] for m in mailoutbox) == sorted(e.teacher.email for e in enrolments)
    cancelled = [e for u, e in _feed(client, enrolments[0]).items() if str(e["status"]) == "CANCELLED"]
    assert [(str(e["uid"]) in uids, e["sequence"]) for e in cancelled] == [(True, 1)]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_schedulers_at_once_send_one_cancellation(client, mailoutbox):
    cohort = _cohort()
    enrolments = [EnrolmentFactory(cohort=cohort) for _ in range(4)]
    _feed(client, enrolments[0])
    cohort.sessions.get(title="Risk factors").delete()
    barrier = threading.Barrier(2)
    errors = []

    def run():
        try:
            barrier.wait(timeout=30)
            jobs.calendar_updates(BEFORE)
        except Exception as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    assert sorted(m.to[0] for m in mail.outbox) == sorted(e.teacher.email for e in enrolments)
    cancelled = [e for e in _feed(client, enrolments[0]).values() if str(e["status"]) == "CANCELLED"]
    assert [e["sequence"] for e in cancelled] == [1]


def test_a_teacher_who_withdraws_gets_every_session_cancelled_in_their_calendar(
    client, mailoutbox, django_capture_on_commit_callbacks
):
    cohort = _cohort()
    seated = EnrolmentFactory(cohort=cohort)
    waiting = EnrolmentFactory(cohort=cohort, status=EnrolmentStatus.WAITLISTED)
    uids = set(_feed(client, seated))
    with django_capture_on_commit_callbacks(execute=True):
        withdraw_enrolment(enrolment=waiting)  # first: else the freed seat would promote them
        withdraw_enrolment(enrolment=seated)
    by_teacher = {m.to[0]: m for m in mailoutbox}
    cancel = _attachment(by_teacher[seated.teacher.email], "cancelled.ics")
    assert str(cancel["method"]) == "CANCEL"
    events = cancel.walk("VEVENT")
    assert {str(e["uid"]) for e in events} == uids
    assert {str(e["attendee"]) for e in events} == {f"mailto:{seated.teacher.email}"}
    assert by_teacher[waiting.teacher.email].attachments == []  # never had a seat, nor the calendar
    # Everyone else keeps the sessions: nothing is cancelled in the cohort's file.
    assert {str(e["status"]) for e in _feed(client, EnrolmentFactory(cohort=cohort)).values()} == {"CONFIRMED"}
