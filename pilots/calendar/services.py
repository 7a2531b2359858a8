"""Calendar updates: sessions whose date, times or venue changed get a higher SEQUENCE, and every
seated teacher of the cohort an email with the new file (once per revision)."""

import datetime as dt

from django.db import transaction
from django.utils import timezone

from .ics import fingerprint
from .models import SessionCalendarState


def revise_changed_sessions(*, now: dt.datetime | None = None) -> set[int]:
    """Raise the SEQUENCE of each upcoming session whose entry changed; returns the cohorts touched.
    Sessions nobody has a calendar entry for yet (no state) have nothing to update."""
    today = timezone.localdate(now or timezone.now())
    cohorts = set()
    states = SessionCalendarState.objects.select_related("session__cohort").filter(session__cohort__end_date__gte=today)
    for state in states:
        current = fingerprint(state.session, state.session.cohort)
        if current == state.fingerprint:
            continue
        with transaction.atomic():
            updated = SessionCalendarState.objects.filter(pk=state.pk, fingerprint=state.fingerprint).update(
                fingerprint=current, sequence=state.sequence + 1
            )
        if updated:
            cohorts.add(state.session.cohort_id)
    return cohorts


def calendar_revision(cohort_id: int) -> str:
    """One key for a cohort's calendar as it is now: the sum of its sessions' revisions."""
    revisions = SessionCalendarState.objects.filter(session__cohort_id=cohort_id).values_list(
        "session_id", "sequence"
    )
    return "-".join(f"{s}.{n}" for s, n in sorted(revisions))[:100]


