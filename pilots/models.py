import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Count, F, Q
from django.db.models.functions import Greatest, Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from phonenumber_field.modelfields import PhoneNumberField
from simple_history.models import HistoricalRecords

from partners.models import Agreement, Partner


class Country(models.TextChoices):
    CAMBODIA = "KH", _("Cambodia")
    THAILAND = "TH", _("Thailand")
    VIETNAM = "VN", _("Vietnam")


class Language(models.TextChoices):
    ENGLISH = "en", _("English")
    KHMER = "km", _("Khmer")
    THAI = "th", _("Thai")
    VIETNAMESE = "vi", _("Vietnamese")


COUNTRY_LANGUAGE = {Country.CAMBODIA: Language.KHMER, Country.THAILAND: Language.THAI,
                    Country.VIETNAM: Language.VIETNAMESE}


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
        return str(_(self.name))


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


class CohortKind(models.TextChoices):
    REGIONAL = "regional_tot", _("Regional train-the-trainer")
    NATIONAL = "national_inservice", _("National in-service")
    PRESERVICE = "preservice", _("Pre-service")


class CohortStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    OPEN = "open", _("Open for registration")
    CLOSED = "closed", _("Registration closed")
    COMPLETED = "completed", _("Completed")
    CANCELLED = "cancelled", _("Cancelled")


class EnrolmentStatus(models.TextChoices):
    APPLIED = "applied", _("Applied")
    CONFIRMED = "confirmed", _("Confirmed")
    WAITLISTED = "waitlisted", _("Waiting list")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    REJECTED = "rejected", _("Rejected")
    COMPLETED = "completed", _("Completed")


# Enrolments that hold a seat.
SEATED_STATUSES = [EnrolmentStatus.CONFIRMED, EnrolmentStatus.COMPLETED]


class CohortQuerySet(models.QuerySet):
    def open_for_registration(self, now=None):
        now = now or timezone.now()
        return self.filter(
            Q(registration_opens__isnull=True) | Q(registration_opens__lte=now),
            Q(registration_closes__isnull=True) | Q(registration_closes__gt=now),
            status=CohortStatus.OPEN,
        )

    def with_fill_stats(self):
        """Annotate confirmed, waitlisted, applied and seats_left in the same query."""
        return self.annotate(
            confirmed_count=Count("enrolments", filter=Q(enrolments__status__in=SEATED_STATUSES)),
            waitlisted_count=Count(
                "enrolments", filter=Q(enrolments__status=EnrolmentStatus.WAITLISTED)
            ),
            applied_count=Count("enrolments", filter=Q(enrolments__status=EnrolmentStatus.APPLIED)),
        ).annotate(seats_left=Greatest(F("capacity") - F("confirmed_count"), 0))

    def for_coordinator(self, user):
        """Cohorts whose reports `user` may read: staff see all, coordinators their countries."""
        if user.is_superuser or user.has_perm("pilots.view_all_countries"):
            return self
        countries = CountryAssignment.objects.filter(user=user).values("country")
        return self.filter(country__in=countries)


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

    def is_open_for_registration(self, now=None):
        now = now or timezone.now()
        return (
            self.status == CohortStatus.OPEN
            and (self.registration_opens is None or self.registration_opens <= now)
            and (self.registration_closes is None or self.registration_closes > now)
        )


class SessionMode(models.TextChoices):
    IN_PERSON = "in_person", _("In person")
    ONLINE = "online", _("Online")
    HYBRID = "hybrid", _("Hybrid")


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
    OTHER = "other", _("Other")


class NameOrder(models.TextChoices):
    FAMILY_FIRST = "family_first", _("Family name first")
    GIVEN_FIRST = "given_first", _("Given name first")


class Teacher(models.Model):
    """A teacher or education official. Names are stored as given, in their own script."""

    family_name = models.CharField(_("family name"), max_length=150)
    given_name = models.CharField(_("given name"), max_length=150)
    family_name_latin = models.CharField(_("family name (Latin letters)"), max_length=150, blank=True)
    given_name_latin = models.CharField(_("given name (Latin letters)"), max_length=150, blank=True)
    nickname = models.CharField(_("nickname"), max_length=100, blank=True)
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


def cohort_sessions(sessions_by_cohort):
    """An enrolment's number of sessions from {cohort id: number of sessions} (several cohorts, as
    in the overview): one CASE branch per distinct number, so it stays short however many
    cohorts there are."""
    from django.db.models import Case, IntegerField, Value, When

    by_number = {}
    for cohort_id, n in sessions_by_cohort.items():
        by_number.setdefault(n, []).append(cohort_id)
    return Case(
        *[When(cohort_id__in=ids, then=Value(n)) for n, ids in sorted(by_number.items()) if n],
        default=Value(0), output_field=IntegerField(),
    )


class EnrolmentQuerySet(models.QuerySet):
    def seated(self):
        return self.filter(status__in=SEATED_STATUSES)

    def waiting(self):
        return self.filter(status=EnrolmentStatus.WAITLISTED).order_by("created_at", "pk")

    def with_attendance(self, sessions_count=None):
        """Annotate each enrolment's attendance in one join (GROUP BY enrolment).

        `present`, `late`, `absent` and `excused_count` count the recorded rows; `attended_count` is
        present + late; `sessions_count` is the cohort's number of sessions, so a session without a
        row counts as missed. Excused sessions leave the denominator: `expected_sessions` is sessions
        minus excused, and `attendance_rate` (percent) is attended over expected, NULL when nothing
        was expected (a cohort with no sessions), never 0.

        `sessions_count`: the number of sessions when every enrolment of the queryset is in one
        cohort (the cohort report), or {cohort id: number of sessions} (the overview). The
        enrolment's own attendance rows are then counted directly (an index-only scan) instead of
        joining enrolment x every session of its cohort x attendance, which PostgreSQL does row by
        row: same figures, a fraction of the time.
        """
        from django.db.models import ExpressionWrapper, FilteredRelation, FloatField, IntegerField, Value
        from django.db.models.functions import Cast, NullIf

        if sessions_count is not None:
            # An enrolment's attendance rows are all for its own cohort's sessions (Attendance.clean,
            # the register and the import check it), so they are counted without the sessions.
            # Counting the (never NULL) status, not the id, lets PostgreSQL answer from the index
            # (enrolment, session) INCLUDE (status) alone.
            def counted(*statuses):
                return Count("attendances__status", filter=Q(attendances__status__in=statuses))

            if isinstance(sessions_count, dict):
                expression = cohort_sessions(sessions_count)
            else:
                expression = Value(sessions_count, output_field=IntegerField())
            qs = self.annotate(sessions_count=expression)
        else:
            # One pass: enrolment x its cohort's sessions, each joined to this enrolment's row (if any).
            def counted(*statuses):
                return Count("_attendance", filter=Q(_attendance__status__in=statuses))

            qs = self.annotate(
                _attendance=FilteredRelation(
                    "cohort__sessions__attendances",
                    condition=Q(cohort__sessions__attendances__enrolment=F("pk")),
                ),
            ).annotate(sessions_count=Count("cohort__sessions"))
        return qs.annotate(
            present=counted(AttendanceStatus.PRESENT),
            late=counted(AttendanceStatus.LATE),
            absent=counted(AttendanceStatus.ABSENT),
            excused_count=counted(AttendanceStatus.EXCUSED),
            attended_count=counted(AttendanceStatus.PRESENT, AttendanceStatus.LATE),
        ).annotate(
            expected_sessions=F("sessions_count") - F("excused_count"),
            attendance_rate=ExpressionWrapper(
                Cast(F("attended_count"), FloatField()) * 100.0
                / NullIf(Cast(F("expected_sessions"), FloatField()), 0.0),
                output_field=FloatField(),
            ),
        )

    def with_completion(self, sessions_count=None):
        """Annotate `is_completed`: the one definition of completion, per the cohort's programme.

        A teacher completes when they hold a seat (confirmed or completed), their cohort has
        sessions, they attended (present or late) at least `completion_min_attendance` percent of
        the sessions they were not excused from, and, if the programme says so, took the
        post-test. Withdrawn, rejected, waitlisted and applied teachers never complete. The
        queryset is grouped by enrolment (see `with_attendance`); to count completions per group
        use `Q(pk__in=qs.filter(is_completed=True).values("pk"))`.
        """
        from django.db.models import BooleanField, Case, FilteredRelation, Value, When

        qs = (
            self if "attendance_rate" in self.query.annotations
            else self.with_attendance(sessions_count=sessions_count)
        )
        return qs.annotate(
            _completion_post=FilteredRelation(
                "assessments", condition=Q(assessments__kind=AssessmentKind.POST)
            ),
        ).annotate(
            # Only compared with 0: the post-test join is one-to-one per enrolment, so a plain count
            # (repeated once per attendance row) is > 0 exactly when the post-test exists; DISTINCT
            # made PostgreSQL sort every row of the group.
            post_test_count=Count("_completion_post"),
        ).annotate(
            is_completed=Case(
                When(
                    Q(status__in=SEATED_STATUSES)
                    & Q(expected_sessions__gt=0)
                    & Q(attendance_rate__gte=F("cohort__programme__completion_min_attendance"))
                    & (
                        Q(cohort__programme__completion_requires_post_test=False)
                        | Q(post_test_count__gt=0)
                    ),
                    then=Value(True),
                ),
                default=Value(False),
                output_field=BooleanField(),
            ),
        )

    def with_scores(self):
        """Annotate `pre_score`, `post_score` (NULL when missing), `gain` and normalised gain `norm_gain`.

        `norm_gain` = (post - pre) / (100 - pre) is NULL without both tests and for pre = 100.
        """
        from django.db.models import Case, ExpressionWrapper, FilteredRelation, FloatField, When
        from django.db.models.functions import Cast

        return self.annotate(
            _pre=FilteredRelation("assessments", condition=Q(assessments__kind=AssessmentKind.PRE)),
            _post=FilteredRelation("assessments", condition=Q(assessments__kind=AssessmentKind.POST)),
        ).annotate(
            pre_score=Cast(F("_pre__score"), FloatField()),
            post_score=Cast(F("_post__score"), FloatField()),
        ).annotate(
            gain=ExpressionWrapper(F("post_score") - F("pre_score"), output_field=FloatField()),
            norm_gain=Case(
                When(
                    pre_score__lt=100,
                    then=ExpressionWrapper(
                        (F("post_score") - F("pre_score")) / (100.0 - F("pre_score")),
                        output_field=FloatField(),
                    ),
                ),
                default=None,
                output_field=FloatField(),
            ),
        )


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


class AttendanceStatus(models.TextChoices):
    PRESENT = "present", _("Present")
    LATE = "late", _("Late")
    ABSENT = "absent", _("Absent")
    EXCUSED = "excused", _("Excused")


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


class AssessmentKind(models.TextChoices):
    PRE = "pre", _("Pre-test")
    POST = "post", _("Post-test")


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
