"""What every kind of import shares: the plan, its problems, and reading a row's cells."""

import datetime as dt
import re
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db.models.functions import Lower
from django.utils.translation import gettext as _

from pilots.choices import BUDDHIST_ERA_OFFSET, SEATED_STATUSES
from pilots.models import Teacher


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


def parse_date(value):
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
        year -= BUDDHIST_ERA_OFFSET
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


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
