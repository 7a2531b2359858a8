"""Teachers' data rights: versioned privacy notices and consents, the register of data requests,
public holidays for their due dates, the record of who looked at personal data, erasures and
retention. Imported at the end of `pilots.models`."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from pilots.choices import Country, Language

__all__ = ["AccessRecord", "Consent", "DataRequest", "Erasure", "PrivacyNotice", "PublicHoliday",
           "RetentionPolicy", "RetentionRun"]


class Purpose(models.TextChoices):
    # Registration is the purpose every teacher consents to; the others are optional and separate.
    REGISTRATION = "registration", _("Registration and the training")
    PHOTOS = "photos", _("Photos taken at the training")
    PUBLICATION = "publication", _("Publication of my name")


OPTIONAL_PURPOSES = (Purpose.PHOTOS, Purpose.PUBLICATION)


class PrivacyNotice(models.Model):
    """One version of the privacy notice in one language. The newest published one of a language
    is the one teachers see; publishing a new version asks returning teachers to consent again."""

    version = models.CharField(_("version"), max_length=20)
    language = models.CharField(_("language"), max_length=5, choices=Language)
    text = models.TextField(_("text"))
    published_at = models.DateTimeField(_("published at"), default=timezone.now)

    class Meta:
        ordering = ["language", "-published_at"]
        verbose_name = _("privacy notice")
        verbose_name_plural = _("privacy notices")
        constraints = [
            models.UniqueConstraint(
                fields=["version", "language"], name="privacynotice_unique_version_language",
                violation_error_message=_("This version already exists in this language."),
            ),
            models.CheckConstraint(
                condition=Q(language__in=Language.values), name="privacynotice_language_valid"
            ),
        ]

    def __str__(self):
        return f"{self.version} ({self.language})"


class Consent(models.Model):
    """A teacher's consent to one purpose, with the notice version and language they saw. A
    withdrawal keeps the row (the proof of what was given, and when it ended)."""

    teacher = models.ForeignKey(
        "pilots.Teacher", verbose_name=_("teacher"), on_delete=models.PROTECT, related_name="consents"
    )
    purpose = models.CharField(_("purpose"), max_length=20, choices=Purpose)
    version = models.CharField(_("privacy notice version"), max_length=20)
    language = models.CharField(_("language"), max_length=5, choices=Language)
    given_at = models.DateTimeField(_("given at"), default=timezone.now)
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)

    class Meta:
        ordering = ["teacher", "purpose", "-given_at"]
        verbose_name = _("consent")
        verbose_name_plural = _("consents")
        constraints = [
            models.UniqueConstraint(
                fields=["teacher", "purpose"], condition=Q(withdrawn_at__isnull=True),
                name="consent_one_live_per_purpose",
            ),
            models.CheckConstraint(condition=Q(purpose__in=Purpose.values), name="consent_purpose_valid"),
            models.CheckConstraint(
                condition=Q(withdrawn_at__isnull=True) | Q(withdrawn_at__gte=F("given_at")),
                name="consent_withdrawn_after_given",
            ),
        ]

    def __str__(self):
        return f"{self.get_purpose_display()} {self.version}"


class RequestKind(models.TextChoices):
    ACCESS = "access", _("Access to my data")
    CORRECTION = "correction", _("Correction")
    ERASURE = "erasure", _("Erasure")
    OBJECTION = "objection", _("Objection")
    WITHDRAWAL = "withdrawal", _("Withdrawal of consent")


class RequestStatus(models.TextChoices):
    RECEIVED = "received", _("Received")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged")
    DONE = "done", _("Done")
    REFUSED = "refused", _("Refused")


OPEN_REQUEST_STATUSES = (RequestStatus.RECEIVED, RequestStatus.ACKNOWLEDGED)


class DataRequestQuerySet(models.QuerySet):
    def open(self):
        return self.filter(status__in=OPEN_REQUEST_STATUSES)

    def due_soon_first(self):
        return self.order_by(F("due_on").asc(nulls_last=True), "received_at")


class DataRequest(models.Model):
    """A teacher's request about their data, with its legal due dates (`privacy.deadlines`)."""

    kind = models.CharField(_("kind"), max_length=20, choices=RequestKind)
    teacher = models.ForeignKey(
        "pilots.Teacher", verbose_name=_("teacher"), on_delete=models.PROTECT, null=True, blank=True,
        related_name="data_requests",
    )
    # The country whose rule gives the due dates (blank: the strictest rule of the three).
    country = models.CharField(_("country"), max_length=2, choices=Country, blank=True)
    received_at = models.DateTimeField(_("received at"), default=timezone.now)
    requester_email = models.EmailField(_("requester's email"), blank=True)
    details = models.TextField(_("what is asked"), blank=True)
    acknowledge_by = models.DateField(_("acknowledge by"), null=True, blank=True)
    due_on = models.DateField(_("due on"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=RequestStatus, default=RequestStatus.RECEIVED)
    handler = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("handled by"), on_delete=models.PROTECT,
        null=True, blank=True, related_name="+",
    )
    outcome = models.TextField(
        _("what was done"), blank=True, help_text=_("Kept after an erasure: write no names or contacts here.")
    )
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    reminded_at = models.DateTimeField(_("reminder sent at"), null=True, blank=True)

    history = HistoricalRecords()
    objects = DataRequestQuerySet.as_manager()

    class Meta:
        # Newest first (a teacher's latest request); staff lists sort by due date (due_soon_first).
        ordering = ["-received_at", "-pk"]
        verbose_name = _("data request")
        verbose_name_plural = _("data requests")
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=RequestKind.values), name="datarequest_kind_valid"),
            models.CheckConstraint(
                condition=Q(status__in=RequestStatus.values), name="datarequest_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(country="") | Q(country__in=Country.values), name="datarequest_country_valid"
            ),
        ]
        indexes = [models.Index(fields=["status", "due_on"], name="datarequest_status_due")]

    def __str__(self):
        return f"#{self.pk} {self.get_kind_display()}"


class PublicHoliday(models.Model):
    """A day that is not a working day in a country (for the due dates counted in working days)."""

    country = models.CharField(_("country"), max_length=2, choices=Country)
    date = models.DateField(_("date"))
    name = models.CharField(_("name"), max_length=200)

    class Meta:
        ordering = ["country", "date"]
        verbose_name = _("public holiday")
        verbose_name_plural = _("public holidays")
        constraints = [
            models.UniqueConstraint(fields=["country", "date"], name="publicholiday_unique_day"),
            models.CheckConstraint(condition=Q(country__in=Country.values), name="publicholiday_country_valid"),
        ]

    def __str__(self):
        return f"{self.date} {self.name} ({self.country})"


class AccessRecord(models.Model):
    """One view of teachers' personal data by a staff member or coordinator."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(_("when"), default=timezone.now)
    what = models.CharField(_("what"), max_length=200)
    path = models.CharField(_("address"), max_length=300, blank=True)
    teachers_count = models.PositiveIntegerField(_("teachers"))

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = _("access record")
        verbose_name_plural = _("access records")
        indexes = [models.Index(fields=["at"], name="accessrecord_at")]

    def __str__(self):
        return f"{self.user} {self.what} ({self.teachers_count})"


class ErasureReason(models.TextChoices):
    REQUEST = "request", _("Teacher's request")
    RETENTION = "retention", _("Retention period ended")


class Erasure(models.Model):
    """A teacher whose personal data was erased: the Teacher row is now an anonymous placeholder
    that keeps the enrolments, attendance and scores the reports count."""

    teacher = models.OneToOneField(
        "pilots.Teacher", verbose_name=_("teacher"), on_delete=models.PROTECT, related_name="erasure"
    )
    erased_at = models.DateTimeField(_("erased at"), default=timezone.now)
    reason = models.CharField(_("reason"), max_length=20, choices=ErasureReason)
    data_request = models.ForeignKey(
        DataRequest, verbose_name=_("data request"), on_delete=models.PROTECT, null=True, blank=True
    )

    class Meta:
        ordering = ["-erased_at"]
        verbose_name = _("erasure")
        verbose_name_plural = _("erasures")
        constraints = [
            models.CheckConstraint(condition=Q(reason__in=ErasureReason.values), name="erasure_reason_valid"),
        ]

    def __str__(self):
        return f"#{self.teacher_id} {self.erased_at:%Y-%m-%d}"


class RetentionPolicy(models.Model):
    """How long a programme keeps teachers' personal data (defaults: PILOTS_RETENTION_* settings)."""

    programme = models.OneToOneField(
        "pilots.Programme", verbose_name=_("programme"), on_delete=models.CASCADE, related_name="retention"
    )
    months_after_last_cohort = models.PositiveSmallIntegerField(
        _("months kept after the programme's last cohort ends")
    )
    months_for_unplaced = models.PositiveSmallIntegerField(
        _("months kept for rejected, withdrawn or waitlisted applications"),
        help_text=_("Counted from the end of the cohort applied for."),
    )

    class Meta:
        ordering = ["programme"]
        verbose_name = _("retention policy")
        verbose_name_plural = _("retention policies")

    def __str__(self):
        return str(self.programme)


class RetentionRun(models.Model):
    """One run of `apply_retention` (a dry run too): what it found or erased."""

    ran_at = models.DateTimeField(_("ran at"), default=timezone.now)
    dry_run = models.BooleanField(_("dry run"))
    teacher_ids = models.JSONField(_("teachers"), default=list)
    erased = models.PositiveIntegerField(_("erased"), default=0)

    class Meta:
        ordering = ["-ran_at"]
        verbose_name = _("retention run")
        verbose_name_plural = _("retention runs")

    def __str__(self):
        return f"{self.ran_at:%Y-%m-%d %H:%M} ({len(self.teacher_ids)})"
