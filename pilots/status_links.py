"""Unguessable links to a teacher's own registration ("My registration").

The token is the enrolment's id signed with SECRET_KEY (django.core.signing, own salt): it carries no
personal data, cannot be forged or altered, and needs no extra column. It does not expire, because
teachers keep the email for months; rotating SECRET_KEY invalidates every link. It sits below both
the pages that read it and the emails that carry it.
"""

from django.conf import settings
from django.core import signing
from django.urls import reverse

SALT = "pilots.my-registration"


def make_registration_token(enrolment) -> str:
    return signing.Signer(salt=SALT).sign(str(enrolment.pk))


def read_registration_token(token: str) -> int | None:
    """The enrolment id in a valid token, or None for a forged, altered or malformed one."""
    try:
        value = signing.Signer(salt=SALT).unsign(token)
    except signing.BadSignature:
        return None
    return int(value) if value.isdigit() else None


def status_url(enrolment) -> str:
    """The absolute address of the teacher's "My registration" page (carries no personal data)."""
    path = reverse("registration:my_registration", args=[make_registration_token(enrolment)])
    return f"{settings.PILOTS_SITE_URL}{path}"
