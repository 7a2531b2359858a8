"""The version of the data reports are computed from: the one cache-invalidation mechanism.

Reports are cached under the current version token (`pilots.reports.cache`). Every code path that
writes data a report reads calls `data_changed()` in its transaction, and the token is replaced once
that transaction commits, so the next report recomputes from committed data. Replacing it only after
the commit matters: a report computed between an early invalidation and the commit would read the
old rows and be cached under the new token.

The writers are: the enrolment services (`pilots.enrolment`), the staff pages' batch writes, the
registration and contact-details services, imports, `seed_demo`, and the admin (every POST that
reaches a pilots admin page, see `pilots.admin.ReportDataAdmin`). There are no model signals: a new
write path (raw SQL, a management command, the shell) must call `data_changed()` itself. With Redis
(REDIS_URL) every server process shares the token; with the local-memory cache of development each
process has its own.

The public pages (open cohorts, a cohort page) are cached under a second token, the content version:
`data_changed()` replaces both, `seats_changed()` (a registration, a withdrawal, any status change
of an enrolment) only the reports' one. The pages fill in seats left from the database on every
request (`pilots.registration.seats`), so a registration rush does not make every page read
recompute.
"""

import uuid

from django.core.cache import cache
from django.db import transaction

VERSION_KEY = "pilots:reports:version"
CONTENT_KEY = "pilots:pages:version"


def _current(key: str) -> str:
    version = cache.get(key)
    if version is None:
        cache.add(key, uuid.uuid4().hex, None)
        version = cache.get(key) or "none"
    return version


def current() -> str:
    """The current token of report data (created on first use)."""
    return _current(VERSION_KEY)


def content_current() -> str:
    """The current token of the public pages' content: everything but seat counts."""
    return _current(CONTENT_KEY)


def replace() -> None:
    # A new random token (not a counter): an evicted token can never bring back stale entries.
    cache.set_many({VERSION_KEY: uuid.uuid4().hex, CONTENT_KEY: uuid.uuid4().hex}, None)


def replace_reports() -> None:
    cache.set(VERSION_KEY, uuid.uuid4().hex, None)


def data_changed() -> None:
    """Report data changed: reports recompute once the current transaction commits (at once outside
    a transaction; never if it rolls back)."""
    transaction.on_commit(replace)


def seats_changed() -> None:
    """Only enrolment statuses (seats taken, waiting lists) changed: reports recompute once the
    transaction commits; the public pages keep their cached content (they read seats afresh)."""
    transaction.on_commit(replace_reports)
