"""Public registration: a teacher registers for an open cohort, and corrects their contact details.

One email is one teacher; one teacher has one enrolment per cohort. Everything that does not need
the seat count (finding or saving the teacher) happens before the cohort lock is taken; the seat
decision itself is `pilots.enrolment.place_enrolment`.
"""

from dataclasses import dataclass

from django.db import IntegrityError, InterfaceError, OperationalError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from pilots import data_version, notifications, rows
from pilots.choices import LIVE_STATUSES, EnrolmentStatus
from pilots.enrolment import EnrolmentError, lock_cohort_counting_seats, place_enrolment
from pilots.history import change_reason
from pilots.models import Cohort, Enrolment, OutboundEmail, Teacher
from pilots.teachers import find_teacher

# Details that describe the teacher's current situation: a later registration updates them.
CURRENT_DETAILS = ("phone", "school", "school_level", "province", "years_experience", "preferred_language")
# Details given once: a later registration only fills them in when they are still blank, so that a
# form typed by someone else cannot rename a teacher. Teachers correct them on their status page.
IDENTITY_DETAILS = ("family_name", "given_name", "family_name_latin", "given_name_latin", "nickname",
                    "name_order", "gender")


@dataclass(frozen=True)
class Registration:
    enrolment: Enrolment
    # False when the teacher was already registered for this cohort: nothing changed, and the
    # status link was sent again.
    is_new: bool


# Why a cohort takes no registration (`Cohort.registration_refusal`), in the teacher's words.
REFUSALS = {
    "cohort_not_open": _("Registration for this cohort is not open."),
    "registration_not_started": _("Registration for this cohort has not started yet."),
    "registration_ended": _("Registration for this cohort has closed."),
}


def check_registration_open(cohort: Cohort, now=None) -> None:
    """Raise an EnrolmentError (code says why) unless the cohort takes registrations now."""
    code = cohort.registration_refusal(now)
    if code:
        raise EnrolmentError(REFUSALS[code], code=code)


def _consent(teacher: Teacher, *, language: str, consent_version: str, now) -> None:
    teacher.consent_at = now
    teacher.consent_version = consent_version
    teacher.consent_language = language


def _new_teacher(details: dict, subjects, **consent) -> Teacher | None:
    """The teacher written with these details (with their history and subjects), or None, writing
    nothing, when their email is registered already (teacher_unique_email)."""
    teacher = Teacher(**details)
    _consent(teacher, **consent)
    if not rows.insert_with_history(teacher, skip_conflict=True):
        return None
    through = Teacher.subjects.through
    rows.insert(*[through(teacher_id=teacher.pk, subject_id=subject.pk) for subject in subjects], keys=False)
    return teacher


def _update_teacher(teacher: Teacher, details: dict, subjects, **consent) -> Teacher:
    for field in CURRENT_DETAILS:
        if details.get(field) not in (None, ""):
            setattr(teacher, field, details[field])
    for field in IDENTITY_DETAILS:
        if details.get(field) not in (None, "") and not getattr(teacher, field):
            setattr(teacher, field, details[field])
    _consent(teacher, **consent)
    teacher.save()
    if subjects:
        teacher.subjects.add(*subjects)
    return teacher


# What the seat decision reads from the locked cohort row: its state now, not as the caller read it.
LOCKED_FIELDS = ("status", "capacity", "requires_approval", "registration_opens", "registration_closes")


def _register(*, cohort, details, subjects, language, consent_version, now) -> Registration:
    consent = {"language": language, "consent_version": consent_version, "now": now}
    # On PostgreSQL the writes that need no answer wait for the next round trip (`rows.together`):
    # the teacher's subjects go with the lock, the enrolment, email and task after it.
    with transaction.atomic(), change_reason("registration"), rows.together():
        # Before the lock: everything that does not need the seat count. A new email is written
        # at once (one statement); an email registered before finds its teacher.
        teacher = _new_teacher(details, subjects, **consent)
        enrolment = None
        if teacher is None:
            teacher = find_teacher(details["email"])
            if teacher is None:  # the insert met another transaction's teacher, since erased
                raise IntegrityError("The teacher of this email changed meanwhile.")
            # At most one row (enrolment_one_per_teacher_and_cohort): live, or withdrawn and reused.
            enrolment = Enrolment.objects.filter(teacher=teacher, cohort_id=cohort.pk).first()
            if enrolment is not None and enrolment.status in LIVE_STATUSES:
                notifications.registration_link_requested(enrolment_id=enrolment.pk)
                return Registration(enrolment=enrolment, is_new=False)
            teacher = _update_teacher(teacher, details, subjects, **consent)
        if enrolment is None:
            enrolment = Enrolment(teacher=teacher, cohort=cohort)
        enrolment.language = language
        enrolment.consent_version = consent_version
        enrolment.consented_at = now

        # The lock window: the seat decision, the enrolment (and its history), the email and its task.
        # With the lock come the seat count and the keys of the rows to write, which then go in one
        # round trip when the block ends.
        locked, taken = lock_cohort_counting_seats(cohort.pk, fields=LOCKED_FIELDS, reserve=(Enrolment, OutboundEmail))
        check_registration_open(locked, now)  # staff may have closed it meanwhile
        if enrolment.pk is not None:
            # A returning teacher's row, read again under the lock: a request that committed first
            # may have registered it again meanwhile.
            status = Enrolment.objects.filter(pk=enrolment.pk).values_list("status", flat=True).get()
            if status != EnrolmentStatus.WITHDRAWN:
                return Registration(enrolment=Enrolment.objects.get(pk=enrolment.pk), is_new=False)
        # Queued in the order seats are decided (a returning withdrawn teacher goes to the back).
        enrolment.created_at = timezone.now()
        place_enrolment(enrolment=enrolment, cohort=locked, now=enrolment.created_at, taken=taken)
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
    (email case-folded); the email is queued in the same transaction as the enrolment.

    A database connection lost mid-way (the server restarted, a proxy dropped it) rolls the
    transaction back; it is tried once more on a fresh connection. If that attempt finds the
    teacher registered after all, they get `is_new=False` and no second email.
    """
    if not details.get("email"):
        raise EnrolmentError(_("An email address is needed to register."), code="email_required")
    now = now or timezone.now()
    # Fail fast, before touching the teacher or waiting for the lock; checked again under the lock.
    check_registration_open(cohort, now)
    for attempt in range(2):
        try:
            return _register(
                cohort=cohort,
                details=details,
                subjects=list(subjects),
                language=language,
                consent_version=consent_version,
                now=now,
            )
        except IntegrityError:
            # A request that committed first registered the same teacher for this cohort: try once
            # more, which now finds that enrolment.
            if attempt:
                raise
        except (OperationalError, InterfaceError):
            if attempt or connection.in_atomic_block or connection.is_usable():
                raise
            connection.close()  # the next query opens a new connection
    raise AssertionError("unreachable")


# What a teacher corrects on their "My registration" page.
CONTACT_DETAILS = ("email", "phone", "school", "preferred_language")


def save_contact_details(*, teacher: Teacher) -> Teacher:
    """Save the contact details a teacher corrected (validated by the form) and mark report data
    changed (the school and language are reported)."""
    with transaction.atomic():
        teacher.save(update_fields=[*CONTACT_DETAILS, "updated_at"])
        data_version.data_changed()
    return teacher


def send_fresh_links(*, email: str) -> int:
    """Queue an email with a fresh "My registration" link for each enrolment of the teacher with
    this (normalised) email; nothing for an unknown address, nor for an enrolment emailed within
    PILOTS_LINK_EMAIL_COOLDOWN. Returns how many were queued; the page says the same either way."""
    teacher = find_teacher(email) if email else None
    if teacher is None:
        return 0
    with transaction.atomic():
        enrolment_ids = Enrolment.objects.filter(teacher=teacher).values_list("pk", flat=True)
        # Queued in this transaction (none within the cooldown of the last email).
        return len(notifications.registration_links_requested(enrolment_ids))
