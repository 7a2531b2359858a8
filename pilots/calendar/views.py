from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from pilots.choices import SEATED_STATUSES
from pilots.models import Enrolment
from pilots.status_links import read_registration_token

from .ics import cohort_calendar


@never_cache
@require_safe
def calendar_file(request, token):
    """The teacher's calendar of every session, behind the signed status link (seated teachers only)."""
    enrolment_id = read_registration_token(token)
    if enrolment_id is None:
        raise Http404
    enrolment = get_object_or_404(Enrolment.objects.select_related("cohort"), pk=enrolment_id)
    if enrolment.status not in SEATED_STATUSES:
        raise Http404
    response = HttpResponse(cohort_calendar(enrolment.cohort), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="training.ics"'
    return response
