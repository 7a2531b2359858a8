"""Calendar files (RFC 5545, the `icalendar` library): every session of a cohort as an event,
attached to the confirmation emails and offered on the teacher's status page.

Each session keeps one UID; when its date, times or venue change, the scheduler raises its SEQUENCE
(`SessionCalendarState`) and emails the new file, so calendar programs replace the old entry.
"""

import datetime as dt
import hashlib
from urllib.parse import urlsplit

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from icalendar import Calendar, Event

from pilots.choices import SessionMode
from pilots.models import Cohort, Session

from .models import SessionCalendarState


def _local(session: Session, time: dt.time) -> dt.datetime:
    # All three countries are UTC+7 without daylight saving: the project's TIME_ZONE is theirs.
    return timezone.make_aware(dt.datetime.combine(session.date, time))


def location(session: Session, cohort: Cohort) -> str:
    if session.mode == SessionMode.ONLINE:
        return _("Online")
    return session.venue or cohort.venue


def fingerprint(session: Session, cohort: Cohort) -> str:
    """What a calendar entry shows of a session; a change means an update."""
    parts = [session.date.isoformat(), session.starts_at.isoformat(), session.ends_at.isoformat(),
             session.venue or cohort.venue, session.mode, session.title]
    return hashlib.sha256("|".join(parts).encode()).hexdigest()


def sequences(cohort: Cohort, sessions) -> dict[int, int]:
    """{session id: SEQUENCE}; a session seen for the first time starts at 0 with its fingerprint."""
    states = {s.session_id: s for s in SessionCalendarState.objects.filter(session__in=sessions)}
    new = [
        SessionCalendarState(session=session, fingerprint=fingerprint(session, cohort))
        for session in sessions if session.pk not in states
    ]
    if new:
        SessionCalendarState.objects.bulk_create(new, ignore_conflicts=True)
        states = {s.session_id: s for s in SessionCalendarState.objects.filter(session__in=sessions)}
    return {session_id: state.sequence for session_id, state in states.items()}


def cohort_calendar(cohort: Cohort) -> bytes:
    sessions = list(cohort.sessions.select_related("module").order_by("date", "starts_at", "pk"))
    revision = sequences(cohort, sessions)
    host = urlsplit(settings.PILOTS_SITE_URL).hostname or "pilots"
    calendar = Calendar()
    calendar.add("prodid", "-//Pilots//Prevention education//EN")
    calendar.add("version", "2.0")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", cohort.name)
    for session in sessions:
        event = Event()
        event.add("uid", f"session-{session.pk}@{host}")
        event.add("sequence", revision.get(session.pk, 0))
        event.add("dtstamp", timezone.now())
        event.add("dtstart", _local(session, session.starts_at))
        event.add("dtend", _local(session, session.ends_at))
        event.add("summary", f"{cohort.name}: {session.title}")
        event.add("location", location(session, cohort))
        if session.facilitators:
            event.add("description", session.facilitators)
        calendar.add_component(event)
    return calendar.to_ical()


def attach_calendar(message, enrolment) -> None:
    """Attach the cohort's calendar to an email (when it has sessions)."""
    if enrolment.cohort.sessions.exists():
        message.attach("training.ics", cohort_calendar(enrolment.cohort), "text/calendar; charset=utf-8")
