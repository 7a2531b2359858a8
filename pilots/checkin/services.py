"""Checking in: staff open a session's check-in; a teacher checks in with the current code."""

import datetime as dt
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from pilots import data_version
from pilots.choices import SEATED_STATUSES, AttendanceStatus
from pilots.history import change_reason
from pilots.models import Attendance, Enrolment

from .codes import ACCEPTED_WINDOWS, code_age
from .models import SelfCheckIn, SessionCheckIn


class CheckInError(ValidationError):
    """A check-in refused, with a `code`: wrong_code, expired_code, other_session, not_confirmed."""


@dataclass
class CheckInResult:
    attendance: Attendance
    created: bool  # False: the teacher had already checked in (or staff had recorded them)


def open_check_in(*, session, user=None, grace_minutes=15) -> SessionCheckIn:
    """Open (or re-open) the check-in of a session; the secret stays, so a screen left open keeps
    showing valid codes."""
    check_in, created = SessionCheckIn.objects.get_or_create(
        session=session, defaults={"opened_by": user, "grace_minutes": grace_minutes})
    if not created and (check_in.closed_at or check_in.grace_minutes != grace_minutes):
        check_in.closed_at, check_in.grace_minutes = None, grace_minutes
        check_in.save(update_fields=["closed_at", "grace_minutes"])
    return check_in


def close_check_in(*, session) -> None:
    SessionCheckIn.objects.filter(session=session, closed_at__isnull=True).update(closed_at=timezone.now())


def _status_at(check_in: SessionCheckIn, now) -> str:
    session = check_in.session
    starts = dt.datetime.combine(session.date, session.starts_at, tzinfo=timezone.get_default_timezone())
    late_from = starts + dt.timedelta(minutes=check_in.grace_minutes)
    return AttendanceStatus.LATE if now > late_from else AttendanceStatus.PRESENT


def _find_session(code: str, now, session_id=None) -> SessionCheckIn:
    """The open check-in whose current code is `code`, or the reason none is."""
    code = "".join(ch for ch in code if ch.isdigit())
    # Only sessions of these days: a check-in left open last month must not take codes today.
    today = timezone.localdate(now)
    open_ones = list(SessionCheckIn.objects.filter(
        closed_at__isnull=True, session__date__range=(today - dt.timedelta(days=1), today + dt.timedelta(days=1)),
    ).select_related("session", "session__cohort"))
    ages = {c.pk: code_age(c.secret, code, now) for c in open_ones} if len(code) == 6 else {}
    valid = [c for c in open_ones if ages.get(c.pk) is not None and ages[c.pk] < ACCEPTED_WINDOWS]
    if session_id is not None:
        wanted = [c for c in valid if c.session_id == session_id]
        if not wanted and valid:
            raise CheckInError(_("This code belongs to another session. Scan or type the code "
                                 "shown in your room."), code="other_session")
        valid = wanted
    if valid:
        return valid[0]
    if any(age is not None for age in ages.values()):
        raise CheckInError(_("This code has expired: codes change every 30 seconds. Type the code "
                             "shown on the screen now."), code="expired_code")
    raise CheckInError(_("This code is not right. Type the six digits shown on the screen."),
                       code="wrong_code")


def check_in_teacher(*, code: str, email: str = "", enrolment: Enrolment | None = None,
                     session_id: int | None = None, now=None) -> CheckInResult:
    """Mark a confirmed teacher present (late after the session's grace period) at the session
    whose current code is `code`. The teacher is `enrolment` (from their status link) or found by
    `email` in that session's cohort. Checking in twice changes nothing: one attendance and one
    self check-in per teacher and session, held by the database's unique constraints."""
    now = now or timezone.now()
    check_in = _find_session(code, now, session_id)
    session = check_in.session
    if enrolment is not None and enrolment.cohort_id != session.cohort_id:
        raise CheckInError(_("This code belongs to a session of another training. Scan or type "
                             "the code shown in your room."), code="other_session")
    if enrolment is None:
        enrolment = (Enrolment.objects.filter(cohort_id=session.cohort_id, teacher__email=email.strip().casefold())
                     .select_related("teacher").first()) if email.strip() else None
    if enrolment is None or enrolment.status not in SEATED_STATUSES:
        raise CheckInError(_("We could not find a confirmed place in this training for you. Check "
                             "the email address you registered with, or ask the staff in the room."),
                           code="not_confirmed")
    try:
        with transaction.atomic(), change_reason("check-in"):
            attendance, created = Attendance.objects.get_or_create(
                enrolment=enrolment, session=session, defaults={"status": _status_at(check_in, now)})
            if created:
                SelfCheckIn.objects.create(session=session, enrolment=enrolment, attendance=attendance,
                                           checked_in_at=now)
                data_version.data_changed(cohorts=[session.cohort_id])
    except IntegrityError:
        # The same teacher checked in at the same moment from another request: that one counts.
        attendance, created = Attendance.objects.get(enrolment=enrolment, session=session), False
    return CheckInResult(attendance=attendance, created=created)
