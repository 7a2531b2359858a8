"""`manage.py run_worker`: django-tasks-db's db_worker plus a heartbeat that /readyz reads.

Every argument after the options below is handed to db_worker unchanged, e.g.
    manage.py run_worker --name worker-1 -- --queue-name default --no-reload
The heartbeat is written to the cache (Redis in production) by a daemon thread every
PILOTS_WORKER_HEARTBEAT_SECONDS; it stops with the process, so a worker that died or was never
started shows as missing in /readyz after PILOTS_WORKER_HEARTBEAT_MAX_AGE seconds.
"""

import logging
import os
import threading

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand

from pilots import health

logger = logging.getLogger(__name__)


def _heartbeat_loop(name: str, stop: threading.Event) -> None:
    while not stop.is_set():
        try:
            health.beat(name)
        except Exception:  # Redis away for a moment: the next beat tries again
            logger.warning("worker heartbeat not written", exc_info=True)
        stop.wait(settings.PILOTS_WORKER_HEARTBEAT_SECONDS)


class Command(BaseCommand):
    help = "Run the task worker (db_worker) and write its heartbeat for /readyz."

    def add_arguments(self, parser):
        parser.add_argument("--name", default="", help="Worker name in /readyz (PILOTS_WORKER_NAME).")
        parser.add_argument("db_worker_args", nargs="*", help="Arguments for db_worker (after --).")

    def handle(self, *args, name="", db_worker_args=(), **options):
        if name:
            os.environ["PILOTS_WORKER_NAME"] = name
        name = health.worker_name()
        stop = threading.Event()
        threading.Thread(target=_heartbeat_loop, args=(name, stop), daemon=True, name="heartbeat").start()
        try:
            call_command("db_worker", *db_worker_args, "--worker-id", name[:64])
        finally:
            stop.set()
