"""Applying an import plan: all or nothing, in one transaction, with history."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from pilots.enrolment import lock_cohort, seats_taken_by_cohort, write_rows
from pilots.history import change_reason
from pilots.models import Assessment, Attendance, Enrolment, Teacher

from .columns import ImportKind
from .rows import ImportPlan, take_seat


class ImportChanged(ValidationError):
    """The database changed between preview and confirmation in a way that breaks the plan."""


def apply_import(plan: ImportPlan, *, user=None) -> dict:
    """Write a plan without problems, all or nothing, with history recorded as `user`.

    The cohorts involved are locked first (in id order), and seats are counted again under the
    lock, so an import cannot push a cohort over capacity even if registrations arrive meanwhile.
    """
    if not plan.ok:
        raise ImportChanged(_("The file has problems; nothing was imported."), code="problems")
    now = timezone.now()
    with transaction.atomic(), change_reason("import"):
        for cohort_id in sorted(plan.cohort_ids):
            lock_cohort(cohort_id)
        if plan.kind == ImportKind.TEACHERS:
            seats = seats_taken_by_cohort(plan.cohort_ids)
            for _key, _existing, cohort, status in plan.new_enrolments:
                if take_seat(seats, cohort, status):
                    raise ImportChanged(
                        _("%(cohort)s filled up since the preview. Nothing was imported; "
                          "upload the file again.") % {"cohort": cohort},
                        code="cohort_full",
                    )
            write_rows(Teacher, plan.new_teachers, user=user, date=now)
            enrolments = []
            for key, existing, cohort, status in plan.new_enrolments:
                teacher = existing or plan.new_teachers_by_key[key]
                enrolments.append(Enrolment(teacher=teacher, cohort=cohort, status=status,
                                            language=teacher.preferred_language, created_at=now,
                                            status_changed_at=now))
            write_rows(Enrolment, enrolments, user=user, date=now)
            return {"teachers": len(plan.new_teachers), "enrolments": len(enrolments)}
        if plan.kind == ImportKind.ATTENDANCE:
            creates, updates, fields, model = (plan.attendance_creates, plan.attendance_updates,
                                               ["status", "note", "updated_at"], Attendance)
        else:
            creates, updates, fields, model = (plan.score_creates, plan.score_updates,
                                               ["score", "taken_on", "updated_at"], Assessment)
        for obj in updates:
            obj.updated_at = now
        return write_rows(model, creates, updates, fields, user=user, date=now)
