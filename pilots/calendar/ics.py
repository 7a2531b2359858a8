"""Calendar files (RFC 5545, the `icalendar` library): every session of a cohort as an event,
attached to the confirmation emails and offered on the teacher's status page.

Each session keeps one UID; when its date, times or venue change, the scheduler raises its SEQUENCE
(`SessionCalendarState`) and emails the new file, so calendar programs replace the old entry. When a
session is deleted or its cohort cancelled, the scheduler marks the entry cancelled with a higher
SEQUENCE: the file then carries it as STATUS:CANCELLED (RFC 5545 3.8.1.11) and the teachers get an
email with a METHOD:CANCEL file (RFC 5546 3.2.5) that removes it from their calendars.
"""

import datetime as dt
import hashlib
from email.utils import parseaddr
from urllib.parse import urlsplit

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from icalendar import Calendar, Event, vCalAddress

from pilots.choices import SEATED_STATUSES, SessionMode
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


def uid(session: Session) -> str:
    """The event's UID, kept by its entry once made (the entry outlives the session)."""
    host = urlsplit(settings.PILOTS_SITE_URL).hostname or "pilots"
    return f"session-{session.pk}@{host}"


def snapshot(session: Session, cohort: Cohort) -> dict:
    """What an entry records of its session: the fingerprint, and what a cancellation shows."""
    return {
        "fingerprint": fingerprint(session, cohort),
        "title": session.title,
        "starts": _local(session, session.starts_at),
        "ends": _local(session, session.ends_at),
    }


def entries(cohort: Cohort, sessions) -> dict[int, SessionCalendarState]:
    """{session id: entry}; a session seen for the first time gets one at SEQUENCE 0."""
    states = {s.session_id: s for s in SessionCalendarState.objects.filter(session__in=sessions)}
    new = [
        SessionCalendarState(session=session, cohort=cohort, uid=uid(session), **snapshot(session, cohort))
        for session in sessions if session.pk not in states
    ]
    if new:
        SessionCalendarState.objects.bulk_create(new, ignore_conflicts=True)
        states = {s.session_id: s for s in SessionCalendarState.objects.filter(session__in=sessions)}
    return states


def _organizer() -> vCalAddress:
    # RFC 5546 requires an ORGANIZER in PUBLISH and CANCEL: the address our emails come from.
    name, address = parseaddr(settings.DEFAULT_FROM_EMAIL)
    organizer = vCalAddress(f"mailto:{address}")
    if name:
        organizer.params["cn"] = name
    return organizer


def _calendar(cohort: Cohort, method: str) -> Calendar:
    calendar = Calendar()
    calendar.add("prodid", "-//Pilots//Prevention education//EN")
    calendar.add("version", "2.0")
    calendar.add("method", method)
    calendar.add("x-wr-calname", cohort.name)
    return calendar


def _cancelled_event(state: SessionCalendarState, cohort: Cohort, organizer) -> Event:
    event = Event()
    event.add("uid", state.uid)
    event.add("sequence", state.sequence)
    event.add("dtstamp", timezone.now())
    event.add("organizer", organizer)
    event.add("dtstart", state.starts)
    event.add("dtend", state.ends)
    event.add("summary", f"{cohort.name}: {state.title}")
    event.add("status", "CANCELLED")
    return event


def cancelled_entries(cohort: Cohort):
    return cohort.calendar_states.filter(cancelled=True).order_by("starts", "pk")


def cohort_calendar(cohort: Cohort) -> bytes:
    """Every session of the cohort (METHOD:PUBLISH), and every entry cancelled since it was sent
    (STATUS:CANCELLED, same UID, higher SEQUENCE), so that a calendar program drops it."""
    sessions = list(cohort.sessions.select_related("module").order_by("date", "starts_at", "pk"))
    states = entries(cohort, sessions)
    organizer = _organizer()
    calendar = _calendar(cohort, "PUBLISH")
    for session in sessions:
        state = states.get(session.pk)
        if state is not None and state.cancelled:
            continue  # written below with the other cancelled entries
        event = Event()
        event.add("uid", state.uid if state else uid(session))
        event.add("sequence", state.sequence if state else 0)
        event.add("dtstamp", timezone.now())
        event.add("organizer", organizer)
        event.add("dtstart", _local(session, session.starts_at))
        event.add("dtend", _local(session, session.ends_at))
        event.add("summary", f"{cohort.name}: {session.title}")
        event.add("location", location(session, cohort))
        event.add("status", "CONFIRMED")
        if session.facilitators:
            event.add("description", session.facilitators)
        calendar.add_component(event)
    for state in cancelled_entries(cohort):
        calendar.add_component(_cancelled_event(state, cohort, organizer))
    return calendar.to_ical()


def cancellation_calendar(cohort: Cohort, attendee: str = "", states=None) -> bytes:
    """An iTIP cancellation (METHOD:CANCEL) for an email: of `states`, by default every cancelled
    entry of the cohort; addressed to `attendee` (RFC 5546 3.2.5)."""
    organizer = _organizer()
    calendar = _calendar(cohort, "CANCEL")
    for state in cancelled_entries(cohort) if states is None else states:
        event = _cancelled_event(state, cohort, organizer)
        if attendee:
            event.add("attendee", vCalAddress(f"mailto:{attendee}"))
        calendar.add_component(event)
    return calendar.to_ical()


def attach_calendar(message, enrolment) -> None:
    """Attach the cohort's calendar to an email (when it has sessions)."""
    if enrolment.cohort.sessions.exists():
        message.attach("training.ics", cohort_calendar(enrolment.cohort),
                       "text/calendar; method=PUBLISH; charset=utf-8")


def attach_cancellation(message, enrolment) -> None:
    """Attach the cancellation of the cohort's cancelled sessions (RFC 6047: the method in the type)."""
    if cancelled_entries(enrolment.cohort).exists():
        message.attach("cancelled.ics", cancellation_calendar(enrolment.cohort, enrolment.teacher.email),
                       "text/calendar; method=CANCEL; charset=utf-8")


def attach_withdrawal(message, enrolment) -> None:
    """A teacher who held a seat and leaves (withdrawn, rejected) gets every session of the cohort
    cancelled in their own calendar; the entries stay as they are for everyone else."""
    if not enrolment.history.filter(status__in=SEATED_STATUSES).exists():
        return  # never had a seat: never had the calendar
    cohort = enrolment.cohort
    entries(cohort, list(cohort.sessions.all()))
    states = list(cohort.calendar_states.order_by("starts", "pk"))
    if states:
        message.attach("cancelled.ics", cancellation_calendar(cohort, enrolment.teacher.email, states),
                       "text/calendar; method=CANCEL; charset=utf-8")
