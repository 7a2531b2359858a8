"""Formatting for reports: missing values as a dash, localised numbers, Buddhist Era years."""

from django import template
from django.utils import numberformat
from django.utils.formats import get_format, number_format
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import mark_safe
from django.utils.translation import get_language, gettext

from pilots.choices import BUDDHIST_ERA_OFFSET
from pilots.i18n.dates import format_date
from pilots.reports.rounding import rounded

register = template.Library()

MISSING = "–"


@register.filter
def era_year(year, era="ce"):
    if year in (None, ""):
        return MISSING
    try:
        year = int(year)
    except (TypeError, ValueError):
        return year
    return str(year + BUDDHIST_ERA_OFFSET if era == "be" else year)


@register.filter
def era_date(value, era="ce"):
    """The date in the active language's DATE_FORMAT, its year in the Buddhist Era if asked."""
    if not value:
        return MISSING
    return format_date(value, "DATE_FORMAT", buddhist_era=era == "be")


def _places(value):
    return max(-value.as_tuple().exponent, 0)


@register.filter
def num(value, kind="mean"):
    """A localised number with grouping, or a dash when missing; a figure that is not a count is
    rounded by `rounding.rounded` for its kind ("mean", "score", "gain", "g", "rate")."""
    if value is None or value == "":
        return MISSING
    if isinstance(value, int):
        return number_format(value, force_grouping=True)
    value = rounded(value, kind)
    return number_format(value, _places(value), force_grouping=True)


@register.filter
def pct(value):
    return MISSING if value is None else f"{num(value, 'rate')} %"


@register.filter
def get_item(mapping, key):
    return getattr(mapping, key, None) if not isinstance(mapping, dict) else mapping.get(key)


ROSTER_ROW = (
    '<tr data-ref="{ref}">\n'
    '      <th scope="row" class="name">{name}</th>\n'
    "      <td>{status}</td>\n"
    "      <td>{subjects}</td>\n"
    '      <td class="text-end">{present}</td><td class="text-end">{late}</td>\n'
    '      <td class="text-end">{absent}</td><td class="text-end">{excused}</td>\n'
    '      <td class="text-end">{rate}</td>\n'
    '      <td class="text-end">{pre}</td><td class="text-end">{post}</td>\n'
    '      <td class="text-end">{gain}</td>\n'
    "      <td>{completed}</td>\n"
    "    </tr>\n"
)


@register.simple_tag
def roster_rows(roster):
    """The roster's table rows (enrolments from `reports.roster`), every value escaped.

    One tag instead of a template loop: 900 rows x 12 cells through the template engine took
    about 100 ms; this takes a few.
    """
    esc = conditional_escape
    yes, no = esc(gettext("yes")), esc(gettext("no"))
    # num and pct with the language's separators looked up once, not for each of ~7,000 cells.
    lang = get_language()
    dec, grouping, thousand = (get_format(f, lang, use_l10n=True)
                               for f in ("DECIMAL_SEPARATOR", "NUMBER_GROUPING", "THOUSAND_SEPARATOR"))

    def formatted(value, kind):
        if value is None or value == "":
            return MISSING
        if isinstance(value, int):
            return numberformat.format(value, dec, None, grouping, thousand, force_grouping=True, use_l10n=True)
        value = rounded(value, kind)
        return numberformat.format(value, dec, _places(value), grouping, thousand, force_grouping=True,
                                   use_l10n=True)

    # The same few values (counts 0-10, scores 0-100, a few rates) fill most cells: each is formatted
    # and escaped once. The type is part of the key: 1 and 1.0 are equal but print differently.
    seen = {}

    def num(value, kind="score"):
        key = (type(value), value, kind)
        if key not in seen:
            seen[key] = esc(formatted(value, kind))
        return seen[key]

    def pct(value):
        key = (type(value), value, "%")
        if key not in seen:
            seen[key] = MISSING if value is None else esc(f"{formatted(value, 'rate')} %")
        return seen[key]

    out = []
    for e in roster:
        t = e.teacher
        name = esc(t.full_name)
        latin = t.latin_name
        if latin:
            name = format_html('{} <span class="text-body-secondary">({})</span>', name, latin)
        out.append(ROSTER_ROW.format(
            ref=esc(e.reference), name=name, status=esc(e.status_label),
            subjects=esc(e.subject_names),
            present=num(e.present), late=num(e.late), absent=num(e.absent),
            excused=num(e.excused_count), rate=pct(e.attendance_rate),
            pre=num(e.pre_score), post=num(e.post_score), gain=num(e.gain, "gain"),
            completed=yes if e.is_completed else no,
        ))
    return mark_safe("    ".join(out))  # noqa: S308 - every part above is escaped
