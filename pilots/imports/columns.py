"""What an import file may contain: the kinds of file, their columns, limits and template files."""

import csv
import functools
import io

import openpyxl
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from pilots.textmatch import fold

MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 20_000
MAX_PROBLEMS_SHOWN = 1000
# An XLSX file is a zip archive: what it unpacks to is checked before any XML is parsed, so that a
# small file that inflates to gigabytes (a "zip bomb") is refused at once. A real 20,000-row
# workbook unpacks to about 15 MB and compresses 5-15 times.
MAX_UNPACKED_BYTES = 40 * 1024 * 1024
MAX_RATIO = 100
MAX_COLUMNS = 60
MAX_CELL_CHARS = 2000
# Excel writes rows for formatted but empty cells down to row 1,048,576; this many blank rows in a
# row end the data.
MAX_BLANK_RUN = 1000
# Reading stops after this many seconds, under gunicorn's 30-second worker timeout: a workbook within
# the limits above but slow to parse gets a message (save it as CSV, which reads in a second)
# instead of holding a worker.
MAX_READ_SECONDS = 20


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




def template_csv(kind: str) -> bytes:
    """A CSV template (UTF-8 with BOM so that Excel shows Khmer, Thai and Vietnamese)."""
    columns = [name for name, _req, _doc in COLUMNS[kind]]
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([column_label(name) for name in columns])
    writer.writerow([EXAMPLES[kind].get(name, "") for name in columns])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def template_xlsx(kind: str) -> bytes:

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = str(kind)
    columns = [name for name, _req, _doc in COLUMNS[kind]]
    sheet.append([column_label(name) for name in columns])
    sheet.append([EXAMPLES[kind].get(name, "") for name in columns])
    notes = workbook.create_sheet(_("Columns"))
    notes.append([_("column"), _("required"), _("meaning")])
    for name, required, doc in COLUMNS[kind]:
        notes.append([name, _("yes") if required else _("no"), str(doc)])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


# What a column is called in a header row: its name, or its label in any of the four languages
# (the template files carry the labels of the staff member's language). Matched with the folding
# rule of pilots.textmatch, so case, spacing and hyphens do not matter.
COLUMN_LABELS = {
    "cohort": gettext_lazy("Cohort code"),
    "email": gettext_lazy("Email"),
    "family_name": gettext_lazy("Family name"),
    "given_name": gettext_lazy("Given name"),
    "school": gettext_lazy("School"),
    "family_name_latin": gettext_lazy("Family name in Latin letters"),
    "given_name_latin": gettext_lazy("Given name in Latin letters"),
    "name_order": gettext_lazy("Name order"),
    "gender": gettext_lazy("Gender"),
    "phone": gettext_lazy("Phone number"),
    "school_level": gettext_lazy("School level"),
    "province": gettext_lazy("Province"),
    "years_experience": gettext_lazy("Years of teaching"),
    "preferred_language": gettext_lazy("Preferred language"),
    "status": gettext_lazy("Status"),
    "session_date": gettext_lazy("Session date"),
    "session_start": gettext_lazy("Start time"),
    "attendance": gettext_lazy("Attendance"),
    "note": gettext_lazy("Note"),
    "test": gettext_lazy("Test"),
    "score": gettext_lazy("Score"),
    "taken_on": gettext_lazy("Test date"),
}
# Other English words staff use for the same columns.
_ENGLISH_ALIASES = {
    "cohort": ["cohort", "cohort id"], "email": ["e-mail", "email address", "mail"],
    "family_name": ["surname", "last name", "family"], "given_name": ["first name", "given"],
    "phone": ["phone", "telephone", "mobile"], "years_experience": ["experience", "years"],
    "session_date": ["date", "session"], "session_start": ["start", "time"],
    "attendance": ["present", "attendance status"], "test": ["kind", "test kind"],
    "taken_on": ["taken on"],
}
_HEADER_LANGUAGES = ["en", "km", "th", "vi"]


@functools.cache
def _header_names() -> dict:
    names = {}
    for column, label in COLUMN_LABELS.items():
        names[fold(column)] = column
        for alias in _ENGLISH_ALIASES.get(column, []):
            names.setdefault(fold(alias), column)
        for language in _HEADER_LANGUAGES:
            with translation.override(language):
                names.setdefault(fold(str(label)), column)
    return names


def header_column(cell: str) -> str:
    """The column a header cell names, or "" when it names none."""
    return _header_names().get(fold(cell), "") if cell else ""


def column_label(name: str) -> str:
    return str(COLUMN_LABELS.get(name, name))
