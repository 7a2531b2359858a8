"""CSV and XLSX exports of the reports.

CSV is streamed (UTF-8 with a byte-order mark, so Excel reads Khmer and Thai). XLSX is written by
openpyxl in write-only mode to a temporary file that is then streamed, so memory stays flat whatever
the number of rows. A text cell that starts with = + - @ tab or carriage return is written as text:
with a leading apostrophe in CSV, as a string-typed cell in XLSX, so a name never becomes a formula.
Figures are written as `rounding.rounded` gives them (Decimals), so both files show what the page
shows. XLSX text keeps what was stored: XML cannot hold a carriage return (a reader turns it into a
line feed) nor most control characters, so those are written with OOXML's `_xHHHH_` escapes, as
Excel writes and reads them (a literal "_x0041_" in a name is escaped as "_x005F_x0041_").
"""

import csv
import re
import tempfile
from decimal import Decimal

from django.http import FileResponse, StreamingHttpResponse
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell

from pilots.choices import SEATED_STATUSES, AttendanceStatus, EnrolmentStatus, Gender, SchoolLevel

from .cohort import breakdowns, cohort_summary, enrolment_funnel, iter_roster
from .disclosure import HIDDEN, SMALL_CELL, protect
from .rounding import FIGURE_KINDS, rounded

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
BOM = "\ufeff"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def csv_cell(value):
    if value is None:
        return ""
    if isinstance(value, float | Decimal):
        return str(value)  # already rounded, once, by rounding.rounded
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


class _Echo:
    def write(self, value):
        return value


def csv_response(filename, rows):
    """Stream `rows` (an iterable of lists, header first) as CSV."""
    writer = csv.writer(_Echo())

    def lines():
        yield BOM
        for row in rows:
            yield writer.writerow([csv_cell(v) for v in row])

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def xlsx_response(filename, rows, title="Report"):
    """Write `rows` with openpyxl's write-only workbook to a temporary file and stream that file."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=title[:31])
    for row in rows:
        sheet.append([_xlsx_cell(sheet, v) for v in row])
    handle = tempfile.TemporaryFile(suffix=".xlsx")
    workbook.save(handle)
    handle.seek(0)
    return FileResponse(handle, as_attachment=True, filename=filename, content_type=XLSX_TYPE)


# A literal escape sequence, and the characters XML 1.0 cannot hold (tab and line feed it can).
_LITERAL_ESCAPE = re.compile(r"_(x[0-9A-Fa-f]{4}_)")
_NOT_IN_XML = re.compile("[\x00-\x08\x0b-\x1f\ufffe\uffff]")


def ooxml_text(value):
    """`value` with OOXML's escapes, so that the file gives back exactly the stored text."""
    value = _LITERAL_ESCAPE.sub(r"_x005F_\1", value)
    return _NOT_IN_XML.sub(lambda m: f"_x{ord(m.group()):04X}_", value)


def _xlsx_cell(sheet, value):
    if isinstance(value, Promise):
        value = str(value)
    if isinstance(value, str):
        cell = WriteOnlyCell(sheet, value=ooxml_text(value))
        # openpyxl treats a string starting with "=" as a formula: force it back to text.
        cell.data_type = "s"
        return cell
    return value


def roster_rows(cohort):
    yield [
        _("Reference"), _("Family name"), _("Given name"), _("Name (Latin letters)"), _("Gender"),
        _("School level"), _("Province"), _("Subjects"), _("Status"), _("Sessions"),
        AttendanceStatus.PRESENT.label, AttendanceStatus.LATE.label, AttendanceStatus.ABSENT.label,
        AttendanceStatus.EXCUSED.label, _("Attendance (%)"), _("Pre-test"), _("Post-test"), _("Gain"),
        _("Normalised gain"), _("Met the completion rule"),
    ]
    # Labels looked up once: Model.get_FOO_display() rebuilds its choices dict on every call.
    gender = {k: str(v) for k, v in Gender.choices}
    level = {k: str(v) for k, v in SchoolLevel.choices}
    status = {k: str(v) for k, v in EnrolmentStatus.choices}
    yes, no = _("yes"), _("no")
    for e in iter_roster(cohort):
        t = e.teacher
        yield [
            e.reference, t.family_name, t.given_name, t.latin_name, gender.get(t.gender, t.gender),
            level.get(t.school_level, ""), t.province.name if t.province else "",
            e.subject_names, status.get(e.status, e.status), e.sessions_count,
            e.present, e.late, e.absent, e.excused_count, rounded(e.attendance_rate, "rate"),
            rounded(e.pre_score, "score"), rounded(e.post_score, "score"), rounded(e.gain, "gain"),
            rounded(e.norm_gain, "g"), yes if e.is_completed else no,
        ]


OVERVIEW_COLUMNS = [
    ("year", _l("Year")), ("country_label", _l("Country")), ("cohorts", _l("Cohorts")),
    ("registered", _l("Registered")), ("confirmed", _l("Confirmed (taking part)")),
    ("completed", _l("Met the completion rule")),
    ("withdrawn", _l("Withdrawn")), ("attendance_rate", _l("Attendance (%)")),
    ("pre_mean", _l("Pre-test mean")),
    ("pre_n", _l("Pre-tests")), ("post_mean", _l("Post-test mean")), ("post_n", _l("Post-tests")),
    ("missing_post", _l("Post-tests missing")), ("gain_mean", _l("Mean gain")),
    ("gain_n", _l("Teachers with both tests")),
    ("g_mean", _l("Mean normalised gain")), ("g_n", _l("Teachers in normalised gain")),
    ("g_excluded", _l("Left out of normalised gain (pre-test 100)")),
]
# Counts of teachers (the number of cohorts is public: /cohorts/ lists them).
COUNT_KEYS = ["registered", "confirmed", "completed", "withdrawn", "pre_n", "post_n",
              "missing_post", "gain_n", "g_n", "g_excluded"]
# A mean over fewer than five teachers, or over a hidden number of them, would disclose scores.
MEAN_BASIS = {"attendance_rate": "confirmed", "pre_mean": "pre_n", "post_mean": "post_n",
              "gain_mean": "gain_n", "g_mean": "g_n"}
# Sums inside one row that an outsider could subtract: {total: parts}.
ROW_SUMS = {"confirmed": ["post_n", "missing_post"], "gain_n": ["g_n", "g_excluded"]}


def _figure(key, value):
    return rounded(value, FIGURE_KINDS[key]) if isinstance(value, float) else value


def overview_rows(overview):
    """The overview as every programme file has it: rows, subtotals by year and by country, total."""
    yield [str(label) for _key, label in OVERVIEW_COLUMNS]
    every_country, every_year = _("All countries"), _("All years")
    rows = [
        *overview.rows,
        *({**r, "country_label": every_country} for r in overview.by_year),
        *({**r, "year": every_year} for r in overview.by_country),
        overview.total | {"year": _("Total"), "country_label": ""},
    ]
    for row in rows:
        yield [str(row[key]) if key == "country_label" else _figure(key, row[key])
               for key, _label in OVERVIEW_COLUMNS]


def summary_cells(statuses, tables, completed):
    """A cohort's shared summary as cells named whatever the language ({cell: count}), the sums
    that tie them (every status, gender, school level and province table adds up to the cohort's
    registered and confirmed teachers) and the cells to hide (`disclosure.protect`).

    `statuses`: {status: enrolments}; `tables`: {key: rows with value, registered, participants}
    (subjects take no part in the sums: a teacher may teach several)."""
    total_r, total_p = ("total", "", "r"), ("total", "", "p")
    values = {("status", status, "r"): n for status, n in statuses.items()}
    values[total_r] = sum(statuses.values())
    values[total_p] = sum(n for status, n in statuses.items() if status in SEATED_STATUSES)
    values[("completion", "", "p")] = completed
    equations = [
        {total_r: 1, **{("status", status, "r"): -1 for status in statuses}},
        {total_p: 1, **{("status", status, "r"): -1 for status in statuses if status in SEATED_STATUSES}},
    ]
    for key, rows in tables.items():
        for r in rows:
            values[(key, r["value"], "r")] = r["registered"]
            values[(key, r["value"], "p")] = r["participants"]
        if key in SUMMED_BREAKDOWNS:
            for col, total in (("r", total_r), ("p", total_p)):
                equations.append({total: 1, **{(key, r["value"], col): -1 for r in rows}})
    return values, equations, protect(values, equations)


def overview_shared_rows(overview, cohort_tables):
    """The overview for sharing outside the programme, at one fixed granularity whatever the
    filters or the reader: for each country (and "Regional"), its years and its all-years row.
    No row adds up several countries, so the files of readers with different countries hold the
    very same rows for a country and cannot be subtracted from one another. Each country's rows
    are protected on their own, together with the shared summaries of its cohorts
    (`cohort_tables`: `cohort.breakdowns_by_cohort`), since a year's row adds up its cohorts:
    counts under 5 and the cells that would give them away are hidden, and so is every mean
    over a hidden or small number of teachers."""
    yield [str(label) for _key, label in OVERVIEW_COLUMNS]
    every_year = _("All years")
    by_country = {r["country"]: r for r in overview.by_country}
    for country, all_years in by_country.items():
        block = [r for r in overview.rows if r["country"] == country]
        block.append(all_years | {"year": every_year})
        values = {(i, key): row[key] for i, row in enumerate(block) for key in COUNT_KEYS}
        last = len(block) - 1
        equations = [
            {(last, key): 1, **{(i, key): -1 for i in range(last)}} for key in COUNT_KEYS
        ] + [
            {(i, total): 1, **{(i, part): -1 for part in parts}}
            for i in range(len(block)) for total, parts in ROW_SUMS.items()
        ]
        # Each cohort's shared summary, as it is published: its cells, sums and hidden cells.
        given, links = {}, {}
        for cohort_id, cohort in overview.cohorts.items():
            if cohort["country"] != country:
                continue
            row = next(i for i, r in enumerate(block) if r["year"] == cohort["year"])
            statuses = {status: cohort["statuses"].get(status, 0) for status in EnrolmentStatus.values}
            tables = cohort_tables.get(cohort_id) or {key: [] for key in SUMMED_BREAKDOWNS}
            cells, sums, hidden = summary_cells(statuses, tables, cohort["completed"])
            for cell, value in cells.items():
                values[(cohort_id, *cell)] = value
                given[(cohort_id, *cell)] = cell in hidden
            equations += [{(cohort_id, *cell): c for cell, c in eq.items()} for eq in sums]
            for key, cell in LINKED_CELLS.items():
                links.setdefault((row, key), []).append((cohort_id, *cell))
        equations += [{total: 1, **dict.fromkeys(parts, -1)} for total, parts in links.items()]
        hidden = protect(values, equations, given=given)
        for i, row in enumerate(block):
            out = []
            for key, _label in OVERVIEW_COLUMNS:
                value = row[key]
                if key == "country_label":
                    value = str(value)
                elif (i, key) in hidden:
                    value = HIDDEN
                elif key in MEAN_BASIS and value is not None and (
                    (i, MEAN_BASIS[key]) in hidden or (row[MEAN_BASIS[key]] or 0) < SMALL_CELL
                ):
                    value = HIDDEN
                else:
                    value = _figure(key, value)
                out.append(value)
            yield out


# The overview's counts that a cohort's shared summary also publishes: a year's row is their sum.
LINKED_CELLS = {"registered": ("total", "", "r"), "confirmed": ("total", "", "p"),
                "withdrawn": ("status", EnrolmentStatus.WITHDRAWN.value, "r"),
                "completed": ("completion", "", "p")}
SUMMED_BREAKDOWNS = ("gender", "school_level", "province")


def cohort_summary_rows(cohort):
    """The cohort's aggregates for sharing outside the programme: counts under 5, and the cells
    that would give them away through the sums that tie the tables (`summary_cells`), are hidden."""
    funnel = enrolment_funnel(cohort)
    tables = breakdowns(cohort)
    summary = cohort_summary(cohort)
    statuses = {status: n for status, (_label, n) in zip(EnrolmentStatus.values, funnel, strict=True)}
    _cells, _sums, hidden = summary_cells(statuses, {key: rows for key, (_t, rows) in tables.items()},
                                          summary["completed"])

    def shown(cell, value):
        return HIDDEN if cell in hidden else value

    yield [_("Table"), _("Category"), _("Registered"), _("Confirmed (taking part)")]
    yield [_("All enrolments"), _("All"), shown(("total", "", "r"), summary["registered"]),
           shown(("total", "", "p"), summary["confirmed"])]
    for (label, n), status in zip(funnel, EnrolmentStatus.values, strict=True):
        yield [_("Enrolment status"), str(label), shown(("status", status, "r"), n), ""]
    for key, (title, rows) in tables.items():
        for r in rows:
            yield [str(title), r["label"], shown((key, r["value"], "r"), r["registered"]),
                   shown((key, r["value"], "p"), r["participants"])]
    yield [_("Completion"), _("Met the completion rule"), "", shown(("completion", "", "p"), summary["completed"])]
