"""The registry of personal data is complete: every model (and history table) that refers to a
teacher is in it, and each of its text columns is either erased or declared free of personal data.
A model added later that refers to a teacher or an enrolment fails here until it is registered."""

from django.test.utils import isolate_apps

from pilots.privacy.inventory import models_referring_to_teacher, text_fields
from pilots.privacy.registry import GENERIC, REGISTRY, history_model

# Columns django-simple-history adds: the reason is free text (erased), the others are codes.
HISTORY_TEXT = {"history_change_reason": "erased", "history_type": "kept"}


def _registered():
    out = {}
    for entry in REGISTRY:
        model = entry.model_class
        out[model] = entry
        history = history_model(model)
        if history is not None:
            out[history] = entry
    return out


def test_every_model_referring_to_a_teacher_is_registered():
    missing = {m._meta.label for m in models_referring_to_teacher()} - {m._meta.label for m in _registered()}
    assert not missing, f"add these models to pilots/privacy/registry.py: {sorted(missing)}"


def test_every_text_column_of_a_registered_model_is_erased_or_declared_kept():
    undecided = []
    for model, entry in _registered().items():
        decided = set(entry.erase) | set(entry.keep) | set(HISTORY_TEXT)
        undecided += [f"{model._meta.label}.{f.name}" for f in text_fields(model) if f.name not in decided]
    assert not undecided, f"say in pilots/privacy/registry.py whether these hold personal data: {undecided}"


def test_registry_names_only_fields_that_exist():
    for entry in REGISTRY:
        names = {f.name for f in entry.model_class._meta.concrete_fields}
        assert set(entry.erase) | set(entry.keep) <= names, entry.model
        str(entry.model_class._default_manager.filter(**{entry.teacher: 1}).query)  # a valid lookup


def test_models_with_generic_relations_copying_text_are_registered():
    from pilots.privacy.inventory import all_models

    generic = {m._meta.label for m in all_models()
               if any(getattr(f, "related_model", None) and f.related_model._meta.label == "contenttypes.ContentType"
                      for f in m._meta.concrete_fields) and text_fields(m)}
    # Permission points at a content type but copies no teacher's data.
    assert generic - {"auth.Permission"} <= set(GENERIC)


@isolate_apps("tests")
def test_a_model_added_later_that_refers_to_an_enrolment_is_caught():
    from django.db import models

    from pilots.models import Enrolment

    class Certificate(models.Model):
        enrolment = models.ForeignKey(Enrolment, on_delete=models.PROTECT)
        holder_name = models.CharField(max_length=200)

        class Meta:
            app_label = "tests"

    found = models_referring_to_teacher(extra=[Certificate])
    assert Certificate in found and Certificate not in _registered()  # test_every_model_... would fail
