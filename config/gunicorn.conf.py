"""gunicorn's settings for production: `gunicorn -c config/gunicorn.conf.py`.

The access log never shows a status-link token: the request line, path, query and referrer are
written with `/registration/[redacted]/` (pilots.log_redaction). Variables: GUNICORN_BIND
(default 0.0.0.0:8000), WEB_CONCURRENCY (workers, default 4), GUNICORN_ACCESS_LOG (a file, or "-"
for standard output, the default).
"""

import os

from gunicorn.glogging import Logger

from pilots.log_redaction import redact

wsgi_app = "config.wsgi:application"
bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", "4"))
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-")
errorlog = "-"


class RedactingLogger(Logger):
    """gunicorn's logger, with every text that goes into an access-log line redacted."""

    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        return {key: redact(value) if isinstance(value, str) else value for key, value in atoms.items()}


logger_class = RedactingLogger
