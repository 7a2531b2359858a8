"""One consistent view of the data for reads that span several queries."""

from contextlib import contextmanager

from django.db import transaction


@contextmanager
def snapshot(using=None, savepoint=True):
    """A transaction on `using` whose reads all see one snapshot of the data; yields its
    connection. On PostgreSQL the transaction is made repeatable read, when it is one of its own:
    only then can it choose its isolation (inside a caller's transaction it keeps the caller's)."""
    connection = transaction.get_connection(using)
    repeatable = connection.vendor == "postgresql" and not connection.in_atomic_block
    with transaction.atomic(using=using, savepoint=savepoint):
        if repeatable:
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        yield connection
