"""The teacher's offer page behind the signed status link. The email's link opens it and one button
accepts: a GET never accepts, since mail scanners open links before the teacher does."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from pilots.enrolment import CohortBusy, EnrolmentError
from pilots.models import Enrolment
from pilots.status_links import read_registration_token

from . import services


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def offer(request, token):
    enrolment_id = read_registration_token(token)
    if enrolment_id is None:
        raise Http404
    enrolment = get_object_or_404(Enrolment.objects.select_related("cohort", "teacher"), pk=enrolment_id)
    if request.method == "POST":
        try:
            services.accept_offer(enrolment=enrolment)
        except CohortBusy:
            return render(request, "pilots/registration/busy.html", {"cohort": None}, status=503)
        except EnrolmentError as exc:
            messages.error(request, exc.messages[0])
        else:
            messages.success(request, _("You have accepted the place: your seat is confirmed."))
        return redirect("registration:my_registration", token=token)
    return render(
        request,
        "pilots/offers/offer.html",
        {"enrolment": enrolment, "cohort": enrolment.cohort, "offer": services.open_offer(enrolment), "token": token},
    )
