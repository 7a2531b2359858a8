"""The background task behind "issue this cohort's certificates" (a cohort can hold a thousand
teachers: building their PDFs takes minutes, never a request)."""

from django.contrib.auth import get_user_model
from django_tasks import task

from . import services


@task()
def issue_cohort_certificates(*, cohort_id: int, user_id: int | None = None) -> int:
    user = get_user_model().objects.filter(pk=user_id).first() if user_id else None
    return services.issue_certificates(cohort_id=cohort_id, user=user)
