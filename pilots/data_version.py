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
"""

import uuid

from django.core.cache import cache
from django.db import transaction

VERSION_KEY = "pilots:reports:version"


def current() -> str:
    """The current token (created on first use)."""
    version = cache.get(VERSION_KEY)
    if version is None:
        cache.add(VERSION_KEY, uuid.uuid4().hex, None)
        version = cache.get(VERSION_KEY) or "none"
    return version


def replace() -> None:
    # A new random token (not a counter): an evicted token can never bring back stale entries.
    cache.set(VERSION_KEY, uuid.uuid4().hex, None)


def data_changed() -> None:
    """Report data changed: reports recompute once the current transaction commits (at once outside
    a transaction; never if it rolls back)."""
    transaction.on_commit(replace)
