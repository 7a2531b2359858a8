"""Cache of computed reports, invalidated on every change of the data they read.

Every cached report is keyed by a data version token. `data_changed()` replaces the token once the
current transaction commits, so the next request recomputes from committed data. Every service and
import that writes report data calls it explicitly (their bulk_create / bulk_update / update() send
no model signals); the signal receivers remain for single saves and deletes made elsewhere (the
admin, the shell), and go through `data_changed()` too. Replacing the token only after the commit
matters: a report computed between an early invalidation and the commit would read the old rows
and be cached under the new token. Raw SQL writers must call `data_changed()` themselves; the
timeout is only a last resort. With Redis
(REDIS_URL) every server process shares the cache and the token; with the local-memory cache of
development each process has its own.
"""

import hashlib
import uuid

from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save

VERSION_KEY = "pilots:reports:version"
TIMEOUT = 15 * 60


def data_version():
    version = cache.get(VERSION_KEY)
    if version is None:
        cache.add(VERSION_KEY, uuid.uuid4().hex, None)
        version = cache.get(VERSION_KEY) or "none"
    return version


def invalidate(**kwargs):
    # A new random token (not a counter): an evicted token can never bring back stale entries.
    cache.set(VERSION_KEY, uuid.uuid4().hex, None)


def data_changed():
    """Report data changed: reports recompute once the current transaction commits (at once outside
    a transaction; never if it rolls back). Call it from every write path of report data."""
    transaction.on_commit(invalidate)


def _changed(**kwargs):
    data_changed()


def cached(parts, compute):
    """The value cached under `parts` for the current data version, computed when missing."""
    digest = hashlib.sha256(repr((data_version(), *parts)).encode()).hexdigest()[:32]
    key = f"pilots:reports:{digest}"
    value = cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value, TIMEOUT)
    return value


def connect_signals():
    from .models import (
        Assessment,
        Attendance,
        Cohort,
        Enrolment,
        Programme,
        Province,
        Session,
        Subject,
        Teacher,
    )

    for model in (Assessment, Attendance, Cohort, Enrolment, Programme, Province, Session, Subject, Teacher):
        uid = f"pilots_reports_{model._meta.label_lower}"
        post_save.connect(_changed, sender=model, dispatch_uid=f"{uid}_save")
        post_delete.connect(_changed, sender=model, dispatch_uid=f"{uid}_delete")
    m2m_changed.connect(_changed, sender=Teacher.subjects.through, dispatch_uid="pilots_reports_subjects")
