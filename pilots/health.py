"""Probes for the load balancer and the supervisor, and the task workers' heartbeat.

/healthz: the process answers (no database, no Redis): restart it when this fails.
/readyz:  the process can serve: the primary database, Redis (when configured) and no unapplied
          migrations; 503 otherwise, so the load balancer stops sending it traffic. The replica and
          the task workers are reported under "warnings" without failing readiness: without them
          reports read from the primary and emails wait in the queue, but registrations still work.
Both answer JSON, never personal data.
"""

from django.conf import settings
from django.core.cache import cache
from django.db import DatabaseError, connections
from django.db.migrations.executor import MigrationExecutor
from django.http import JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from pilots import db_router
from pilots.models import WorkerHeartbeat


def worker_heartbeats() -> dict:
    """Seconds since each expected worker's last heartbeat (`WorkerHeartbeat`, written by every
    `db_worker`, see pilots.worker), by worker id in PILOTS_WORKER_NAMES, or the most recent of
    any worker when none are named; None: never seen, or stopped."""
    now = timezone.now()
    seen = dict(WorkerHeartbeat.objects.values_list("worker_id", "seen_at"))

    def age(stamp):
        return round((now - stamp).total_seconds(), 1) if stamp else None

    if not settings.PILOTS_WORKER_NAMES:
        return {"any": age(max(seen.values(), default=None))}
    return {name: age(seen.get(name)) for name in settings.PILOTS_WORKER_NAMES}


@require_safe
@never_cache
def healthz(request):
    return JsonResponse({"status": "ok"})


def _check_database() -> str:
    try:
        with connections["default"].cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError as exc:
        connections["default"].close()
        return f"database unreachable ({type(exc).__name__})"
    return ""


_migrations_applied = False


def _check_migrations() -> str:
    # Once all are applied they stay applied for this process's code: skip the (slow) plan then.
    global _migrations_applied
    if _migrations_applied:
        return ""
    executor = MigrationExecutor(connections["default"])
    pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
    _migrations_applied = not pending
    return f"{len(pending)} migrations not applied" if pending else ""


def _check_cache() -> str:
    if not settings.REDIS_URL:
        return ""
    try:
        cache.set("pilots:readyz", 1, timeout=10)
        if cache.get("pilots:readyz") != 1:
            return "cache does not keep values"
    except Exception as exc:  # the Redis client raises its own connection errors
        return f"redis unreachable ({type(exc).__name__})"
    return ""


@require_safe
@never_cache
def readyz(request):
    errors, warnings, checks = [], [], {}
    database = _check_database()
    checks["database"] = database or "ok"
    if database:
        errors.append(database)
    else:
        migrations = _check_migrations()
        checks["migrations"] = migrations or "ok"
        if migrations:
            errors.append(migrations)
    redis_problem = _check_cache()
    checks["redis"] = redis_problem or ("ok" if settings.REDIS_URL else "not configured")
    if redis_problem:
        errors.append(redis_problem)

    replica = db_router.replica_status(force=True)
    checks["replica"] = {
        "configured": replica["configured"],
        "ok": replica["ok"],
        "lag_seconds": replica["lag"],
        "reads_from": "replica" if replica["ok"] else "primary",
    }
    if replica["configured"] and not replica["ok"]:
        warnings.append(f"reports read from the primary: {replica['reason']}")

    if not database:
        ages = worker_heartbeats()
        checks["workers"] = ages
        limit = settings.PILOTS_WORKER_STALE_AFTER
        for name, age in ages.items():
            if age is None or age > limit:
                warnings.append(f"task worker {name} has no heartbeat in the last {limit}s")

    status = "ok" if not errors and not warnings else ("degraded" if not errors else "unavailable")
    body = {"status": status, "checks": checks, "errors": errors, "warnings": warnings}
    return JsonResponse(body, status=503 if errors else 200)
