"""Unguessable links to a teacher's own registration ("My registration").

The token is the enrolment's id and the time it was issued, signed with SECRET_KEY
(django.core.signing, own salt): it carries no personal data, cannot be forged or altered, and needs
no extra column. A link works until PILOTS_STATUS_LINK_DAYS after the later of its cohort's end and
the day it was issued (so that a fresh link asked for after a cohort is over works too); then it is
expired, and the page offers a fresh one by email. Links issued before tokens carried their time
expire with their cohort. Rotating SECRET_KEY invalidates every link. It sits below both the pages
that read it and the emails that carry it.
"""

import datetime as dt

from django.conf import settings
from django.core import signing
from django.urls import reverse
from django.utils import timezone

from .models import Enrolment

SALT = "pilots.my-registration"


class LinkExpired(Exception):
    """A genuine link whose time is over."""

    def __init__(self, enrolment_id: int):
        super().__init__(enrolment_id)
        self.enrolment_id = enrolment_id


def make_registration_token(enrolment) -> str:
    return signing.TimestampSigner(salt=SALT).sign(str(enrolment.pk))


def _unsign(token: str) -> tuple[str, dt.datetime | None] | None:
    """(value, issued at) of a valid token (issued at None for a link from before links carried
    their time), or None. A TimestampSigner token is a Signer token of "value:timestamp"."""
    try:
        signed = signing.Signer(salt=SALT).unsign(token)
    except signing.BadSignature:
        return None
    value, _, stamp = signed.partition(":")
    if not stamp:
        return value, None
    try:
        return value, dt.datetime.fromtimestamp(signing.b62_decode(stamp), tz=dt.UTC)
    except (ValueError, OverflowError, OSError):
        return None


def link_expires_on(cohort_end: dt.date, issued: dt.datetime | None) -> dt.date:
    """The last day a link works."""
    start = cohort_end
    if issued is not None:
        start = max(start, timezone.localdate(issued))
    return start + dt.timedelta(days=settings.PILOTS_STATUS_LINK_DAYS)


def signed_enrolment_id(token: str) -> int | None:
    """The enrolment id a token was signed for, or None; no database query and no expiry check
    (for choosing the page's language: the view itself checks the link)."""
    unsigned = _unsign(token)
    if unsigned is None or not unsigned[0].isdigit():
        return None
    return int(unsigned[0])


def read_registration_token(token: str, *, today: dt.date | None = None) -> int | None:
    """The enrolment id in a valid token, or None for a forged, altered or malformed one, or one of
    an enrolment that no longer exists; LinkExpired when the link's time is over."""
    unsigned = _unsign(token)
    if unsigned is None or not unsigned[0].isdigit():
        return None
    enrolment_id = int(unsigned[0])
    cohort_end = Enrolment.objects.filter(pk=enrolment_id).values_list("cohort__end_date", flat=True).first()
    if cohort_end is None:
        return None
    if (today or timezone.localdate()) > link_expires_on(cohort_end, unsigned[1]):
        raise LinkExpired(enrolment_id)
    return enrolment_id


def status_url(enrolment) -> str:
    """The absolute address of the teacher's "My registration" page (carries no personal data)."""
    path = reverse("registration:my_registration", args=[make_registration_token(enrolment)])
    return f"{settings.PILOTS_SITE_URL}{path}"
