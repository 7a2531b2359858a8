"""Public pages of teacher registration (no login): open cohorts, a cohort, the form, the
confirmation and the teacher's own "My registration" page behind a signed link."""

from django.conf import settings
from django.contrib import messages
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST, require_safe
from django_ratelimit.core import is_ratelimited

from pilots.choices import CohortStatus, Language
from pilots.client_ip import ratelimit_key
from pilots.enrolment import CohortBusy, EnrolmentError, can_withdraw, withdraw_enrolment
from pilots.i18n.languages import native_language_name
from pilots.models import Cohort, Enrolment, Session
from pilots.status_links import make_registration_token, read_registration_token

from . import services
from .forms import ContactDetailsForm, OpenCohortFilterForm, RegistrationForm


def registration_rate(group, request):
    return settings.PILOTS_REGISTRATION_RATE


def _cohort_queryset():
    return Cohort.objects.with_fill_stats().select_related("province", "organiser", "programme")


@require_safe
def open_cohorts(request):
    form = OpenCohortFilterForm(request.GET or None)
    cohorts = form.filter(
        _cohort_queryset().open_for_registration().order_by("start_date", "name")
    )
    return render(request, "pilots/registration/open_cohorts.html", {"form": form, "cohorts": cohorts})


@require_safe
def cohort_detail(request, code):
    cohort = get_object_or_404(
        _cohort_queryset().prefetch_related(
            "team",
            "programme__modules",
            Prefetch("sessions", queryset=Session.objects.select_related("module")),
        ),
        code=code,
    )
    if cohort.status == CohortStatus.PLANNED and not request.user.is_staff:
        raise Http404
    return render(
        request,
        "pilots/registration/cohort_detail.html",
        {
            "cohort": cohort,
            "is_open": cohort.is_open_for_registration(),
            "modules": cohort.programme.modules.all(),
            "sessions": cohort.sessions.all(),
            "team": cohort.team.all(),
            "cohort_language_native": native_language_name(cohort.language),
        },
    )


def _too_many_requests(request):
    return render(request, "pilots/registration/too_many_requests.html", status=429)


def _busy(request, cohort):
    return render(request, "pilots/registration/busy.html", {"cohort": cohort}, status=503)


@require_http_methods(["GET", "HEAD", "POST"])
def register(request, code):
    # Seat counts are only read when the form is shown (see _render_form), not on a good POST.
    cohort = get_object_or_404(Cohort.objects.select_related("province"), code=code)
    if not cohort.is_open_for_registration():
        return render(request, "pilots/registration/registration_closed.html", {"cohort": cohort})
    if request.method == "POST":
        if is_ratelimited(
            request, group="pilots.register", key=ratelimit_key, rate=registration_rate, method="POST",
            increment=True,
        ):
            return _too_many_requests(request)
        form = RegistrationForm(request.POST, cohort=cohort)
        if form.is_valid():
            try:
                registration = services.register_teacher(
                    cohort=cohort,
                    details=form.teacher_details(),
                    subjects=form.cleaned_data.get("subjects") or (),
                    language=_request_language(),
                    consent_version=settings.PILOTS_PRIVACY_NOTICE_VERSION,
                )
            except CohortBusy:
                return _busy(request, cohort)
            except EnrolmentError as exc:
                form.add_error(None, exc)
            else:
                token = make_registration_token(registration.enrolment)
                if not registration.is_new:
                    return render(
                        request, "pilots/registration/already_registered.html", {"cohort": cohort}, status=200
                    )
                return redirect("registration:done", token=token)
    else:
        form = RegistrationForm(cohort=cohort)
    return render(
        request,
        "pilots/registration/register.html",
        {
            "cohort": _cohort_queryset().get(pk=cohort.pk),
            "cohort_language_native": native_language_name(cohort.language),
            "form": form,
            "privacy_version": settings.PILOTS_PRIVACY_NOTICE_VERSION,
        },
    )


def _request_language() -> str:
    language = (get_language() or settings.LANGUAGE_CODE).split("-")[0]
    return language if language in Language.values else Language.ENGLISH


def _enrolment_from_token(token) -> Enrolment:
    enrolment_id = read_registration_token(token)
    if enrolment_id is None:
        raise Http404
    return get_object_or_404(
        Enrolment.objects.select_related("teacher", "teacher__province", "cohort", "cohort__province"),
        pk=enrolment_id,
    )


@never_cache
@require_safe
def registration_done(request, token):
    enrolment = _enrolment_from_token(token)
    return render(
        request,
        "pilots/registration/registration_done.html",
        {"enrolment": enrolment, "cohort": enrolment.cohort, "token": token},
    )


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def my_registration(request, token):
    enrolment = _enrolment_from_token(token)
    teacher = enrolment.teacher
    if request.method == "POST":
        form = ContactDetailsForm(request.POST, instance=teacher, cohort=enrolment.cohort)
        if form.is_valid():
            services.save_contact_details(teacher=form.instance)
            messages.success(request, _("Your contact details are saved."))
            return redirect("registration:my_registration", token=token)
    else:
        form = ContactDetailsForm(instance=teacher, cohort=enrolment.cohort)
    return render(
        request,
        "pilots/registration/my_registration.html",
        {
            "enrolment": enrolment,
            "cohort": enrolment.cohort,
            "teacher": teacher,
            "form": form,
            "token": token,
            "can_withdraw": can_withdraw(enrolment),
            "is_past": enrolment.cohort.end_date < timezone.localdate(),
        },
    )


@require_POST
def withdraw(request, token):
    enrolment = _enrolment_from_token(token)
    try:
        withdraw_enrolment(enrolment=enrolment)
    except CohortBusy:
        return _busy(request, enrolment.cohort)
    except EnrolmentError as exc:
        messages.error(request, exc.messages[0])
    else:
        messages.success(request, _("You have withdrawn. We have sent you an email to confirm it."))
    return redirect(reverse("registration:my_registration", args=[token]))
