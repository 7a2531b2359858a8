"""Errors of the API: JSON with a stable `code` and a `message` in the requested language.

Clients branch on `code` (it never changes once published); `message` is for people and follows
Accept-Language. Every error status an operation can answer is declared in the OpenAPI schema.
"""

from django.utils.translation import gettext_lazy as _

MESSAGES = {
    "unauthorized": _("A valid API token is needed: send it in the header \"Authorization: Bearer <token>\"."),
    "forbidden": _("This token's owner is not allowed to do this."),
    "read_only": _("This token may only read. Ask programme staff for a token that may write."),
    "not_found": _("Not found, or not visible to this token."),
    "invalid_request": _("The request is not valid: see the details."),
    "invalid_cursor": _("This page cursor is not valid. Start again from the first page."),
    "rate_limited": _("Too many requests. Please wait and try again."),
    "unknown_enrolment": _("Some enrolment references are not in this session's cohort."),
}


class ApiError(Exception):
    """An answer other than 2xx: HTTP `status`, stable `code`, translated `message`."""

    def __init__(self, code: str, status: int, message=None, *, details=None, headers=None):
        super().__init__(code)
        self.code, self.status = code, status
        self.message = message if message is not None else MESSAGES[code]
        self.details = details
        self.headers = headers or {}


class RateLimited(ApiError):
    def __init__(self, retry_after: int):
        super().__init__("rate_limited", 429, headers={"Retry-After": str(max(int(retry_after), 1))})
