"""The teacher's survey behind the signed status link, and the survey reports."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from pilots.access import report_cohorts, reports_required
from pilots.models import Enrolment
from pilots.reports.exports import csv_response, xlsx_response
from pilots.status_links import read_registration_token

from . import reports, services
from .forms import SurveyForm
from .models import Survey


def _language(request):
    return (request.LANGUAGE_CODE or "en").split("-")[0]


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def answer(request, token, pk):
    enrolment_id = read_registration_token(token)
    if enrolment_id is None:
        raise Http404
    enrolment = get_object_or_404(Enrolment.objects.select_related("cohort", "teacher"), pk=enrolment_id)
    survey = get_object_or_404(Survey.objects.prefetch_related("questions"), pk=pk,
                               programme_id=enrolment.cohort.programme_id)
    if survey not in services.open_surveys(enrolment):
        answered = enrolment.survey_responses.filter(survey=survey).exists()
        return render(request, "pilots/surveys/closed.html",
                      {"answered": answered, "token": token, "cohort": enrolment.cohort})
    form = SurveyForm(request.POST or None, survey=survey)
    if request.method == "POST" and form.is_valid():
        try:
            services.submit_response(survey=survey, enrolment=enrolment, answers=form.answers(),
                                     language=_language(request))
        except services.SurveyError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Thank you: your answers are saved."))
            return redirect("registration:my_registration", token=token)
    return render(request, "pilots/surveys/answer.html",
                  {"survey": survey, "form": form, "token": token, "cohort": enrolment.cohort})


@reports_required
def survey_list(request):
    cohorts = report_cohorts(request.user)
    surveys = (Survey.objects.filter(programme__cohorts__in=cohorts).distinct().select_related("programme")
               .order_by("programme__name", "months_after", "pk"))
    return render(request, "pilots/surveys/report_list.html", {"rows": reports.response_rates(surveys, cohorts)})


def _survey_in_scope(request, surveys, pk):
    """The survey and the reader's cohorts, or 404 when none of their cohorts is in its programme
    (the same answer as for a survey that does not exist)."""
    survey = get_object_or_404(surveys, pk=pk)
    cohorts = report_cohorts(request.user)
    if not cohorts.filter(programme=survey.programme_id).exists():
        raise Http404
    return survey, cohorts


@reports_required
def survey_report(request, pk):
    survey, cohorts = _survey_in_scope(request, Survey.objects.prefetch_related("questions"), pk)
    return render(request, "pilots/surveys/report.html", {
        "survey": survey,
        "tables": reports.reach_tables(survey, cohorts),
        "charts": reports.distributions(survey, cohorts),
        # Open answers can name people and schools: programme staff only, never coordinators.
        "open_answers": reports.open_answers(survey, cohorts) if request.user.is_staff else None,
    })


@reports_required
def reach_export(request, pk):
    """Cascade reach for sharing outside the programme (`reports.reach_shared_rows`)."""
    survey, cohorts = _survey_in_scope(request, Survey.objects.all(), pk)
    tables = reports.reach_tables(survey, cohorts)
    return csv_response(f"survey-{survey.pk}-reach-shared.csv", reports.reach_shared_rows(tables))


@reports_required
def reach_programme_export(request, pk, fmt):
    """Cascade reach with every figure, for the programme's own use (CSV or XLSX)."""
    if fmt not in ("csv", "xlsx"):
        raise Http404
    survey, cohorts = _survey_in_scope(request, Survey.objects.all(), pk)
    tables = reports.reach_tables(survey, cohorts)
    rows = reports.reach_rows_for_programme(tables)
    if fmt == "xlsx":
        return xlsx_response(f"survey-{survey.pk}-reach.xlsx", rows, title=str(_("Students reached")))
    return csv_response(f"survey-{survey.pk}-reach.csv", rows)
