"""Reads shared by several features: which cohorts are open, how full they are, and the per-enrolment
figures (attendance, completion, scores) that reports, exports and the admin all use.

Each rule is a queryset method so that it is one SQL expression wherever it is used; a report is a
fixed number of queries whatever the size of the data.
"""

from django.db import models
from django.db.models import (
    BooleanField,
    Case,
    Count,
    ExpressionWrapper,
    F,
    FilteredRelation,
    FloatField,
    IntegerField,
    OuterRef,
    Q,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Cast, Coalesce, Greatest, NullIf
from django.utils import timezone

from .choices import (
    ATTENDED_STATUSES,
    SEATED_STATUSES,
    AssessmentKind,
    AttendanceStatus,
    CohortStatus,
    EnrolmentStatus,
)


def registration_open_q(now) -> Q:
    """The registration window as SQL; `Cohort.registration_refusal` is the same rule on one row."""
    return (
        Q(status=CohortStatus.OPEN)
        & (Q(registration_opens__isnull=True) | Q(registration_opens__lte=now))
        & (Q(registration_closes__isnull=True) | Q(registration_closes__gt=now))
    )


def seated_count(relation: str = "enrolments") -> Count:
    """Seats taken: the enrolments through `relation` that hold a seat (SEATED_STATUSES)."""
    return Count(relation, filter=Q(**{f"{relation}__status__in": SEATED_STATUSES}))


def _count_per_cohort(queryset) -> Coalesce:
    """The number of rows of `queryset` (a model with a `cohort` key) for the outer query's cohort."""
    counted = queryset.filter(cohort=OuterRef("pk")).order_by().values("cohort").annotate(n=Count("*")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def _seats_left(seated) -> Greatest:
    """Capacity minus seats taken, never below 0. Seats taken are the seated enrolments (`seated`)
    and the seats offered to waitlisted teachers and not yet answered: the count the seat decision
    makes (`pilots.enrolment.seats_taken`, in SQL)."""
    # Imported here: pilots.models imports this module for its managers, and pilots.offers.models
    # imports pilots.models, so a module-level import would run before Cohort exists.
    from pilots.offers.models import SeatOffer

    return Greatest(F("capacity") - seated - _count_per_cohort(SeatOffer.objects.open()), 0)


class CohortQuerySet(models.QuerySet):
    def open_for_registration(self, now=None):
        return self.filter(registration_open_q(now or timezone.now()))

    def with_fill_stats(self):
        """Annotate confirmed, waitlisted, applied and seats_left in the same query."""
        return self.annotate(
            confirmed_count=seated_count(),
            waitlisted_count=Count(
                "enrolments", filter=Q(enrolments__status=EnrolmentStatus.WAITLISTED)
            ),
            applied_count=Count("enrolments", filter=Q(enrolments__status=EnrolmentStatus.APPLIED)),
        ).annotate(seats_left=_seats_left(F("confirmed_count")))


def cohort_sessions(sessions_by_cohort):
    """An enrolment's number of sessions from {cohort id: number of sessions} (several cohorts, as
    in the overview): one CASE branch per distinct number, so it stays short however many
    cohorts there are."""
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
        present + late and `recorded_count` present + late + absent. `attendance_rate` (percent) is
        attended over recorded: a session whose attendance is not recorded yet is not counted as
        missed, and excused sessions leave the count. It is NULL (shown "–", never 0) for a teacher
        who holds no seat and when nothing is recorded. `sessions_count` is the cohort's number of
        sessions and `expected_sessions` sessions minus excused: the completion rule's denominator.

        `sessions_count`: the number of sessions when every enrolment of the queryset is in one
        cohort (the cohort report), or {cohort id: number of sessions} (the overview). The
        enrolment's own attendance rows are then counted directly (an index-only scan) instead of
        joining enrolment x every session of its cohort x attendance, which PostgreSQL does row by
        row: same figures, a fraction of the time.
        """
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
            attended_count=counted(*ATTENDED_STATUSES),
            recorded_count=counted(*ATTENDED_STATUSES, AttendanceStatus.ABSENT),
        ).annotate(
            expected_sessions=F("sessions_count") - F("excused_count"),
            attendance_rate=Case(
                When(status__in=SEATED_STATUSES, then=ExpressionWrapper(
                    Cast(F("attended_count"), FloatField()) * 100.0
                    / NullIf(Cast(F("recorded_count"), FloatField()), 0.0),
                    output_field=FloatField(),
                )),
                default=None,
                output_field=FloatField(),
            ),
        )

    def with_completion(self, sessions_count=None):
        """Annotate `is_completed`: the one definition of completion, per the cohort's programme.

        A teacher completes when they hold a seat (confirmed or completed), their cohort has
        sessions, they attended (present or late) at least `completion_min_attendance` percent of
        the cohort's sessions they were not excused from (a session not recorded yet does not count
        as attended), and, if the programme says so, took the post-test. Withdrawn, rejected,
        waitlisted and applied teachers never complete. The queryset is grouped by enrolment (see
        `with_attendance`); to count completions per group use `Q(pk__in=qs.filter(is_completed=True).values("pk"))`.
        """
        qs = (
            self if "attendance_rate" in self.query.annotations
            else self.with_attendance(sessions_count=sessions_count)
        )
        return qs.annotate(
            _completion_share=ExpressionWrapper(
                Cast(F("attended_count"), FloatField()) * 100.0
                / NullIf(Cast(F("expected_sessions"), FloatField()), 0.0),
                output_field=FloatField(),
            ),
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
                    & Q(_completion_share__gte=F("cohort__programme__completion_min_attendance"))
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


def province_today(path: str):
    """The name of the province at `path` (e.g. "teacher__province") as it stands today: a
    Vietnamese unit merged in 2025 reads as its successor, so that a report can group old provinces
    under the new ones in the database; records keep the province given."""
    return Coalesce(F(f"{path}__successor__name"), F(f"{path}__name"))
