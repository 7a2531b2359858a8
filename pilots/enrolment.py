"""Enrolment: seats, placement, status changes and the waiting list, plus the bulk writer with history.

Every function that changes a status owns its transaction. Seat-changing functions lock the cohort
row first (`lock_cohort`), so that capacity holds however many requests arrive at once; the public
pages, the admin actions, the staff pages and the importers all go through here. Every write marks
report data changed (`data_version.data_changed`), and queues its status email in the same transaction.
"""

import functools

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import OperationalError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from psycopg.errors import LockNotAvailable
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from . import data_version, notifications, rows
from .choices import SEATED_STATUSES, WITHDRAWABLE_STATUSES, EnrolmentStatus
from .history import current_reason
from .models import Cohort, Enrolment
from .offers.models import OfferStatus, SeatOffer


class EnrolmentError(ValidationError):
    """A rule of enrolment was broken; `code` says which, the message says it to the user."""


class CohortBusy(EnrolmentError):
    def __init__(self):
        super().__init__(
            _("Many people are registering right now. Please try again in a moment."), code="busy"
        )


def _column(model, field: str) -> str:
    return connection.ops.quote_name(model._meta.get_field(field).column)


def lock_cohort(cohort_id: int, *, fields: tuple[str, ...] = ()) -> Cohort:
    """Lock the cohort row until the end of the current transaction, and return it read afresh
    (only `fields` when given: the others are deferred).

    Refuses to run outside `transaction.atomic()` (the lock would be released at once). On
    PostgreSQL a lock not granted within PILOTS_LOCK_TIMEOUT_MS raises CohortBusy, recognised by its
    SQLSTATE (lock_not_available). On SQLite, IMMEDIATE transactions already serialise writers and
    select_for_update is a no-op.
    """
    return _lock(cohort_id, fields)[0]


def lock_cohort_counting_seats(cohort_id: int, *, fields: tuple[str, ...] = (), reserve=()) -> tuple[Cohort, int]:
    """`lock_cohort`, and `seats_taken` as it is once the lock is granted: one round trip on
    PostgreSQL, where the count is a statement of its own that runs after the lock statement.
    Inside `rows.together()`, keys are reserved in the same round trip for the `reserve` models."""
    count = (f"SELECT {_seats_taken_sql()}", _seats_taken_params(cohort_id))
    cohort, [(taken,)] = _lock(cohort_id, fields, [count], reserve)
    return cohort, taken


def _lock(cohort_id: int, fields: tuple[str, ...], then=(), reserve=()) -> tuple[Cohort, list]:
    if not connection.in_atomic_block:
        raise transaction.TransactionManagementError("lock_cohort() must run inside transaction.atomic().")
    # One short statement on the hot path of every registration, written out once (`pilots.rows`).
    where, params = "id = %s", [cohort_id]
    if connection.vendor == "postgresql":
        # The transaction's lock_timeout, set by the locking statement itself (one round trip, not
        # two): set_config() in the row's filter runs before the row lock is waited for.
        where += " AND set_config('lock_timeout', %s, true) IS NOT NULL"
        params.append(f"{settings.PILOTS_LOCK_TIMEOUT_MS}ms")
    suffix = " FOR UPDATE" if connection.features.has_select_for_update else ""
    try:
        cohort, then_rows = rows.select_one_then(
            Cohort, where, params, then, fields=fields, suffix=suffix, reserve=reserve)
    except OperationalError as exc:
        if isinstance(exc.__cause__, LockNotAvailable):
            raise CohortBusy() from exc
        raise
    if cohort is None:
        raise Cohort.DoesNotExist(f"No cohort {cohort_id}")
    return cohort, then_rows


@functools.cache
def _seats_taken_sql(cohort_id: str = "%s") -> str:
    """Seats taken in a cohort, as SQL: its seated enrolments (SEATED_STATUSES, as
    Enrolment.objects.seated() says) plus the seats held by offers not yet answered (as
    SeatOffer.objects.open() says). `cohort_id`: "%s" (the id passed as a parameter, see
    `_seats_taken_params`), or the id column of an outer query."""
    enrolments, offers = (connection.ops.quote_name(m._meta.db_table) for m in (Enrolment, SeatOffer))
    seated = ", ".join(["%s"] * len(SEATED_STATUSES))
    return (
        f"(SELECT COUNT(*) FROM {enrolments} WHERE {_column(Enrolment, 'cohort')} = {cohort_id}"
        f" AND {_column(Enrolment, 'status')} IN ({seated}))"
        f" + (SELECT COUNT(*) FROM {offers} WHERE {_column(SeatOffer, 'cohort')} = {cohort_id}"
        f" AND {_column(SeatOffer, 'status')} = %s)"
    )


def _seats_taken_params(cohort_id: int | None = None) -> list:
    # The cohort's id twice, unless the SQL names a column instead (`_seats_taken_sql`).
    cohort = [] if cohort_id is None else [cohort_id]
    return [*cohort, *SEATED_STATUSES, *cohort, OfferStatus.OPEN]


def seats_taken(cohort: Cohort) -> int:
    """Seated enrolments plus open seat offers, in one query. Run it after lock_cohort, as a
    statement of its own: it then sees every enrolment committed before the lock was granted."""
    # A seat offered to a waitlisted teacher is held for them until they accept or the offer expires.
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {_seats_taken_sql()}", _seats_taken_params(cohort.pk))
        return cursor.fetchone()[0]


@functools.lru_cache(maxsize=64)
def _seats_by_cohort_sql(cohorts: int) -> str:
    table = connection.ops.quote_name(Cohort._meta.db_table)
    key = f"{table}.{_column(Cohort, 'id')}"
    return (
        f"SELECT {key}, {_column(Cohort, 'requires_approval')}, {_column(Cohort, 'capacity')}, "
        f"{_seats_taken_sql(key)} FROM {table} WHERE {key} IN ({', '.join(['%s'] * cohorts)})"
    )


def _seats_by_cohort(cohort_ids) -> list[tuple[int, bool, int, int]]:
    # (id, requires approval, capacity, seats taken) of each of these cohorts, in one query.
    ids = sorted({int(getattr(c, "pk", c)) for c in cohort_ids})
    if not ids:
        return []
    with connection.cursor() as cursor:
        cursor.execute(_seats_by_cohort_sql(len(ids)), [*_seats_taken_params(), *ids])
        return [(pk, bool(approval), capacity, taken) for pk, approval, capacity, taken in cursor.fetchall()]


def seats_taken_by_cohort(cohort_ids) -> dict[int, int]:
    """{cohort id: `seats_taken`} of these cohorts (ids or cohorts), in one query."""
    return {pk: taken for pk, _approval, _capacity, taken in _seats_by_cohort(cohort_ids)}


def seats_left(cohort_ids) -> dict[int, tuple[bool, int]]:
    """{cohort id: (requires approval, seats left)} of these cohorts, in one query: capacity minus
    `seats_taken` (never below 0), the count the seat decision makes."""
    return {pk: (approval, max(capacity - taken, 0)) for pk, approval, capacity, taken in _seats_by_cohort(cohort_ids)}


def placement_status(cohort: Cohort, seats_taken: int) -> str:
    """The status a new enrolment gets: 'applied' where staff approve registrations, else confirmed
    while seats remain (`seats_taken` < capacity) and waitlisted after."""
    if cohort.requires_approval:
        return EnrolmentStatus.APPLIED
    if seats_taken < cohort.capacity:
        return EnrolmentStatus.CONFIRMED
    return EnrolmentStatus.WAITLISTED


def can_withdraw(enrolment: Enrolment) -> bool:
    return enrolment.status in WITHDRAWABLE_STATUSES


def _notify(enrolment: Enrolment, old_status: str | None) -> None:
    # In the caller's transaction: the status change and its email are saved together or not at all.
    notifications.status_changed(enrolment, old_status)


def _set_status(enrolment: Enrolment, status: str, *, old_status: str | None) -> Enrolment:
    enrolment.status = status
    enrolment.status_changed_at = timezone.now()
    enrolment.save(update_fields=["status", "status_changed_at", "updated_at"])
    _notify(enrolment, old_status)
    data_version.seats_changed(cohorts=[enrolment.cohort_id])
    return enrolment


def place_enrolment(*, enrolment: Enrolment, cohort: Cohort, now=None, taken: int | None = None) -> Enrolment:
    """Give a new or returning enrolment its status in a locked cohort (`placement_status`).

    Invariant: confirmed (and completed) enrolments never exceed the cohort's capacity. The caller
    holds the cohort lock; `taken` is the cohort's seats_taken when the caller counted them under it
    (`lock_cohort_counting_seats`), with nothing written since.
    """
    old_status = enrolment.status if enrolment.pk else None
    enrolment.status = placement_status(cohort, seats_taken(cohort) if taken is None else taken)
    enrolment.status_changed_at = now or timezone.now()
    if enrolment.pk is None:
        rows.insert_with_history(enrolment)  # the lock is held meanwhile: no ORM compiling
    else:
        enrolment.save()
    _notify(enrolment, old_status)
    data_version.seats_changed(cohorts=[cohort.pk, enrolment.cohort_id])
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
    """Withdraw an enrolment (`WITHDRAWABLE_STATUSES`); a freed seat goes to the first waitlisted
    teacher in the same transaction."""
    with transaction.atomic():
        enrolment, cohort = _locked_enrolment(enrolment.pk)
        if enrolment.status == EnrolmentStatus.WITHDRAWN:
            return enrolment
        if not can_withdraw(enrolment):
            raise EnrolmentError(
                _("This enrolment can no longer be withdrawn."), code="invalid_status"
            )
        freed_seat = enrolment.status in SEATED_STATUSES
        _set_status(enrolment, EnrolmentStatus.WITHDRAWN, old_status=enrolment.status)
        if freed_seat and not cohort.requires_approval:
            _fill_freed_seats(cohort)
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


def write_rows(model, creates, updates=(), fields=(), *, user=None, date=None, batch_size=1000,
               cohorts=None) -> dict:
    """Bulk-write new and changed rows with their history (as `user`, at `date`) and mark report
    data changed (only `cohorts`' reports, ids, when the rows belong to no other cohort). The caller
    owns the transaction; a fixed number of queries per batch."""
    if creates:
        bulk_create_with_history(creates, model, batch_size=batch_size, default_user=user, default_date=date,
                                 default_change_reason=current_reason())
    if updates:
        bulk_update_with_history(updates, model, list(fields), batch_size=batch_size, default_user=user,
                                 default_date=date, default_change_reason=current_reason())
    if creates or updates:
        data_version.data_changed(cohorts=cohorts)
    return {"created": len(creates), "updated": len(updates)}


def _fill_freed_seats(cohort: Cohort) -> list:
    """A freed seat goes to the waiting list: as an offer with a deadline where the programme's
    waiting-list policy says so, else confirmed at once. The caller holds the cohort lock."""
    # Here, not at the top: the offers service calls back into this module (lock, status changes).
    from .offers import services as offers

    if offers.makes_offers(cohort):
        return offers.offer_free_seats(cohort)
    return _promote(cohort)
