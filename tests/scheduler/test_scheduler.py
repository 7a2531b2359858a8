"""The scheduler on a frozen clock: reminders two days before the first session, calendar updates
after a change, offer expiry; running it twice sends nothing twice."""

import datetime as dt
import io

import pytest
import time_machine
from django.core.management import call_command
from django.utils import timezone

from pilots.choices import EnrolmentStatus
from pilots.enrolment import withdraw_enrolment
from pilots.offers.models import OfferStatus, SeatOffer, WaitlistPolicy
from pilots.scheduler.models import JobOutcome, JobRun, Notice
from pilots.scheduler.runner import run_jobs
from pilots.status_links import make_registration_token
from tests.factories import CohortFactory, EnrolmentFactory, SessionFactory

pytestmark = pytest.mark.django_db

TZ = dt.timezone(dt.timedelta(hours=7))
START = dt.date(2030, 3, 10)


def _cohort(**kwargs):
    cohort = CohortFactory(start_date=START, end_date=START + dt.timedelta(days=2), year=2030, **kwargs)
    SessionFactory(cohort=cohort, date=START)
    SessionFactory(cohort=cohort, date=START + dt.timedelta(days=1))
    return cohort


def _run(when, django_capture_on_commit_callbacks):
    with time_machine.travel(when, tick=False), django_capture_on_commit_callbacks(execute=True):
        call_command("run_scheduler", "--once", stdout=io.StringIO())


def test_reminder_two_days_before_the_first_session_once(mailoutbox, django_capture_on_commit_callbacks):
    cohort = _cohort()
    seated = EnrolmentFactory(cohort=cohort)
    EnrolmentFactory(cohort=cohort, status=EnrolmentStatus.WAITLISTED)
    _run(dt.datetime(2030, 3, 7, 9, 0, tzinfo=TZ), django_capture_on_commit_callbacks)  # three days before
    assert mailoutbox == []
    _run(dt.datetime(2030, 3, 8, 6, 0, tzinfo=TZ), django_capture_on_commit_callbacks)
    _run(dt.datetime(2030, 3, 8, 6, 5, tzinfo=TZ), django_capture_on_commit_callbacks)  # again: nothing twice
    _run(dt.datetime(2030, 3, 9, 6, 0, tzinfo=TZ), django_capture_on_commit_callbacks)
    (email,) = mailoutbox
    assert email.to == [seated.teacher.email]
    assert email.attachments[0][0] == "training.ics"
    assert Notice.objects.get().key == "2030-03-10"
    assert JobRun.objects.filter(job="session_reminders", outcome=JobOutcome.OK).count() == 4


def test_a_change_of_venue_sends_an_update_with_a_higher_sequence(client, mailoutbox,
                                                                  django_capture_on_commit_callbacks):
    cohort = _cohort()
    enrolment = EnrolmentFactory(cohort=cohort)
    url = f"/registration/{make_registration_token(enrolment)}/calendar.ics"
    with time_machine.travel(dt.datetime(2030, 2, 1, tzinfo=TZ), tick=False):
        first = client.get(url).content.decode()
        assert first.count("BEGIN:VEVENT") == 2 and "SEQUENCE:0" in first
        _run(dt.datetime(2030, 2, 1, 1, tzinfo=TZ), django_capture_on_commit_callbacks)
        assert mailoutbox == []  # nothing changed
        session = cohort.sessions.order_by("date").first()
        session.venue = "Battambang Teacher Training Centre"
        session.save()
        _run(dt.datetime(2030, 2, 1, 2, tzinfo=TZ), django_capture_on_commit_callbacks)
        _run(dt.datetime(2030, 2, 1, 3, tzinfo=TZ), django_capture_on_commit_callbacks)
    (email,) = mailoutbox
    name, content, mimetype = email.attachments[0]
    assert mimetype.startswith("text/calendar")
    text = content.decode() if isinstance(content, bytes) else content
    assert "SEQUENCE:1" in text and "Battambang Teacher Training Centre" in text
    assert f"UID:session-{session.pk}@" in text


def test_offer_expiry_passes_the_seat_on_at_the_deadline(mailoutbox, django_capture_on_commit_callbacks):
    cohort = _cohort(capacity=1)
    WaitlistPolicy.objects.create(programme=cohort.programme)
    seated = EnrolmentFactory(cohort=cohort)
    first = EnrolmentFactory(cohort=cohort, status=EnrolmentStatus.WAITLISTED)
    second = EnrolmentFactory(cohort=cohort, status=EnrolmentStatus.WAITLISTED)
    offered = dt.datetime(2030, 1, 10, 9, 0, tzinfo=TZ)
    with time_machine.travel(offered, tick=False):
        withdraw_enrolment(enrolment=seated)
    _run(offered + dt.timedelta(hours=47), django_capture_on_commit_callbacks)
    assert SeatOffer.objects.open().get().enrolment == first
    _run(offered + dt.timedelta(hours=48), django_capture_on_commit_callbacks)
    _run(offered + dt.timedelta(hours=48, minutes=5), django_capture_on_commit_callbacks)
    statuses = dict(SeatOffer.objects.values_list("enrolment_id", "status"))
    assert statuses == {first.pk: OfferStatus.EXPIRED, second.pk: OfferStatus.OPEN}
    assert [m.to for m in mailoutbox] == [[second.teacher.email]]


def test_a_failing_job_is_recorded_and_the_others_run(monkeypatch):
    from pilots.scheduler import jobs

    def broken(now):
        raise RuntimeError("boom")

    monkeypatch.setitem(jobs.JOBS, "offer_expiry", broken)
    runs = {run.job: run for run in run_jobs(now=timezone.now())}
    assert runs["offer_expiry"].outcome == JobOutcome.FAILED and "boom" in runs["offer_expiry"].error
    assert runs["session_reminders"].outcome == JobOutcome.OK


def test_survey_invitation_once_and_a_reminder_before_it_closes(mailoutbox, django_capture_on_commit_callbacks):
    from pilots.surveys.services import create_default_surveys, submit_response

    cohort = _cohort()
    create_default_surveys(programme=cohort.programme, follow_up_months=())
    answered, silent = EnrolmentFactory(cohort=cohort), EnrolmentFactory(cohort=cohort)
    end = cohort.end_date  # 2030-03-12; the reaction survey is open 30 days from then
    _run(dt.datetime(2030, 3, 12, 8, tzinfo=TZ), django_capture_on_commit_callbacks)
    _run(dt.datetime(2030, 3, 13, 8, tzinfo=TZ), django_capture_on_commit_callbacks)
    assert sorted(m.to[0] for m in mailoutbox) == sorted([answered.teacher.email, silent.teacher.email])
    assert set(Notice.objects.values_list("kind", flat=True)) == {"survey_invite"}
    survey = cohort.programme.surveys.get()
    submit_response(survey=survey, enrolment=answered, answers={}, language="km", today=end)
    mailoutbox.clear()
    _run(dt.datetime(2030, 4, 7, 8, tzinfo=TZ), django_capture_on_commit_callbacks)  # 4 days before closing
    _run(dt.datetime(2030, 4, 8, 8, tzinfo=TZ), django_capture_on_commit_callbacks)
    assert [m.to for m in mailoutbox] == [[silent.teacher.email]]
    assert Notice.objects.get(kind="survey_closing").enrolment == silent


def test_every_revision_of_a_long_cohort_sends_its_update(client, mailoutbox, django_capture_on_commit_callbacks):
    # The occasion's key once listed every session's revision, cut at 100 characters: with many
    # sessions a change to the last ones left the key as it was, and no update went out.
    cohort = CohortFactory(start_date=START, end_date=START + dt.timedelta(days=40), year=2030)
    sessions = [SessionFactory(cohort=cohort, date=START + dt.timedelta(days=n)) for n in range(30)]
    enrolment = EnrolmentFactory(cohort=cohort)
    with time_machine.travel(dt.datetime(2030, 2, 1, tzinfo=TZ), tick=False):
        client.get(f"/registration/{make_registration_token(enrolment)}/calendar.ics")
    last = sessions[-1]
    for n, venue in enumerate(["Kampot", "Kep"]):
        last.venue = venue
        last.save()
        _run(dt.datetime(2030, 2, 1, 2 + n, tzinfo=TZ), django_capture_on_commit_callbacks)
    assert [m.to for m in mailoutbox] == [[enrolment.teacher.email]] * 2
