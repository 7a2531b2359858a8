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

Cohort reports are keyed by two narrower tokens instead (`cohort_version`): the cohort's own, replaced
by writes that name the cohorts they touch (`data_changed(cohorts=...)`: its enrolments' statuses,
its sessions' attendance, its scores), and the programme-wide one, replaced by every write that names
none (teachers' details, programmes, the admin, imports...). A write to one cohort thus leaves the
other cohorts' reports cached. Every write still replaces the global token.

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
WIDE_KEY = "pilots:reports:version:wide"
COHORT_KEY = "pilots:reports:version:cohort:{}"
CONTENT_KEY = "pilots:pages:version"


def _token(key: str) -> str:
    version = cache.get(key)
    if version is None:
        cache.add(key, uuid.uuid4().hex, None)
        version = cache.get(key) or "none"
    return version


def current() -> str:
    """The current token of report data (created on first use)."""
    return _token(VERSION_KEY)


def content_current() -> str:
    """The current token of the public pages' content: everything but seat counts."""
    return _token(CONTENT_KEY)


def cohort_version(cohort_id: int) -> tuple[str, str]:
    """The tokens one cohort's report depends on: the programme-wide one and the cohort's own."""
    found = cache.get_many([WIDE_KEY, COHORT_KEY.format(cohort_id)])
    wide, own = found.get(WIDE_KEY), found.get(COHORT_KEY.format(cohort_id))
    return (wide or _token(WIDE_KEY), own or _token(COHORT_KEY.format(cohort_id)))


def replace(cohorts=None, *, content=True) -> None:
    """New tokens: the global one, the cohorts' own (`cohorts`, ids) or else the programme-wide one,
    and the public pages' content token unless only seats changed (`content=False`)."""
    # New random tokens (not counters): an evicted token can never bring back stale entries.
    keys = [VERSION_KEY] + ([COHORT_KEY.format(pk) for pk in cohorts] if cohorts is not None else [WIDE_KEY])
    if content:
        keys.append(CONTENT_KEY)
    cache.set_many({key: uuid.uuid4().hex for key in keys}, None)


def _ids(cohorts):
    return None if cohorts is None else sorted({int(getattr(c, "pk", c)) for c in cohorts})


def data_changed(cohorts=None) -> None:
    """Report data changed: reports recompute once the current transaction commits (at once outside
    a transaction; never if it rolls back). `cohorts`: the ids of the only cohorts whose data changed
    (their enrolments' statuses, attendance, scores), when the write knows them; None for any write
    that may touch more (a teacher's details, a programme, the admin): every cohort report then.
    The public pages' content changes too."""
    ids = _ids(cohorts)
    transaction.on_commit(lambda: replace(ids))


def seats_changed(cohorts=None) -> None:
    """Only enrolment statuses (seats taken, waiting lists) changed: reports recompute once the
    transaction commits (the `cohorts`' own, or every one); the public pages keep their cached
    content (they read seats afresh)."""
    ids = _ids(cohorts)
    transaction.on_commit(lambda: replace(ids, content=False))
