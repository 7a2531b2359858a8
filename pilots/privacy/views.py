"""Teachers' data rights: the teacher's pages behind the signed status link (their data as a page
and as JSON, consents, requests) and the staff pages (the requests register, the record of
processing)."""

import json

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST, require_safe

from pilots.access import permission_required
from pilots.choices import Language
from pilots.models import DataRequest
from pilots.privacy.models import Purpose, RequestKind, RequestStatus
from pilots.reports import exports

from . import processing, services
from .forms import ConsentForm, TeacherRequestForm
from .subject_access import ExportEncoder, as_json_data, teacher_data
from .tokens import enrolment_from_token


def _page_language() -> str:
    language = (get_language() or "en").split("-")[0]
    return language if language in Language.values else Language.ENGLISH


def _record_download(enrolment):
    services.submit_request(enrolment=enrolment, kind=RequestKind.ACCESS, status=RequestStatus.DONE,
                            outcome="Downloaded from My registration.", notify=False)


@never_cache
@require_safe
def my_data(request, token):
    enrolment = enrolment_from_token(token)
    sections = teacher_data(enrolment.teacher_id)
    _record_download(enrolment)
    return render(request, "pilots/privacy/my_data.html", {
        "enrolment": enrolment, "teacher": enrolment.teacher, "sections": sections, "token": token,
    })


@never_cache
@require_safe
def my_data_json(request, token):
    enrolment = enrolment_from_token(token)
    data = {"exported_at": timezone.now(), "data": as_json_data(teacher_data(enrolment.teacher_id))}
    _record_download(enrolment)
    response = HttpResponse(json.dumps(data, cls=ExportEncoder, ensure_ascii=False, indent=2),
                            content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="my-data.json"'
    return response


@require_POST
def consent(request, token):
    enrolment = enrolment_from_token(token)
    form = ConsentForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Nothing was changed: please try again."))
    elif form.cleaned_data["action"] == "give":
        services.give_consent(teacher=enrolment.teacher, purpose=form.cleaned_data["purpose"],
                              language=_page_language())
        messages.success(request, _("Thank you: your consent is recorded."))
    else:
        purpose = form.cleaned_data["purpose"]
        services.withdraw_consent(enrolment=enrolment, purpose=purpose)
        if purpose == Purpose.REGISTRATION:
            messages.success(request, _("Your request is recorded. We have sent you an email to confirm it."))
        else:
            messages.success(request, _("Your consent is withdrawn. We have sent you an email to confirm it."))
    return redirect("registration:my_registration", token=token)


@require_POST
def data_request(request, token):
    enrolment = enrolment_from_token(token)
    form = TeacherRequestForm(request.POST)
    if form.is_valid():
        services.submit_request(enrolment=enrolment, kind=form.cleaned_data["kind"],
                                details=form.cleaned_data["details"])
        messages.success(request, _("Your request is recorded. We have sent you an email to confirm it."))
    else:
        messages.error(request, _("Nothing was sent: please choose what you ask."))
    return redirect("registration:my_registration", token=token)


# --- staff -------------------------------------------------------------------------------------

@require_safe
@permission_required("pilots.view_datarequest")
def requests_register(request):
    show_closed = request.GET.get("closed") == "1"
    requests = DataRequest.objects.select_related("handler")
    requests = (requests if show_closed else requests.open()).due_soon_first()[:500]
    return render(request, "pilots/privacy/requests.html", {
        "requests": requests, "show_closed": show_closed, "today": timezone.localdate(),
    })


@require_safe
@permission_required("pilots.view_datarequest")
def record_of_processing(request):
    return render(request, "pilots/privacy/record_of_processing.html", {"record": processing.record()})


@require_safe
@permission_required("pilots.view_datarequest")
def record_of_processing_export(request):
    return exports.csv_response("record-of-processing.csv", processing.rows())
