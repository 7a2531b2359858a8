"""Spreadsheet import of the pilots' historical data: teachers with enrolments, attendance, scores.

Three steps, none of which knows a request:
1. `read_table(data, filename)` turns CSV (UTF-8 with or without BOM, comma, semicolon or tab
   separated, as Excel writes it; also Excel's UTF-16 "Unicode Text") or XLSX bytes into a
   header and rows, refusing files over MAX_BYTES or MAX_ROWS and malformed ones with an
   `ImportFileError`.
2. `plan_import(kind, header, rows)` validates every row against the database with a fixed number
   of queries (bulk lookups) and returns an `ImportPlan`: what would be created or changed, and
   every problem by row and column in plain words. Nothing is written.
3. `apply_import(plan, user=...)` writes a plan without problems in one transaction (all or
   nothing) with bulk inserts that keep history (`bulk_create_with_history`).

Enrolments created by an import either follow the placement rules in bulk (no `status` column:
confirmed while seats remain, then waiting list; "applied" in cohorts that require approval), or
take the status given for historical data (applied, confirmed, waitlisted, completed, withdrawn,
rejected); either way seated enrolments never exceed a cohort's capacity. Imports send no email.
"""

import csv
import datetime as dt
import io
import re
import unicodedata
import zipfile
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Count, Q
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from . import report_cache, services
from .models import (
    COUNTRY_LANGUAGE,
    SEATED_STATUSES,
    Assessment,
    AssessmentKind,
    Attendance,
    AttendanceStatus,
    Cohort,
    Enrolment,
    EnrolmentStatus,
    Gender,
    Language,
    NameOrder,
    Province,
    SchoolLevel,
    Session,
    Teacher,
)

MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 20_000
MAX_PROBLEMS_SHOWN = 1000


class ImportKind:
    TEACHERS = "teachers"
    ATTENDANCE = "attendance"
    SCORES = "scores"


KIND_LABELS = {
    ImportKind.TEACHERS: gettext_lazy("Teachers with their enrolments"),
    ImportKind.ATTENDANCE: gettext_lazy("Attendance at sessions"),
    ImportKind.SCORES: gettext_lazy("Pre- and post-test scores"),
}

# Columns that identify a teacher in every kind of file: email, or names plus school.
_WHO = [
    ("cohort", True, gettext_lazy("Cohort code, as shown in the admin (e.g. kh-2023-phnom-penh).")),
    ("email", False, gettext_lazy("The teacher's email. Without one, the teacher is matched by "
                                  "family name, given name and school.")),
    ("family_name", False, gettext_lazy("Family name in the teacher's own script.")),
    ("given_name", False, gettext_lazy("Given name in the teacher's own script.")),
    ("school", False, gettext_lazy("School or institution.")),
]

# (column, required, description) for each kind; the template files use this order.
COLUMNS = {
    ImportKind.TEACHERS: _WHO + [
        ("family_name_latin", False, gettext_lazy("Family name in Latin letters (optional).")),
        ("given_name_latin", False, gettext_lazy("Given name in Latin letters (optional).")),
        ("name_order", False, gettext_lazy("family_first (Khmer, Vietnamese) or given_first (Thai); "
                                           "default: from the cohort's language.")),
        ("gender", False, gettext_lazy("female, male, other or undisclosed (default).")),
        ("phone", False, gettext_lazy("Phone number, international form (+855...) preferred.")),
        ("school_level", False, gettext_lazy("primary, lower_secondary, upper_secondary, "
                                             "teacher_training, university, education_office, other.")),
        ("province", False, gettext_lazy("ISO code (KH-12) or English name of the province; it must "
                                         "be in the cohort's country.")),
        ("years_experience", False, gettext_lazy("Years of teaching, 0-60.")),
        ("preferred_language", False, gettext_lazy("en, km, th or vi; default: the cohort's language.")),
        ("status", False, gettext_lazy("Enrolment status for historical data: applied, confirmed, "
                                       "waitlisted, completed, withdrawn or rejected. Empty: the "
                                       "placement rules decide (confirmed while seats remain).")),
    ],
    ImportKind.ATTENDANCE: _WHO + [
        ("session_date", True, gettext_lazy("Date of the session: YYYY-MM-DD or day first "
                                            "(DD/MM/YYYY); Buddhist Era years are converted.")),
        ("session_start", False, gettext_lazy("Start time HH:MM, only when the cohort has several "
                                              "sessions that day.")),
        ("attendance", True, gettext_lazy("present, late, absent or excused.")),
        ("note", False, gettext_lazy("A short note (optional).")),
    ],
    ImportKind.SCORES: _WHO + [
        ("test", True, gettext_lazy("pre or post.")),
        ("score", True, gettext_lazy("Score from 0 to 100 (decimals allowed).")),
        ("taken_on", False, gettext_lazy("Date of the test, like session dates (optional).")),
    ],
}

EXAMPLES = {
    ImportKind.TEACHERS: {"cohort": "kh-2023-phnom-penh", "email": "sokha@example.org",
                          "family_name": "សុខ", "given_name": "ខា", "school": "Sisowath High School",
                          "family_name_latin": "Sok", "given_name_latin": "Kha", "gender": "female",
                          "school_level": "upper_secondary", "province": "KH-12",
                          "years_experience": "8", "preferred_language": "km", "status": "confirmed"},
    ImportKind.ATTENDANCE: {"cohort": "kh-2023-phnom-penh", "email": "sokha@example.org",
                            "session_date": "2023-03-01", "attendance": "present"},
    ImportKind.SCORES: {"cohort": "kh-2023-phnom-penh", "email": "sokha@example.org", "test": "pre",
                        "score": "48.5", "taken_on": "2023-03-01"},
}


class ImportFileError(ValidationError):
    """The file cannot be read at all (too big, not CSV/XLSX, bad encoding, no header)."""


@dataclass
class Problem:
    row: int  # spreadsheet row number (the header is row 1)
    column: str
    message: str


@dataclass
class ImportPlan:
    kind: str
    rows_read: int = 0
    problems: list = field(default_factory=list)
    changes: list = field(default_factory=list)  # (row, plain-words description)
    counts: dict = field(default_factory=dict)
    # What apply_import writes, built by the planner.
    new_teachers: list = field(default_factory=list)
    new_enrolments: list = field(default_factory=list)  # (teacher key, cohort, status)
    attendance_creates: list = field(default_factory=list)
    attendance_updates: list = field(default_factory=list)
    score_creates: list = field(default_factory=list)
    score_updates: list = field(default_factory=list)
    cohort_ids: set = field(default_factory=set)
    new_teachers_by_key: dict = field(default_factory=dict)

    @property
    def ok(self):
        return not self.problems

    def problem(self, row, column, message):
        self.problems.append(Problem(row, column, message))


# --- 1. reading ------------------------------------------------------------------------------


def _clean(value) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        value = value.date() if value.time() == dt.time() else value
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return unicodedata.normalize("NFC", str(value)).strip()


def _header_name(value) -> str:
    return _clean(value).lower().replace(" ", "_").replace("-", "_")


def read_table(data: bytes, filename: str = "") -> tuple[list[str], list[list[str]]]:
    """Header (normalised names) and rows (NFC, trimmed strings) of a CSV or XLSX file."""
    if len(data) > MAX_BYTES:
        raise ImportFileError(
            _("The file is larger than %(mb)s MB. Split it into smaller files.") % {"mb": MAX_BYTES // 2**20},
            code="too_big",
        )
    if not data.strip():
        raise ImportFileError(_("The file is empty."), code="empty")
    if data[:4] == b"PK\x03\x04" or filename.lower().endswith(".xlsx"):
        rows = _read_xlsx(data)
    else:
        rows = _read_csv(data)
    rows = [row for row in rows if any(cell for cell in row)]
    if not rows:
        raise ImportFileError(_("The file is empty."), code="empty")
    header = [_header_name(cell) for cell in rows[0]]
    if len(rows) - 1 > MAX_ROWS:
        raise ImportFileError(
            _("The file has %(count)s rows; at most %(max)s can be imported at once. Split it.")
            % {"count": len(rows) - 1, "max": MAX_ROWS},
            code="too_many_rows",
        )
    width = len(header)
    body = [(row + [""] * width)[:width] for row in rows[1:]]
    return header, body


def _read_csv(data: bytes) -> list[list[str]]:
    try:
        if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
            text = data.decode("utf-16")  # Excel's "Unicode Text": UTF-16, tab-separated
        else:
            text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ImportFileError(
            _("The file is not UTF-8 text. In Excel, save it as \"CSV UTF-8\" or as an Excel "
              "workbook (.xlsx)."),
            code="encoding",
        ) from exc
    if "\x00" in text:
        raise ImportFileError(_("This is not a CSV or XLSX file."), code="malformed")
    first_line = text.split("\n", 1)[0]
    delimiter = max([",", ";", "\t"], key=first_line.count)
    try:
        return [[_clean(cell) for cell in row] for row in csv.reader(io.StringIO(text, newline=""),
                                                                       delimiter=delimiter)]
    except csv.Error as exc:
        raise ImportFileError(
            _("The CSV file is malformed (%(error)s).") % {"error": exc}, code="malformed"
        ) from exc


def _read_xlsx(data: bytes) -> list[list[str]]:
    import openpyxl

    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, TypeError) as exc:
        raise ImportFileError(
            _("The file is not a readable Excel workbook (.xlsx)."), code="malformed"
        ) from exc
    try:
        sheet = workbook.worksheets[0]
        rows = []
        for row in sheet.iter_rows(values_only=True):
            rows.append([_clean(cell) for cell in row])
            if len(rows) > MAX_ROWS + 1:
                raise ImportFileError(
                    _("The file has more than %(max)s rows. Split it.") % {"max": MAX_ROWS},
                    code="too_many_rows",
                )
        return rows
    except IndexError as exc:
        raise ImportFileError(_("The workbook has no sheet."), code="malformed") from exc
    finally:
        workbook.close()


# --- templates -------------------------------------------------------------------------------


def template_csv(kind: str) -> bytes:
    """A CSV template (UTF-8 with BOM so that Excel shows Khmer, Thai and Vietnamese)."""
    columns = [name for name, _req, _doc in COLUMNS[kind]]
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(columns)
    writer.writerow([EXAMPLES[kind].get(name, "") for name in columns])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def template_xlsx(kind: str) -> bytes:
    import openpyxl

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = str(kind)
    columns = [name for name, _req, _doc in COLUMNS[kind]]
    sheet.append(columns)
    sheet.append([EXAMPLES[kind].get(name, "") for name in columns])
    notes = workbook.create_sheet(_("Columns"))
    notes.append([_("column"), _("required"), _("meaning")])
    for name, required, doc in COLUMNS[kind]:
        notes.append([name, _("yes") if required else _("no"), str(doc)])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


# --- 2. planning -----------------------------------------------------------------------------


def _choice(value, choices, default=""):
    """Match a value against TextChoices by value or label, case-insensitively."""
    if not value:
        return default
    folded = value.casefold()
    for choice_value, label in choices.choices:
        if folded in (choice_value.casefold(), str(label).casefold()):
            return choice_value
    return None


def _date(value):
    """YYYY-MM-DD, or day first (D/M/YYYY, D.M.YYYY) as written in all three countries. Thai
    Buddhist Era years (2566 = 2023) are converted."""
    match = re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})", value[:10])
    if match:
        year, month, day = (int(part) for part in match.groups())
    else:
        match = re.fullmatch(r"(\d{1,2})[/.](\d{1,2})[/.](\d{4})", value)
        if not match:
            return None
        day, month, year = (int(part) for part in match.groups())
    if year > 2400:
        year -= 543
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def _name_key(family, given, school):
    return (family.casefold(), given.casefold(), school.casefold())


class _Rows:
    """Rows as dicts by column name, with the spreadsheet row number."""

    def __init__(self, header, rows, columns):
        self.index = {name: i for i, name in enumerate(header) if name}
        self.blank = dict.fromkeys(columns, "")  # optional columns absent from the file
        self.rows = rows

    def __iter__(self):
        for number, row in enumerate(self.rows, start=2):
            yield number, {**self.blank, **{name: row[i] for name, i in self.index.items()}}


def plan_import(kind: str, header: list[str], rows: list[list[str]]) -> ImportPlan:
    """Validate every row and describe the changes; reads the database, never writes it."""
    plan = ImportPlan(kind=kind, rows_read=len(rows))
    missing = [name for name, required, _doc in COLUMNS[kind] if required and name not in header]
    if "email" not in header and not {"family_name", "given_name"} <= set(header):
        missing.append("email")
    if missing:
        plan.problem(1, ", ".join(missing), _("Missing column(s): %(columns)s. Use the template.")
                     % {"columns": ", ".join(missing)})
        return plan
    table = _Rows(header, rows, [name for name, _required, _doc in COLUMNS[kind]])
    codes = {values["cohort"].casefold() for _n, values in table if values["cohort"]}
    cohorts = {c.code.casefold(): c for c in Cohort.objects.annotate(code_folded=Lower("code"))
               .filter(code_folded__in=codes)} if codes else {}
    plan.cohort_ids = {c.pk for c in cohorts.values()}
    {ImportKind.TEACHERS: _plan_teachers, ImportKind.ATTENDANCE: _plan_attendance,
     ImportKind.SCORES: _plan_scores}[kind](plan, table, cohorts)
    return plan


def _row_cohort(plan, number, values, cohorts):
    code = values["cohort"]
    if not code:
        plan.problem(number, "cohort", _("The cohort is missing."))
        return None
    cohort = cohorts.get(code.casefold())
    if cohort is None:
        plan.problem(number, "cohort", _("Unknown cohort “%(code)s”.") % {"code": code})
    return cohort


def _row_identity(plan, number, values):
    """(email, name key) of a row's teacher, or None after recording a problem."""
    email = values.get("email", "").casefold()
    family, given = values.get("family_name", ""), values.get("given_name", "")
    if email:
        try:
            if len(email) > 254:
                raise ValidationError("too long")
            validate_email(email)
        except ValidationError:
            plan.problem(number, "email", _("“%(email)s” is not a valid email address.")
                         % {"email": values["email"]})
            return None
    elif not (family or given):
        plan.problem(number, "email", _("Give the teacher's email, or their family name, given "
                                        "name and school."))
        return None
    return email, _name_key(family, given, values.get("school", ""))


def _existing_teachers(identities):
    """Existing teachers for a set of (email, name key) pairs, in two queries."""
    emails = {email for email, _key in identities if email}
    by_email, by_name = {}, {}
    email_list = sorted(emails)
    for start in range(0, len(email_list), 5000):
        for teacher in Teacher.objects.annotate(email_folded=Lower("email")).filter(
            email_folded__in=email_list[start : start + 5000]
        ):
            by_email[teacher.email.casefold()] = teacher
    name_keys = {key for email, key in identities if not email}
    families = {key[0] for key in name_keys}
    if families:
        for teacher in Teacher.objects.filter(email="").annotate(f=Lower("family_name")).filter(
            f__in=families
        ):
            by_name.setdefault(_name_key(teacher.family_name, teacher.given_name, teacher.school),
                               teacher)
    return by_email, by_name


def _plan_teachers(plan, table, cohorts):
    provinces = list(Province.objects.all())
    province_lookup = {}
    for province in provinces:
        for label in (province.code, province.name, province.local_name):
            if label:
                province_lookup[unicodedata.normalize("NFC", label).casefold()] = province
    parsed = []
    for number, values in table:
        cohort = _row_cohort(plan, number, values, cohorts)
        identity = _row_identity(plan, number, values)
        if not (values["family_name"] or values["given_name"]):
            plan.problem(number, "family_name", _("The teacher's name is missing."))
        fields = {}
        for column, choices, default in (
            ("gender", Gender, Gender.UNDISCLOSED),
            ("school_level", SchoolLevel, ""),
            ("name_order", NameOrder, None),
            ("preferred_language", Language, None),
            ("status", EnrolmentStatus, None),
        ):
            value = _choice(values.get(column, ""), choices, default)
            if value is None and values.get(column):
                plan.problem(number, column, _("“%(value)s” is not one of: %(choices)s.")
                             % {"value": values[column], "choices": ", ".join(choices.values)})
            fields[column] = value
        province = None
        if values.get("province"):
            province = province_lookup.get(values["province"].casefold())
            if province is None:
                plan.problem(number, "province", _("Unknown province “%(value)s”.")
                             % {"value": values["province"]})
            elif cohort and cohort.country and province.country != cohort.country:
                plan.problem(number, "province", _("%(province)s is not in the cohort's country "
                                                   "(%(country)s).")
                             % {"province": province, "country": cohort.get_country_display()})
        years = None
        if values.get("years_experience"):
            try:
                years = int(values["years_experience"])
                if not 0 <= years <= 60:
                    raise ValueError
            except ValueError:
                plan.problem(number, "years_experience", _("Years of teaching must be a whole "
                                                           "number from 0 to 60."))
        phone = values.get("phone", "")
        if phone:
            import phonenumbers

            try:
                region = cohort.country if cohort and cohort.country else None
                parsed_phone = phonenumbers.parse(phone, region)
                if not phonenumbers.is_possible_number(parsed_phone):
                    raise phonenumbers.NumberParseException(0, "impossible")
                phone = phonenumbers.format_number(parsed_phone, phonenumbers.PhoneNumberFormat.E164)
            except phonenumbers.NumberParseException:
                plan.problem(number, "phone", _("“%(value)s” is not a phone number.") % {"value": phone})
        for column in ("family_name", "given_name", "family_name_latin", "given_name_latin", "school"):
            if len(values.get(column, "")) > (200 if column == "school" else 150):
                plan.problem(number, column, _("This text is too long."))
        parsed.append((number, values, cohort, identity, fields, province, years, phone))

    by_email, by_name = _existing_teachers([p[3] for p in parsed if p[3]])
    existing_pairs = set()
    teacher_ids = [t.pk for t in (*by_email.values(), *by_name.values())]
    if teacher_ids and plan.cohort_ids:
        existing_pairs = set(
            Enrolment.objects.filter(teacher_id__in=teacher_ids, cohort_id__in=plan.cohort_ids)
            .values_list("teacher_id", "cohort_id")
        )
    seats = dict(
        Cohort.objects.filter(pk__in=plan.cohort_ids)
        .annotate(n=Count("enrolments", filter=Q(enrolments__status__in=SEATED_STATUSES)))
        .values_list("pk", "n")
    )
    new_by_key, seen_pairs = {}, {}
    created = reused = enrolled = 0
    for number, values, cohort, identity, fields, province, years, phone in parsed:
        if identity is None or cohort is None:
            continue
        email, name_key = identity
        key = ("email", email) if email else ("name", name_key)
        existing = by_email.get(email) if email else by_name.get(name_key)
        pair = (key, cohort.pk)
        if pair in seen_pairs:
            plan.problem(number, "email" if email else "family_name",
                         _("Duplicate teacher: the same teacher is already in row %(row)s for this "
                           "cohort.") % {"row": seen_pairs[pair]})
            continue
        seen_pairs[pair] = number
        if existing is not None:
            if (existing.pk, cohort.pk) in existing_pairs:
                plan.changes.append((number, _("%(teacher)s is already enrolled in %(cohort)s: left "
                                               "unchanged.") % {"teacher": existing, "cohort": cohort}))
                continue
            reused += 1
            who = str(existing)
            plan.changes.append((number, _("Existing teacher %(teacher)s reused.") % {"teacher": who}))
        elif key in new_by_key:
            who = str(new_by_key[key])
        else:
            language = fields["preferred_language"] or COUNTRY_LANGUAGE.get(cohort.country, cohort.language)
            name_order = fields["name_order"] or (
                NameOrder.GIVEN_FIRST if language == Language.THAI else NameOrder.FAMILY_FIRST
            )
            teacher = Teacher(
                family_name=values["family_name"], given_name=values["given_name"],
                family_name_latin=values.get("family_name_latin", ""),
                given_name_latin=values.get("given_name_latin", ""), name_order=name_order,
                gender=fields["gender"], email=email, phone=phone, school=values.get("school", ""),
                school_level=fields["school_level"] or "", province=province, years_experience=years,
                preferred_language=language,
            )
            new_by_key[key] = teacher
            plan.new_teachers.append(teacher)
            created += 1
            who = str(teacher)
            plan.changes.append((number, _("New teacher %(teacher)s.") % {"teacher": who}))
        status = fields["status"]
        if not status:
            if cohort.requires_approval:
                status = EnrolmentStatus.APPLIED
            elif seats.get(cohort.pk, 0) < cohort.capacity:
                status = EnrolmentStatus.CONFIRMED
            else:
                status = EnrolmentStatus.WAITLISTED
        if status in SEATED_STATUSES:
            seats[cohort.pk] = seats.get(cohort.pk, 0) + 1
            if seats[cohort.pk] > cohort.capacity:
                plan.problem(number, "status", _("%(cohort)s would have more seated teachers than its "
                                                 "capacity (%(capacity)s). Raise the capacity first or "
                                                 "import this teacher as waitlisted.")
                             % {"cohort": cohort, "capacity": cohort.capacity})
        plan.new_enrolments.append((key, existing, cohort, status))
        enrolled += 1
        plan.changes.append((number, _("Enrol %(teacher)s in %(cohort)s as %(status)s.")
                             % {"teacher": who, "cohort": cohort,
                                "status": EnrolmentStatus(status).label}))
    plan.new_teachers_by_key = new_by_key
    plan.counts = {_("New teachers"): created, _("Existing teachers reused"): reused,
                   _("New enrolments"): enrolled}


def _enrolments_by_identity(cohort_ids):
    """Seated or finished enrolments of the cohorts, indexed by (cohort, email) and (cohort, names)."""
    by_email, by_name = {}, {}
    for enrolment in Enrolment.objects.filter(cohort_id__in=cohort_ids).select_related("teacher"):
        teacher = enrolment.teacher
        if teacher.email:
            by_email[(enrolment.cohort_id, teacher.email.casefold())] = enrolment
        by_name[(enrolment.cohort_id,
                 _name_key(teacher.family_name, teacher.given_name, teacher.school))] = enrolment
    return by_email, by_name


def _row_enrolment(plan, number, values, cohort, identity, index):
    by_email, by_name = index
    email, name_key = identity
    enrolment = by_email.get((cohort.pk, email)) if email else by_name.get((cohort.pk, name_key))
    if enrolment is None:
        plan.problem(number, "email" if email else "family_name",
                     _("No such teacher is enrolled in %(cohort)s.") % {"cohort": cohort})
    elif enrolment.status not in SEATED_STATUSES:
        plan.problem(number, "email" if email else "family_name",
                     _("%(teacher)s is not confirmed in %(cohort)s (%(status)s).")
                     % {"teacher": enrolment.teacher, "cohort": cohort,
                        "status": enrolment.get_status_display()})
        return None
    return enrolment


def _plan_attendance(plan, table, cohorts):
    index = _enrolments_by_identity(plan.cohort_ids)
    sessions = {}
    for session in Session.objects.filter(cohort_id__in=plan.cohort_ids):
        sessions.setdefault((session.cohort_id, session.date), []).append(session)
    rows = []
    for number, values in table:
        cohort = _row_cohort(plan, number, values, cohorts)
        identity = _row_identity(plan, number, values)
        status = _choice(values["attendance"], AttendanceStatus)
        if not status:
            plan.problem(number, "attendance", _("“%(value)s” is not one of: %(choices)s.")
                         % {"value": values["attendance"], "choices": ", ".join(AttendanceStatus.values)})
        day = _date(values["session_date"])
        if day is None:
            plan.problem(number, "session_date", _("“%(value)s” is not a date (YYYY-MM-DD or "
                                                   "DD/MM/YYYY).")
                         % {"value": values["session_date"]})
        if len(values.get("note", "")) > 300:
            plan.problem(number, "note", _("This text is too long."))
        if not (cohort and identity and day):
            continue
        enrolment = _row_enrolment(plan, number, values, cohort, identity, index)
        candidates = sessions.get((cohort.pk, day), [])
        start = values.get("session_start", "")
        if start:
            candidates = [s for s in candidates if s.starts_at.strftime("%H:%M") == start[:5]]
        if len(candidates) != 1:
            plan.problem(number, "session_date",
                         _("%(cohort)s has no session on %(date)s.") % {"cohort": cohort, "date": day}
                         if not candidates else
                         _("%(cohort)s has several sessions on %(date)s: give session_start.")
                         % {"cohort": cohort, "date": day})
            continue
        if enrolment and status:
            rows.append((number, enrolment, candidates[0], status, values.get("note", "")))
    existing = {
        (a.enrolment_id, a.session_id): a
        for a in Attendance.objects.filter(enrolment_id__in={r[1].pk for r in rows},
                                           session_id__in={r[2].pk for r in rows})
    }
    seen = {}
    for number, enrolment, session, status, note in rows:
        pair = (enrolment.pk, session.pk)
        if pair in seen:
            plan.problem(number, "email", _("Duplicate row: row %(row)s already gives this teacher's "
                                            "attendance at this session.") % {"row": seen[pair]})
            continue
        seen[pair] = number
        current = existing.get(pair)
        label = AttendanceStatus(status).label
        if current is None:
            plan.attendance_creates.append(Attendance(enrolment=enrolment, session=session, status=status,
                                                      note=note))
            plan.changes.append((number, _("%(teacher)s at %(session)s: %(status)s.")
                                 % {"teacher": enrolment.teacher, "session": session, "status": label}))
        elif (current.status, current.note) != (status, note):
            plan.changes.append((number, _("%(teacher)s at %(session)s: %(old)s changed to %(status)s.")
                                 % {"teacher": enrolment.teacher, "session": session,
                                    "old": current.get_status_display(), "status": label}))
            current.status, current.note = status, note
            plan.attendance_updates.append(current)
    plan.counts = {_("Attendance recorded"): len(plan.attendance_creates),
                   _("Attendance changed"): len(plan.attendance_updates)}


def _plan_scores(plan, table, cohorts):
    index = _enrolments_by_identity(plan.cohort_ids)
    rows = []
    for number, values in table:
        cohort = _row_cohort(plan, number, values, cohorts)
        identity = _row_identity(plan, number, values)
        kind = _choice(values["test"], AssessmentKind)
        if not kind:
            plan.problem(number, "test", _("“%(value)s” is not pre or post.") % {"value": values["test"]})
        if not values["score"]:
            plan.problem(number, "score", _("The score is missing."))
        try:
            score = Decimal(values["score"].replace(",", "."))
            if not score.is_finite() or not 0 <= score <= 100:
                raise InvalidOperation
            score = score.quantize(Decimal("0.01"))
        except InvalidOperation:
            if values["score"]:
                plan.problem(number, "score", _("The score “%(value)s” is out of range: give a "
                                                "number from 0 to 100.") % {"value": values["score"]})
            score = None
        taken_on = None
        if values.get("taken_on"):
            taken_on = _date(values["taken_on"])
            if taken_on is None:
                plan.problem(number, "taken_on", _("“%(value)s” is not a date (YYYY-MM-DD or DD/MM/YYYY).")
                             % {"value": values["taken_on"]})
        if not (cohort and identity):
            continue
        enrolment = _row_enrolment(plan, number, values, cohort, identity, index)
        if enrolment and kind and score is not None:
            rows.append((number, enrolment, kind, score, taken_on))
    existing = {(a.enrolment_id, a.kind): a
                for a in Assessment.objects.filter(enrolment_id__in={r[1].pk for r in rows})}
    seen = {}
    for number, enrolment, kind, score, taken_on in rows:
        pair = (enrolment.pk, kind)
        if pair in seen:
            plan.problem(number, "email", _("Duplicate row: row %(row)s already gives this teacher's "
                                            "%(test)s.") % {"row": seen[pair],
                                                            "test": AssessmentKind(kind).label})
            continue
        seen[pair] = number
        current = existing.get(pair)
        label = AssessmentKind(kind).label
        if current is None:
            plan.score_creates.append(Assessment(enrolment=enrolment, kind=kind, score=score,
                                                 taken_on=taken_on))
            plan.changes.append((number, _("%(teacher)s: %(test)s %(score)s.")
                                 % {"teacher": enrolment.teacher, "test": label, "score": score}))
        elif current.score != score or (taken_on and taken_on != current.taken_on):
            plan.changes.append((number, _("%(teacher)s: %(test)s %(old)s changed to %(score)s.")
                                 % {"teacher": enrolment.teacher, "test": label, "old": current.score,
                                    "score": score}))
            current.score, current.taken_on = score, taken_on or current.taken_on
            plan.score_updates.append(current)
    plan.counts = {_("Scores recorded"): len(plan.score_creates),
                   _("Scores changed"): len(plan.score_updates)}


# --- 3. applying -----------------------------------------------------------------------------


class ImportChanged(ValidationError):
    """The database changed between preview and confirmation in a way that breaks the plan."""


def apply_import(plan: ImportPlan, *, user=None) -> dict:
    """Write a plan without problems, all or nothing, with history recorded as `user`.

    The cohorts involved are locked first (in id order), and seats are counted again under the
    lock, so an import cannot push a cohort over capacity even if registrations arrive meanwhile.
    """
    from simple_history.utils import bulk_create_with_history, bulk_update_with_history

    if not plan.ok:
        raise ImportChanged(_("The file has problems; nothing was imported."), code="problems")
    now = timezone.now()
    with transaction.atomic():
        # Bulk writes send no model signals: reports are told explicitly (after the commit).
        report_cache.data_changed()
        for cohort_id in sorted(plan.cohort_ids):
            services.lock_cohort(cohort_id)
        if plan.kind == ImportKind.TEACHERS:
            seated = dict(
                Cohort.objects.filter(pk__in=plan.cohort_ids)
                .annotate(n=Count("enrolments", filter=Q(enrolments__status__in=SEATED_STATUSES)))
                .values_list("pk", "n")
            )
            for _key, _existing, cohort, status in plan.new_enrolments:
                if status in SEATED_STATUSES:
                    seated[cohort.pk] = seated.get(cohort.pk, 0) + 1
                    if seated[cohort.pk] > cohort.capacity:
                        raise ImportChanged(
                            _("%(cohort)s filled up since the preview. Nothing was imported; "
                              "upload the file again.") % {"cohort": cohort},
                            code="cohort_full",
                        )
            bulk_create_with_history(plan.new_teachers, Teacher, batch_size=1000, default_user=user,
                                     default_date=now)
            enrolments = []
            for key, existing, cohort, status in plan.new_enrolments:
                teacher = existing or plan.new_teachers_by_key[key]
                enrolments.append(Enrolment(teacher=teacher, cohort=cohort, status=status,
                                            language=teacher.preferred_language, created_at=now,
                                            status_changed_at=now))
            bulk_create_with_history(enrolments, Enrolment, batch_size=1000, default_user=user,
                                     default_date=now)
            return {"teachers": len(plan.new_teachers), "enrolments": len(enrolments)}
        if plan.kind == ImportKind.ATTENDANCE:
            creates, updates, fields, model = (plan.attendance_creates, plan.attendance_updates,
                                               ["status", "note", "updated_at"], Attendance)
        else:
            creates, updates, fields, model = (plan.score_creates, plan.score_updates,
                                               ["score", "taken_on", "updated_at"], Assessment)
        for obj in updates:
            obj.updated_at = now
        bulk_create_with_history(creates, model, batch_size=1000, default_user=user, default_date=now)
        bulk_update_with_history(updates, model, fields, batch_size=500, default_user=user,
                                 default_date=now)
        return {"created": len(creates), "updated": len(updates)}
