"""Teachers' data rights, the writes: consents, data requests and their handling. Each function
owns its transaction; emails go out after commit (`pilots.notifications`)."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from pilots import notifications, rows
from pilots.models import Consent, DataRequest, Enrolment, PrivacyNotice, Teacher
from pilots.privacy.models import OPEN_REQUEST_STATUSES, ErasureReason, Purpose, RequestKind, RequestStatus

from .deadlines import due_dates
from .erasure import erase_teacher


class PrivacyError(ValidationError):
    pass


# --- notices and consents -----------------------------------------------------------------------

def current_notice(language: str) -> PrivacyNotice | None:
    """The newest published notice in `language`, else in English, else None (the notice built
    into the templates, version settings.PILOTS_PRIVACY_NOTICE_VERSION)."""
    notices = PrivacyNotice.objects.filter(language__in={language, "en"}, published_at__lte=timezone.now())
    newest = {}
    for notice in notices.order_by("published_at"):
        newest[notice.language] = notice
    return newest.get(language) or newest.get("en")


def current_version(language: str) -> str:
    # As current_notice, reading two columns with a statement written out once (every registration
    # asks: `pilots.rows`).
    notices = rows.select(
        PrivacyNotice, "language IN (%s, %s) AND published_at <= %s",
        [language, "en", connection.ops.adapt_datetimefield_value(timezone.now())],
        fields=("language", "version"), suffix=" ORDER BY published_at",
    )
    newest = {notice.language: notice.version for notice in notices}
    return newest.get(language) or newest.get("en") or settings.PILOTS_PRIVACY_NOTICE_VERSION


def needs_consent_again(teacher: Teacher, language: str) -> bool:
    """A returning teacher consented to an older notice than the one now shown in their language."""
    return teacher.consent_version != current_version(language)


def live_consents(teacher) -> dict:
    return {c.purpose: c for c in Consent.objects.filter(teacher=teacher, withdrawn_at__isnull=True)}


def give_consent(*, teacher: Teacher, purpose: str, language: str, now=None) -> Consent:
    """Record consent to `purpose` under the notice now shown in `language`; for the registration
    purpose the teacher's own consent fields follow. A live consent of an older version is closed."""
    now = now or timezone.now()
    version = current_version(language)
    with transaction.atomic():
        Consent.objects.filter(teacher=teacher, purpose=purpose, withdrawn_at__isnull=True).update(withdrawn_at=now)
        consent = Consent.objects.create(teacher=teacher, purpose=purpose, version=version, language=language,
                                         given_at=now)
        if purpose == Purpose.REGISTRATION:
            Teacher.objects.filter(pk=teacher.pk).update(consent_at=now, consent_version=version,
                                                         consent_language=language)
    return consent


def withdraw_consent(*, enrolment: Enrolment, purpose: str, now=None) -> DataRequest:
    """Withdraw consent to an optional purpose at once, and record it as a request (done). Consent
    to registration itself is not withdrawn here: staff handle it as a request (it ends the
    processing), within its legal due date."""
    now = now or timezone.now()
    teacher = enrolment.teacher
    with transaction.atomic():
        if purpose in (Purpose.PHOTOS, Purpose.PUBLICATION):
            Consent.objects.filter(teacher=teacher, purpose=purpose, withdrawn_at__isnull=True).update(withdrawn_at=now)
            status, outcome = RequestStatus.DONE, f"Consent to {purpose} withdrawn at once."
        elif purpose == Purpose.REGISTRATION:
            status, outcome = RequestStatus.RECEIVED, ""
        else:
            raise PrivacyError(_("Unknown purpose."), code="unknown_purpose")
        return submit_request(enrolment=enrolment, kind=RequestKind.WITHDRAWAL, details=purpose,
                              status=status, outcome=outcome, now=now)


# --- data requests --------------------------------------------------------------------------------

def request_country(enrolment: Enrolment) -> str:
    teacher = enrolment.teacher
    return (teacher.province.country if teacher.province_id else "") or enrolment.cohort.country


def submit_request(*, enrolment: Enrolment, kind: str, details: str = "", status=RequestStatus.RECEIVED,
                   outcome: str = "", now=None, notify: bool = True) -> DataRequest:
    """Register a teacher's request with its legal due dates; the teacher gets a confirmation email."""
    if kind not in RequestKind.values:
        raise PrivacyError(_("Unknown request."), code="unknown_request")
    now = now or timezone.now()
    country = request_country(enrolment)
    acknowledge_by, due_on = due_dates(country=country, kind=kind, received_at=now)
    with transaction.atomic():
        data_request = DataRequest.objects.create(
            kind=kind, teacher=enrolment.teacher, country=country, received_at=now,
            requester_email=enrolment.teacher.email, details=details, acknowledge_by=acknowledge_by,
            due_on=due_on, status=status, outcome=outcome, closed_at=now if status == RequestStatus.DONE else None,
        )
        if notify and enrolment.teacher.email:
            notifications.data_request_received(enrolment=enrolment)  # in this transaction
    return data_request


def acknowledge_request(*, data_request: DataRequest, handler) -> DataRequest:
    with transaction.atomic():
        data_request = DataRequest.objects.select_for_update().get(pk=data_request.pk)
        if data_request.status == RequestStatus.RECEIVED:
            data_request.status = RequestStatus.ACKNOWLEDGED
            data_request.handler = handler
            data_request.save()
    return data_request


def close_request(*, data_request: DataRequest, handler, outcome: str, refused: bool = False, now=None) -> DataRequest:
    """Close a request as done (or refused, saying why). An erasure request erases the teacher."""
    now = now or timezone.now()
    with transaction.atomic():
        data_request = DataRequest.objects.select_for_update().get(pk=data_request.pk)
        if data_request.status not in OPEN_REQUEST_STATUSES:
            raise PrivacyError(_("This request is closed already."), code="closed")
        if data_request.kind == RequestKind.ERASURE and not refused and data_request.teacher_id:
            erase_teacher(teacher=data_request.teacher, reason=ErasureReason.REQUEST, data_request=data_request,
                          now=now)
            data_request.refresh_from_db()  # erasure blanked its email and details
        data_request.status = RequestStatus.REFUSED if refused else RequestStatus.DONE
        data_request.handler = handler
        data_request.outcome = outcome
        data_request.closed_at = now
        data_request.save()
        if data_request.kind == RequestKind.ERASURE and not refused:
            # The save above wrote a history row; the erasure's rule holds for it too.
            data_request.history.update(requester_email="", details="")
    return data_request
