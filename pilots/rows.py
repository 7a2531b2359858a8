"""Statements written out once per model for the registration's hot path: read one row, insert rows,
insert a row with its history, and send several inserts in one round trip (`together`).

The ORM compiles every query again on every call; on a registration that compiling cost more CPU than
the database's work (a dozen statements, each a few columns). These helpers build each statement's
text once, from the models' `_meta` (the columns follow the models), and convert values to and from
the database as the ORM does: an inserted row goes through its fields' `pre_save` (auto_now) and
`get_db_prep_save`, a row read goes through the fields' database converters into `Model.from_db`.
They send no model signals: `insert_with_history` writes the historical record itself, as
django-simple-history's receiver would (with the change reason of `pilots.history`).
"""

import contextlib
import functools

from django.db import DEFAULT_DB_ALIAS, connection, connections
from django.utils import timezone
from simple_history.models import HistoricalRecords

from .history import current_reason


def _quote(name: str) -> str:
    return connection.ops.quote_name(name)


def _insert_fields(model, with_key: bool = False) -> list:
    # The columns an INSERT writes: all but a database-generated primary key, unless it is known.
    return [f for f in model._meta.concrete_fields if with_key or f is not model._meta.auto_field]


@functools.cache
def _insert_sql(model, rows: int, skip_conflicts: bool, returning: tuple, vendor: str, with_key: bool = False) -> str:
    fields = _insert_fields(model, with_key)
    columns = ", ".join(_quote(f.column) for f in fields)
    values = ", ".join(["(" + ", ".join(["%s"] * len(fields)) + ")"] * rows)
    conflicts = " ON CONFLICT DO NOTHING" if skip_conflicts else ""
    returns = f" RETURNING {', '.join(_quote(c) for c in returning)}" if returning else ""
    return f"INSERT INTO {_quote(model._meta.db_table)} ({columns}) VALUES {values}{conflicts}{returns}"


def _insert_params(instances, with_key: bool = False) -> list:
    fields = _insert_fields(type(instances[0]), with_key)
    db = connections[DEFAULT_DB_ALIAS]  # once: each read of the `connection` proxy looks the thread's up
    return [f.get_db_prep_save(f.pre_save(instance, True), db) for instance in instances for f in fields]


def _saved(instance, key):
    instance.pk = key
    instance._state.adding = False
    instance._state.db = connection.alias


def insert(*instances, keys: bool = True):
    """INSERT new instances of one model in one statement; sets their primary keys (unless `keys`
    is False: then nobody needs them, and the instances keep none). Returns them. Inside
    `together()`, rows whose keys are known (reserved, or set in Python) or not needed wait to be sent."""
    if not instances:
        return instances
    model = type(instances[0])
    with_key = _take_reserved(instances)
    if (with_key or not keys) and _queue(_insert_sql(model, len(instances), False, (), connection.vendor, with_key),
                                         _insert_params(instances, with_key)):
        for instance in instances:
            _saved(instance, instance.pk)
        return instances
    sql = _insert_sql(model, len(instances), False, (model._meta.pk.column,), connection.vendor, with_key)
    with connection.cursor() as cursor:
        cursor.execute(sql, _insert_params(instances, with_key))
        found = [row[0] for row in cursor.fetchall()]
    for instance, key in zip(instances, found, strict=True):
        _saved(instance, key)
    return instances


@functools.cache
def _history_model(model):
    # Reading `model.history` builds a manager class each time (django-simple-history's descriptor).
    return model.history.model


@functools.cache
def _insert_with_history_sql(model, skip_conflicts: bool, vendor: str, with_key: bool) -> tuple[str, str | None]:
    """The statement(s) of insert_with_history: on PostgreSQL one (the row's INSERT in a WITH, its
    history copied from what it returned); elsewhere the INSERT, then the copy read from the table."""
    history = _history_model(model)
    copied = tuple(f.column for f in model._meta.concrete_fields)
    extra = [history._meta.get_field(n).column
             for n in ("history_date", "history_change_reason", "history_type", "history_user")]
    into = f"INSERT INTO {_quote(history._meta.db_table)} ({', '.join(_quote(c) for c in [*copied, *extra])}) "
    select = f"SELECT {', '.join(_quote(c) for c in copied)}, %s, %s, '+', %s "
    pk = _quote(model._meta.pk.column)
    if vendor == "postgresql":
        row = _insert_sql(model, 1, skip_conflicts, copied, vendor, with_key)
        return f"WITH row AS ({row}) {into}{select}FROM row RETURNING {pk}", None
    row = _insert_sql(model, 1, skip_conflicts, (model._meta.pk.column,), vendor, with_key)
    return row, f"{into}{select}FROM {_quote(model._meta.db_table)} WHERE {pk} = %s"


def _history_user_id(instance):
    # Whom django-simple-history would record: the instance's _history_user, else the signed-in user
    # of the request its middleware keeps.
    user = getattr(instance, "_history_user", None)
    if user is None:
        user = getattr(getattr(HistoricalRecords.context, "request", None), "user", None)
    return user.pk if user is not None and user.is_authenticated else None


def insert_with_history(instance, *, skip_conflict: bool = False) -> bool:
    """INSERT a new instance of a model with django-simple-history's `history`, and its "created"
    historical record, copied from the row written (no signals). The record carries the current
    change reason (`pilots.history.change_reason`) and the user django-simple-history would record.

    With `skip_conflict`, a row that would break a unique constraint is not written (nor its
    history) and False is returned; PostgreSQL first waits for a transaction writing the same key.
    Inside `together()`, a row whose key is reserved waits to be sent (and True is returned)."""
    model = type(instance)
    with_key = _take_reserved([instance])
    first, then = _insert_with_history_sql(model, skip_conflict, connection.vendor, with_key)
    date = _history_model(model)._meta.get_field("history_date").get_db_prep_save(timezone.now(), connection)
    history = [date, current_reason(), _history_user_id(instance)]
    params = _insert_params([instance], with_key) + ([] if then else history)
    if with_key and not skip_conflict and _queue(first, params):  # only on PostgreSQL: `then` is None
        _saved(instance, instance.pk)
        return True
    with connection.cursor() as cursor:
        cursor.execute(first, params)
        row = cursor.fetchone()
        if row is None:
            return False
        if then:
            cursor.execute(then, [*history, row[0]])
    _saved(instance, row[0])
    return True


@functools.cache
def _select_sql(model, names: tuple, where: str, suffix: str, vendor: str) -> str:
    columns = ", ".join(_quote(model._meta.get_field(n).column) for n in names)
    return f"SELECT {columns} FROM {_quote(model._meta.db_table)} WHERE {where}{suffix}"


@functools.cache
def _converters(model, names: tuple, alias: str) -> list:
    # What the ORM's compiler applies to the values it reads (e.g. SQLite's datetimes made aware).
    result = []
    for name in names:
        field = model._meta.get_field(name)
        column = field.get_col(model._meta.db_table)
        result.append((column, connection.ops.get_db_converters(column) + field.get_db_converters(connection)))
    return result


def field_names(model, fields=()) -> tuple:
    """The attribute names of `fields` (all concrete fields when empty) in the model's order, as
    `Model.from_db` expects them; the primary key always."""
    wanted = {model._meta.pk.attname, *fields}
    return tuple(f.attname for f in model._meta.concrete_fields if not fields or f.attname in wanted)


def _instance(model, names, row):
    values = []
    for value, (column, converters) in zip(row, _converters(model, names, connection.alias), strict=True):
        for converter in converters:
            value = converter(value, column, connection)
        values.append(value)
    return model.from_db(connection.alias, list(names), values)


def select(model, where: str, params, *, fields=(), suffix: str = "") -> list:
    """The rows of `model` matching the SQL condition `where` (column names as in the table, values
    as the database takes them), as instances with only `fields` loaded (the others deferred).
    `suffix` follows the condition (" ORDER BY ...", " FOR UPDATE")."""
    names = field_names(model, fields)
    with connection.cursor() as cursor:
        cursor.execute(_select_sql(model, names, where, suffix, connection.vendor), params)
        return [_instance(model, names, row) for row in cursor.fetchall()]


def select_one(model, where: str, params, *, fields=(), suffix: str = ""):
    """As `select`, for a condition that matches one row at most: that row, or None."""
    return select_one_then(model, where, params, fields=fields, suffix=suffix)[0]


def _joined(statements) -> tuple[str, list]:
    # Statements (SQL, parameters) as one query: psycopg's client-side binding, Django's default,
    # sends statements joined by ";" in one round trip; PostgreSQL runs each with its own snapshot.
    return "; ".join(sql for sql, _ in statements), [p for _, params in statements for p in params]


@functools.cache
def _reserve_sql(models: tuple) -> str:
    return "SELECT " + ", ".join(
        f"nextval(pg_get_serial_sequence('{_quote(m._meta.db_table)}', '{m._meta.pk.column}'))" for m in models)


def select_one_then(model, where: str, params, then=(), *, fields=(), suffix: str = "", reserve=()) -> tuple:
    """`select_one`, and the first row of each statement of `then` (pairs of SQL and parameters),
    sent in one round trip on PostgreSQL (elsewhere, one after the other). Each statement has its
    own snapshot: one of `then` runs once the select is done (with " FOR UPDATE", once the row lock
    is granted) and sees every transaction committed by then.

    Inside `together()` on PostgreSQL, the statements waiting go first in the same round trip, and
    one primary key is reserved from the sequence of each model of `reserve` (a model named twice
    gets two) for the rows inserted later in the block: their statements can then be written before
    the database answers. A key not used is a gap in the sequence, as a rolled-back insert leaves.
    Elsewhere `reserve` does nothing."""
    names = field_names(model, fields)
    sql = _select_sql(model, names, where, suffix, connection.vendor)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            waiting = _queued()
            pool = getattr(connection, "_rows_reserved", None)
            reserving = [(_reserve_sql(tuple(reserve)), [])] if reserve and pool is not None else []
            cursor.execute(*_joined([*waiting, (sql, params), *then, *reserving]))
            for _ in waiting:
                cursor.nextset()
            row = cursor.fetchone()
            then_rows = []
            for _ in then:
                cursor.nextset()
                then_rows.append(cursor.fetchone())
            if reserving:
                cursor.nextset()
                for reserved_model, key in zip(reserve, cursor.fetchone(), strict=True):
                    pool.setdefault(reserved_model, []).append(key)
        else:
            cursor.execute(sql, params)
            row = cursor.fetchone()
            then_rows = []
            for then_sql, then_params in then:
                cursor.execute(then_sql, then_params)
                then_rows.append(cursor.fetchone())
    return (None if row is None else _instance(model, names, row)), then_rows


# Rows written together: on PostgreSQL, inserts whose primary keys are known before they are sent,
# or not needed, wait in a queue and go in one round trip (`_joined`), with the next statement of
# `select_one_then` or on their own. The registration writes its enrolment, email and task that way
# while it holds the cohort lock: one round trip instead of three.


def _take_reserved(instances) -> bool:
    """Give instances without a key one reserved for their model in the current `together()`; True
    when every instance now has its key."""
    pool = getattr(connection, "_rows_reserved", None) or {}
    keys = pool.get(type(instances[0]), [])
    for instance in instances:
        if instance.pk is None and keys:
            instance.pk = keys.pop(0)
    return all(instance.pk is not None for instance in instances)


def _queue(sql: str, params: list) -> bool:
    """Hold a statement for the next round trip, inside `together()` on PostgreSQL; False otherwise."""
    queue = getattr(connection, "_rows_queue", None)
    if queue is None:
        return False
    queue.append((sql, params))
    return True


def _queued() -> list:
    """The statements waiting (none outside `together()`), taken from the queue."""
    queue = getattr(connection, "_rows_queue", None)
    if not queue:
        return []
    statements = queue[:]
    queue.clear()
    return statements


def _send_queued():
    statements = _queued()
    if statements:
        with connection.cursor() as cursor:  # re-enters _queued_first with the queue empty
            cursor.execute(*_joined(statements))


def _queued_first(execute, sql, params, many, context):
    # Any other statement run inside the block goes after the ones waiting: the order is kept.
    _send_queued()
    return execute(sql, params, many, context)


@contextlib.contextmanager
def together():
    """Inside the block, on PostgreSQL, `insert` and `insert_with_history` of rows whose keys are
    known (reserved by `select_one_then`, or set in Python) or not needed wait, and are sent in one
    round trip: with the next `select_one_then`, before any other statement, or when the block ends.
    Their errors (a broken constraint) are raised there. Elsewhere, or inside another `together()`,
    every statement runs at once."""
    if connection.vendor != "postgresql" or getattr(connection, "_rows_queue", None) is not None:
        yield
        return
    connection._rows_reserved, connection._rows_queue = {}, []
    try:
        with connection.execute_wrapper(_queued_first):
            yield
            _send_queued()
    finally:
        connection._rows_queue = connection._rows_reserved = None
