"""Run the time-driven jobs: reminders, calendar updates, offer expiry (pilots.scheduler)."""

import time

from django.core.management.base import BaseCommand

from pilots.scheduler.jobs import JOBS
from pilots.scheduler.runner import run_jobs


class Command(BaseCommand):
    help = "Run the scheduled jobs once (--once) or every --interval seconds."

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="Run every job once and exit.")
        parser.add_argument("--interval", type=int, default=300, help="Seconds between runs (default 300).")
        parser.add_argument("--job", action="append", choices=sorted(JOBS), help="Only this job (repeatable).")

    def handle(self, *args, once=False, interval=300, job=None, **options):
        while True:
            for run in run_jobs(only=job):
                self.stdout.write(f"{run.job}: {run.outcome} ({run.done})")
            if once:
                return
            time.sleep(interval)
