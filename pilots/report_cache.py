"""Cache of computed reports, invalidated on every change of the data they read.

Every cached report is keyed by a data version token. Saving or deleting any model a report reads
(and changing a teacher's subjects) replaces the token, so the next request recomputes. Writes that
send no signals (QuerySet.update(), bulk_create, raw SQL) are caught by the timeout. With Redis
(REDIS_URL) every server process shares the cache and the token; with the local-memory cache of
development each process has its own.
"""

import hashlib
import uuid

from django.core.cache import cache
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
        post_save.connect(invalidate, sender=model, dispatch_uid=f"{uid}_save")
        post_delete.connect(invalidate, sender=model, dispatch_uid=f"{uid}_delete")
    m2m_changed.connect(invalidate, sender=Teacher.subjects.through, dispatch_uid="pilots_reports_subjects")
