"""Calendar revisions: sessions whose date, times or venue changed get a higher SEQUENCE, sessions
deleted (or of a cancelled cohort) are marked cancelled with a higher SEQUENCE; the scheduler then
emails every seated teacher of the cohort once per revision (`pilots.scheduler.jobs`)."""

import datetime as dt

from django.db import transaction
from django.db.models import F, Sum
from django.utils import timezone

from pilots.choices import CohortStatus

from .ics import fingerprint, snapshot
from .models import SessionCalendarState

CHANGED = "changed"
CANCELLED = "cancelled"


def _pending(state: SessionCalendarState) -> str | None:
    """What the scheduler must still tell teachers about this entry: CHANGED, CANCELLED or None."""
    gone = state.session is None or state.cohort.status == CohortStatus.CANCELLED
    if gone:
        return None if state.cancelled else CANCELLED
    if state.cancelled:
        return CHANGED  # the cohort was cancelled, then reopened: the entry comes back
    current = fingerprint(state.session, state.cohort)
    return CHANGED if current != state.fingerprint else None


def _live_states(today: dt.date):
    # An entry cancelled with its session deleted is final: nothing can change it any more.
    return (
        SessionCalendarState.objects.select_related("session", "cohort")
        .filter(cohort__end_date__gte=today)
        .exclude(session__isnull=True, cancelled=True)
    )


def cohorts_to_revise(*, now: dt.datetime | None = None) -> list[int]:
    """The upcoming cohorts with at least one entry to update or cancel (read without locks)."""
    today = timezone.localdate(now or timezone.now())
    return sorted({state.cohort_id for state in _live_states(today) if _pending(state)})


def revise_cohort_calendar(*, cohort_id: int, now: dt.datetime | None = None) -> set[str]:
    """Raise the SEQUENCE of each entry of the cohort that changed or was cancelled; returns what
    happened ({CHANGED, CANCELLED}). Runs in the caller's transaction, under a lock on the entries,
    so that the caller writes the emails with the new revision or neither (a second scheduler
    waits, then finds nothing left to do)."""
    today = timezone.localdate(now or timezone.now())
    with transaction.atomic(savepoint=False):
        states = _live_states(today).filter(cohort_id=cohort_id).select_for_update(of=("self",))
        happened = set()
        for state in states:
            pending = _pending(state)
            if pending is None:
                continue
            changes = {"sequence": F("sequence") + 1, "cancelled": pending == CANCELLED}
            if pending == CHANGED:
                changes.update(snapshot(state.session, state.cohort))
            SessionCalendarState.objects.filter(pk=state.pk).update(**changes)
            happened.add(pending)
    return happened


def calendar_revision(cohort_id: int) -> str:
    """One key per revision of a cohort's calendar: SEQUENCEs only grow and every revision raises
    one, so their sum never repeats."""
    total = SessionCalendarState.objects.filter(cohort_id=cohort_id).aggregate(n=Sum("sequence"))["n"] or 0
    return f"rev-{total}"

