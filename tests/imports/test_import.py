import csv
import io
import unicodedata

import openpyxl
import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse
from hypothesis import HealthCheck, event, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from pilots.choices import EnrolmentStatus, NameOrder
from pilots.enrolment import withdraw_enrolment
from pilots.imports import reading
from pilots.imports.columns import COLUMNS, MAX_BYTES, MAX_ROWS, ImportKind
from pilots.imports.pending import keep_upload
from pilots.imports.planning import plan_import
from pilots.imports.reading import ImportFileError, read_table
from pilots.imports.rows import parse_date
from pilots.imports.services import apply_import
from pilots.models import Assessment, Attendance, Cohort, Enrolment, Province, Teacher
from pilots.offers.models import SeatOffer, WaitlistMode, WaitlistPolicy
from pilots.registration.forms import RegistrationForm
from tests.factories import CohortFactory, EnrolmentFactory, SessionFactory, TeacherFactory
from tests.registration.helpers import registration_data
from tests.staffing.support import text

pytestmark = pytest.mark.django_db

HEADER = ["cohort", "email", "family_name", "given_name", "school", "province", "status"]


def csv_bytes(rows, header=HEADER, delimiter=",", bom=False):
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter)
    writer.writerow(header)
    writer.writerows(rows)
    return (("\ufeff" if bom else "") + out.getvalue()).encode("utf-8")


def xlsx_bytes(rows, header=HEADER):
    workbook = openpyxl.Workbook()
    workbook.active.append(header)
    for row in rows:
        workbook.active.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def plan_of(data, kind=ImportKind.TEACHERS, filename="x.csv"):
    return plan_import(kind, *read_table(data, filename))


def problems(plan):
    return [(p.row, p.column, p.message) for p in plan.problems]


# --- reading ---------------------------------------------------------------------------------


@pytest.mark.parametrize("bom", [False, True])
@pytest.mark.parametrize("delimiter", [",", ";", "\t"])
def test_csv_with_or_without_bom_and_any_separator_keeps_khmer_thai_vietnamese(bom, delimiter):
    rows = [["kh-1", "a@example.org", "សុខ", "ចាន់ថា", "វិទ្យាល័យ", "KH-12", ""],
            ["kh-1", "b@example.org", "สมชาย", "ใจดี", "โรงเรียน", "", ""],
            ["kh-1", "c@example.org", "Nguyễn", "Thị Hồng", "Trường THPT", "", ""]]
    header, body = read_table(csv_bytes(rows, delimiter=delimiter, bom=bom))
    assert header == HEADER
    assert [r[2:4] for r in body] == [["សុខ", "ចាន់ថា"], ["สมชาย", "ใจดี"], ["Nguyễn", "Thị Hồng"]]


def test_excel_unicode_text_utf16_with_tabs_is_read():
    data = csv_bytes([["kh-1", "a@example.org", "สมชาย", "ใจดี", "", "", ""]], delimiter="\t")
    header, body = read_table(data.decode("utf-8").encode("utf-16"), "export.txt")
    assert header == HEADER and body[0][2:4] == ["สมชาย", "ใจดี"]


def test_decomposed_vietnamese_is_normalised_to_nfc():
    decomposed = unicodedata.normalize("NFD", "Nguyễn")
    header, body = read_table(csv_bytes([["kh-1", "", decomposed, "Hồng", "", "", ""]]))
    assert body[0][2] == "Nguyễn" and len(body[0][2]) == 6


def test_xlsx_is_read_like_csv():
    header, body = read_table(xlsx_bytes([["kh-1", "a@example.org", "សុខ", "ខា", "S", "KH-12", None]]),
                              "file.xlsx")
    assert header == HEADER and body == [["kh-1", "a@example.org", "សុខ", "ខា", "S", "KH-12", ""]]


@pytest.mark.parametrize(
    ("data", "filename", "code"),
    [
        (b"", "a.csv", "empty"),
        ("cohort,email\nkh-1,café@example.org\n".encode("cp1252"), "a.csv", "encoding"),
        (b"\x00\x01\x02 binary", "a.csv", "malformed"),
        (b"PK\x03\x04 not really a zip", "a.xlsx", "malformed"),
        (b"x" * (MAX_BYTES + 1), "a.csv", "too_big"),
    ],
)
def test_unreadable_files_give_a_clear_error(data, filename, code):
    with pytest.raises(ImportFileError) as exc:
        read_table(data, filename)
    assert exc.value.code == code
    assert exc.value.messages[0]


def test_more_than_the_row_limit_is_refused(settings, monkeypatch):
    monkeypatch.setattr(reading, "MAX_ROWS", 10)
    with pytest.raises(ImportFileError) as exc:
        read_table(csv_bytes([["kh-1", f"t{i}@example.org", "A", "B", "", "", ""] for i in range(11)]))
    assert exc.value.code == "too_many_rows" and "at most 10" in exc.value.messages[0]


def test_the_real_row_limit_is_20000_rows():
    rows = [["kh-1", "", "A", str(i), "", "", ""] for i in range(MAX_ROWS + 1)]
    with pytest.raises(ImportFileError) as exc:
        read_table(csv_bytes(rows))
    assert "20001 rows; at most 20000" in exc.value.messages[0]
    header, body = read_table(csv_bytes(rows[:-1]))
    assert len(body) == 20_000


@pytest.mark.parametrize(
    ("value", "expected"),
    [("2023-03-01", "2023-03-01"), ("1/3/2023", "2023-03-01"), ("01.03.2566", "2023-03-01"),
     ("2567-02-29", "2024-02-29"), ("2023-03-01T08:00:00", "2023-03-01"), ("31/02/2023", None),
     ("3/1/23", None), ("", None)],
)
def test_dates_are_iso_or_day_first_and_buddhist_era_years_are_converted(value, expected):
    result = parse_date(value)
    assert (result.isoformat() if result else None) == expected


# --- planning --------------------------------------------------------------------------------


def test_every_problem_is_reported_by_row_and_column_in_plain_words():
    cohort = CohortFactory(code="kh-1", capacity=5)
    TeacherFactory(email="known@example.org")
    data = csv_bytes([
        ["nope", "a@example.org", "A", "B", "", "", ""],
        ["kh-1", "not-an-email", "A", "B", "", "", ""],
        ["kh-1", "c@example.org", "A", "B", "", "TH-10", ""],
        ["kh-1", "d@example.org", "A", "B", "", "", "maybe"],
        ["kh-1", "D@example.org", "A", "B", "", "", ""],
        ["kh-1", "", "", "", "", "", ""],
    ] + [["kh-1", "e@example.org", "E", "F", "", "", ""]])
    plan = plan_of(data)
    found = problems(plan)
    assert (2, "cohort", "Unknown cohort “nope”.") in found
    assert (3, "email", "“not-an-email” is not a valid email address.") in found
    assert any(r == 4 and c == "province" and "is not in the cohort's country (Cambodia)" in m
               for r, c, m in found)
    assert any(r == 5 and c == "status" and "is not one of" in m for r, c, m in found)
    assert any(r == 6 and c == "email" and "Duplicate teacher" in m and "row 5" in m for r, c, m in found)
    assert any(r == 7 for r, c, m in found)
    assert not any(r == 8 for r, c, m in found)
    assert cohort.pk in plan.cohort_ids


def test_missing_columns_are_one_clear_problem():
    plan = plan_of(csv_bytes([["x"]], header=["something"]))
    assert plan.problems[0].row == 1 and "Missing column" in plan.problems[0].message


def test_capacity_is_kept_sane_when_statuses_are_given():
    CohortFactory(code="kh-1", capacity=1)
    plan = plan_of(csv_bytes([["kh-1", "a@example.org", "A", "B", "", "", "confirmed"],
                              ["kh-1", "b@example.org", "C", "D", "", "", "completed"]]))
    assert [(p.row, p.column) for p in plan.problems] == [(3, "status")]
    assert "capacity (1)" in plan.problems[0].message


def test_without_status_the_placement_rules_confirm_then_waitlist():
    cohort = CohortFactory(code="kh-1", capacity=2)
    EnrolmentFactory(cohort=cohort, status=EnrolmentStatus.CONFIRMED)
    plan = plan_of(csv_bytes([["kh-1", f"t{i}@example.org", "A", f"B{i}", "", "", ""] for i in range(3)]))
    assert plan.ok
    apply_import(plan)
    assert list(cohort.enrolments.order_by("pk").values_list("status", flat=True)) == [
        "confirmed", "confirmed", "waitlisted", "waitlisted"]


def test_a_seat_offered_to_a_waitlisted_teacher_is_not_given_to_an_imported_one():
    cohort = CohortFactory(code="kh-1", capacity=2)
    WaitlistPolicy.objects.create(programme=cohort.programme, mode=WaitlistMode.OFFER)
    seated = [EnrolmentFactory(cohort=cohort, status=EnrolmentStatus.CONFIRMED) for _ in range(2)]
    EnrolmentFactory(cohort=cohort, status=EnrolmentStatus.WAITLISTED)
    withdraw_enrolment(enrolment=seated[0])  # the freed seat is offered to the waitlisted teacher
    assert SeatOffer.objects.open().count() == 1
    plan = plan_of(csv_bytes([["kh-1", "new@example.org", "A", "B", "", "", ""]]))
    apply_import(plan)
    assert cohort.enrolments.get(teacher__email="new@example.org").status == EnrolmentStatus.WAITLISTED
    # Given as confirmed, the row is refused: the cohort has no seat to give.
    plan = plan_of(csv_bytes([["kh-1", "other@example.org", "C", "D", "", "", "confirmed"]]))
    assert [(p.row, p.column) for p in plan.problems] == [(2, "status")]


def test_cohorts_that_require_approval_get_applications():
    cohort = CohortFactory(code="kh-1", capacity=2, requires_approval=True)
    plan = plan_of(csv_bytes([["kh-1", "a@example.org", "A", "B", "", "", ""]]))
    apply_import(plan)
    assert cohort.enrolments.get().status == EnrolmentStatus.APPLIED


# --- the registration form's rules for a teacher's details -------------------------------------

PHONE_HEADER = ["cohort", "email", "family_name", "given_name", "school", "province", "phone"]


def _form_errors(cohort, **data):
    """The errors the public registration form shows for the same cohort and input."""
    form = RegistrationForm(registration_data(cohort, **data), cohort=cohort)
    assert not form.is_valid()
    return form.errors


@pytest.mark.parametrize(
    ("raw", "code"),
    [("123", "impossible"), ("012 34", "impossible"), ("+66 81 234 5678", "another country"),
     ("+84 91 234 56 78", "another country")],
)
def test_an_imported_phone_the_form_refuses_is_a_problem_with_the_forms_message(raw, code):
    cohort = CohortFactory(code="kh-1", country="KH")
    plan = plan_of(csv_bytes([["kh-1", "a@example.org", "សុខ", "ចាន់ថា", "S", "KH-12", raw]], header=PHONE_HEADER))
    form_message = _form_errors(cohort, phone=raw, province=Province.objects.get(code="KH-12").pk)["phone"]
    assert problems(plan) == [(2, "phone", form_message[0])]
    assert form_message[0].startswith(
        "Enter a valid phone number" if code == "impossible" else "Enter a phone number of Cambodia")


@pytest.mark.parametrize("raw", ["012 345 678", "+855 12 345 678", "85512345678"])
def test_a_valid_imported_phone_is_stored_in_e164(raw):
    CohortFactory(code="kh-1", country="KH")
    plan = plan_of(csv_bytes([["kh-1", "a@example.org", "សុខ", "ចាន់ថា", "S", "KH-12", raw]], header=PHONE_HEADER))
    assert plan.ok, problems(plan)
    apply_import(plan)
    assert str(Teacher.objects.get(email="a@example.org").phone) == "+85512345678"


def test_a_regional_cohort_reads_an_imported_local_phone_in_the_provinces_country():
    CohortFactory(code="rt-1", kind="regional_tot", country="", language="en")
    plan = plan_of(csv_bytes([["rt-1", "a@example.org", "ใจดี", "สมชาย", "S", "TH-10", "081 234 5678"]],
                             header=PHONE_HEADER))
    assert plan.ok, problems(plan)
    apply_import(plan)
    assert str(Teacher.objects.get().phone) == "+66812345678"


def test_a_thai_teacher_imported_into_an_english_regional_cohort_is_given_name_first():
    cohort = CohortFactory(code="rt-1", kind="regional_tot", country="", language="en")
    plan = plan_of(csv_bytes([["rt-1", "a@example.org", "ใจดี", "สมชาย", "S", "TH-10", ""]], header=PHONE_HEADER))
    assert plan.ok, problems(plan)
    apply_import(plan)
    teacher = Teacher.objects.get()
    assert teacher.name_order == NameOrder.GIVEN_FIRST
    assert teacher.full_name == "สมชาย ใจดี"
    # The same teacher through the registration form gets the same order.
    form = RegistrationForm(registration_data(cohort, province=Province.objects.get(code="TH-10").pk,
                                              phone="+66 81 234 5678"), cohort=cohort)
    assert form.is_valid(), form.errors
    assert form.teacher_details()["name_order"] == teacher.name_order


def test_a_cambodian_teacher_imported_into_the_same_regional_cohort_is_family_name_first():
    CohortFactory(code="rt-1", kind="regional_tot", country="", language="en")
    plan = plan_of(csv_bytes([["rt-1", "a@example.org", "សុខ", "ចាន់ថា", "S", "KH-12", ""]], header=PHONE_HEADER))
    apply_import(plan)
    assert Teacher.objects.get().name_order == NameOrder.FAMILY_FIRST


@pytest.mark.parametrize(
    ("family", "message"),
    [("\u202eKoS", "direction"),  # a right-to-left override is refused, as on the form
     ("..", "A name needs at least one letter.")],
)
def test_the_import_applies_the_forms_rules_for_names(family, message):
    CohortFactory(code="kh-1")
    plan = plan_of(csv_bytes([["kh-1", "a@example.org", family, "ចាន់ថា", "S", "KH-12", ""]], header=PHONE_HEADER))
    assert not plan.ok
    assert any(message in p[2] for p in problems(plan)), problems(plan)
    assert not Teacher.objects.exists()


def test_invisible_characters_alone_are_no_name_in_the_import():
    CohortFactory(code="kh-1")
    plan = plan_of(csv_bytes([["kh-1", "a@example.org", "\u200b\u200b", "ចាន់ថា", "S", "KH-12", ""]],
                             header=PHONE_HEADER))
    assert plan.ok, problems(plan)
    apply_import(plan)
    assert Teacher.objects.get().family_name == ""  # nothing invisible is stored


def test_a_zero_width_space_inside_a_thai_name_is_removed_by_the_import_as_by_the_form():
    CohortFactory(code="th-1", country="TH", language="th")
    plan = plan_of(csv_bytes([["th-1", "a@example.org", "ใจ\u200bดี", "สมชาย", "S", "TH-10", ""]],
                             header=PHONE_HEADER))
    assert plan.ok, problems(plan)
    apply_import(plan)
    assert Teacher.objects.get().family_name == "ใจดี"


# --- applying --------------------------------------------------------------------------------


def test_teachers_are_matched_by_email_or_by_name_and_school_and_reused(django_user_model):
    user = django_user_model.objects.create_user("importer")
    one = CohortFactory(code="kh-1", capacity=10)
    two = CohortFactory(code="kh-2", capacity=10)
    by_email = TeacherFactory(email="known@example.org")
    by_name = TeacherFactory(email="", family_name="ស៊ុន", given_name="ធីតា", school="វិទ្យាល័យ")
    data = csv_bytes([
        ["kh-1", "KNOWN@example.org", "x", "y", "", "", ""],
        ["kh-1", "", "ស៊ុន", "ធីតា", "វិទ្យាល័យ", "", ""],
        ["kh-1", "new@example.org", "ហេង", "ស្រីមុំ", "", "KH-12", ""],
        ["kh-2", "new@example.org", "ហេង", "ស្រីមុំ", "", "", ""],
    ])
    plan = plan_of(data)
    assert plan.ok, problems(plan)
    apply_import(plan, user=user)
    assert Teacher.objects.count() == 3
    new = Teacher.objects.get(email="new@example.org")
    assert (new.family_name, new.given_name, new.province.code) == ("ហេង", "ស្រីមុំ", "KH-12")
    assert set(Enrolment.objects.values_list("teacher_id", "cohort_id")) == {
        (by_email.pk, one.pk), (by_name.pk, one.pk), (new.pk, one.pk), (new.pk, two.pk)}
    assert new.history.get().history_user == user
    assert Enrolment.history.filter(history_user=user).count() == 4


def test_an_existing_enrolment_is_left_unchanged():
    cohort = CohortFactory(code="kh-1")
    enrolment = EnrolmentFactory(cohort=cohort, teacher__email="known@example.org",
                                 status=EnrolmentStatus.WAITLISTED)
    plan = plan_of(csv_bytes([["kh-1", "known@example.org", "x", "y", "", "", "confirmed"]]))
    assert plan.ok and "already enrolled" in plan.changes[0][1]
    apply_import(plan)
    enrolment.refresh_from_db()
    assert enrolment.status == EnrolmentStatus.WAITLISTED and Enrolment.objects.count() == 1


def test_attendance_and_scores_import_create_and_change_rows():
    cohort = CohortFactory(code="kh-1")
    session = SessionFactory(cohort=cohort)
    a = EnrolmentFactory(cohort=cohort, teacher__email="a@example.org")
    b = EnrolmentFactory(cohort=cohort, teacher__email="", teacher__family_name="ស៊ុន",
                         teacher__given_name="ធីតា", teacher__school="S")
    Attendance.objects.create(enrolment=b, session=session, status="absent")
    header = ["cohort", "email", "family_name", "given_name", "school", "session_date", "attendance"]
    date = session.date.isoformat()
    plan = plan_of(csv_bytes([["kh-1", "a@example.org", "", "", "", date, "Present"],
                              ["kh-1", "", "ស៊ុន", "ធីតា", "S", date, "late"]], header=header),
                   ImportKind.ATTENDANCE)
    assert plan.ok, problems(plan)
    assert "Absent changed to Late" in plan.changes[1][1]
    apply_import(plan)
    assert dict(Attendance.objects.values_list("enrolment_id", "status")) == {a.pk: "present", b.pk: "late"}

    header = ["cohort", "email", "test", "score", "taken_on"]
    plan = plan_of(xlsx_bytes([["kh-1", "a@example.org", "pre", 47.5, "2023-03-01"],
                               ["kh-1", "a@example.org", "post", "101", ""],
                               ["kh-1", "a@example.org", "post", "", ""]], header=header),
                   ImportKind.SCORES, "s.xlsx")
    assert problems(plan) == [(3, "score", "The score “101” is out of range: give a number from 0 to 100."),
                              (4, "score", "The score is missing.")]
    plan = plan_of(xlsx_bytes([["kh-1", "a@example.org", "pre", 47.5, "2023-03-01"]], header=header),
                   ImportKind.SCORES, "s.xlsx")
    apply_import(plan)
    assert str(Assessment.objects.get().score) == "47.50"


def test_attendance_of_teachers_not_enrolled_or_not_confirmed_is_a_problem():
    cohort = CohortFactory(code="kh-1")
    session = SessionFactory(cohort=cohort)
    EnrolmentFactory(cohort=cohort, teacher__email="w@example.org", status=EnrolmentStatus.WAITLISTED)
    header = ["cohort", "email", "session_date", "attendance"]
    plan = plan_of(csv_bytes([["kh-1", "x@example.org", session.date.isoformat(), "present"],
                              ["kh-1", "w@example.org", session.date.isoformat(), "present"],
                              ["kh-1", "w@example.org", "2001-01-01", "present"]], header=header),
                   ImportKind.ATTENDANCE)
    messages = [p.message for p in plan.problems]
    assert "No such teacher is enrolled" in messages[0]
    assert "is not confirmed" in messages[1]
    assert "has no session on 2001-01-01" in messages[-1]


def test_one_bad_row_rolls_back_the_whole_import(monkeypatch):
    """A row that only the database refuses (here a clash created after the preview) undoes
    every row written before it in the same import."""
    CohortFactory(code="kh-1", capacity=100)
    plan = plan_of(csv_bytes([["kh-1", f"t{i}@example.org", "A", f"B{i}", "", "", ""] for i in range(20)]))
    assert plan.ok
    TeacherFactory(email="t19@example.org")  # arrives between preview and confirmation
    with pytest.raises(IntegrityError):
        apply_import(plan)
    assert Teacher.objects.count() == 1 and not Enrolment.objects.exists()


@pytest.mark.parametrize("n", [10, 200])
def test_planning_and_applying_use_a_fixed_number_of_queries(n, django_assert_max_num_queries):
    CohortFactory(code="kh-1", capacity=1000)
    existing = TeacherFactory(email="t0@example.org")
    rows = [["kh-1", f"t{i}@example.org", "សុខ", f"ខា{i}", "S", "KH-12", ""] for i in range(n)]
    rows.append(["kh-1", "", "ស៊ុន", "ធីតា", "S", "", ""])
    header, body = read_table(csv_bytes(rows))
    with django_assert_max_num_queries(6):
        plan = plan_import(ImportKind.TEACHERS, header, body)
    assert plan.ok
    # Inserts go in batches (SQLite allows ~999 parameters per statement, so ~45 teachers per
    # INSERT; PostgreSQL takes 1,000): the count grows per batch, never per row.
    with django_assert_max_num_queries(12 + 4 * (n // 45)):
        apply_import(plan)
    assert Teacher.objects.count() == n + 1
    assert Enrolment.objects.filter(teacher=existing).exists()


# --- pages -----------------------------------------------------------------------------------


def test_upload_preview_then_confirm_imports_everything(staff_client, staff_user, tmp_path, settings):
    settings.PILOTS_IMPORT_DIR = tmp_path
    CohortFactory(code="kh-1", capacity=10)
    data = csv_bytes([["kh-1", "a@example.org", "សុខ", "ខា", "S", "KH-12", ""]], bom=True)
    upload = io.BytesIO(data)
    upload.name = "teachers.csv"
    url = reverse("imports:upload")
    response = staff_client.post(url, {"kind": "teachers", "file": upload})
    page = text(response)
    assert "New teacher សុខ ខា" in page and "Confirm the import" in page
    assert not Teacher.objects.exists()
    token = response.context["token"]
    assert [path.name for path in tmp_path.rglob("*.upload")] == [f"{token}.upload"]
    assert "a@example.org" not in reverse("imports:confirm")

    response = staff_client.post(reverse("imports:confirm"), {"token": token}, follow=True)

    assert "Import done" in text(response)
    teacher = Teacher.objects.get()
    assert teacher.full_name == "សុខ ខា" and teacher.history.get().history_user == staff_user
    assert list(tmp_path.rglob("*.upload")) == []
    again = staff_client.post(reverse("imports:confirm"), {"token": token}, follow=True)
    assert "expired" in text(again) and Teacher.objects.count() == 1


def test_a_file_with_problems_shows_them_and_offers_no_confirmation(staff_client, tmp_path, settings):
    settings.PILOTS_IMPORT_DIR = tmp_path
    upload = io.BytesIO(xlsx_bytes([["missing", "bad", "A", "B", "", "", ""]]))
    upload.name = "teachers.xlsx"
    response = staff_client.post(reverse("imports:upload"), {"kind": "teachers", "file": upload})
    page = text(response)
    assert "Unknown cohort “missing”" in page and "“bad” is not a valid email address" in page
    assert "Confirm the import" not in page and list(tmp_path.rglob("*.upload")) == []


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (b"\x00\x01\x02 binary junk \xff", "junk.csv", "not UTF-8"),
        (b"PK\x03\x04 broken", "broken.xlsx", "not a readable Excel workbook"),
        (b"hello", "notes.pdf", "Upload a .csv or .xlsx file"),
        (b"a," * (MAX_BYTES // 2 + 1), "big.csv", "larger than 5 MB"),
    ],
)
def test_malformed_or_too_big_uploads_are_messages_never_500(staff_client, content, name, message):
    upload = io.BytesIO(content)
    upload.name = name
    response = staff_client.post(reverse("imports:upload"), {"kind": "teachers", "file": upload})
    assert response.status_code == 200
    assert message in text(response)


def test_one_bad_row_among_good_ones_imports_nothing(staff_client, tmp_path, settings):
    settings.PILOTS_IMPORT_DIR = tmp_path
    CohortFactory(code="kh-1", capacity=10)
    rows = [["kh-1", f"t{i}@example.org", "A", f"B{i}", "", "", ""] for i in range(5)]
    rows.insert(3, ["kh-1", "t9@example.org", "A", "B", "", "", "confirmed-ish"])
    upload = io.BytesIO(csv_bytes(rows))
    upload.name = "teachers.csv"
    response = staff_client.post(reverse("imports:upload"), {"kind": "teachers", "file": upload})
    assert "1 problem must be corrected" in text(response)
    assert response.context["token"] == ""
    forged = staff_client.post(reverse("imports:confirm"), {"token": ""}, follow=True)
    assert "expired" in text(forged)
    assert not Teacher.objects.exists() and not Enrolment.objects.exists()


def test_attendance_import_through_the_pages(staff_client, staff_user, tmp_path, settings):
    settings.PILOTS_IMPORT_DIR = tmp_path
    cohort = CohortFactory(code="kh-1")
    session = SessionFactory(cohort=cohort, title="Hate speech")
    enrolment = EnrolmentFactory(cohort=cohort, teacher__email="a@example.org")
    upload = io.BytesIO(csv_bytes([["kh-1", "a@example.org", session.date.isoformat(), "late"]],
                                  header=["cohort", "email", "session_date", "attendance"], delimiter=";"))
    upload.name = "attendance.csv"
    response = staff_client.post(reverse("imports:upload"), {"kind": "attendance", "file": upload})
    assert "Hate speech" in text(response) and "Late" in text(response)
    staff_client.post(reverse("imports:confirm"), {"token": response.context["token"]})
    row = Attendance.objects.get(enrolment=enrolment, session=session)
    assert row.status == "late" and row.history.get().history_user == staff_user


def test_confirm_with_a_forged_token_does_nothing(staff_client):
    response = staff_client.post(reverse("imports:confirm"), {"token": "../../etc/passwd"},
                                 follow=True)
    assert "expired" in text(response)


@pytest.mark.parametrize("kind", ["teachers", "attendance", "scores"])
def test_templates_download_as_csv_and_xlsx_and_read_back(staff_client, kind):
    csv_response = staff_client.get(reverse("imports:template", args=[kind, "csv"]))
    assert csv_response["Content-Disposition"].endswith(f'pilots-{kind}-template.csv"')
    header, body = read_table(csv_response.content)
    assert header == [name for name, _r, _d in COLUMNS[kind]] and len(body) == 1
    xlsx_response = staff_client.get(reverse("imports:template", args=[kind, "xlsx"]))
    assert read_table(xlsx_response.content, "t.xlsx")[0] == header


def test_import_page_documents_every_column(staff_client):
    page = text(staff_client.get(reverse("imports:upload")))
    for columns in COLUMNS.values():
        for name, _required, _doc in columns:
            assert f"<code>{name}</code>" in page


_cells = st.one_of(
    st.text(alphabet=st.characters(codec="utf-8"), max_size=12),
    st.sampled_from(["kh-1", "a@example.org", "KH-12", "TH-10", "present", "pre", "2023-03-01", "50",
                     "101", "confirmed", "សុខ", "Nguyễn"]),
)


@hypothesis_settings(max_examples=60, deadline=None,
                     suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    kind=st.sampled_from([ImportKind.TEACHERS, ImportKind.ATTENDANCE, ImportKind.SCORES]),
    data=st.data(),
)
def test_any_file_gives_a_plan_or_a_clear_error_never_a_crash(kind, data):
    columns = [name for name, _required, _doc in COLUMNS[kind]]
    raw = data.draw(st.one_of(
        st.binary(max_size=300),
        st.lists(st.lists(_cells, min_size=1, max_size=8), min_size=1, max_size=6).map(
            lambda rows: csv_bytes(rows[1:], header=HEADER[: len(rows[0])] + rows[0][len(HEADER):])
        ),
        st.lists(st.lists(_cells, min_size=len(columns), max_size=len(columns)), max_size=4).map(
            lambda rows: csv_bytes(rows, header=columns)
        ),
    ))
    if not Cohort.objects.filter(code="kh-1").exists():
        cohort = CohortFactory(code="kh-1", capacity=1)
        SessionFactory(cohort=cohort, date=cohort.start_date)
        EnrolmentFactory(cohort=cohort, teacher__email="a@example.org")
    try:
        header, rows = read_table(raw, "upload.csv")
    except ImportFileError as exc:
        assert exc.messages[0]
        return
    plan = plan_import(kind, header, rows)
    for problem in plan.problems:
        assert problem.message and problem.row >= 1
    event("plan ok" if plan.ok else "plan with problems")
    if plan.ok:  # what the planner accepts, the database accepts too
        with transaction.atomic():
            apply_import(plan)
            transaction.set_rollback(True)


def test_a_file_changed_on_disk_after_the_preview_is_refused(staff_client, tmp_path, settings):
    settings.PILOTS_IMPORT_DIR = tmp_path
    CohortFactory(code="kh-1", capacity=10)
    upload = io.BytesIO(csv_bytes([["kh-1", "a@example.org", "សុខ", "ខា", "S", "", ""]]))
    upload.name = "teachers.csv"
    response = staff_client.post(reverse("imports:upload"), {"kind": "teachers", "file": upload})
    token = response.context["token"]
    (kept,) = tmp_path.rglob("*.upload")
    kept.write_bytes(csv_bytes([["kh-1", "evil@example.org", "X", "Y", "S", "", ""]]))

    response = staff_client.post(reverse("imports:confirm"), {"token": token}, follow=True)

    assert "The file changed after the preview" in text(response)
    assert not Teacher.objects.exists() and list(tmp_path.rglob("*.upload")) == []


def test_another_staff_members_pending_upload_cannot_be_confirmed(staff_client, staff_user, tmp_path,
                                                                  settings, django_user_model):
    settings.PILOTS_IMPORT_DIR = tmp_path
    CohortFactory(code="kh-1", capacity=10)
    other = django_user_model.objects.create_user("other-staff", is_staff=True)
    pending = keep_upload(user=other, kind="teachers", filename="t.csv",
                          data=csv_bytes([["kh-1", "a@example.org", "A", "B", "S", "", ""]]))
    session = staff_client.session
    session["pilots_staff_import"] = {"token": pending.token, "kind": "teachers", "filename": "t.csv"}
    session.save()
    response = staff_client.post(reverse("imports:confirm"), {"token": pending.token}, follow=True)
    assert "expired" in text(response) and not Teacher.objects.exists()
