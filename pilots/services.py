"""Actions that change more than one row: enrolment status and seats.

Every function owns its transaction. Seat-changing functions lock the cohort row first
(`lock_cohort`), so that capacity holds however many requests arrive at once; the views, the admin
actions, the staff pages and the importers all go through here.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import OperationalError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from . import notifications
from .models import Cohort, Enrolment, EnrolmentStatus


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


def _set_status(enrolment: Enrolment, status: str, *, old_status: str | None) -> Enrolment:
    enrolment.status = status
    enrolment.status_changed_at = timezone.now()
    enrolment.save(update_fields=["status", "status_changed_at", "updated_at"])
    _notify(enrolment, old_status)
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
    return enrolment


def _locked_enrolment(enrolment_id: int) -> tuple[Enrolment, Cohort]:
    cohort_id = Enrolment.objects.values_list("cohort_id", flat=True).get(pk=enrolment_id)
    cohort = lock_cohort(cohort_id)
    enrolment = Enrolment.objects.select_related("teacher").get(pk=enrolment_id)
    return enrolment, cohort


def confirm_enrolment(*, enrolment: Enrolment) -> Enrolment:
    """Confirm an applied or waitlisted enrolment; refuse if the cohort is full."""
    with transaction.atomic():
        enrolment, cohort = _locked_enrolment(enrolment.pk)
        if enrolment.status == EnrolmentStatus.CONFIRMED:
            return enrolment
        if enrolment.status not in (EnrolmentStatus.APPLIED, EnrolmentStatus.WAITLISTED):
            raise EnrolmentError(
                _("Only applied or waitlisted enrolments can be confirmed."), code="invalid_status"
            )
        if seats_taken(cohort) >= cohort.capacity:
            raise EnrolmentError(
                _("The cohort is full: no seat is left to confirm %(teacher)s.")
                % {"teacher": enrolment.teacher},
                code="cohort_full",
            )
        return _set_status(enrolment, EnrolmentStatus.CONFIRMED, old_status=enrolment.status)


def waitlist_enrolment(*, enrolment: Enrolment) -> Enrolment:
    """Move an applied or confirmed enrolment to the waiting list (frees a confirmed seat)."""
    with transaction.atomic():
        enrolment, cohort = _locked_enrolment(enrolment.pk)
        if enrolment.status == EnrolmentStatus.WAITLISTED:
            return enrolment
        if enrolment.status not in (EnrolmentStatus.APPLIED, EnrolmentStatus.CONFIRMED):
            raise EnrolmentError(
                _("Only applied or confirmed enrolments can be put on the waiting list."),
                code="invalid_status",
            )
        return _set_status(enrolment, EnrolmentStatus.WAITLISTED, old_status=enrolment.status)


def reject_enrolment(*, enrolment: Enrolment) -> Enrolment:
    """Reject an application or a waiting-list place."""
    with transaction.atomic():
        enrolment, cohort = _locked_enrolment(enrolment.pk)
        if enrolment.status == EnrolmentStatus.REJECTED:
            return enrolment
        if enrolment.status not in (EnrolmentStatus.APPLIED, EnrolmentStatus.WAITLISTED):
            raise EnrolmentError(
                _("Only applied or waitlisted enrolments can be rejected."), code="invalid_status"
            )
        return _set_status(enrolment, EnrolmentStatus.REJECTED, old_status=enrolment.status)


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
