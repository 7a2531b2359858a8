"""The database seen as a whole: which models refer to a teacher (transitively, history included),
which columns hold text, and where given values occur. Used by the tests that keep the registry
complete and by the check that an erasure left nothing behind."""

from django.apps import apps
from django.db import models
from django.db.models.functions import Cast

TEXT_FIELDS = (models.CharField, models.TextField, models.JSONField, models.FileField)


def text_fields(model):
    return [
        f for f in model._meta.concrete_fields
        if isinstance(f, TEXT_FIELDS) and not f.is_relation
    ]


def all_models():
    return apps.get_models(include_auto_created=True)


def models_referring_to_teacher(extra=()):
    """Every model with a foreign key path to Teacher (through enrolments, consents, ...), and the
    django-simple-history model of each (their rows copy the originals). `extra`: models outside
    the app registry (the tests' own)."""
    teacher = apps.get_model("pilots", "Teacher")
    found = {teacher}
    changed = True
    while changed:
        changed = False
        for model in [*all_models(), *extra]:
            if model in found:
                continue
            if getattr(model, "instance_type", None) in found or any(
                f.is_relation and (f.many_to_one or f.one_to_one) and f.related_model in found
                for f in model._meta.concrete_fields
            ):
                found.add(model)
                changed = True
    return found


def find_values(values):
    """(model label, column, pk) wherever any of `values` occurs in a text column of any table."""
    hits = []
    values = [v for v in values if v]
    for model in all_models():
        for f in text_fields(model):
            queryset = model._default_manager.annotate(_text=Cast(f.name, models.TextField()))
            for value in values:
                for pk in queryset.filter(_text__icontains=value).values_list("pk", flat=True):
                    hits.append((model._meta.label, f.name, pk, value))
    return hits
