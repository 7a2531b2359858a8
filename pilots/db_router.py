"""Reads of reports and exports from the streaming replica, with "read your own writes".

The replica is used only when DATABASES has the alias named by PILOTS_READ_REPLICA (settings set it
when DATABASE_REPLICA_URL is given), and only:
- inside a request to a reports page or export (URL namespace in PILOTS_REPLICA_NAMESPACES),
  or inside `reading_from_replica()` for other code that reads reports-style data;
- when the user has not written recently: a request with an unsafe method that succeeded, or that
  wrote through the ORM, pins the browser to the primary for PILOTS_PRIMARY_PIN_SECONDS with a
  signed cookie, so the coordinator who just changed data sees that change;
- when the replica answers and its replay lag is under PILOTS_REPLICA_MAX_LAG_SECONDS; otherwise
  the primary serves the read and /readyz names the reason (replica_status()).
Writes always go to the primary; the replica is a physical copy of it, so relations are allowed
and migrations run on the primary only.
"""

import contextlib
import contextvars
import logging
import threading
import time

from django.conf import settings
from django.db import DatabaseError, connections

logger = logging.getLogger(__name__)

PRIMARY = "default"
PIN_COOKIE = "pilots_primary"
PIN_SALT = "pilots.db_router.pin"

# Set for the duration of a request (or block) whose reads may go to the replica.
_use_replica = contextvars.ContextVar("pilots_use_replica", default=False)
# Set when the current request wrote through the ORM (so the user gets pinned to the primary).
_wrote = contextvars.ContextVar("pilots_wrote", default=None)


def replica_alias() -> str | None:
    alias = getattr(settings, "PILOTS_READ_REPLICA", "")
    return alias if alias and alias in settings.DATABASES else None


# --- Replica health, checked at most every PILOTS_REPLICA_CHECK_SECONDS per process ---------------

_health_lock = threading.Lock()
_health = {"checked": None, "ok": False, "lag": None, "reason": "not checked"}

# Replay lag in seconds: 0 when everything received has been replayed (an idle primary sends nothing,
# so the time since the last replayed transaction is not lag then); NULL on a server that is not a
# standby. `streaming` is false when the WAL receiver has lost the primary.
LAG_SQL = """
SELECT pg_is_in_recovery(),
       CASE WHEN pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() THEN 0
            ELSE COALESCE(EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp()), 0) END,
       EXISTS (SELECT 1 FROM pg_stat_wal_receiver WHERE status = 'streaming')
"""


def check_replica(alias: str) -> dict:
    """Query the replica now: {"ok", "lag", "reason"}."""
    max_lag = settings.PILOTS_REPLICA_MAX_LAG_SECONDS
    connection = connections[alias]
    try:
        if connection.vendor != "postgresql":
            # A test mirror of SQLite: reachable is all we can say.
            with connection.cursor() as cursor:
                cursor.execute("SELECT 1")
            return {"ok": True, "lag": 0.0, "reason": ""}
        with connection.cursor() as cursor:
            cursor.execute(LAG_SQL)
            in_recovery, lag, streaming = cursor.fetchone()
    except DatabaseError as exc:
        connection.close()
        return {"ok": False, "lag": None, "reason": f"replica unreachable ({type(exc).__name__})"}
    lag = float(lag or 0)
    if not in_recovery:
        # A mirror of the primary (tests, or a deliberately single-server setup): no lag by definition.
        return {"ok": True, "lag": 0.0, "reason": ""}
    if not streaming:
        return {"ok": False, "lag": lag, "reason": "replica is not streaming from the primary"}
    if lag > max_lag:
        return {"ok": False, "lag": lag, "reason": f"replica lag {lag:.1f}s over {max_lag}s"}
    return {"ok": True, "lag": lag, "reason": ""}


def replica_status(force: bool = False) -> dict:
    """The replica's last known health (re-checked when older than PILOTS_REPLICA_CHECK_SECONDS)."""
    alias = replica_alias()
    if alias is None:
        return {"configured": False, "ok": False, "lag": None, "reason": "no replica configured"}
    now = time.monotonic()
    with _health_lock:
        checked = _health["checked"]
        fresh = checked is not None and now - checked < settings.PILOTS_REPLICA_CHECK_SECONDS
        if force or not fresh:
            was_ok = _health["ok"]
            _health.update(check_replica(alias), checked=now)
            if was_ok and not _health["ok"]:
                logger.warning("reports fall back to the primary: %s", _health["reason"])
        return {"configured": True, **{k: _health[k] for k in ("ok", "lag", "reason")}}


def forget_replica_status():
    with _health_lock:
        _health.update(checked=None, ok=False, lag=None, reason="not checked")


@contextlib.contextmanager
def reading_from_replica():
    """Reads inside this block may be served by the replica (when it is healthy)."""
    token = _use_replica.set(True)
    try:
        yield
    finally:
        _use_replica.reset(token)


UNPINNING_WRITES = {"pilots.AccessRecord"}


class ReplicaRouter:
    def db_for_read(self, model, **hints):
        if _use_replica.get() and not _wrote_now():
            alias = replica_alias()
            if alias and replica_status()["ok"]:
                return alias
        return PRIMARY

    def db_for_write(self, model, **hints):
        wrote = _wrote.get()
        # The record of who looked (written on every roster or report view) changes nothing a
        # report reads: it does not pin the reader to the primary.
        if wrote is not None and model._meta.label not in UNPINNING_WRITES:
            wrote["yes"] = True
        return PRIMARY

    def allow_relation(self, obj1, obj2, **hints):
        return True

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == PRIMARY


def _from_replica(chunks):
    with reading_from_replica():
        yield from chunks


def _wrote_now() -> bool:
    wrote = _wrote.get()
    return bool(wrote and wrote["yes"])


class ReadYourWritesMiddleware:
    """Chooses the database for the request's reads and pins writers to the primary."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.pilots_pinned_to_primary = self._pinned(request)
        wrote_token = _wrote.set({"yes": False})
        replica_token = _use_replica.set(False)
        try:
            response = self.get_response(request)
            wrote = _wrote.get()["yes"]
        finally:
            _use_replica.reset(replica_token)
            _wrote.reset(wrote_token)
        unsafe_ok = request.method not in ("GET", "HEAD", "OPTIONS", "TRACE") and response.status_code < 400
        if replica_alias() and (wrote or unsafe_ok):
            seconds = settings.PILOTS_PRIMARY_PIN_SECONDS
            response.set_signed_cookie(
                PIN_COOKIE, str(int(time.time())), salt=PIN_SALT, max_age=seconds,
                secure=settings.SESSION_COOKIE_SECURE, httponly=True, samesite="Lax",
            )
        return response

    def process_view(self, request, view_func, view_args, view_kwargs):
        match = request.resolver_match
        if not (
            match is not None
            and replica_alias()
            and not request.pilots_pinned_to_primary
            and request.method in ("GET", "HEAD")
            and set(match.namespaces) & set(settings.PILOTS_REPLICA_NAMESPACES)
        ):
            return None
        _use_replica.set(True)
        try:
            return self._render(view_func(request, *view_args, **view_kwargs))
        except DatabaseError:
            # The replica went away between two health checks (stopped, restarted, network): its
            # connection fails mid-request. Reads are safe to repeat, so the primary answers.
            connections[replica_alias()].close()
            replica_status(force=True)
            _use_replica.set(False)
            logger.warning("a report read failed on the replica; answered from the primary")
            return self._render(view_func(request, *view_args, **view_kwargs))

    @staticmethod
    def _render(response):
        # A template response renders later, outside the retry above: render it now. A streamed
        # export reads as it is sent, after this middleware returned: it keeps reading from the
        # replica (while healthy) while it streams.
        if hasattr(response, "render") and callable(response.render) and not response.is_rendered:
            response.render()
        if getattr(response, "streaming", False) and _use_replica.get():
            response.streaming_content = _from_replica(response.streaming_content)
        return response

    @staticmethod
    def _pinned(request) -> bool:
        value = request.get_signed_cookie(
            PIN_COOKIE, default=None, salt=PIN_SALT, max_age=settings.PILOTS_PRIMARY_PIN_SECONDS
        )
        return value is not None
