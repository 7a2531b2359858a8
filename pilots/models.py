import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext, pgettext_lazy
from phonenumber_field.modelfields import PhoneNumberField
from simple_history.models import HistoricalRecords

from partners.models import Agreement, Partner

from .choices import (
    AssessmentKind,
    AttendanceStatus,
    CohortKind,
    CohortStatus,
    Country,
    EmailKind,
    EnrolmentStatus,
    Gender,
    Language,
    NameOrder,
    PersonTitle,
    SchoolLevel,
    SessionMode,
)
from .querysets import CohortQuerySet, EnrolmentQuerySet


class Province(models.Model):
    """A first-level subdivision of a pilot country, seeded from pycountry's ISO 3166-2 data.

    Rows are never deleted: a teacher keeps the province they gave at the time. Vietnam's 2025
    merger is recorded with `valid_until` and `successor`.
    """

    code = models.CharField(_("ISO 3166-2 code"), max_length=10, unique=True)
    country = models.CharField(_("country"), max_length=2, choices=Country)
    name = models.CharField(_("name"), max_length=100)
    local_name = models.CharField(_("local name"), max_length=100, blank=True)
    category = models.CharField(_("category"), max_length=50, blank=True)
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    successor = models.ForeignKey(
        "self", verbose_name=_("merged into"), on_delete=models.PROTECT, null=True, blank=True
    )

    class Meta:
        ordering = ["country", "name"]
        verbose_name = _("province")
        verbose_name_plural = _("provinces")
        constraints = [
            models.CheckConstraint(
                condition=Q(country__in=Country.values), name="province_country_valid"
            ),
        ]

    def __str__(self):
        return f"{self.name} ({self.country})"


class Subject(models.Model):
    """A school subject that hosts the programme's lessons (history, literature, ...)."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=100)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["order", "name"]
        verbose_name = _("subject")
        verbose_name_plural = _("subjects")

    def __str__(self):
        return subject_name(self.name)


def subject_name(name: str) -> str:
    """A seeded subject's name in the reader's language ("English" the subject, with its own context,
    is not "English" the language)."""
    return pgettext("school subject", name)


class Programme(models.Model):
    name = models.CharField(_("name"), max_length=200, unique=True)
    description = models.TextField(_("description"), blank=True)
    lead_partners = models.ManyToManyField(
        Partner, verbose_name=_("lead partners"), related_name="programmes", blank=True
    )
    # Optional: the work began in 2020, years before the 2024 MoU.
    agreement = models.ForeignKey(
        Agreement,
        verbose_name=_("governing agreement"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="programmes",
    )
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"))
    # Completion is defined once per programme and used by reports, the admin and exports.
    completion_min_attendance = models.PositiveSmallIntegerField(
        _("attendance needed to complete (%)"),
        default=80,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
        help_text=_("Share of the cohort's sessions attended (present or late)."),
    )
    completion_requires_post_test = models.BooleanField(
        _("post-test needed to complete"), default=True
    )

    class Meta:
        ordering = ["-start_date"]
        verbose_name = _("programme")
        verbose_name_plural = _("programmes")
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__gte=F("start_date")),
                name="programme_dates_ordered",
                violation_error_message=_("The end date must not be before the start date."),
            ),
            models.CheckConstraint(
                condition=Q(completion_min_attendance__lte=100),
                name="programme_completion_attendance_range",
            ),
        ]

    def __str__(self):
        return self.name


class Module(models.Model):
    programme = models.ForeignKey(
        Programme, verbose_name=_("programme"), on_delete=models.CASCADE, related_name="modules"
    )
    code = models.CharField(_("code"), max_length=20)
    title = models.CharField(_("title"), max_length=200)
    summary = models.TextField(_("summary"), blank=True)
    planned_hours = models.DecimalField(
        _("planned hours"), max_digits=5, decimal_places=1, validators=[MinValueValidator(0)]
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    case_studies = models.TextField(_("case studies"), blank=True)
    risk_factors = models.TextField(
        _("linked risk factors"),
        blank=True,
        help_text=_("Risk factors of the UN Framework of Analysis for Atrocity Crimes, one per line."),
    )

    class Meta:
        ordering = ["programme", "order", "code"]
        verbose_name = _("module")
        verbose_name_plural = _("modules")
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "code"],
                name="module_unique_code",
                violation_error_message=_("This programme already has a module with this code."),
            ),
            models.CheckConstraint(
                condition=Q(planned_hours__gte=0), name="module_planned_hours_not_negative"
            ),
        ]

    def __str__(self):
        return f"{self.code} {self.title}"


class Cohort(models.Model):
    programme = models.ForeignKey(
        Programme, verbose_name=_("programme"), on_delete=models.PROTECT, related_name="cohorts"
    )
    name = models.CharField(_("name"), max_length=200)
    code = models.SlugField(_("code"), max_length=50, unique=True)
    year = models.PositiveSmallIntegerField(
        _("year"), validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    kind = models.CharField(_("kind"), max_length=20, choices=CohortKind)
    # Blank for regional cohorts that bring teachers from all three countries.
    country = models.CharField(_("country"), max_length=2, choices=Country, blank=True)
    province = models.ForeignKey(
        Province, verbose_name=_("province"), on_delete=models.PROTECT, null=True, blank=True
    )
    language = models.CharField(_("language of instruction"), max_length=5, choices=Language)
    venue = models.CharField(_("venue"), max_length=200, blank=True)
    is_online = models.BooleanField(_("online"), default=False)
    organiser = models.ForeignKey(
        Partner,
        verbose_name=_("organised by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="cohorts",
    )
    team = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("staff running it"),
        related_name="cohorts_run",
        blank=True,
    )
    description = models.TextField(_("description"), blank=True)
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"))
    capacity = models.PositiveIntegerField(_("capacity"), validators=[MinValueValidator(1)])
    registration_opens = models.DateTimeField(_("registration opens"), null=True, blank=True)
    registration_closes = models.DateTimeField(_("registration closes"), null=True, blank=True)
    requires_approval = models.BooleanField(
        _("requires staff approval"),
        default=False,
        help_text=_("Registrations wait as 'applied' until staff confirm them."),
    )
    status = models.CharField(
        _("status"), max_length=20, choices=CohortStatus, default=CohortStatus.PLANNED
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = CohortQuerySet.as_manager()

    class Meta:
        ordering = ["-start_date", "name"]
        verbose_name = _("cohort")
        verbose_name_plural = _("cohorts")
        permissions = [
            ("view_reports", _("Can view cohort and programme reports")),
            ("view_all_countries", _("Can view reports of every country")),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__gte=F("start_date")),
                name="cohort_dates_ordered",
                violation_error_message=_("The end date must not be before the start date."),
            ),
            models.CheckConstraint(
                condition=Q(capacity__gte=1),
                name="cohort_capacity_positive",
                violation_error_message=_("Capacity must be at least 1."),
            ),
            models.CheckConstraint(
                condition=Q(registration_opens__isnull=True)
                | Q(registration_closes__isnull=True)
                | Q(registration_closes__gt=F("registration_opens")),
                name="cohort_registration_window_ordered",
                violation_error_message=_("Registration must close after it opens."),
            ),
            models.CheckConstraint(
                condition=Q(kind__in=CohortKind.values), name="cohort_kind_valid"
            ),
            models.CheckConstraint(
                condition=Q(status__in=CohortStatus.values), name="cohort_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(language__in=Language.values), name="cohort_language_valid"
            ),
            # Regional cohorts have no country; national and pre-service cohorts have one.
            models.CheckConstraint(
                condition=(Q(kind=CohortKind.REGIONAL) & Q(country=""))
                | (~Q(kind=CohortKind.REGIONAL) & Q(country__in=Country.values)),
                name="cohort_country_matches_kind",
                violation_error_message=_(
                    "A regional cohort has no country; a national or pre-service cohort needs one."
                ),
            ),
            models.CheckConstraint(
                condition=Q(year__gte=2000) & Q(year__lte=2100), name="cohort_year_range"
            ),
        ]

    def __str__(self):
        return self.name

    def clean(self):
        errors = {}
        if self.start_date and self.year and self.start_date.year != self.year:
            errors["year"] = _("The year must be the year the cohort starts.")
        if self.province_id and self.country and self.province.country != self.country:
            errors["province"] = _("This province is not in the cohort's country.")
        if errors:
            raise ValidationError(errors)

    def registration_refusal(self, now=None) -> str | None:
        """Why the cohort takes no registration at `now` (an EnrolmentError code), or None when it
        does. The same rule as SQL: `querysets.registration_open_q`."""
        now = now or timezone.now()
        if self.status != CohortStatus.OPEN:
            return "cohort_not_open"
        if self.registration_opens is not None and self.registration_opens > now:
            return "registration_not_started"
        if self.registration_closes is not None and self.registration_closes <= now:
            return "registration_ended"
        return None

    def is_open_for_registration(self, now=None) -> bool:
        return self.registration_refusal(now) is None


class Session(models.Model):
    cohort = models.ForeignKey(
        Cohort, verbose_name=_("cohort"), on_delete=models.CASCADE, related_name="sessions"
    )
    module = models.ForeignKey(
        Module,
        verbose_name=_("module"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="sessions",
    )
    title = models.CharField(_("title"), max_length=200)
    date = models.DateField(_("date"))
    starts_at = models.TimeField(_("starts at"))
    ends_at = models.TimeField(_("ends at"))
    mode = models.CharField(_("mode"), max_length=20, choices=SessionMode, default=SessionMode.IN_PERSON)
    venue = models.CharField(_("venue"), max_length=200, blank=True)
    facilitators = models.CharField(_("facilitators"), max_length=300, blank=True)

    class Meta:
        ordering = ["date", "starts_at"]
        verbose_name = _("session")
        verbose_name_plural = _("sessions")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")),
                name="session_times_ordered",
                violation_error_message=_("The session must end after it starts."),
            ),
            models.CheckConstraint(
                condition=Q(mode__in=SessionMode.values), name="session_mode_valid"
            ),
        ]

    def __str__(self):
        return f"{self.title} ({self.date:%Y-%m-%d})"

    def clean(self):
        # A constraint cannot compare with another table's columns: checked here and in services.
        try:
            cohort = self.cohort
        except Cohort.DoesNotExist:
            cohort = None
        dates_known = cohort and cohort.start_date and cohort.end_date and self.date
        if dates_known and not (cohort.start_date <= self.date <= cohort.end_date):
            raise ValidationError(
                {
                    "date": _("The session must fall within the cohort's dates (%(start)s to %(end)s).")
                    % {"start": cohort.start_date, "end": cohort.end_date}
                }
            )
        if cohort and self.module_id and self.module.programme_id != cohort.programme_id:
            raise ValidationError({"module": _("This module belongs to another programme.")})


class Teacher(models.Model):
    """A teacher or education official. Names are stored as given, in their own script."""

    family_name = models.CharField(_("family name"), max_length=150)
    given_name = models.CharField(_("given name"), max_length=150)
    family_name_latin = models.CharField(_("family name (Latin letters)"), max_length=150, blank=True)
    given_name_latin = models.CharField(_("given name (Latin letters)"), max_length=150, blank=True)
    nickname = models.CharField(_("nickname"), max_length=100, blank=True)
    # For letters and certificates ("Dear Mrs ...", "นางสาว ..."); each language renders its own word.
    title = models.CharField(
        pgettext_lazy("personal title", "title"), max_length=10, choices=PersonTitle, blank=True
    )
    name_order = models.CharField(
        _("name order"), max_length=20, choices=NameOrder, default=NameOrder.FAMILY_FIRST
    )
    gender = models.CharField(
        _("gender"), max_length=20, choices=Gender, default=Gender.UNDISCLOSED
    )
    # Stored case-folded; blank only for teachers imported from spreadsheets without one.
    email = models.EmailField(_("email"), max_length=254, blank=True)
    phone = PhoneNumberField(_("phone"), blank=True)
    school = models.CharField(_("school or institution"), max_length=200, blank=True)
    school_level = models.CharField(
        _("school level"), max_length=20, choices=SchoolLevel, blank=True
    )
    subjects = models.ManyToManyField(
        Subject, verbose_name=_("subjects taught"), related_name="teachers", blank=True
    )
    province = models.ForeignKey(
        Province,
        verbose_name=_("province"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="teachers",
    )
    years_experience = models.PositiveSmallIntegerField(
        _("years of teaching"), null=True, blank=True, validators=[MaxValueValidator(60)]
    )
    preferred_language = models.CharField(
        _("preferred language"), max_length=5, choices=Language, default=Language.ENGLISH
    )
    consent_at = models.DateTimeField(_("consent given at"), null=True, blank=True)
    consent_version = models.CharField(_("privacy notice version"), max_length=20, blank=True)
    consent_language = models.CharField(
        _("language of consent"), max_length=5, choices=Language, blank=True
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["family_name", "given_name"]
        verbose_name = _("teacher")
        verbose_name_plural = _("teachers")
        constraints = [
            models.UniqueConstraint(
                Lower("email"),
                condition=~Q(email=""),
                name="teacher_unique_email",
                violation_error_message=_("A teacher with this email already exists."),
            ),
            models.CheckConstraint(
                condition=Q(gender__in=Gender.values), name="teacher_gender_valid"
            ),
            models.CheckConstraint(
                condition=Q(school_level="") | Q(school_level__in=SchoolLevel.values),
                name="teacher_school_level_valid",
            ),
            models.CheckConstraint(
                condition=Q(preferred_language__in=Language.values),
                name="teacher_language_valid",
            ),
            models.CheckConstraint(
                condition=Q(name_order__in=NameOrder.values), name="teacher_name_order_valid"
            ),
            models.CheckConstraint(
                condition=Q(years_experience__isnull=True) | Q(years_experience__lte=60),
                name="teacher_years_experience_range",
            ),
            models.CheckConstraint(
                condition=~Q(family_name="") | ~Q(given_name=""), name="teacher_has_a_name"
            ),
            models.CheckConstraint(
                condition=Q(title="") | Q(title__in=PersonTitle.values), name="teacher_title_valid"
            ),
        ]

    def __str__(self):
        return self.full_name

    @property
    def full_name(self):
        # Khmer and Vietnamese put the family name first; Thai the given name. Never split names.
        parts = (
            [self.family_name, self.given_name]
            if self.name_order == NameOrder.FAMILY_FIRST
            else [self.given_name, self.family_name]
        )
        return " ".join(p for p in parts if p)

    @property
    def latin_name(self):
        parts = (
            [self.family_name_latin, self.given_name_latin]
            if self.name_order == NameOrder.FAMILY_FIRST
            else [self.given_name_latin, self.family_name_latin]
        )
        return " ".join(p for p in parts if p)


def new_reference():
    """A short, unambiguous reference code such as 'K7QX-3M2P' (no 0/O, 1/I/L)."""
    alphabet = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
    code = "".join(secrets.choice(alphabet) for _ in range(8))
    return f"{code[:4]}-{code[4:]}"


class Enrolment(models.Model):
    teacher = models.ForeignKey(
        Teacher, verbose_name=_("teacher"), on_delete=models.PROTECT, related_name="enrolments"
    )
    cohort = models.ForeignKey(
        Cohort, verbose_name=_("cohort"), on_delete=models.PROTECT, related_name="enrolments"
    )
    status = models.CharField(
        _("status"), max_length=20, choices=EnrolmentStatus, default=EnrolmentStatus.APPLIED
    )
    reference = models.CharField(
        _("reference code"), max_length=9, unique=True, default=new_reference, editable=False
    )
    language = models.CharField(
        _("language of registration"), max_length=5, choices=Language, default=Language.ENGLISH
    )
    consent_version = models.CharField(_("privacy notice version"), max_length=20, blank=True)
    consented_at = models.DateTimeField(_("consent given at"), null=True, blank=True)
    notes = models.TextField(_("staff notes"), blank=True)
    created_at = models.DateTimeField(_("registered at"), default=timezone.now)
    status_changed_at = models.DateTimeField(_("status changed at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    history = HistoricalRecords()
    objects = EnrolmentQuerySet.as_manager()

    class Meta:
        ordering = ["cohort", "created_at", "pk"]
        verbose_name = _("enrolment")
        verbose_name_plural = _("enrolments")
        constraints = [
            models.UniqueConstraint(
                fields=["teacher", "cohort"],
                name="enrolment_one_per_teacher_and_cohort",
                violation_error_message=_("This teacher is already enrolled in this cohort."),
            ),
            models.CheckConstraint(
                condition=Q(status__in=EnrolmentStatus.values), name="enrolment_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(language__in=Language.values), name="enrolment_language_valid"
            ),
        ]
        indexes = [models.Index(fields=["cohort", "status"], name="enrolment_cohort_status")]

    def __str__(self):
        return f"{self.teacher} – {self.cohort} ({self.get_status_display()})"

    def waitlist_position(self) -> int | None:
        """1 for the next teacher to get a seat, in the order promotion uses
        (`EnrolmentQuerySet.waiting`); None when not on the waiting list. One query."""
        if self.status != EnrolmentStatus.WAITLISTED:
            return None
        ahead = Enrolment.objects.waiting().filter(cohort_id=self.cohort_id).filter(
            Q(created_at__lt=self.created_at) | Q(created_at=self.created_at, pk__lt=self.pk)
        )
        return ahead.count() + 1


class Attendance(models.Model):
    enrolment = models.ForeignKey(
        Enrolment, verbose_name=_("enrolment"), on_delete=models.CASCADE, related_name="attendances"
    )
    session = models.ForeignKey(
        Session, verbose_name=_("session"), on_delete=models.PROTECT, related_name="attendances"
    )
    status = models.CharField(_("status"), max_length=20, choices=AttendanceStatus)
    note = models.CharField(_("note"), max_length=300, blank=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["session", "enrolment"]
        verbose_name = _("attendance")
        verbose_name_plural = _("attendance")
        constraints = [
            models.UniqueConstraint(
                fields=["enrolment", "session"],
                name="attendance_one_per_enrolment_and_session",
                violation_error_message=_("Attendance for this session is already recorded."),
            ),
            models.CheckConstraint(
                condition=Q(status__in=AttendanceStatus.values), name="attendance_status_valid"
            ),
        ]
        # Covering indexes for the reports (PostgreSQL): each enrolment's and each session's
        # statuses are counted from the index alone (an index-only scan, no table rows read).
        indexes = [
            models.Index(fields=["enrolment", "session"], include=["status"], name="attendance_enrolment_cover"),
            models.Index(fields=["session", "enrolment"], include=["status"], name="attendance_session_cover"),
        ]

    def __str__(self):
        return f"{self.enrolment.teacher} @ {self.session}: {self.get_status_display()}"

    def clean(self):
        if (
            self.enrolment_id
            and self.session_id
            and self.enrolment.cohort_id != self.session.cohort_id
        ):
            raise ValidationError(
                {"session": _("This session belongs to another cohort than the enrolment.")}
            )


class Assessment(models.Model):
    enrolment = models.ForeignKey(
        Enrolment, verbose_name=_("enrolment"), on_delete=models.CASCADE, related_name="assessments"
    )
    kind = models.CharField(_("kind"), max_length=10, choices=AssessmentKind)
    score = models.DecimalField(
        _("score (0-100)"),
        max_digits=5,
        decimal_places=2,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    taken_on = models.DateField(_("taken on"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["enrolment", "kind"]
        verbose_name = _("assessment")
        verbose_name_plural = _("assessments")
        constraints = [
            models.UniqueConstraint(
                fields=["enrolment", "kind"],
                name="assessment_one_per_enrolment_and_kind",
                violation_error_message=_("This test is already recorded for the enrolment."),
            ),
            models.CheckConstraint(
                condition=Q(score__gte=0) & Q(score__lte=100),
                name="assessment_score_range",
                violation_error_message=_("The score must be between 0 and 100."),
            ),
            models.CheckConstraint(
                condition=Q(kind__in=AssessmentKind.values), name="assessment_kind_valid"
            ),
        ]
        # Covering index for the reports (PostgreSQL): pre/post scores joined from the index alone.
        indexes = [
            models.Index(fields=["enrolment", "kind"], include=["score"], name="assessment_enrolment_cover"),
        ]

    def __str__(self):
        return f"{self.enrolment.teacher} {self.get_kind_display()}: {self.score}"


class CountryAssignment(models.Model):
    """A country whose reports a coordinator may read."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="country_assignments",
    )
    country = models.CharField(_("country"), max_length=2, choices=Country)

    class Meta:
        ordering = ["user", "country"]
        verbose_name = _("coordinator country")
        verbose_name_plural = _("coordinator countries")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "country"],
                name="countryassignment_unique",
                violation_error_message=_("This country is already assigned to the user."),
            ),
            models.CheckConstraint(
                condition=Q(country__in=Country.values), name="countryassignment_country_valid"
            ),
        ]

    def __str__(self):
        return f"{self.user} – {self.get_country_display()}"


# --- Emails and task workers -------------------------------------------------------------------


class OutboundEmail(models.Model):
    """One email to a teacher, written in the same transaction as the change it tells them about.

    The task that sends it carries only this row's id. `sent_at` is set, under a row lock, as soon as
    the mail server has accepted the message, so that a task run again (a worker died, its task was
    reclaimed) finds it sent and sends nothing twice.
    """

    enrolment = models.ForeignKey(
        Enrolment, verbose_name=_("enrolment"), on_delete=models.CASCADE, related_name="emails"
    )
    kind = models.CharField(_("about"), max_length=16, choices=EmailKind)
    queued_at = models.DateTimeField(_("queued"), auto_now_add=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    # The exception's class only: an SMTP error message may quote the address.
    last_error = models.CharField(_("last error"), max_length=200, blank=True)

    class Meta:
        ordering = ["-queued_at"]
        verbose_name = _("email to a teacher")
        verbose_name_plural = _("emails to teachers")
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=EmailKind.values), name="outboundemail_kind_valid"),
        ]
        indexes = [models.Index(fields=["enrolment", "queued_at"], name="outboundemail_enrolment")]

    def __str__(self):
        return f"{self.get_kind_display()} – {self.enrolment_id}"


class WorkerHeartbeat(models.Model):
    """A task worker that is alive says so every few seconds (`pilots.worker`). A task left running
    by a worker whose heartbeat has stopped is handed to another worker."""

    worker_id = models.CharField(_("worker"), max_length=64, primary_key=True)
    hostname = models.CharField(_("host"), max_length=255)
    pid = models.PositiveIntegerField(_("process id"))
    started_at = models.DateTimeField(_("started"))
    seen_at = models.DateTimeField(_("last seen"), db_index=True)

    class Meta:
        ordering = ["-seen_at"]
        verbose_name = _("task worker")
        verbose_name_plural = _("task workers")

    def __str__(self):
        return f"{self.hostname}:{self.pid}"


# --- teachers' data rights (pilots.privacy) ---------------------------------------------------
# --- JSON API (pilots.api): tokens and their calls ------------------------------------------
from .api.models import ApiCall, ApiToken  # noqa: E402, F401

# Features that keep their models in their own package.
from .calendar.models import SessionCalendarState  # noqa: E402, F401
from .certificates.models import Certificate  # noqa: E402, F401

# --- Models of feature packages: import uploads waiting for confirmation, teachers' check-in ---
from .checkin.models import SelfCheckIn, SessionCheckIn  # noqa: E402, F401
from .imports.models import PendingImport  # noqa: E402, F401
from .offers.models import SeatOffer, WaitlistPolicy  # noqa: E402, F401
from .privacy.models import *  # noqa: E402, F403
from .reports.models import CohortFigures, FiguresRefresh  # noqa: E402, F401
from .scheduler.models import JobRun, Notice  # noqa: E402, F401
from .surveys.models import Answer, Question, Response, Survey  # noqa: E402, F401
