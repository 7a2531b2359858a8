"""Batch writes of the staff pages: a session's attendance register, a cohort's test scores, and the
review of applications and the waiting list.

A register or a scores page is saved in one transaction, all rows or none, with a fixed number of
queries whatever the number of teachers; a row someone else saved since the page was opened is
never overwritten silently (the row's `updated_at` is its version). Review goes through the
single-enrolment services of `pilots.enrolment`, so capacity holds however many reviewers work.
"""

from django.contrib.admin.models import ADDITION, CHANGE, LogEntry
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from pilots import data_version
from pilots.access import sees_all_countries
from pilots.choices import EnrolmentStatus
from pilots.enrolment import (
    EnrolmentError,
    confirm_enrolment,
    lock_cohort,
    reject_enrolment,
    seats_taken,
    waitlist_enrolment,
    write_rows,
)
from pilots.history import change_reason
from pilots.models import Assessment, Attendance, Cohort, Enrolment, Session


class RecordError(ValidationError):
    """A staff page's batch could not be saved; `code` says why, nothing was written."""


class RowConflict(RecordError):
    """Rows someone else saved since the page was opened; nothing was saved. `conflicts` lists them
    as dicts: enrolment_id, the row's current values and version."""

    text = ""

    def __init__(self, conflicts):
        self.conflicts = conflicts
        super().__init__(self.text, code="conflict")


class AttendanceConflict(RowConflict):
    """A register's rows changed meanwhile; each conflict also says who changed it (changed_by)."""

    text = _(
        "Someone else saved this register after you opened it. Nothing was saved: check "
        "the rows marked below and save again."
    )


class ScoreConflict(RowConflict):
    text = _(
        "Someone else saved scores on this page after you opened it. Nothing was saved: "
        "check the rows marked below and save again."
    )


def _seated_ids(cohort_id: int, enrolment_ids, *, lock: bool, message) -> set[int]:
    """The enrolment ids, all seated in the cohort, or RecordError `not_seated` (reload the page)."""
    queryset = Enrolment.objects.seated().filter(cohort_id=cohort_id, pk__in=list(enrolment_ids))
    seated = set((queryset.select_for_update() if lock else queryset).values_list("pk", flat=True))
    if seated != set(enrolment_ids):
        raise RecordError(message, code="not_seated")
    return seated


def attendance_version(attendance) -> str:
    """The optimistic-locking token of an attendance or assessment row ('' when there is none)."""
    return attendance.updated_at.isoformat() if attendance is not None else ""


def record_attendance(*, session, entries, user=None) -> dict:
    """Save a session's register in one transaction: all rows or none.

    `entries` is a list of dicts (enrolment_id, status, note, version) where version is the token
    the form was opened with (`attendance_version`). Invariant: a row someone else changed since
    then is never overwritten silently; if any row conflicts (and its value differs), nothing is
    saved and AttendanceConflict lists the rows. Blank statuses mean "not recorded" and leave
    the row as it is. Enrolments must be seated in the session's cohort. A fixed number of queries
    whatever the number of rows (bulk create/update with history, `user` as history_user).
    """

    with transaction.atomic(), change_reason("register"):
        # Serialise saves of the same register, so that two first saves cannot both insert.
        list(Session.objects.select_for_update().filter(pk=session.pk).values_list("pk", flat=True))
        seated = _seated_ids(
            session.cohort_id, {e["enrolment_id"] for e in entries}, lock=False,
            message=_("Some teachers on this register are no longer confirmed. Reload the page."),
        )
        existing = {
            a.enrolment_id: a
            for a in Attendance.objects.select_for_update().filter(
                session=session, enrolment_id__in=seated
            )
        }
        conflicts, creates, updates = [], [], []
        now = timezone.now()
        for entry in entries:
            current = existing.get(entry["enrolment_id"])
            status, note = entry["status"], entry.get("note", "")
            if attendance_version(current) != (entry.get("version") or ""):
                if current is None or (current.status, current.note) != (status, note):
                    conflicts.append(
                        {"enrolment_id": entry["enrolment_id"], "status": getattr(current, "status", ""),
                         "note": getattr(current, "note", ""), "attendance_id": getattr(current, "pk", None),
                         "version": attendance_version(current)}
                    )
                continue
            if not status:
                continue
            if current is None:
                creates.append(
                    Attendance(session=session, enrolment_id=entry["enrolment_id"], status=status,
                               note=note, updated_at=now)
                )
            elif (current.status, current.note) != (status, note):
                current.status, current.note, current.updated_at = status, note, now
                updates.append(current)
        if conflicts:
            _attach_changed_by(conflicts)
            raise AttendanceConflict(conflicts)
        return write_rows(Attendance, creates, updates, ["status", "note", "updated_at"], user=user,
                          cohorts=[session.cohort_id])


def _attach_changed_by(conflicts) -> None:
    ids = [c["attendance_id"] for c in conflicts if c["attendance_id"]]
    latest = {}
    for record in (
        Attendance.history.filter(id__in=ids).select_related("history_user").order_by("history_date")
    ):
        latest[record.id] = record.history_user
    for conflict in conflicts:
        conflict["changed_by"] = latest.get(conflict["attendance_id"])


def record_scores(*, cohort, kind, scores, taken_on=None, user=None, versions=None) -> dict:
    """Save the pre- or post-test scores of a cohort in one transaction: all rows or none.

    `scores` maps enrolment ids (seated in `cohort`) to a Decimal 0-100; None means "no score"
    and leaves a row without one as it is. The forms validate the range; the database
    constraint is the backstop. With `versions` (enrolment id -> `attendance_version`-style token
    of the score when the page opened), a score someone else changed meanwhile is never
    overwritten silently: ScoreConflict, nothing saved. A fixed number of queries whatever the
    size of the cohort.
    """

    with transaction.atomic(), change_reason("scores"):
        # Locking the teachers' enrolment rows serialises two saves of the same page.
        seated = _seated_ids(
            cohort.pk, set(scores), lock=True,
            message=_("Some teachers on this page are no longer confirmed. Reload the page."),
        )
        existing = {
            a.enrolment_id: a
            for a in Assessment.objects.select_for_update().filter(enrolment_id__in=seated, kind=kind)
        }
        now = timezone.now()
        creates, updates, conflicts = [], [], []
        for enrolment_id, score in scores.items():
            current = existing.get(enrolment_id)
            if versions is not None and attendance_version(current) != (versions.get(enrolment_id) or ""):
                if score is not None and getattr(current, "score", None) != score:
                    conflicts.append({"enrolment_id": enrolment_id,
                                      "score": getattr(current, "score", None),
                                      "version": attendance_version(current)})
                continue
            if score is None:
                continue
            if current is None:
                creates.append(
                    Assessment(enrolment_id=enrolment_id, kind=kind, score=score, taken_on=taken_on,
                               updated_at=now)
                )
            elif current.score != score or (taken_on and current.taken_on != taken_on):
                current.score, current.updated_at = score, now
                current.taken_on = taken_on or current.taken_on
                updates.append(current)
        if conflicts:
            raise ScoreConflict(conflicts)
        return write_rows(Assessment, creates, updates, ["score", "taken_on", "updated_at"], user=user,
                          cohorts=[cohort.pk])


# Review action -> (service, the status it leads to).
REVIEW_ACTIONS = {
    "confirm": (confirm_enrolment, EnrolmentStatus.CONFIRMED),
    "waitlist": (waitlist_enrolment, EnrolmentStatus.WAITLISTED),
    "reject": (reject_enrolment, EnrolmentStatus.REJECTED),
}


def review_enrolments(*, cohort, enrolment_ids, action) -> tuple[list[Enrolment], list[EnrolmentError]]:
    """Apply one review action to several enrolments of a cohort, oldest first.

    Each enrolment goes through the single-enrolment service (which locks the cohort), so
    capacity holds however many reviewers work at once. Returns the enrolments changed and the
    errors of those refused (e.g. `cohort_full` once the seats are gone): a refusal does not
    undo the others.
    """
    service, target = REVIEW_ACTIONS[action]
    done, errors = [], []
    for enrolment in cohort.enrolments.filter(pk__in=enrolment_ids).order_by("created_at", "pk"):
        if enrolment.status == target:  # e.g. another reviewer got there first
            continue
        try:
            with change_reason("review"):
                done.append(service(enrolment=enrolment))
        except EnrolmentError as exc:
            errors.append(exc)
    return done, errors


SAVED_AT_ONCE = _("Someone else saved the same record at the same moment. Nothing was saved: please try again.")


def _log_change(*, user, obj, created: bool, change_message) -> None:
    # The admin's own log, so that the record's "History" in the admin shows this change too.
    LogEntry.objects.log_actions(user_id=user.pk, queryset=[obj], action_flag=ADDITION if created else CHANGE,
                                 change_message=change_message, single_object=True)


def save_cohort(*, cohort: Cohort, user, change_message=()) -> Cohort:
    """Save a cohort that its form validated (`staffing.forms.CohortForm`: the model's rules and
    constraints), recorded in the admin's log as `user`, and mark report data changed.

    Invariant: a cohort's capacity never falls below the seats already taken (confirmed,
    completed, or held for an offer); a lower capacity is checked under the cohort's lock, so no
    registration slips in between (EnrolmentError `capacity_below_seats`). A new cohort made by a
    staff member who does not see every country gets them on its team, so that it is one of theirs.
    """
    created = cohort.pk is None
    try:
        with transaction.atomic():
            if not created:
                current = lock_cohort(cohort.pk)
                if cohort.capacity < current.capacity and cohort.capacity < (taken := seats_taken(current)):
                    raise EnrolmentError(
                        _("The capacity cannot be lower than the %(taken)d seats already taken."),
                        code="capacity_below_seats", params={"taken": taken},
                    )
            cohort.save()
            if created and not sees_all_countries(user):
                cohort.team.add(user)
            _log_change(user=user, obj=cohort, created=created, change_message=list(change_message))
            data_version.data_changed()
    except IntegrityError as exc:  # e.g. the same code taken by another writer after validation
        raise RecordError(SAVED_AT_ONCE, code="conflict") from exc
    return cohort


def save_session(*, session: Session, user, change_message=()) -> Session:
    """Save a session that its form validated (`staffing.forms.SessionForm`: its date within the
    cohort's, its module of the cohort's programme), recorded in the admin's log as `user`, and
    mark report data changed. The calendar entries of its teachers follow on the scheduler's next
    run (`calendar.services.revise_changed_sessions` compares each session's fingerprint)."""
    created = session.pk is None
    try:
        with transaction.atomic():
            session.save()
            _log_change(user=user, obj=session, created=created, change_message=list(change_message))
            data_version.data_changed()
    except IntegrityError as exc:
        raise RecordError(SAVED_AT_ONCE, code="conflict") from exc
    return session
