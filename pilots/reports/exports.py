"""CSV and XLSX exports of the reports.

CSV is streamed (UTF-8 with a byte-order mark, so Excel reads Khmer and Thai). XLSX is written by
openpyxl in write-only mode to a temporary file that is then streamed, so memory stays flat whatever
the number of rows. A text cell that starts with = + - @ tab or carriage return is written as text:
with a leading apostrophe in CSV, as a string-typed cell in XLSX, so a name never becomes a formula.
"""

import csv
import tempfile

from django.http import FileResponse, StreamingHttpResponse
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell

from pilots.choices import AttendanceStatus, EnrolmentStatus, Gender, SchoolLevel

from .cohort import breakdowns, cohort_summary, enrolment_funnel, iter_roster
from .disclosure import SMALL_CELL, suppress

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
BOM = "\ufeff"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def csv_cell(value):
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.2f}"
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


def _xlsx_cell(sheet, value):
    if isinstance(value, Promise):
        value = str(value)
    if isinstance(value, str):
        cell = WriteOnlyCell(sheet, value=value)
        # openpyxl treats a string starting with "=" as a formula: force it back to text.
        cell.data_type = "s"
        return cell
    return value


def _pct(value):
    return None if value is None else round(value, 1)


def roster_rows(cohort):
    yield [
        _("Reference"), _("Family name"), _("Given name"), _("Name (Latin letters)"), _("Gender"),
        _("School level"), _("Province"), _("Subjects"), _("Status"), _("Sessions"),
        AttendanceStatus.PRESENT.label, AttendanceStatus.LATE.label, AttendanceStatus.ABSENT.label,
        AttendanceStatus.EXCUSED.label, _("Attendance (%)"), _("Pre-test"), _("Post-test"), _("Gain"),
        _("Normalised gain"), _("Completed"),
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
            e.present, e.late, e.absent, e.excused_count, _pct(e.attendance_rate), e.pre_score,
            e.post_score, e.gain, None if e.norm_gain is None else round(e.norm_gain, 3),
            yes if e.is_completed else no,
        ]


OVERVIEW_COLUMNS = [
    ("year", _l("Year")), ("country_label", _l("Country")), ("cohorts", _l("Cohorts")),
    ("registered", _l("Registered")), ("confirmed", _l("Confirmed")), ("completed", _l("Completed")),
    ("withdrawn", _l("Withdrawn")), ("attendance_rate", _l("Attendance (%)")),
    ("pre_mean", _l("Pre-test mean")),
    ("pre_n", _l("Pre-tests")), ("post_mean", _l("Post-test mean")), ("post_n", _l("Post-tests")),
    ("missing_post", _l("Post-tests missing")), ("gain_mean", _l("Mean gain")),
    ("gain_n", _l("Teachers with both tests")),
    ("g_mean", _l("Mean normalised gain")), ("g_n", _l("Teachers in normalised gain")),
    ("g_excluded", _l("Left out of normalised gain (pre-test 100)")),
]
COUNT_KEYS = {"cohorts", "registered", "confirmed", "completed", "withdrawn", "pre_n", "post_n",
              "missing_post", "gain_n", "g_n", "g_excluded"}
# A mean over fewer than five teachers would disclose individual scores when shared.
MEAN_BASIS = {"attendance_rate": "confirmed", "pre_mean": "pre_n", "post_mean": "post_n",
              "gain_mean": "gain_n", "g_mean": "g_n"}


def overview_rows(overview, shared=False):
    yield [str(label) for _key, label in OVERVIEW_COLUMNS]
    every_country, every_year = _("All countries"), _("All years")
    rows = [
        *overview.rows,
        *({**r, "country_label": every_country} for r in overview.by_year),
        *({**r, "year": every_year} for r in overview.by_country),
        overview.total | {"year": _("Total"), "country_label": ""},
    ]
    for row in rows:
        out = []
        for key, _label in OVERVIEW_COLUMNS:
            value = row[key]
            if key == "country_label":
                value = str(value)
            elif isinstance(value, float):
                value = round(value, 3 if key == "g_mean" else 1)
            if shared:
                if key in COUNT_KEYS:
                    value = suppress(value)
                elif key in MEAN_BASIS and (row[MEAN_BASIS[key]] or 0) < SMALL_CELL:
                    value = None if value is None else f"<{SMALL_CELL}"
            out.append(value)
        yield out


def cohort_summary_rows(cohort, shared=True):
    """The cohort's aggregates for sharing outside the programme: every count under 5 is '<5'."""
    s = suppress if shared else (lambda v: v)
    yield [_("Table"), _("Category"), _("Registered"), _("Confirmed")]
    for label, n in enrolment_funnel(cohort):
        yield [_("Enrolment status"), str(label), s(n), ""]
    for title, rows in breakdowns(cohort).values():
        for r in rows:
            yield [str(title), r["label"], s(r["registered"]), s(r["participants"])]
    summary = cohort_summary(cohort)
    yield [_("Completion"), _("Completed"), "", s(summary["completed"])]
