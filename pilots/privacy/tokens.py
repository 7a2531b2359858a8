"""The teacher's pages behind the signed "My registration" link (`pilots.status_links`)."""

from django.http import Http404
from django.shortcuts import get_object_or_404

from pilots.models import Enrolment, Erasure
from pilots.status_links import read_registration_token


def enrolment_from_token(token) -> Enrolment:
    """The enrolment of a valid link; 404 for a forged link or a teacher whose data is erased."""
    enrolment_id = read_registration_token(token)
    if enrolment_id is None:
        raise Http404
    enrolment = get_object_or_404(Enrolment.objects.select_related("teacher", "cohort"), pk=enrolment_id)
    if Erasure.objects.filter(teacher_id=enrolment.teacher_id).exists():
        raise Http404
    return enrolment
