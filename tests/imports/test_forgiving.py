"""Imports read spreadsheets as staff make them: dates, times and codes as typed, headers in any
language under a title row, and problems reported on the row number Excel shows."""

import datetime as dt
import io

import openpyxl
import pytest
from django.urls import reverse
from django.utils import translation

from pilots.choices import AttendanceStatus
from pilots.imports.columns import COLUMNS, ImportKind, column_label
from pilots.imports.planning import plan_import
from pilots.imports.reading import read_table
from pilots.imports.rows import parse_date, parse_time
from tests.factories import CohortFactory, EnrolmentFactory, SessionFactory
from tests.imports.test_import import csv_bytes

pytestmark = pytest.mark.django_db


def plan_of(data, kind, filename="x.csv"):
    return plan_import(kind, *read_table(data, filename))


@pytest.mark.parametrize(("typed", "expected"), [
    ("2023-03-13", dt.date(2023, 3, 13)), ("13/03/2023", dt.date(2023, 3, 13)),
    ("13-03-2023", dt.date(2023, 3, 13)), ("13.03.2023", dt.date(2023, 3, 13)),
    ("3/1/2023", dt.date(2023, 1, 3)), ("13/03/2566", dt.date(2023, 3, 13)),
    ("2566-03-13", dt.date(2023, 3, 13)), ("44998", dt.date(2023, 3, 13)),
    ("2023-03-13T08:00:00", dt.date(2023, 3, 13)), ("31/02/2023", None), ("soon", None),
])
def test_dates_as_typed(typed, expected):
    assert parse_date(typed) == expected


@pytest.mark.parametrize(("typed", "expected"), [
    ("8:00", dt.time(8)), ("08:00", dt.time(8)), ("8.00", dt.time(8)), ("8h00", dt.time(8)),
    ("08:00:00", dt.time(8)), ("1:30 PM", dt.time(13, 30)), ("12:15 am", dt.time(0, 15)),
    ("0.3333333", dt.time(8)), ("25:00", None), ("noon", None),
])
def test_times_as_typed(typed, expected):
    assert parse_time(typed) == expected


@pytest.fixture
def register():
    cohort = CohortFactory(code="kh-1")
    morning = SessionFactory(cohort=cohort, date=dt.date(2023, 3, 13), starts_at=dt.time(8, 0))
    SessionFactory(cohort=cohort, date=dt.date(2023, 3, 13), starts_at=dt.time(13, 30),
                   ends_at=dt.time(16, 0))
    enrolment = EnrolmentFactory(cohort=cohort, teacher__email="a@example.org")
    return cohort, morning, enrolment


ATTENDANCE_HEADER = ["cohort", "email", "session_date", "session_start", "attendance"]


def test_a_start_time_typed_8_00_finds_the_0800_session(register):
    _cohort, morning, _enrolment = register
    plan = plan_of(csv_bytes([["kh-1", "a@example.org", "13/03/2023", "8:00", "P"]],
                             header=ATTENDANCE_HEADER), ImportKind.ATTENDANCE)
    assert plan.ok, plan.problems
    assert plan.attendance_creates[0].session == morning


@pytest.mark.parametrize(("word", "status"), [
    ("P", "present"), ("l", "late"), ("A", "absent"), ("E", "excused"), ("Present", "present"),
    ("វត្តមាន", "present"), ("អវត្តមាន", "absent"), ("មកយឺត", "late"), ("ច្បាប់", "excused"),
    ("มา", "present"), ("มาสาย", "late"), ("ขาด", "absent"), ("ลา", "excused"),
    ("có mặt", "present"), ("Đi muộn", "late"), ("vắng", "absent"), ("có phép", "excused"),
])
def test_attendance_codes_and_words_in_four_languages(register, word, status):
    plan = plan_of(csv_bytes([["kh-1", "a@example.org", "2023-03-13", "08:00", word]],
                             header=ATTENDANCE_HEADER), ImportKind.ATTENDANCE)
    assert plan.ok, plan.problems
    assert plan.attendance_creates[0].status == status


def test_the_catalogue_label_of_each_status_is_accepted_in_each_language(register):
    for language in ("km", "th", "vi"):
        for value, label in AttendanceStatus.choices:
            with translation.override(language):
                word = str(label)
            plan = plan_of(csv_bytes([["kh-1", "a@example.org", "2023-03-13", "08:00", word]],
                                     header=ATTENDANCE_HEADER), ImportKind.ATTENDANCE)
            assert plan.attendance_creates[0].status == value, (language, word)


def test_a_refused_value_says_which_forms_are_accepted(register):
    plan = plan_of(csv_bytes([["kh-1", "a@example.org", "next monday", "eight", "maybe"]],
                             header=ATTENDANCE_HEADER), ImportKind.ATTENDANCE)
    messages = {p.column: p.message for p in plan.problems}
    assert "13/03/2023" in messages["session_date"] and "Buddhist Era" in messages["session_date"]
    assert "1:30 PM" in messages["session_start"]
    assert "P, L, A, E" in messages["attendance"]


def test_problems_carry_the_row_number_excel_shows_after_blank_rows():
    CohortFactory(code="kh-1")
    rows = [["kh-1", f"t{i}@example.org", "A", f"T{i}", "S", "", ""] for i in range(40)]
    rows[32] = ["kh-1", "not-an-email", "A", "x", "S", "", ""]  # row 34 in Excel, before the blanks
    rows.insert(10, [""] * 7)
    rows.insert(20, [""] * 7)  # two blank rows above: the bad email now sits in Excel's row 36
    plan = plan_of(csv_bytes(rows), ImportKind.TEACHERS)
    assert [(p.row, p.column) for p in plan.problems] == [(36, "email")]


def test_problems_are_listed_in_row_order():
    cohort = CohortFactory(code="kh-1", capacity=1)
    del cohort
    rows = [["kh-1", "a@example.org", "A", "B", "S", "", ""],
            ["kh-1", "b@example.org", "A", "C", "S", "Nowhere", ""],
            ["kh-1", "a@example.org", "A", "B", "S", "", ""]]
    plan = plan_of(csv_bytes(rows), ImportKind.TEACHERS)
    numbers = [p.row for p in plan.problems]
    assert numbers == sorted(numbers) and len(numbers) >= 2


def _xlsx(rows):
    workbook = openpyxl.Workbook()
    for row in rows:
        workbook.active.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


@pytest.mark.parametrize("language", ["en", "km", "th", "vi"])
def test_headers_in_any_language_and_order_under_a_title_row(register, language):
    columns = ["attendance", "session_date", "email", "cohort", "session_start"]
    with translation.override(language):
        header = [column_label(name) for name in columns]
    data = _xlsx([["Register of the March training"], [], header,
                  ["វត្តមាន", dt.datetime(2023, 3, 13), "a@example.org", "kh-1", "8:00"]])
    header_read, rows = read_table(data, "register.xlsx")
    assert list(header_read) == columns and header_read.number == 3 and rows[0].number == 4
    plan = plan_import(ImportKind.ATTENDANCE, header_read, rows)
    assert plan.ok, plan.problems


def test_excel_date_and_time_cells_are_read(register):
    _cohort, morning, _enrolment = register
    data = _xlsx([ATTENDANCE_HEADER, ["kh-1", "a@example.org", dt.date(2023, 3, 13), dt.time(8, 0), "P"]])
    plan = plan_of(data, ImportKind.ATTENDANCE, "r.xlsx")
    assert plan.ok and plan.attendance_creates[0].session == morning


def test_when_no_header_is_recognised_the_message_says_which_row_was_read():
    data = csv_bytes([["kh-1", "a@example.org"]], header=["Kurs", "Post"])
    plan = plan_of(data, ImportKind.ATTENDANCE)
    assert plan.problems[0].row == 1
    assert "Row 1 was read as the header and contains: “Kurs”, “Post”" in plan.problems[0].message


@pytest.mark.parametrize("kind", list(COLUMNS))
def test_templates_carry_the_headers_in_the_staff_members_language(staff_client, kind):
    staff_client.cookies["django_language"] = "th"
    response = staff_client.get(reverse("imports:template", args=[kind, "csv"]))
    with translation.override("th"):
        assert column_label("email") in response.content.decode("utf-8-sig")
    header, _rows = read_table(response.content)
    assert list(header) == [name for name, _r, _d in COLUMNS[kind]]
