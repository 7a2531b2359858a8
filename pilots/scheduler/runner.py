"""One periodic job runner for reminders, calendar updates, offer expiry (and later surveys and
retention): `manage.py run_scheduler` runs every job once a tick and records each run."""

import datetime as dt
import logging
import traceback

from django.utils import timezone

from .jobs import JOBS
from .models import JobOutcome, JobRun

logger = logging.getLogger(__name__)


def run_jobs(*, now: dt.datetime | None = None, only: list[str] | None = None) -> list[JobRun]:
    """Run each job (or those named in `only`) once; a failing job is recorded and the others
    still run."""
    runs = []
    for name, job in JOBS.items():
        if only and name not in only:
            continue
        run = JobRun.objects.create(job=name, started_at=timezone.now())
        try:
            run.done = job(now or timezone.now())
            run.outcome = JobOutcome.OK
        except Exception:
            logger.exception("Scheduled job %s failed", name)
            run.outcome = JobOutcome.FAILED
            run.error = traceback.format_exc()
        run.finished_at = timezone.now()
        run.save(update_fields=["done", "outcome", "error", "finished_at"])
        runs.append(run)
    return runs
