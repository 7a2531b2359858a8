"""Everything Pilots holds about one teacher, read through the registry of personal data: the
teacher's own rows and their history, as JSON and as sections for a readable page."""

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder

from .registry import entries, history_model


class ExportEncoder(DjangoJSONEncoder):
    def default(self, o):
        if type(o).__name__ == "PhoneNumber":
            return str(o)
        return super().default(o)


def _fields(model):
    # Staff accounts (who changed a row, who handled a request) are not the teacher's data.
    return [f for f in model._meta.concrete_fields
            if not (f.is_relation and f.related_model._meta.label == settings.AUTH_USER_MODEL)]


def _display(obj, f):
    value = getattr(obj, f.name)
    if value is None or value == "":
        return ""
    if f.choices:
        return str(dict(f.flatchoices).get(value, value))
    return str(value)


def _section(model, queryset):
    fields = _fields(model)
    # Foreign keys two levels deep (an attendance's label reads its enrolment's teacher and cohort):
    # a fixed number of queries whatever the number of rows.
    relations = []
    for f in fields:
        if f.is_relation:
            relations.append(f.name)
            relations += [f"{f.name}__{g.name}" for g in _fields(f.related_model) if g.is_relation]
    rows = []
    for obj in queryset.select_related(*relations).order_by("pk"):
        rows.append({
            "pk": obj.pk,
            "values": {f.attname: f.value_from_object(obj) for f in fields},
            "display": [(str(f.verbose_name), _display(obj, f)) for f in fields],
        })
    return {"model": model._meta.label, "title": _title(model), "rows": rows}


def _title(model):
    owner = model._meta.auto_created  # a many-to-many table is named after its field (subjects taught)
    if owner:
        return next(str(f.verbose_name) for f in owner._meta.many_to_many if f.remote_field.through is model)
    return str(model._meta.verbose_name_plural)


def teacher_data(teacher_id) -> list[dict]:
    """One section per registered model and per history table, each with the teacher's rows (values
    for the JSON, labelled display values for the page). A fixed number of queries per model."""
    sections = []
    for entry in entries():
        model = entry.model_class
        queryset = model._default_manager.filter(**{entry.teacher: teacher_id})
        sections.append(_section(model, queryset))
        history = history_model(model)
        if history is not None:
            sections.append(_section(history, history.objects.filter(id__in=queryset.values("pk"))))
    return sections


def as_json_data(sections) -> dict:
    return {s["model"]: [{"pk": r["pk"], **r["values"]} for r in s["rows"]] for s in sections}
