"""Erasure that keeps the statistics: a teacher's personal data goes, their enrolments, attendance
and scores stay on the same (now anonymous) Teacher row, so every report figure is unchanged."""

from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import timezone

from pilots import data_version
from pilots.models import Consent, Erasure, Teacher
from pilots.privacy.models import ErasureReason

from .registry import GENERIC, entries, history_model


def is_erased(teacher) -> bool:
    return Erasure.objects.filter(teacher=teacher).exists()


def rows_of(teacher_id):
    """(entry, queryset) for every registered model, restricted to the teacher's rows."""
    for entry in entries():
        yield entry, entry.model_class._default_manager.filter(**{entry.teacher: teacher_id})


def erase_teacher(*, teacher: Teacher, reason: str = ErasureReason.REQUEST, data_request=None, now=None) -> Erasure:
    """Erase `teacher`'s personal data everywhere the registry says it lives (history rows and the
    admin's log included), keep everything the reports count, and record the erasure. Idempotent:
    a teacher erased already is left as is."""
    now = now or timezone.now()
    with transaction.atomic():
        teacher = Teacher.objects.select_for_update().get(pk=teacher.pk)
        existing = Erasure.objects.filter(teacher=teacher).first()
        if existing:
            return existing
        generic = []
        for entry, queryset in rows_of(teacher.pk):
            model = entry.model_class
            history = history_model(model)
            ids = list(queryset.values_list("pk", flat=True))
            generic.append((ContentType.objects.get_for_model(model), ids))
            for pk in ids if entry.erase else ():
                # update(), not save(): no new history row copying what is being erased.
                values = entry.values_for(None)
                model._default_manager.filter(pk=pk).update(**values)
                if history is not None and entry.history == "scrub":
                    history.objects.filter(id=pk).update(**values, history_change_reason=None)
            if history is not None and entry.history == "delete":
                history.objects.filter(id__in=ids).delete()
            elif history is not None:
                history.objects.filter(id__in=ids).update(history_change_reason=None)
        for label, values in GENERIC.items():
            log = apps.get_model(label)
            for content_type, ids in generic:
                log.objects.filter(content_type=content_type, object_id__in=[str(i) for i in ids]).update(**values)
        Consent.objects.filter(teacher=teacher, withdrawn_at__isnull=True).update(withdrawn_at=now)
        erasure = Erasure.objects.create(teacher=teacher, reason=reason, data_request=data_request, erased_at=now)
        data_version.data_changed()
    return erasure

