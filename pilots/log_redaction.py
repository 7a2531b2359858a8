"""Status-link tokens out of every log line. The token in `/registration/<token>/...` is the key to
a teacher's registration, so request paths (and referrers, which repeat the page a visitor came
from) are written with `/registration/[redacted]/` instead. Used by the Django logging filter below
and by gunicorn's access log (config/gunicorn.conf.py)."""

import logging
import re

# The path segment after /registration/ (also percent-encoded); the page for a fresh link lives
# elsewhere (/registration-link/) so it stays readable.
TOKEN_IN_PATH = re.compile(r"(?i)((?:/|%2F)registration(?:/|%2F))(?!\[redacted\])[^/\s?#\"'&]+")
REDACTED = r"\1[redacted]"


def redact(text: str) -> str:
    return TOKEN_IN_PATH.sub(REDACTED, text)


class RedactTokensFilter(logging.Filter):
    """A handler filter: the record's message (with its arguments) rewritten without tokens."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a record whose arguments do not match its message: leave it to the handler
            return True
        redacted = redact(message)
        if redacted != message:
            record.msg, record.args = redacted, ()
        return True
