"""The overview's figures kept per cohort and enrolment status (`pilots.reports.figures` writes
them; nothing else does). They are derived data: the enrolments, attendance and scores stay the
record, and a refresh recomputes every row from them by the definitions of
`pilots.reports.overview`, so a national overview adds up a few thousand rows instead of millions."""

from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from pilots.choices import EnrolmentStatus
from pilots.models import Cohort


class FiguresRefresh(models.Model):
    """One computation of every cohort's figures: when its data was read, and under which data
    version (`pilots.data_version`), so a page can say whether anything changed since."""

    computed_at = models.DateTimeField(_("figures as of"), default=timezone.now)
    data_version = models.CharField(_("data version"), max_length=64)
    seconds = models.FloatField(_("seconds taken"))

    class Meta:
        ordering = ["-computed_at", "-pk"]
        verbose_name = _("report figures refresh")
        verbose_name_plural = _("report figures refreshes")
        constraints = [models.CheckConstraint(condition=Q(seconds__gte=0), name="figuresrefresh_seconds_positive")]

    def __str__(self):
        return f"{self.computed_at:%Y-%m-%d %H:%M:%S}"


def _count(label):
    return models.PositiveIntegerField(label, default=0)


class CohortFigures(models.Model):
    """The overview's sums and counts over one cohort's enrolments of one status. Scores,
    completion, attendance and seat-sessions are those of participants: zero for other statuses."""

    refresh = models.ForeignKey(FiguresRefresh, on_delete=models.CASCADE, related_name="cohorts")
    # Derived data: a cohort deleted takes its figures along (enrolments protect it anyway).
    cohort = models.ForeignKey(Cohort, on_delete=models.CASCADE, related_name="report_figures")
    status = models.CharField(_("status"), max_length=20, choices=EnrolmentStatus)
    n = _count(_("enrolments"))
    completed = _count(_("met the completion rule"))
    pre_sum = models.FloatField(_("sum of pre-test scores"), default=0)
    pre_n = _count(_("pre-tests"))
    post_sum = models.FloatField(_("sum of post-test scores"), default=0)
    post_n = _count(_("post-tests"))
    gain_sum = models.FloatField(_("sum of gains"), default=0)
    gain_n = _count(_("teachers with both tests"))
    g_sum = models.FloatField(_("sum of normalised gains"), default=0)
    g_n = _count(_("teachers in normalised gain"))
    g_excluded = _count(_("left out of normalised gain"))
    attended = _count(_("sessions attended"))
    absent = _count(_("sessions absent"))
    excused = _count(_("sessions excused"))
    seat_sessions = _count(_("seat-sessions"))

    class Meta:
        ordering = ["refresh", "cohort", "status"]
        verbose_name = _("cohort figures")
        verbose_name_plural = _("cohort figures")
        constraints = [
            models.UniqueConstraint(fields=["refresh", "cohort", "status"], name="cohortfigures_one_per_status"),
            models.CheckConstraint(condition=Q(status__in=EnrolmentStatus.values), name="cohortfigures_status_valid"),
            # The same inequalities as the enrolments they sum: a part never exceeds its whole.
            models.CheckConstraint(
                condition=Q(completed__lte=F("n"))
                & Q(pre_n__lte=F("n"))
                & Q(post_n__lte=F("n"))
                & Q(gain_n__lte=F("pre_n"))
                & Q(gain_n__lte=F("post_n"))
                & Q(g_n__lte=F("gain_n"))
                & Q(g_excluded__lte=F("gain_n")),
                name="cohortfigures_parts_within_whole",
            ),
        ]

    def __str__(self):
        return f"{self.cohort_id} {self.status} ({self.refresh})"


FIGURE_FIELDS = [
    "n",
    "completed",
    "pre_sum",
    "pre_n",
    "post_sum",
    "post_n",
    "gain_sum",
    "gain_n",
    "g_sum",
    "g_n",
    "g_excluded",
    "attended",
    "absent",
    "excused",
    "seat_sessions",
]
