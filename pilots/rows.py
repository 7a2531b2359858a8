"""Statements written out once per model for the registration's hot path: read one row, insert rows,
insert a row with its history.

The ORM compiles every query again on every call; on a registration that compiling cost more CPU than
the database's work (a dozen statements, each a few columns). These helpers build each statement's
text once, from the models' `_meta` (the columns follow the models), and convert values to and from
the database as the ORM does: an inserted row goes through its fields' `pre_save` (auto_now) and
`get_db_prep_save`, a row read goes through the fields' database converters into `Model.from_db`.
They send no model signals: `insert_with_history` writes the historical record itself, as
django-simple-history's receiver would (with the change reason of `pilots.history`).
"""

import functools

from django.db import DEFAULT_DB_ALIAS, connection, connections
from django.utils import timezone
from simple_history.models import HistoricalRecords

from .history import current_reason


def _quote(name: str) -> str:
    return connection.ops.quote_name(name)


def _insert_fields(model) -> list:
    # The columns an INSERT writes: all but a database-generated primary key.
    return [f for f in model._meta.concrete_fields if f is not model._meta.auto_field]


@functools.cache
def _insert_sql(model, rows: int, skip_conflicts: bool, returning: tuple, vendor: str) -> str:
    fields = _insert_fields(model)
    columns = ", ".join(_quote(f.column) for f in fields)
    values = ", ".join(["(" + ", ".join(["%s"] * len(fields)) + ")"] * rows)
    conflicts = " ON CONFLICT DO NOTHING" if skip_conflicts else ""
    return (f"INSERT INTO {_quote(model._meta.db_table)} ({columns}) VALUES {values}{conflicts} "
            f"RETURNING {', '.join(_quote(c) for c in returning)}")


def _insert_params(instances) -> list:
    fields = _insert_fields(type(instances[0]))
    db = connections[DEFAULT_DB_ALIAS]  # once: each read of the `connection` proxy looks the thread's up
    return [f.get_db_prep_save(f.pre_save(instance, True), db) for instance in instances for f in fields]


def _saved(instance, key):
    instance.pk = key
    instance._state.adding = False
    instance._state.db = connection.alias


def insert(*instances):
    """INSERT new instances of one model in one statement; sets their primary keys. Returns them."""
    if not instances:
        return instances
    model = type(instances[0])
    sql = _insert_sql(model, len(instances), False, (model._meta.pk.column,), connection.vendor)
    with connection.cursor() as cursor:
        cursor.execute(sql, _insert_params(instances))
        keys = [row[0] for row in cursor.fetchall()]
    for instance, key in zip(instances, keys, strict=True):
        _saved(instance, key)
    return instances


@functools.cache
def _history_model(model):
    # Reading `model.history` builds a manager class each time (django-simple-history's descriptor).
    return model.history.model


@functools.cache
def _insert_with_history_sql(model, skip_conflicts: bool, vendor: str) -> tuple[str, str | None]:
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
        row = _insert_sql(model, 1, skip_conflicts, copied, vendor)
        return f"WITH row AS ({row}) {into}{select}FROM row RETURNING {pk}", None
    row = _insert_sql(model, 1, skip_conflicts, (model._meta.pk.column,), vendor)
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
    history) and False is returned; PostgreSQL first waits for a transaction writing the same key."""
    model = type(instance)
    first, then = _insert_with_history_sql(model, skip_conflict, connection.vendor)
    date = _history_model(model)._meta.get_field("history_date").get_db_prep_save(timezone.now(), connection)
    history = [date, current_reason(), _history_user_id(instance)]
    with connection.cursor() as cursor:
        cursor.execute(first, _insert_params([instance]) + ([] if then else history))
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
    names = field_names(model, fields)
    with connection.cursor() as cursor:
        cursor.execute(_select_sql(model, names, where, suffix, connection.vendor), params)
        row = cursor.fetchone()
    return None if row is None else _instance(model, names, row)
