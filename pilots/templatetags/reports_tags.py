"""Formatting for reports: missing values as a dash, localised numbers, Buddhist Era years."""

from django import template
from django.utils import dateformat
from django.utils.formats import get_format, number_format

register = template.Library()

BE_OFFSET = 543  # 2024 CE = 2567 BE
MISSING = "–"


@register.filter
def era_year(year, era="ce"):
    if year in (None, ""):
        return MISSING
    try:
        year = int(year)
    except (TypeError, ValueError):
        return year
    return str(year + BE_OFFSET if era == "be" else year)


@register.filter
def era_date(value, era="ce"):
    """The date in the active language's DATE_FORMAT, its year in the Buddhist Era if asked."""
    if not value:
        return MISSING
    fmt = get_format("DATE_FORMAT")
    if era == "be":
        year = str(value.year + BE_OFFSET)
        escaped = "".join("\\" + ch for ch in year)
        fmt = fmt.replace("Y", escaped)
    return dateformat.format(value, fmt)


@register.filter
def num(value, digits=1):
    """A localised number with grouping, or a dash when missing."""
    if value is None or value == "":
        return MISSING
    if isinstance(value, int):
        return number_format(value, force_grouping=True)
    return number_format(round(value, int(digits)), int(digits), force_grouping=True)


@register.filter
def pct(value):
    return MISSING if value is None else f"{number_format(round(value, 1), 1, force_grouping=True)} %"


@register.filter
def get_item(mapping, key):
    return getattr(mapping, key, None) if not isinstance(mapping, dict) else mapping.get(key)
