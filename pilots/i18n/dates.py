"""Dates as each language writes them: the active language's format (Django's, or ours in
pilots/formats/), with Buddhist Era years for Thai readers.

Django's date format has no Buddhist Era: Thai years are written here by adding
`BUDDHIST_ERA_OFFSET` (2026 CE = 2569 BE). Only for Thai: the Cambodian Buddhist Era turns at Visak
Bochea, not on 1 January, so Khmer pages keep Common Era years rather than a wrong year for
January to May.
"""

import datetime as dt

from django.conf import settings
from django.utils import dateformat, timezone
from django.utils.formats import get_format
from django.utils.translation import get_language

from pilots.choices import BUDDHIST_ERA_OFFSET, Language

# Languages whose readers expect Buddhist Era years by default.
BUDDHIST_ERA_LANGUAGES = (Language.THAI,)


def uses_buddhist_era(language: str | None = None) -> bool:
    language = (language or get_language() or settings.LANGUAGE_CODE).split("-")[0]
    return language in BUDDHIST_ERA_LANGUAGES


def with_year(fmt: str, year: int) -> str:
    """`fmt` with every (unescaped) `Y` replaced by `year`, written as literal characters."""
    out, chars = [], iter(fmt)
    for ch in chars:
        if ch == "\\":
            out.append(ch + next(chars, ""))
        elif ch == "Y":
            out.append("".join("\\" + digit for digit in str(year)))
        else:
            out.append(ch)
    return "".join(out)


def format_date(value, format_name: str = "DATE_FORMAT", *, buddhist_era: bool | None = None) -> str:
    """`value` (a date or datetime, shown in local time) in the active language's `format_name`;
    Buddhist Era years when `buddhist_era`, by default for Thai readers only."""
    if value in (None, ""):
        return ""
    if isinstance(value, dt.datetime) and timezone.is_aware(value):
        value = timezone.localtime(value)
    fmt = get_format(format_name)
    if buddhist_era is None:
        buddhist_era = uses_buddhist_era()
    if buddhist_era:
        fmt = with_year(fmt, value.year + BUDDHIST_ERA_OFFSET)
    return dateformat.format(value, fmt)
