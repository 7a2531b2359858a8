"""Why a row changed, in its history: services name what they do (import, register, review,
check-in) and every historical record written meanwhile carries it as its change reason, whether
written by a model's save() or by the bulk writers (pilots.enrolment.write_rows)."""

import contextvars
from contextlib import contextmanager

from django.utils.translation import gettext_lazy as _

_reason = contextvars.ContextVar("pilots_history_change_reason", default=None)

# The reasons services record (stored as these keys, shown in the reader's language).
REASONS = {
    "import": _("spreadsheet import"),
    "register": _("attendance register"),
    "scores": _("scores page"),
    "review": _("enrolment review"),
    "check-in": _("teacher checked in"),
    "registration": _("registration"),
    "demo": _("demo data"),
}


@contextmanager
def change_reason(reason: str):
    token = _reason.set(reason)
    try:
        yield
    finally:
        _reason.reset(token)


def current_reason() -> str | None:
    return _reason.get()


def reason_label(reason) -> str:
    return str(REASONS.get(reason, reason or ""))


def fill_change_reason(sender, history_instance, **kwargs):
    """pre_create_historical_record receiver: the current reason, unless one was given."""
    if not getattr(history_instance, "history_change_reason", None) and _reason.get():
        history_instance.history_change_reason = _reason.get()


def _shown(field, value) -> str:
    if value is None or value == "":
        return "–"
    if getattr(field, "choices", None):
        return str(dict(field.flatchoices).get(value, value))
    return str(value)


def field_changes(newer, older=None) -> list[dict]:
    """What changed from `older` to `newer` (two historical records of one row), field by field:
    [{"field": label, "old": value, "new": value}]. Without `older`, a creation lists the values
    it was created with; a change whose earlier values were never recorded says so."""
    model = newer.instance_type
    if older is None:
        if newer.history_type != "+":
            return [{"field": str(_("earlier values")), "old": str(_("not recorded")),
                     "new": "", "unknown": True}]
        fields = [f for f in model._meta.concrete_fields
                  if not f.primary_key and not f.is_relation
                  and f.name not in ("created_at", "updated_at", "status_changed_at", "reference")]
        return [{"field": str(f.verbose_name), "old": "–", "new": _shown(f, getattr(newer, f.attname))}
                for f in fields if getattr(newer, f.attname) not in (None, "")]
    delta = newer.diff_against(older, foreign_keys_are_objs=False)
    changes = []
    for change in delta.changes:
        if change.field in ("updated_at", "status_changed_at"):
            continue
        field = model._meta.get_field(change.field)
        changes.append({"field": str(field.verbose_name), "old": _shown(field, change.old),
                        "new": _shown(field, change.new)})
    return changes


def history_entries(records, label=lambda record: "") -> list[dict]:
    """Historical records (of one or several rows, any order) as readable entries, newest first:
    date, who, why, what (`label(record)` names the row), and the field-by-field changes from the
    row's previous record."""
    by_row = {}
    for record in sorted(records, key=lambda r: (r.history_date, r.history_id)):
        key = (type(record).__name__, record.id)
        previous = by_row.get(key)
        by_row[key] = record
        record.changes = field_changes(record, previous)
    entries = [
        {"date": r.history_date, "user": r.history_user, "reason": reason_label(r.history_change_reason),
         "type": r.get_history_type_display(), "what": r.instance_type._meta.verbose_name,
         "object": label(r), "changes": r.changes}
        for r in records
    ]
    return sorted(entries, key=lambda e: e["date"], reverse=True)
