"""What each session's calendar entry last said, so that a change of date, time or venue is seen
(by the scheduler) and sent as an update with a higher SEQUENCE (RFC 5545), and a session deleted
(or its cohort cancelled) is sent as a cancellation of the same UID.

The entry outlives its session: deleting a session only empties `session`; the cohort, the UID, the
SEQUENCE and what the entry last showed stay, so that teachers' calendars can be told to drop it."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from pilots.models import Cohort, Session


class SessionCalendarState(models.Model):
    session = models.OneToOneField(
        Session, verbose_name=_("session"), on_delete=models.SET_NULL, null=True, blank=True,
        related_name="calendar_state",
    )
    cohort = models.ForeignKey(
        Cohort, verbose_name=_("cohort"), on_delete=models.CASCADE, related_name="calendar_states"
    )
    uid = models.CharField(_("calendar UID"), max_length=255, unique=True)
    fingerprint = models.CharField(_("what the entry says"), max_length=64)
    sequence = models.PositiveIntegerField(_("revision"), default=0)
    # What the entry last showed, for the cancellation once the session itself is gone.
    title = models.CharField(_("title"), max_length=200)
    starts = models.DateTimeField(_("starts"))
    ends = models.DateTimeField(_("ends"))
    cancelled = models.BooleanField(_("cancelled"), default=False)

    class Meta:
        ordering = ["cohort", "starts", "pk"]
        verbose_name = _("calendar entry")
        verbose_name_plural = _("calendar entries")
        constraints = [
            models.CheckConstraint(condition=Q(ends__gt=models.F("starts")), name="calendarstate_times_ordered"),
        ]

    def __str__(self):
        return f"{self.uid} #{self.sequence}{' (cancelled)' if self.cancelled else ''}"
