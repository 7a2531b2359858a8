"""Logs as JSON lines (python-json-logger) with the teacher's signed status token redacted.

The "My registration" link /registration/<token>/ is a bearer credential: whoever has it sees and
changes the teacher's contact details. Request paths reach the logs in messages ("Not Found:
/registration/..."), in the `request` extra of django.request, and in gunicorn's access log, so
every string field of every record is redacted here, whatever logger wrote it. Client addresses
are not logged (gunicorn's access format in deploy/gunicorn.conf.py leaves them out).
"""

import time

from pythonjsonlogger.json import JsonFormatter

# The one redaction rule, also applied by the console handler's filter (pilots.log_redaction).
from pilots.log_redaction import redact

_PLAIN = (str, int, float, bool, type(None))


def _clean(value):
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, _PLAIN):
        return value
    if isinstance(value, dict):
        return {key: _clean(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_clean(item) for item in value]
    # Objects (a request, a socket) are written as their text, which may hold the path.
    return redact(str(value))


class RedactingJsonFormatter(JsonFormatter):
    # ISO 8601 in UTC, whatever the server's or Django's time zone.
    converter = time.gmtime
    default_time_format = "%Y-%m-%dT%H:%M:%S"
    default_msec_format = "%s.%03dZ"

    def process_log_record(self, log_data):
        return {key: _clean(value) for key, value in super().process_log_record(log_data).items()}
