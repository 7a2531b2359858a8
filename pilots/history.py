"""Why a row changed, in its history: services name what they do (import, register, review,
check-in) and every historical record written meanwhile carries it as its change reason, whether
written by a model's save() or by the bulk writers (pilots.enrolment.write_rows)."""

import contextvars
from contextlib import contextmanager

from django.utils.translation import gettext_lazy as _

_reason = contextvars.ContextVar("pilots_history_change_reason", default=None)

# The reasons services record (stored as these keys, shown in the reader's language).
REASONS = {
    "import": _("spreadsheet import"),
    "register": _("attendance register"),
    "scores": _("scores page"),
    "review": _("enrolment review"),
    "check-in": _("teacher checked in"),
    "registration": _("registration"),
}


@contextmanager
def change_reason(reason: str):
    token = _reason.set(reason)
    try:
        yield
    finally:
        _reason.reset(token)


def current_reason() -> str | None:
    return _reason.get()


def reason_label(reason) -> str:
    return str(REASONS.get(reason, reason or ""))


def fill_change_reason(sender, history_instance, **kwargs):
    """pre_create_historical_record receiver: the current reason, unless one was given."""
    if not getattr(history_instance, "history_change_reason", None) and _reason.get():
        history_instance.history_change_reason = _reason.get()
