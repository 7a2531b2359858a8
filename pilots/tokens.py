"""Unguessable links to a teacher's own registration ("My registration").

The token is the enrolment's id signed with SECRET_KEY (django.core.signing, own salt): it carries no
personal data, cannot be forged or altered, and needs no extra column. It does not expire, because
teachers keep the email for months; rotating SECRET_KEY invalidates every link.
"""

from django.core import signing

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
