"""Teachers checking themselves in to a session with a code that changes every 30 seconds."""

import secrets

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


def new_secret() -> str:
    return secrets.token_hex(32)


class SessionCheckIn(models.Model):
    """Check-in opened by staff for one session. The codes shown are derived from `secret` and the
    current 30-second window (pilots.checkin.codes), so nothing is stored per code."""

    session = models.OneToOneField("pilots.Session", verbose_name=_("session"), on_delete=models.CASCADE,
                                   related_name="check_in")
    secret = models.CharField(_("secret"), max_length=64, default=new_secret, editable=False)
    grace_minutes = models.PositiveSmallIntegerField(
        _("late after (minutes)"), default=15,
        help_text=_("Teachers who check in later than this after the start are marked late."))
    opened_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("opened by"),
                                  on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    opened_at = models.DateTimeField(_("opened at"), auto_now_add=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    class Meta:
        ordering = ["-opened_at"]
        verbose_name = _("session check-in")
        verbose_name_plural = _("session check-ins")
        constraints = [
            models.CheckConstraint(condition=models.Q(grace_minutes__lte=240),
                                   name="sessioncheckin_grace_at_most_4_hours"),
        ]

    def __str__(self):
        return str(self.session)


class SelfCheckIn(models.Model):
    """A teacher who checked themselves in; the register shows these rows as "checked in
    themselves". One per enrolment and session, so a repeated or concurrent check-in records
    nothing twice."""

    session = models.ForeignKey("pilots.Session", verbose_name=_("session"), on_delete=models.CASCADE,
                                related_name="self_check_ins")
    enrolment = models.ForeignKey("pilots.Enrolment", verbose_name=_("enrolment"),
                                  on_delete=models.CASCADE, related_name="self_check_ins")
    attendance = models.OneToOneField("pilots.Attendance", verbose_name=_("attendance"),
                                      on_delete=models.CASCADE, related_name="self_check_in")
    checked_in_at = models.DateTimeField(_("checked in at"))

    class Meta:
        ordering = ["checked_in_at"]
        verbose_name = _("self check-in")
        verbose_name_plural = _("self check-ins")
        constraints = [
            models.UniqueConstraint(fields=["enrolment", "session"], name="selfcheckin_once_per_session"),
        ]

    def __str__(self):
        return f"{self.enrolment} – {self.session}"
