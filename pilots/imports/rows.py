"""What every kind of import shares: the plan, its problems, and reading a row's cells."""

import datetime as dt
import functools
import re
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db.models.functions import Lower
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from pilots.choices import BUDDHIST_ERA_OFFSET, SEATED_STATUSES
from pilots.models import Teacher
from pilots.textmatch import fold


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



def choice_value(value, choices, default=""):
    """Match a value against TextChoices by value or label, case-insensitively."""
    if not value:
        return default
    folded = value.casefold()
    for choice_value, label in choices.choices:
        if folded in (choice_value.casefold(), str(label).casefold()):
            return choice_value
    return None


DATE_FORMS = gettext_lazy("2023-03-13, 13/03/2023, 13-03-2023 or 13.03.2023 (day first), a Buddhist "
                          "Era year (13/03/2566), or an Excel date cell")
TIME_FORMS = gettext_lazy("8:00, 08:00, 8.00, 13:30 or 1:30 PM")
_EXCEL_EPOCH = dt.date(1899, 12, 30)  # Excel's day 0 (it counts a 29 February 1900 that never was)


def parse_date(value):
    """A date as staff type it: ISO (YYYY-MM-DD, also with a time), day first (D/M/YYYY, D-M-YYYY,
    D.M.YYYY) as written in all three countries, or an Excel date serial (45000 = 2023-03-15).
    Thai Buddhist Era years (2566 = 2023) are converted."""
    value = value.strip()
    match = re.fullmatch(r"(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[ T].*)?", value)
    if match:
        year, month, day = (int(part) for part in match.groups())
    else:
        match = re.fullmatch(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})", value)
        if match:
            day, month, year = (int(part) for part in match.groups())
        elif re.fullmatch(r"\d{5}(?:\.0+)?", value) and 20000 <= float(value) < 80000:
            return _EXCEL_EPOCH + dt.timedelta(days=int(float(value)))
        else:
            return None
    if year > 2400:
        year -= BUDDHIST_ERA_OFFSET
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def parse_time(value):
    """A time as staff type it: 8:00, 08:00, 8.00, 8h00, 08:00:00, 1:30 PM, or an Excel time
    fraction (0.333 = 08:00)."""
    value = value.strip().casefold()
    match = re.fullmatch(r"(\d{1,2})[:.h](\d{2})(?::\d{2})?\s*(am|pm|a\.m\.|p\.m\.)?", value)
    if match:
        hour, minute = int(match.group(1)), int(match.group(2))
        if match.group(3):
            if not 1 <= hour <= 12:
                return None
            hour = hour % 12 + (12 if match.group(3).startswith("p") else 0)
    elif re.fullmatch(r"0?\.\d+", value):
        minutes = round(float(value) * 24 * 60)
        hour, minute = divmod(minutes, 60)
    else:
        return None
    try:
        return dt.time(hour, minute)
    except ValueError:
        return None


@functools.cache
def _coded_words(choices, extra_items):
    words = {}
    for value, label in choices.choices:
        words[fold(value)] = value
        for language in ("en", "km", "th", "vi"):
            with translation.override(language):
                words.setdefault(fold(str(label)), value)
    for word, value in extra_items:
        words.setdefault(fold(word), value)
    return words


def coded_value(value, choices, extra=None):
    """Match a coded cell ("P", "present", "វត្តមាន", "มาสาย", "có phép") to a choice value, with
    the choice's label in any of the four languages and `extra` {word: value}; None when unknown."""
    if not value:
        return None
    return _coded_words(choices, tuple(sorted((extra or {}).items()))).get(fold(value))


# Attendance as registers are kept: one-letter codes, and the words used in each language.
ATTENDANCE_WORDS = {
    "P": "present", "L": "late", "A": "absent", "E": "excused", "x": "present",
    "attended": "present", "here": "present", "tardy": "late", "excused absence": "excused",
    "វត្តមាន": "present", "មក": "present", "មកយឺត": "late", "យឺត": "late", "អវត្តមាន": "absent",
    "ច្បាប់": "excused", "មានច្បាប់": "excused", "សុំច្បាប់": "excused",
    "มา": "present", "มาเรียน": "present", "สาย": "late", "มาสาย": "late", "ขาด": "absent",
    "ขาดเรียน": "absent", "ลา": "excused", "ลาป่วย": "excused", "ลากิจ": "excused",
    "có mặt": "present", "có": "present", "muộn": "late", "đi muộn": "late", "trễ": "late",
    "đến muộn": "late", "vắng": "absent", "vắng mặt": "absent", "vắng không phép": "absent",
    "có phép": "excused", "vắng có phép": "excused",
}
TEST_WORDS = {"pre-test": "pre", "pretest": "pre", "post-test": "post", "posttest": "post",
              "before": "pre", "after": "post"}


def name_key(family, given, school):
    return (family.casefold(), given.casefold(), school.casefold())


class Rows:
    """Rows as dicts by column name, with the spreadsheet row number."""

    def __init__(self, header, rows, columns):
        self.index = {name: i for i, name in enumerate(header) if name}
        self.blank = dict.fromkeys(columns, "")  # optional columns absent from the file
        self.rows = rows

    def __iter__(self):
        for position, row in enumerate(self.rows, start=2):
            number = getattr(row, "number", position)
            yield number, {**self.blank, **{name: row[i] for name, i in self.index.items()}}




def row_cohort(plan, number, values, cohorts):
    code = values["cohort"]
    if not code:
        plan.problem(number, "cohort", _("The cohort is missing."))
        return None
    cohort = cohorts.get(code.casefold())
    if cohort is None:
        plan.problem(number, "cohort", _("Unknown cohort “%(code)s”.") % {"code": code})
    return cohort


def row_identity(plan, number, values):
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
    return email, name_key(family, given, values.get("school", ""))


def existing_teachers(identities):
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
            by_name.setdefault(name_key(teacher.family_name, teacher.given_name, teacher.school),
                               teacher)
    return by_email, by_name


def take_seat(seats: dict, cohort, status: str) -> bool:
    """Count an enrolment of `status` into `seats` ({cohort id: seats taken}); True when the cohort
    then holds more seated teachers than its capacity."""
    if status not in SEATED_STATUSES:
        return False
    seats[cohort.pk] = seats.get(cohort.pk, 0) + 1
    return seats[cohort.pk] > cohort.capacity
