"""Retention: when a teacher's personal data has been kept long enough, by their programmes' rules
(RetentionPolicy, else the PILOTS_RETENTION_* settings), it is erased (`erasure.erase_teacher`),
the statistics kept. `apply_retention` runs it, a dry run lists the same teachers, every run is
logged (RetentionRun)."""

import calendar
import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Max
from django.utils import timezone

from pilots.choices import EnrolmentStatus
from pilots.models import Cohort, DataRequest, Enrolment, RetentionPolicy, RetentionRun, Teacher
from pilots.privacy.models import ErasureReason

from .erasure import erase_teacher

UNPLACED = (EnrolmentStatus.REJECTED, EnrolmentStatus.WITHDRAWN, EnrolmentStatus.WAITLISTED)


def add_months(day: dt.date, months: int) -> dt.date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


@dataclass(frozen=True)
class Expired:
    teacher_id: int
    expired_on: dt.date


def expired_teachers(today=None) -> list[Expired]:
    """Teachers (not erased, with no open data request) all of whose data is past its retention:
    for each enrolment, the programme's last cohort end plus its period, or for a rejected,
    withdrawn or waitlisted application the cohort's end plus the shorter period. A fixed number
    of queries; the dates are compared here."""
    today = today or timezone.localdate()
    policies = {p.programme_id: p for p in RetentionPolicy.objects.all()}
    last_end = dict(Cohort.objects.order_by().values_list("programme_id").annotate(end=Max("end_date")))

    def months(programme_id, unplaced):
        policy = policies.get(programme_id)
        if unplaced:
            return policy.months_for_unplaced if policy else settings.PILOTS_RETENTION_MONTHS_UNPLACED
        return policy.months_after_last_cohort if policy else settings.PILOTS_RETENTION_MONTHS_AFTER_LAST_COHORT

    expiry = {}
    for teacher_id, status, programme_id, end in (
        Enrolment.objects.filter(teacher__erasure__isnull=True).order_by()
        .values_list("teacher_id", "status", "cohort__programme_id", "cohort__end_date")
    ):
        unplaced = status in UNPLACED
        start = end if unplaced else last_end[programme_id]
        day = add_months(start, months(programme_id, unplaced))
        expiry[teacher_id] = max(expiry.get(teacher_id, day), day)
    # Teachers without any enrolment (an import that failed halfway, an admin entry): the short period.
    for teacher_id, created in Teacher.objects.filter(erasure__isnull=True, enrolments__isnull=True).values_list(
        "pk", "created_at"
    ):
        expiry[teacher_id] = add_months(timezone.localdate(created), settings.PILOTS_RETENTION_MONTHS_UNPLACED)
    waiting = set(DataRequest.objects.open().exclude(teacher=None).values_list("teacher_id", flat=True))
    return sorted(
        (Expired(t, day) for t, day in expiry.items() if day < today and t not in waiting),
        key=lambda e: e.teacher_id,
    )


def apply_retention(*, dry_run: bool, today=None) -> RetentionRun:
    """Erase every expired teacher (or, with `dry_run`, only list them); the run is logged."""
    found = expired_teachers(today)
    erased = 0
    if not dry_run:
        for expired in found:
            erase_teacher(teacher=Teacher(pk=expired.teacher_id), reason=ErasureReason.RETENTION)
            erased += 1
    return RetentionRun.objects.create(
        dry_run=dry_run, teacher_ids=[e.teacher_id for e in found], erased=erased,
    )
