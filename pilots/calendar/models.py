"""What each session's calendar entry last said, so that a change of date, time or venue is seen
(by the scheduler) and sent as an update with a higher SEQUENCE (RFC 5545)."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from pilots.models import Session


class SessionCalendarState(models.Model):
    session = models.OneToOneField(
        Session, verbose_name=_("session"), on_delete=models.CASCADE, related_name="calendar_state"
    )
    fingerprint = models.CharField(_("what the entry says"), max_length=64)
    sequence = models.PositiveIntegerField(_("revision"), default=0)

    class Meta:
        ordering = ["session"]
        verbose_name = _("calendar entry")
        verbose_name_plural = _("calendar entries")

    def __str__(self):
        return f"{self.session} #{self.sequence}"
