"""Formatting for reports: missing values as a dash, localised numbers, Buddhist Era years."""

from html import escape

from django import template
from django.utils import numberformat
from django.utils.formats import get_format
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


def _separators() -> tuple:
    """The decimal separator, the grouping and the thousand separator of the active language."""
    language = get_language()
    return tuple(get_format(f, language, use_l10n=True)
                 for f in ("DECIMAL_SEPARATOR", "NUMBER_GROUPING", "THOUSAND_SEPARATOR"))


def _number(value, kind, separators) -> str:
    if value is None or value == "":
        return MISSING
    places = None
    if not isinstance(value, int):
        value = rounded(value, kind)
        places = _places(value)
    decimal, grouping, thousand = separators
    return numberformat.format(value, decimal, places, grouping, thousand, force_grouping=True, use_l10n=True)


@register.filter
def num(value, kind="mean"):
    """A localised number with grouping, or a dash when missing; a figure that is not a count is
    rounded by `rounding.rounded` for its kind ("mean", "score", "gain", "g", "rate")."""
    return _number(value, kind, _separators())


@register.filter
def pct(value):
    return MISSING if value is None else f"{num(value, 'rate')} %"


@register.filter
def get_item(mapping, key):
    return getattr(mapping, key, None) if not isinstance(mapping, dict) else mapping.get(key)


class _Cells:
    """The cells of one table, numbers and text, exactly as the `num` and `pct` filters and
    autoescaping write them: the language's separators looked up once, and each value (the same
    few counts, scores, rates and labels fill most cells) formatted and escaped once. The values
    are plain strings and numbers from the database, escaped with `html.escape` (what `escape`
    does, without its lazy-string checks on every call). A cell found again allocates nothing,
    so thousands of cells do not wake the garbage collector."""

    def __init__(self):
        self.separators = _separators()
        self.texts = {}

    def _formatted(self, value, kind):
        return _number(value, kind, self.separators)

    def column(self, kind):
        """A function writing the cell of a value of one `kind`: as `num` writes it for "mean",
        "score", "gain", "g" or "rate", as `pct` for "%"."""
        seen = {}

        def cell(value):
            found = seen.get(value)
            # 1 and 1.0 are equal keys but print differently: the type is kept with the cell.
            if found is None or found[0] is not type(value):
                if kind == "%":
                    text = MISSING if value is None else escape(f"{self._formatted(value, 'rate')} %")
                else:
                    text = escape(self._formatted(value, kind))
                found = seen[value] = (type(value), text)
            return found[1]

        return cell

    def text(self, value):
        cell = self.texts.get(value)
        if cell is None:
            cell = self.texts[value] = escape(value)
        return cell


@register.simple_tag
def roster_rows(roster):
    """The roster's table rows (`PageRosterRow`s from `reports.cohort.page_roster`), every value escaped.

    Written here instead of by a template loop: 900 rows x 12 cells through the template engine
    took about 100 ms; this takes a few.
    """
    yes, no = conditional_escape(gettext("yes")), conditional_escape(gettext("no"))
    cells = _Cells()
    text, count, score, gain, pct = (cells.text, cells.column("mean"), cells.column("score"),
                                     cells.column("gain"), cells.column("%"))
    out = []
    for e in roster:
        name = escape(e.full_name)
        latin = e.latin_name
        if latin:
            name = f'{name} <span class="text-body-secondary">({escape(latin)})</span>'
        out.append(
            f'<tr data-ref="{escape(e.reference)}">\n'
            f'      <th scope="row" class="name">{name}</th>\n'
            f"      <td>{text(e.status_label)}</td>\n"
            f"      <td>{text(e.subject_names)}</td>\n"
            f'      <td class="text-end">{count(e.present)}</td><td class="text-end">{count(e.late)}</td>\n'
            f'      <td class="text-end">{count(e.absent)}</td><td class="text-end">{count(e.excused_count)}</td>\n'
            f'      <td class="text-end">{pct(e.attendance_rate)}</td>\n'
            f'      <td class="text-end">{score(e.pre_score)}</td><td class="text-end">{score(e.post_score)}</td>\n'
            f'      <td class="text-end">{gain(e.gain)}</td>\n'
            f"      <td>{yes if e.is_completed else no}</td>\n"
            "    </tr>\n"
        )
    return mark_safe("    ".join(out))  # noqa: S308 - every part above is escaped


@register.simple_tag
def breakdown_rows(rows):
    """A breakdown table's rows ({label, registered, participants}, from `reports.cohort`), every
    value escaped: a province table alone has up to ~200 rows, each through the template engine
    cost more than the page's share of its query."""
    cells = _Cells()
    text, count = cells.text, cells.column("mean")
    return mark_safe("".join(  # noqa: S308 - every part is escaped
        f'<tr><th scope="row">{text(str(r["label"]))}</th><td class="text-end">{count(r["registered"])}</td>'
        f'<td class="text-end">{count(r["participants"])}</td></tr>'
        for r in rows
    ))
