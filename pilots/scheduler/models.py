"""The scheduler's records: one row per job run (what ran, when, with what outcome) and one per
email it decided to send, so that running it twice, or in two processes at once, sends nothing
twice (a unique constraint is the backstop)."""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from pilots.models import Enrolment


class JobOutcome(models.TextChoices):
    OK = "ok", _("Done")
    FAILED = "failed", _("Failed")


class JobRun(models.Model):
    job = models.CharField(_("job"), max_length=50)
    started_at = models.DateTimeField(_("started at"), default=timezone.now)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    outcome = models.CharField(_("outcome"), max_length=10, choices=JobOutcome, blank=True)
    done = models.PositiveIntegerField(_("items done"), default=0)
    error = models.TextField(_("error"), blank=True)

    class Meta:
        ordering = ["-started_at", "pk"]
        verbose_name = _("scheduled job run")
        verbose_name_plural = _("scheduled job runs")
        indexes = [models.Index(fields=["job", "-started_at"], name="jobrun_job_started")]

    def __str__(self):
        return f"{self.job} {self.started_at:%Y-%m-%d %H:%M}"


class Notice(models.Model):
    """An email the scheduler sent (or queued) about an enrolment; `key` says which occasion, e.g.
    the first session's date for a reminder, the calendar's revision for an update."""

    kind = models.CharField(_("kind"), max_length=30)
    enrolment = models.ForeignKey(
        Enrolment, verbose_name=_("enrolment"), on_delete=models.CASCADE, related_name="scheduler_notices"
    )
    key = models.CharField(_("occasion"), max_length=100)
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        ordering = ["-created_at", "pk"]
        verbose_name = _("scheduled email")
        verbose_name_plural = _("scheduled emails")
        constraints = [
            models.UniqueConstraint(fields=["kind", "enrolment", "key"], name="notice_once_per_occasion"),
        ]

    def __str__(self):
        return f"{self.kind} {self.key}"
