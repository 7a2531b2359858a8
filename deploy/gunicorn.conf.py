"""gunicorn settings shared by the app servers (the bind address comes from the command line).

Access log lines are JSON (pilots.json_logging) with the status token redacted and without the
client address; the request's duration is in microseconds (D).
"""

import os

workers = int(os.environ.get("GUNICORN_WORKERS", "3"))
worker_class = "sync"
# nginx buffers slow clients, so a sync worker is never held by a phone on a slow connection.
timeout = 30
graceful_timeout = 20
keepalive = 5
backlog = 512
# Each worker exits after this many requests (plus jitter), bounding any slow memory growth.
max_requests = 5000
max_requests_jitter = 500
accesslog = "-"
errorlog = "-"
access_log_format = '%(m)s %(U)s %(s)s %(B)s %(D)s'
logconfig_dict = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "json": {
            "()": "pilots.json_logging.RedactingJsonFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
        }
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "json", "stream": "ext://sys.stdout"},
    },
    "loggers": {
        "gunicorn.error": {"handlers": ["console"], "level": "INFO", "propagate": False},
        "gunicorn.access": {"handlers": ["console"], "level": "INFO", "propagate": False},
    },
}
