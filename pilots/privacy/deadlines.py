"""Legal due dates of a data request, from the country's rule (settings.PILOTS_PRIVACY_DEADLINES)
and its public holidays (PublicHoliday)."""

import datetime as dt

from django.conf import settings
from django.utils import timezone

from pilots.models import PublicHoliday


def rule_for(country: str) -> dict:
    rules = settings.PILOTS_PRIVACY_DEADLINES
    return rules.get(country or "", rules[""])


def add_working_days(start: dt.date, days: int, country: str) -> dt.date:
    """`days` working days after `start` (Monday to Friday, the country's public holidays left out)."""
    horizon = start + dt.timedelta(days=days * 3 + 14)  # far enough for any run of holidays
    holidays = set(
        PublicHoliday.objects.filter(country=country, date__gt=start, date__lte=horizon).values_list("date", flat=True)
    ) if country else set()
    day = start
    while days > 0:
        day += dt.timedelta(days=1)
        if day.weekday() < 5 and day not in holidays:
            days -= 1
    return day


def due_dates(*, country: str, kind: str, received_at) -> tuple[dt.date | None, dt.date]:
    """(acknowledge by, act by) for a request of `kind` received at `received_at` (local dates)."""
    rule = rule_for(country)
    received = timezone.localdate(received_at)
    ack_days = rule.get("acknowledge_working_days")
    acknowledge_by = add_working_days(received, ack_days, country) if ack_days else None
    due_on = received + dt.timedelta(days=rule.get("days", {}).get(kind, rule["default_days"]))
    return acknowledge_by, due_on
