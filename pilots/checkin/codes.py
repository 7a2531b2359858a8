"""The rotating check-in code: six digits from an HMAC of the check-in's secret and the current
30-second window, so the staff screen and the server agree without storing codes."""

import hashlib
import hmac

from django.conf import settings
from django.utils import timezone


def window_seconds() -> int:
    return settings.PILOTS_CHECKIN_WINDOW_SECONDS

# A code stays valid for the window it was shown in and the next one, so that a teacher who types
# it as it changes is not refused.
ACCEPTED_WINDOWS = 2
# Codes older than that but from the last ten minutes are "expired", not "wrong".
RECENT_WINDOWS = 20


def window_of(now=None) -> int:
    return int((now or timezone.now()).timestamp()) // window_seconds()


def code_for(secret: str, window: int) -> str:
    digest = hmac.new(secret.encode(), str(window).encode(), hashlib.sha256).digest()
    return f"{int.from_bytes(digest[:8], 'big') % 1_000_000:06d}"


def seconds_left(now=None) -> int:
    now = now or timezone.now()
    return window_seconds() - int(now.timestamp()) % window_seconds()


def code_age(secret: str, code: str, now=None) -> int | None:
    """How many windows ago `code` was shown (0 = now), within RECENT_WINDOWS; None if never."""
    current = window_of(now)
    for age in range(RECENT_WINDOWS + 1):
        if hmac.compare_digest(code_for(secret, current - age), code):
            return age
    return None
