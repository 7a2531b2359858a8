"""Actions that change more than one row: enrolment status and seats.

Every function owns its transaction. Seat-changing functions lock the cohort row first
(`lock_cohort`), so that capacity holds however many requests arrive at once; the views, the admin
actions, the staff pages and the importers all go through here.
"""

from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, OperationalError, connection, transaction
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from . import notifications
from .models import Cohort, CohortStatus, Enrolment, EnrolmentStatus, Teacher


class EnrolmentError(ValidationError):
    """A rule of enrolment was broken; `code` says which, the message says it to the user."""


class CohortBusy(EnrolmentError):
    def __init__(self):
        super().__init__(
            _("Many people are registering right now. Please try again in a moment."), code="busy"
        )


def lock_cohort(cohort_id: int) -> Cohort:
    """Lock the cohort row until the end of the transaction (must be called inside one).

    On PostgreSQL a lock that is not granted within PILOTS_LOCK_TIMEOUT_MS raises CohortBusy.
    On SQLite, IMMEDIATE transactions already serialise writers; select_for_update is a no-op.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL lock_timeout = %s", [f"{settings.PILOTS_LOCK_TIMEOUT_MS}ms"])
    try:
        return Cohort.objects.select_for_update().get(pk=cohort_id)
    except OperationalError as exc:
        if connection.vendor == "postgresql" and "lock timeout" in str(exc):
            raise CohortBusy() from exc
        raise


def seats_taken(cohort: Cohort) -> int:
    return cohort.enrolments.seated().count()


def _notify(enrolment: Enrolment, old_status: str | None) -> None:
    transaction.on_commit(
        lambda: notifications.enrolment_status_changed(
            enrolment_id=enrolment.pk, old_status=old_status
        )
    )


def _reports_changed() -> None:
    """Report data changed: cached reports are dropped once the transaction commits (issue 4)."""
    from .report_cache import data_changed

    data_changed()


def _set_status(enrolment: Enrolment, status: str, *, old_status: str | None) -> Enrolment:
    enrolment.status = status
    enrolment.status_changed_at = timezone.now()
    enrolment.save(update_fields=["status", "status_changed_at", "updated_at"])
    _notify(enrolment, old_status)
    _reports_changed()
    return enrolment


def place_enrolment(*, enrolment: Enrolment, cohort: Cohort) -> Enrolment:
    """Give a new or returning enrolment its status in a locked cohort.

    Invariant: confirmed (and completed) enrolments never exceed the cohort's capacity. The caller
    holds the cohort lock. Cohorts that require approval take applications; others confirm while
    seats remain and put everyone else on the waiting list.
    """
    old_status = enrolment.status if enrolment.pk else None
    if cohort.requires_approval:
        status = EnrolmentStatus.APPLIED
    elif seats_taken(cohort) < cohort.capacity:
        status = EnrolmentStatus.CONFIRMED
    else:
        status = EnrolmentStatus.WAITLISTED
    enrolment.status = status
    enrolment.status_changed_at = timezone.now()
    enrolment.save()
    _notify(enrolment, old_status)
    _reports_changed()
    return enrolment


def _locked_enrolment(enrolment_id: int) -> tuple[Enrolment, Cohort]:
    cohort_id = Enrolment.objects.values_list("cohort_id", flat=True).get(pk=enrolment_id)
    cohort = lock_cohort(cohort_id)
    enrolment = Enrolment.objects.select_related("teacher").get(pk=enrolment_id)
    return enrolment, cohort


def _change_status(enrolment: Enrolment, to: str, *, allowed_from: tuple[str, ...], refusal) -> Enrolment:
    """Move a locked enrolment to `to` if its status allows it; moving to where it is does nothing."""
    with transaction.atomic():
        enrolment, cohort = _locked_enrolment(enrolment.pk)
        if enrolment.status == to:
            return enrolment
        if enrolment.status not in allowed_from:
            raise EnrolmentError(refusal, code="invalid_status")
        if to == EnrolmentStatus.CONFIRMED and seats_taken(cohort) >= cohort.capacity:
            raise EnrolmentError(
                _("The cohort is full: no seat is left to confirm %(teacher)s.")
                % {"teacher": enrolment.teacher},
                code="cohort_full",
            )
        return _set_status(enrolment, to, old_status=enrolment.status)


def confirm_enrolment(*, enrolment: Enrolment) -> Enrolment:
    """Confirm an applied or waitlisted enrolment; refuse if the cohort is full."""
    return _change_status(
        enrolment, EnrolmentStatus.CONFIRMED,
        allowed_from=(EnrolmentStatus.APPLIED, EnrolmentStatus.WAITLISTED),
        refusal=_("Only applied or waitlisted enrolments can be confirmed."),
    )


def waitlist_enrolment(*, enrolment: Enrolment) -> Enrolment:
    """Move an applied or confirmed enrolment to the waiting list (frees a confirmed seat)."""
    return _change_status(
        enrolment, EnrolmentStatus.WAITLISTED,
        allowed_from=(EnrolmentStatus.APPLIED, EnrolmentStatus.CONFIRMED),
        refusal=_("Only applied or confirmed enrolments can be put on the waiting list."),
    )


def reject_enrolment(*, enrolment: Enrolment) -> Enrolment:
    """Reject an application or a waiting-list place."""
    return _change_status(
        enrolment, EnrolmentStatus.REJECTED,
        allowed_from=(EnrolmentStatus.APPLIED, EnrolmentStatus.WAITLISTED),
        refusal=_("Only applied or waitlisted enrolments can be rejected."),
    )


def withdraw_enrolment(*, enrolment: Enrolment) -> Enrolment:
    """Withdraw an enrolment; a freed seat goes to the first waitlisted teacher, atomically."""
    with transaction.atomic():
        enrolment, cohort = _locked_enrolment(enrolment.pk)
        if enrolment.status == EnrolmentStatus.WITHDRAWN:
            return enrolment
        if enrolment.status in (EnrolmentStatus.REJECTED, EnrolmentStatus.COMPLETED):
            raise EnrolmentError(
                _("This enrolment can no longer be withdrawn."), code="invalid_status"
            )
        freed_seat = enrolment.status == EnrolmentStatus.CONFIRMED
        _set_status(enrolment, EnrolmentStatus.WITHDRAWN, old_status=enrolment.status)
        if freed_seat and not cohort.requires_approval:
            _promote(cohort)
        return enrolment


def _promote(cohort: Cohort) -> list[Enrolment]:
    promoted = []
    free = cohort.capacity - seats_taken(cohort)
    if free <= 0:
        return promoted
    for waiting in cohort.enrolments.waiting().select_related("teacher")[:free]:
        promoted.append(_set_status(waiting, EnrolmentStatus.CONFIRMED, old_status=waiting.status))
    return promoted


def promote_waitlist(*, cohort: Cohort) -> list[Enrolment]:
    """Confirm waitlisted teachers, first come first served, while seats remain."""
    with transaction.atomic():
        cohort = lock_cohort(cohort.pk)
        return _promote(cohort)


# --- Staff pages: attendance register, scores, bulk review (issue 5) ---------------------------


class RecordError(ValidationError):
    """A staff page's batch could not be saved; `code` says why, nothing was written."""


class AttendanceConflict(RecordError):
    """Rows changed by someone else since the register was opened. `conflicts` lists them as
    dicts: enrolment_id, current status, current note, changed_by (a user or None)."""

    def __init__(self, conflicts):
        self.conflicts = conflicts
        super().__init__(
            _(
                "Someone else saved this register after you opened it. Nothing was saved: check "
                "the rows marked below and save again."
            ),
            code="conflict",
        )


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
    from .models import Attendance, Session

    with transaction.atomic():
        # Serialise saves of the same register, so that two first saves cannot both insert.
        list(Session.objects.select_for_update().filter(pk=session.pk).values_list("pk", flat=True))
        seated = set(
            Enrolment.objects.seated()
            .filter(cohort_id=session.cohort_id, pk__in=[e["enrolment_id"] for e in entries])
            .values_list("pk", flat=True)
        )
        if len(seated) != len({e["enrolment_id"] for e in entries}):
            raise RecordError(
                _("Some teachers on this register are no longer confirmed. Reload the page."),
                code="not_seated",
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
        return _write_rows(Attendance, creates, updates, ["status", "note", "updated_at"], user=user)


def _write_rows(model, creates, updates, fields, *, user) -> dict:
    """Bulk-write a page's new and changed rows with their history, and mark the reports stale."""
    if creates:
        bulk_create_with_history(creates, model, default_user=user)
    if updates:
        bulk_update_with_history(updates, model, fields, default_user=user)
    if creates or updates:
        _reports_changed()
    return {"created": len(creates), "updated": len(updates)}


def _attach_changed_by(conflicts) -> None:
    from .models import Attendance

    ids = [c["attendance_id"] for c in conflicts if c["attendance_id"]]
    latest = {}
    for record in (
        Attendance.history.filter(id__in=ids).select_related("history_user").order_by("history_date")
    ):
        latest[record.id] = record.history_user
    for conflict in conflicts:
        conflict["changed_by"] = latest.get(conflict["attendance_id"])


class ScoreConflict(RecordError):
    """Scores changed by someone else since the page was opened; `conflicts` lists them as
    dicts: enrolment_id, score (current), version (current)."""

    def __init__(self, conflicts):
        self.conflicts = conflicts
        super().__init__(
            _(
                "Someone else saved scores on this page after you opened it. Nothing was saved: "
                "check the rows marked below and save again."
            ),
            code="conflict",
        )


def record_scores(*, cohort, kind, scores, taken_on=None, user=None, versions=None) -> dict:
    """Save the pre- or post-test scores of a cohort in one transaction: all rows or none.

    `scores` maps enrolment ids (seated in `cohort`) to a Decimal 0-100; None means "no score"
    and leaves a row without one as it is. The forms validate the range; the database
    constraint is the backstop. With `versions` (enrolment id -> `attendance_version`-style token
    of the score when the page opened), a score someone else changed meanwhile is never
    overwritten silently: ScoreConflict, nothing saved. A fixed number of queries whatever the
    size of the cohort.
    """
    from .models import Assessment

    with transaction.atomic():
        # Locking the teachers' enrolment rows serialises two saves of the same page.
        seated = set(
            Enrolment.objects.seated()
            .select_for_update()
            .filter(cohort_id=cohort.pk, pk__in=list(scores))
            .values_list("pk", flat=True)
        )
        if seated != set(scores):
            raise RecordError(
                _("Some teachers on this page are no longer confirmed. Reload the page."),
                code="not_seated",
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
        return _write_rows(Assessment, creates, updates, ["score", "taken_on", "updated_at"], user=user)


REVIEW_ACTIONS = {
    "confirm": confirm_enrolment,
    "waitlist": waitlist_enrolment,
    "reject": reject_enrolment,
}


def review_enrolments(*, cohort, enrolment_ids, action) -> tuple[list[Enrolment], list[EnrolmentError]]:
    """Apply one review action to several enrolments of a cohort, oldest first.

    Each enrolment goes through the single-enrolment service (which locks the cohort), so
    capacity holds however many reviewers work at once. Returns the enrolments changed and the
    errors of those refused (e.g. `cohort_full` once the seats are gone): a refusal does not
    undo the others.
    """
    service = REVIEW_ACTIONS[action]
    target = {"confirm": EnrolmentStatus.CONFIRMED, "waitlist": EnrolmentStatus.WAITLISTED,
              "reject": EnrolmentStatus.REJECTED}[action]
    done, errors = [], []
    for enrolment in cohort.enrolments.filter(pk__in=enrolment_ids).order_by("created_at", "pk"):
        if enrolment.status == target:  # e.g. another reviewer got there first
            continue
        try:
            done.append(service(enrolment=enrolment))
        except EnrolmentError as exc:
            errors.append(exc)
    return done, errors


# --- Teacher registration (public form) -------------------------------------------------------

# Details that describe the teacher's current situation: a later registration updates them.
CURRENT_DETAILS = ("phone", "school", "school_level", "province", "years_experience", "preferred_language")
# Details given once: a later registration only fills them in when they are still blank, so that a
# form typed by someone else cannot rename a teacher. Teachers correct them on their status page.
IDENTITY_DETAILS = ("family_name", "given_name", "family_name_latin", "given_name_latin", "nickname",
                    "name_order", "gender")
LIVE_STATUSES = [s for s in EnrolmentStatus.values if s != EnrolmentStatus.WITHDRAWN]


@dataclass(frozen=True)
class Registration:
    enrolment: Enrolment
    # False when the teacher was already registered for this cohort: nothing changed, and the
    # status link was sent again.
    is_new: bool


def check_registration_open(cohort: Cohort, now=None) -> None:
    """Raise an EnrolmentError (code says why) unless the cohort takes registrations now."""
    now = now or timezone.now()
    if cohort.status != CohortStatus.OPEN:
        raise EnrolmentError(
            _("Registration for this cohort is not open."), code="cohort_not_open"
        )
    if cohort.registration_opens and cohort.registration_opens > now:
        raise EnrolmentError(
            _("Registration for this cohort has not started yet."), code="registration_not_started"
        )
    if cohort.registration_closes and cohort.registration_closes <= now:
        raise EnrolmentError(
            _("Registration for this cohort has closed."), code="registration_ended"
        )


def _find_teacher(email: str) -> Teacher | None:
    # Matches the functional unique index on LOWER(email); stored emails are already case-folded.
    # The `email <> ''` condition lets PostgreSQL use that partial index instead of a scan.
    return (
        Teacher.objects.annotate(email_lower=Lower("email"))
        .filter(email_lower=email.lower())
        .exclude(email="")
        .first()
    )


def _save_teacher(teacher: Teacher | None, details: dict, subjects, *, language: str,
                  consent_version: str, now) -> Teacher:
    if teacher is None:
        teacher = Teacher(**details)
    else:
        for field in CURRENT_DETAILS:
            if details.get(field) not in (None, ""):
                setattr(teacher, field, details[field])
        for field in IDENTITY_DETAILS:
            if details.get(field) not in (None, "") and not getattr(teacher, field):
                setattr(teacher, field, details[field])
    teacher.consent_at = now
    teacher.consent_version = consent_version
    teacher.consent_language = language
    is_new = teacher.pk is None
    teacher.save()
    if subjects and is_new:
        through = Teacher.subjects.through
        through.objects.bulk_create([through(teacher=teacher, subject=subject) for subject in subjects])
    elif subjects:
        teacher.subjects.add(*subjects)
    return teacher


def _register(*, cohort_id, details, subjects, language, consent_version, now) -> Registration:
    with transaction.atomic():
        teacher = _find_teacher(details["email"])
        if teacher is not None:
            existing = Enrolment.objects.filter(
                teacher=teacher, cohort_id=cohort_id, status__in=LIVE_STATUSES
            ).first()
            if existing is not None:
                transaction.on_commit(
                    lambda: notifications.registration_link_requested(enrolment_id=existing.pk)
                )
                return Registration(enrolment=existing, is_new=False)
        is_new_teacher = teacher is None
        teacher = _save_teacher(
            teacher, details, subjects, language=language, consent_version=consent_version, now=now
        )
        cohort = lock_cohort(cohort_id)
        check_registration_open(cohort, now)  # staff may have closed it meanwhile
        # Keep the locked part short: a teacher created just now has no enrolment yet.
        enrolment = (
            None if is_new_teacher else Enrolment.objects.filter(teacher=teacher, cohort=cohort).first()
        )
        if enrolment is None:
            enrolment = Enrolment(teacher=teacher, cohort=cohort)
        elif enrolment.status != EnrolmentStatus.WITHDRAWN:
            return Registration(enrolment=enrolment, is_new=False)
        else:
            enrolment.created_at = now  # back of the waiting-list queue
        enrolment.language = language
        enrolment.consent_version = consent_version
        enrolment.consented_at = now
        place_enrolment(enrolment=enrolment, cohort=cohort)
        return Registration(enrolment=enrolment, is_new=True)


def register_teacher(
    *,
    cohort: Cohort,
    details: dict,
    subjects=(),
    language: str,
    consent_version: str,
    now=None,
) -> Registration:
    """Register a teacher (found by email, else created) for an open cohort (`cohort` as read by
    the caller; its row is locked and read again here).

    Invariants: a cohort takes registrations only while open and inside its registration window
    (EnrolmentError codes `cohort_not_open`, `registration_not_started`, `registration_ended`);
    confirmed enrolments never exceed capacity (the cohort row is locked, see place_enrolment;
    `busy` when the lock is not granted in time); one email is one Teacher, and one Teacher has one
    enrolment per cohort: registering again is not a second enrolment (the status link is re-sent),
    and a withdrawn teacher's enrolment row is reused. `details` holds normalised Teacher fields
    (email case-folded); emails go out after commit.
    """
    if not details.get("email"):
        raise EnrolmentError(_("An email address is needed to register."), code="email_required")
    now = now or timezone.now()
    # Fail fast, before touching the teacher or waiting for the lock; checked again under the lock.
    check_registration_open(cohort, now)
    for attempt in range(2):
        try:
            return _register(
                cohort_id=cohort.pk,
                details=details,
                subjects=list(subjects),
                language=language,
                consent_version=consent_version,
                now=now,
            )
        except IntegrityError:
            # The same email was registered by a request that committed first: try once more,
            # which now finds that teacher.
            if attempt:
                raise
    raise AssertionError("unreachable")
