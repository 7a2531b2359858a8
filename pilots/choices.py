"""Values of the pilots' vocabulary and the conventions of each country, written once.

Choices are `TextChoices` so that model constraints can use `.values`. The country conventions
(language, name order, Buddhist Era) live here so that forms, imports, reports and templates ask the
same question of the same table.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Country(models.TextChoices):
    CAMBODIA = "KH", _("Cambodia")
    THAILAND = "TH", _("Thailand")
    VIETNAM = "VN", _("Vietnam")


class Language(models.TextChoices):
    ENGLISH = "en", _("English")
    KHMER = "km", _("Khmer")
    THAI = "th", _("Thai")
    VIETNAMESE = "vi", _("Vietnamese")


# Each pilot country's national language, and back.
COUNTRY_LANGUAGE = {Country.CAMBODIA: Language.KHMER, Country.THAILAND: Language.THAI,
                    Country.VIETNAM: Language.VIETNAMESE}
LANGUAGE_COUNTRY = {language: country for country, language in COUNTRY_LANGUAGE.items()}

# A filter value for cohorts without a country (regional cohorts bring teachers of all three).
REGIONAL = "regional"

# Thai Buddhist Era years: 2024 CE = 2567 BE. Not for Cambodian dates (their era turns at Visak Bochea).
BUDDHIST_ERA_OFFSET = 543

# The years of the pilot programme, offered by the report filters.
PILOT_YEARS = range(2020, 2025)


class NameOrder(models.TextChoices):
    FAMILY_FIRST = "family_first", _("Family name first")
    GIVEN_FIRST = "given_first", _("Given name first")


def name_order_for(country: str) -> str:
    """How names are written in `country`: Thai given name first; Khmer and Vietnamese family first.

    `country` is the teacher's country (a national cohort's, or a regional teacher's province's);
    the language of instruction does not change how a person writes their own name."""
    return NameOrder.GIVEN_FIRST if country == Country.THAILAND else NameOrder.FAMILY_FIRST


class CohortKind(models.TextChoices):
    REGIONAL = "regional_tot", _("Regional train-the-trainer")
    NATIONAL = "national_inservice", _("National in-service")
    PRESERVICE = "preservice", _("Pre-service")


class CohortStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    OPEN = "open", _("Open for registration")
    CLOSED = "closed", _("Registration closed")
    COMPLETED = "completed", pgettext_lazy("cohort status", "Completed")
    CANCELLED = "cancelled", _("Cancelled")


class EnrolmentStatus(models.TextChoices):
    APPLIED = "applied", _("Applied")
    CONFIRMED = "confirmed", _("Confirmed")
    WAITLISTED = "waitlisted", _("Waiting list")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    REJECTED = "rejected", _("Rejected")
    COMPLETED = "completed", pgettext_lazy("enrolment status", "Completed")


# Enrolments that hold a seat.
SEATED_STATUSES = (EnrolmentStatus.CONFIRMED, EnrolmentStatus.COMPLETED)
# Enrolments a teacher may still withdraw from (their page offers it; the service enforces it).
WITHDRAWABLE_STATUSES = (EnrolmentStatus.APPLIED, EnrolmentStatus.CONFIRMED, EnrolmentStatus.WAITLISTED)
# Every status but withdrawn: registering again for the cohort re-sends the link instead.
LIVE_STATUSES = tuple(s for s in EnrolmentStatus if s != EnrolmentStatus.WITHDRAWN)


class SessionMode(models.TextChoices):
    IN_PERSON = "in_person", _("In person")
    ONLINE = "online", _("Online")
    HYBRID = "hybrid", _("Hybrid")


class Gender(models.TextChoices):
    FEMALE = "female", _("Female")
    MALE = "male", _("Male")
    OTHER = "other", _("Another gender")
    UNDISCLOSED = "undisclosed", _("Prefer not to say")


class SchoolLevel(models.TextChoices):
    PRIMARY = "primary", _("Primary school")
    LOWER_SECONDARY = "lower_secondary", _("Lower secondary school")
    UPPER_SECONDARY = "upper_secondary", _("Upper secondary school")
    TEACHER_TRAINING = "teacher_training", _("Teacher-training centre")
    UNIVERSITY = "university", _("University")
    EDUCATION_OFFICE = "education_office", _("Education office")
    OTHER = "other", pgettext_lazy("school level", "Other")


class AttendanceStatus(models.TextChoices):
    PRESENT = "present", _("Present")
    LATE = "late", _("Late")
    ABSENT = "absent", _("Absent")
    EXCUSED = "excused", _("Excused")


# Attendance that counts as having attended a session.
ATTENDED_STATUSES = (AttendanceStatus.PRESENT, AttendanceStatus.LATE)


class AssessmentKind(models.TextChoices):
    PRE = "pre", _("Pre-test")
    POST = "post", _("Post-test")


class EmailKind(models.TextChoices):
    """What an email to a teacher is about: a new status of their enrolment, or their link again."""

    APPLIED = "applied", _("Application received")
    CONFIRMED = "confirmed", _("Place confirmed")
    WAITLISTED = "waitlisted", _("On the waiting list")
    WITHDRAWN = "withdrawn", _("Registration withdrawn")
    REJECTED = "rejected", _("Application not accepted")
    PROMOTED = "promoted", _("Confirmed from the waiting list")
    LINK = "link", _("Registration link")
    DATA_REQUEST = "data_request", _("Request about their data received")
    CERTIFICATE = "certificate", _("Certificate issued")
    OFFER = "offer", _("Place offered from the waiting list")
    REMINDER = "reminder", _("Reminder before the training")
    CALENDAR_UPDATE = "calendar_update", _("Dates or venue changed")
    CALENDAR_CANCEL = "calendar_cancel", _("Sessions cancelled")
    SURVEY_INVITE = "survey_invite", _("Survey invitation")
    SURVEY_CLOSING = "survey_closing", _("Survey closing soon")


class PersonTitle(models.TextChoices):
    """A title for letters and certificates. Each language renders it its own way: Thai นาย/นาง/
    นางสาว, Khmer លោក/លោកស្រី/កញ្ញា, Vietnamese Ông/Bà/Cô."""

    MR = "mr", pgettext_lazy("personal title", "Mr")
    MRS = "mrs", pgettext_lazy("personal title", "Mrs")
    MISS = "miss", pgettext_lazy("personal title", "Miss")
    MS = "ms", pgettext_lazy("personal title", "Ms")
    DR = "dr", pgettext_lazy("personal title", "Dr")


# The titles each country's forms customarily offer; a regional form offers the same ones ("Ms" is
# for staff to set: Vietnamese and Thai render it with the same word as another title).
PUBLIC_TITLES = (PersonTitle.MR, PersonTitle.MRS, PersonTitle.MISS, PersonTitle.DR)
COUNTRY_TITLES = {
    Country.CAMBODIA: (PersonTitle.MR, PersonTitle.MRS, PersonTitle.MISS, PersonTitle.DR),
    Country.THAILAND: (PersonTitle.MR, PersonTitle.MRS, PersonTitle.MISS, PersonTitle.DR),
    Country.VIETNAM: (PersonTitle.MR, PersonTitle.MRS, PersonTitle.MISS, PersonTitle.DR),
}

# Countries where a nickname is part of how people are known (Thai ชื่อเล่น).
NICKNAME_COUNTRIES = (Country.THAILAND,)
