"""Formatting for reports: missing values as a dash, localised numbers, Buddhist Era years."""

from html import escape

from django import template
from django.utils import numberformat
from django.utils.formats import get_format, number_format
from django.utils.html import conditional_escape
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


class _Cells:
    """`num`, `pct` and plain text for the many cells of one table, exactly as the filters and
    autoescaping write them: the language's separators looked up once, and each value (the same
    few counts, scores, rates and labels fill most cells) formatted and escaped once. The values
    are plain strings and numbers from the database, escaped with `html.escape` (what `escape`
    does, without its lazy-string checks on every call)."""

    def __init__(self):
        lang = get_language()
        self.dec, self.grouping, self.thousand = (
            get_format(f, lang, use_l10n=True) for f in ("DECIMAL_SEPARATOR", "NUMBER_GROUPING", "THOUSAND_SEPARATOR")
        )
        # The type is part of the key: 1 and 1.0 are equal but print differently.
        self.seen = {}

    def _formatted(self, value, kind):
        if value is None or value == "":
            return MISSING
        if isinstance(value, int):
            return numberformat.format(value, self.dec, None, self.grouping, self.thousand, force_grouping=True,
                                       use_l10n=True)
        value = rounded(value, kind)
        return numberformat.format(value, self.dec, _places(value), self.grouping, self.thousand,
                                   force_grouping=True, use_l10n=True)

    def num(self, value, kind="mean"):
        key = (type(value), value, kind)
        if key not in self.seen:
            self.seen[key] = escape(self._formatted(value, kind))
        return self.seen[key]

    def pct(self, value):
        key = (type(value), value, "%")
        if key not in self.seen:
            self.seen[key] = MISSING if value is None else escape(f"{self._formatted(value, 'rate')} %")
        return self.seen[key]

    def text(self, value):
        key = (str, value, "")
        if key not in self.seen:
            self.seen[key] = escape(value)
        return self.seen[key]


@register.simple_tag
def roster_rows(roster):
    """The roster's table rows (`PageRosterRow`s from `reports.cohort.page_roster`), every value escaped.

    One tag instead of a template loop: 900 rows x 12 cells through the template engine took
    about 100 ms; this takes a few.
    """
    yes, no = conditional_escape(gettext("yes")), conditional_escape(gettext("no"))
    cells = _Cells()
    num, pct, text = cells.num, cells.pct, cells.text
    out = []
    for e in roster:
        name = escape(e.full_name)
        latin = e.latin_name
        if latin:
            name = f'{name} <span class="text-body-secondary">({escape(latin)})</span>'
        out.append(ROSTER_ROW.format(
            ref=escape(e.reference), name=name, status=text(e.status_label), subjects=text(e.subject_names),
            present=num(e.present, "score"), late=num(e.late, "score"), absent=num(e.absent, "score"),
            excused=num(e.excused_count, "score"), rate=pct(e.attendance_rate),
            pre=num(e.pre_score, "score"), post=num(e.post_score, "score"), gain=num(e.gain, "gain"),
            completed=yes if e.is_completed else no,
        ))
    return mark_safe("    ".join(out))  # noqa: S308 - every part above is escaped


BREAKDOWN_ROW = '<tr><th scope="row">{}</th><td class="text-end">{}</td><td class="text-end">{}</td></tr>'


@register.simple_tag
def breakdown_rows(rows):
    """A breakdown table's rows ({label, registered, participants}, from `reports.cohort`), every
    value escaped: a province table alone has up to ~200 rows, each through the template engine
    cost more than the page's share of its query."""
    cells = _Cells()
    return mark_safe("".join(  # noqa: S308 - every part is escaped
        BREAKDOWN_ROW.format(cells.text(str(r["label"])), cells.num(r["registered"]), cells.num(r["participants"]))
        for r in rows
    ))
