"""Calendar files: the confirmation email and the status page carry every session."""

import pytest
from icalendar import Calendar

from pilots.choices import EnrolmentStatus
from pilots.enrolment import confirm_enrolment
from pilots.status_links import make_registration_token
from tests.factories import EnrolmentFactory, OpenCohortFactory, SessionFactory

pytestmark = pytest.mark.django_db


def _events(data):
    return [c for c in Calendar.from_ical(data).walk("VEVENT")]


def test_confirmation_email_carries_every_session(mailoutbox, django_capture_on_commit_callbacks):
    cohort = OpenCohortFactory(venue="Phnom Penh")
    sessions = [SessionFactory(cohort=cohort, title=f"Day {n}") for n in range(3)]
    enrolment = EnrolmentFactory(cohort=cohort, status=EnrolmentStatus.WAITLISTED)
    with django_capture_on_commit_callbacks(execute=True):
        confirm_enrolment(enrolment=enrolment)
    (email,) = mailoutbox
    name, content, mimetype = email.attachments[0]
    events = _events(content)
    assert name == "training.ics" and mimetype.startswith("text/calendar")
    assert sorted(str(e["summary"]) for e in events) == sorted(f"{cohort.name}: {s.title}" for s in sessions)
    assert {str(e["location"]) for e in events} == {"Phnom Penh"}
    start = events[0].decoded("dtstart")
    assert start.utcoffset() is not None  # a real instant, not a floating time


def test_status_page_offers_the_file_to_seated_teachers_only(client):
    cohort = OpenCohortFactory()
    SessionFactory(cohort=cohort)
    seated = EnrolmentFactory(cohort=cohort)
    waiting = EnrolmentFactory(cohort=cohort, status=EnrolmentStatus.WAITLISTED)
    token = make_registration_token(seated)
    page = client.get(f"/registration/{token}/")
    assert b'id="calendar-link"' in page.content
    response = client.get(f"/registration/{token}/calendar.ics")
    assert response["Content-Type"].startswith("text/calendar") and len(_events(response.content)) == 1
    assert client.get(f"/registration/{make_registration_token(waiting)}/calendar.ics").status_code == 404
