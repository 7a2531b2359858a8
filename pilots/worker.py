"""The task worker, made to survive what production does to it.

django-tasks-db's worker stops at the first database error and never looks at a task left RUNNING
by a worker that died (killed, out of memory, machine lost): that task, an email say, would never
run. This worker, started by the same `manage.py db_worker` command (pilots overrides it):

- survives a lost database connection: it drops the connection, waits (growing up to 30 s) and
  goes on polling, without losing the task it was running (that one is reclaimed, below);
- says every PILOTS_WORKER_HEARTBEAT_SECONDS that it is alive (`WorkerHeartbeat`, from a thread of
  its own, so a long task does not make it look dead);
- hands back to the queue every RUNNING task whose worker has not been seen for
  PILOTS_WORKER_STALE_AFTER seconds. Our tasks are safe to run again (see `send_email`).

In production a process supervisor (systemd `Restart=always`, supervisord) keeps workers running;
see the README, "Task workers".
"""

import logging
import os
import socket
import threading
import time

from django.conf import settings
from django.db import DatabaseError, InterfaceError, OperationalError, close_old_connections, connection, transaction
from django.utils import timezone
from django_tasks.base import TaskContext, TaskResultStatus
from django_tasks.signals import task_finished, task_started
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult
from django_tasks_db.utils import exclusive_transaction, is_locked_database_exception

from .models import WorkerHeartbeat

logger = logging.getLogger(__name__)

MAX_BACKOFF_SECONDS = 30
# A task interrupted by a lost database connection this many times is recorded as failed.
MAX_INTERRUPTIONS = 5


def reclaim_abandoned_tasks(now=None) -> int:
    """Put back in the queue the RUNNING tasks whose worker has stopped beating; returns how many."""
    now = now or timezone.now()
    alive = set(
        WorkerHeartbeat.objects.filter(
            seen_at__gte=now - timezone.timedelta(seconds=settings.PILOTS_WORKER_STALE_AFTER)
        ).values_list("worker_id", flat=True)
    )
    reclaimed = 0
    with exclusive_transaction():
        running = DBTaskResult.objects.running().select_for_update(skip_locked=True).only("id", "worker_ids")
        for task in running:
            if task.worker_ids and task.worker_ids[-1] in alive:
                continue
            DBTaskResult.objects.filter(pk=task.pk).update(status=TaskResultStatus.READY, started_at=None)
            reclaimed += 1
            logger.warning("Task %s was left running by worker %s, which stopped; queued again.",
                           task.pk, task.worker_ids[-1] if task.worker_ids else "?")
    return reclaimed


class Heartbeat(threading.Thread):
    """Writes the worker's heartbeat row on its own database connection until stopped."""

    def __init__(self, worker_id: str):
        super().__init__(name=f"heartbeat-{worker_id}", daemon=True)
        self.worker_id = worker_id
        self.started = timezone.now()
        self.stopping = threading.Event()

    def beat(self) -> None:
        WorkerHeartbeat.objects.update_or_create(
            worker_id=self.worker_id,
            defaults={"seen_at": timezone.now()},
            create_defaults={"seen_at": timezone.now(), "started_at": self.started,
                             "hostname": socket.gethostname()[:255], "pid": os.getpid()},
        )

    def run(self) -> None:
        while not self.stopping.is_set():
            try:
                self.beat()
            except DatabaseError as exc:
                logger.warning("Worker heartbeat not written (%s); trying again.", type(exc).__name__)
                connection.close()
            self.stopping.wait(settings.PILOTS_WORKER_HEARTBEAT_SECONDS)
        try:
            WorkerHeartbeat.objects.filter(worker_id=self.worker_id).delete()
        except DatabaseError:
            pass  # goes stale, and is ignored, on its own
        finally:
            connection.close()

    def stop(self) -> None:
        self.stopping.set()
        self.join(timeout=5)


class ResilientWorker(Worker):
    """django-tasks-db's Worker with heartbeats, reclaiming and reconnection (module docstring)."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self._interrupted = {}  # task id -> times a lost connection interrupted it

    def _claim(self):
        tasks = DBTaskResult.objects.ready().filter(backend_name=self.backend_name)
        if not self.process_all_queues:
            tasks = tasks.filter(queue_name__in=self.queue_names)
        if self.excluded_queue_names:
            tasks = tasks.exclude(queue_name__in=self.excluded_queue_names)
        with exclusive_transaction(tasks.db):
            try:
                task_result = tasks.get_locked()
            except DatabaseError as exc:
                if is_locked_database_exception(exc):  # SQLite busy: try again on the next round
                    return None, False
                raise
            if task_result is not None:
                task_result.claim(self.worker_id)
        return task_result, True

    def run_task(self, db_task_result: DBTaskResult) -> None:
        """Run a task and record its result, as django-tasks-db does, except when the database
        connection is lost on the way: that is not the task's failure, so it is left for `run` to
        queue again once connected (our tasks are safe to run twice), up to MAX_INTERRUPTIONS."""
        self.running_task = True
        try:
            task = db_task_result.task
            task_result = db_task_result.task_result
            backend_type = task.get_backend()
            task_started.send(sender=backend_type, task_result=task_result)
            if task.takes_context:
                value = task.call(TaskContext(task_result=task_result), *task_result.args, **task_result.kwargs)
            else:
                value = task.call(*task_result.args, **task_result.kwargs)
            db_task_result.set_successful(value)
            task_finished.send(sender=backend_type, task_result=db_task_result.task_result)
        except (OperationalError, InterfaceError) as exc:
            # The database went away under the task (the connection may even look usable again
            # by now). The same task failing so again and again is recorded as its failure.
            interrupted = self._interrupted.get(db_task_result.pk, 0) + 1
            self._interrupted[db_task_result.pk] = interrupted
            if interrupted < MAX_INTERRUPTIONS:
                raise
            self._record_failure(db_task_result, exc)
        except BaseException as exc:
            self._record_failure(db_task_result, exc)
        finally:
            self.running_task = False
            self._run_tasks += 1

    @staticmethod
    def _record_failure(db_task_result: DBTaskResult, exc: BaseException) -> None:
        db_task_result.set_failed(exc)
        try:
            sender = type(db_task_result.task.get_backend())
        except Exception:
            logger.exception("Task id=%s failed unexpectedly", db_task_result.id)
        else:
            task_finished.send(sender=sender, task_result=db_task_result.task_result)

    def _requeue_orphans(self, state: dict) -> None:
        """After a lost connection, every task left RUNNING under this worker's id goes back to the
        queue: the one it was running, and one whose claim may have committed just as the
        connection dropped. Between two polls this worker runs nothing, so none of them is running."""
        if not state.get("recover"):
            return
        running = DBTaskResult.objects.running().only("id", "worker_ids")
        mine = [task.pk for task in running if task.worker_ids and task.worker_ids[-1] == self.worker_id]
        if mine:
            DBTaskResult.objects.filter(pk__in=mine, status=TaskResultStatus.RUNNING).update(
                status=TaskResultStatus.READY, started_at=None
            )
            logger.warning("Tasks %s were interrupted by a lost database connection; queued again.", mine)
        state["recover"] = False

    def _poll_once(self, state: dict) -> tuple[bool, bool]:
        """One round: reclaim if due, then claim and run one task. Returns (ran a task, queue read)."""
        close_old_connections()
        self._requeue_orphans(state)
        if time.monotonic() >= state["next_reclaim"]:
            reclaim_abandoned_tasks()
            state["next_reclaim"] = time.monotonic() + settings.PILOTS_WORKER_HEARTBEAT_SECONDS
        task_result, read = self._claim()
        if task_result is not None:
            self.run_task(task_result)
        close_old_connections()
        return task_result is not None, read

    def run(self) -> None:
        logger.info("Starting worker worker_id=%s queues=%s", self.worker_id, ",".join(self.queue_names))
        heartbeat = Heartbeat(self.worker_id)
        try:
            heartbeat.beat()  # alive from the start, before the first poll
        except DatabaseError:
            connection.close()
        heartbeat.start()
        state = {"next_reclaim": 0.0, "recover": False}
        failures = 0
        try:
            while self.running:
                try:
                    ran, read = self._poll_once(state)
                except DatabaseError as exc:
                    failures += 1
                    state["recover"] = True
                    delay = min(MAX_BACKOFF_SECONDS, 0.5 * 2 ** (failures - 1))
                    logger.warning("Database unavailable (%s); the worker reconnects in %.1f s.",
                                   type(exc).__name__, delay)
                    self._drop_connection()
                    time.sleep(delay)
                    continue
                failures = 0
                if self.batch and read and not ran:
                    logger.info("No more tasks to run for worker_id=%s - exiting gracefully.", self.worker_id)
                    return
                if self.max_tasks is not None and self._run_tasks >= self.max_tasks:
                    logger.info("Run maximum tasks (%d) on worker=%s - exiting gracefully.",
                                self._run_tasks, self.worker_id)
                    return
                if self.running and not ran:
                    time.sleep(self.interval)
        finally:
            heartbeat.stop()

    @staticmethod
    def _drop_connection() -> None:
        try:
            if connection.in_atomic_block:
                transaction.set_rollback(True)
            connection.close()
        except DatabaseError:
            connection.connection = None  # already broken: forget it, the next query reconnects
