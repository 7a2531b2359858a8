"""django-tasks-db's database backend, with its task row written by a statement built once
(`pilots.rows`): every registration enqueues its email's task, and the ORM's create compiled the
same INSERT each time. The row, the signal and the result are the library's own."""

from django_tasks_db import DatabaseBackend as LibraryBackend
from django_tasks_db.compat import normalize_json
from django_tasks_db.models import DBTaskResult
from django_tasks_db.signal_handlers import set_run_after

from . import rows


class DatabaseBackend(LibraryBackend):
    def _task_to_db_task(self, task, args, kwargs):
        # The fields of LibraryBackend._task_to_db_task, inserted without the ORM's compiling; the
        # library's pre_save receiver (rows.insert sends no signals) gives a task without a time
        # its "run at once" date.
        result = DBTaskResult(
            id=self._get_id(),
            args_kwargs=normalize_json({"args": args, "kwargs": kwargs}),
            priority=task.priority,
            task_path=task.module_path,
            queue_name=task.queue_name,
            run_after=task.run_after,
            backend_name=self.alias,
        )
        set_run_after(DBTaskResult, result)
        rows.insert(result)
        return result
