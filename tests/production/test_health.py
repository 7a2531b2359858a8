"""/healthz says the process answers; /readyz whether it can serve, and what is degraded."""

import pytest
from django.db import connections

from pilots.worker import Heartbeat, ResilientWorker


def test_healthz_answers_without_touching_the_database(client):
    # No django_db mark: any database access here would raise.
    response = client.get("/healthz")
    assert response.status_code == 200 and response.json() == {"status": "ok"}
    assert response["Cache-Control"].startswith("max-age=0")


@pytest.mark.django_db
def test_readyz_is_ok_with_the_database_migrations_and_a_worker_heartbeat(client, settings):
    settings.PILOTS_WORKER_NAMES = ["worker-1", "worker-2"]
    Heartbeat("worker-1").beat()
    Heartbeat("worker-2").beat()
    response = client.get("/readyz")
    body = response.json()
    assert response.status_code == 200 and body["status"] == "ok", body
    assert body["checks"]["database"] == "ok" and body["checks"]["migrations"] == "ok"
    assert set(body["checks"]["workers"]) == {"worker-1", "worker-2"}


@pytest.mark.django_db
def test_readyz_warns_about_a_worker_without_heartbeat_but_stays_ready(client, settings):
    settings.PILOTS_WORKER_NAMES = ["worker-1", "worker-2"]
    Heartbeat("worker-1").beat()
    response = client.get("/readyz")
    body = response.json()
    assert response.status_code == 200 and body["status"] == "degraded"
    assert body["checks"]["workers"]["worker-2"] is None
    assert body["warnings"] == ["task worker worker-2 has no heartbeat in the last 60.0s"]


@pytest.mark.django_db(transaction=True)
def test_a_running_db_worker_writes_the_heartbeat_readyz_reads(client, settings):
    settings.PILOTS_WORKER_NAMES = ["worker-test"]
    settings.TASKS = {"default": {"BACKEND": "pilots.tasks_backend.DatabaseBackend"}}
    assert client.get("/readyz").json()["checks"]["workers"] == {"worker-test": None}
    seen = []

    class Watching(ResilientWorker):
        def _poll_once(self, state):  # look at /readyz while the worker runs, then stop it
            seen.append(client.get("/readyz").json())
            self.running = False
            return False, True

    Watching(queue_names=["default"], interval=0, batch=False, backend_name="default", startup_delay=False,
             max_tasks=None, worker_id="worker-test", excluded_queue_names=[]).run()
    assert seen[0]["checks"]["workers"]["worker-test"] is not None and not seen[0]["warnings"], seen
    # A worker that stopped is no longer counted as alive.
    assert client.get("/readyz").json()["checks"]["workers"] == {"worker-test": None}


# PostgreSQL only: closing SQLite's in-memory test database would destroy it.
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_readyz_is_unavailable_when_the_database_is_down(client):
    settings_dict = connections["default"].settings_dict
    saved = dict(settings_dict)
    settings_dict.update(HOST="127.0.0.1", PORT="1")  # nothing listens there
    connections["default"].close()
    try:
        response = client.get("/readyz")
    finally:
        connections["default"].close()
        settings_dict.clear()
        settings_dict.update(saved)
    body = response.json()
    assert response.status_code == 503 and body["status"] == "unavailable"
    assert body["errors"] == ["database unreachable (OperationalError)"]
