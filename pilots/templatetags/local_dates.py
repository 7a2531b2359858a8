"""`{{ cohort.start_date|local_date }}`: the date as the reader's language writes it (Buddhist Era
years for Thai readers), see pilots/i18n/dates.py."""

from django import template

from pilots.i18n.dates import format_date

register = template.Library()


@register.filter
def local_date(value, format_name="DATE_FORMAT"):
    return format_date(value, format_name)
