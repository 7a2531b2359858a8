"""The teacher's survey behind the signed status link, and the survey reports."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from pilots.access import report_cohorts, reports_required
from pilots.models import Enrolment
from pilots.reports.disclosure import SMALL_CELL, suppress
from pilots.reports.exports import csv_response
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
    surveys = Survey.objects.filter(programme__cohorts__in=cohorts).distinct().select_related("programme")
    rows = [(survey, reports.reach_rows(survey, cohorts, ["programme"])) for survey in surveys]
    return render(request, "pilots/surveys/report_list.html", {"rows": rows})


@reports_required
def survey_report(request, pk):
    survey = get_object_or_404(Survey.objects.prefetch_related("questions"), pk=pk)
    cohorts = report_cohorts(request.user)
    if not cohorts.filter(programme=survey.programme_id).exists():
        raise Http404
    return render(request, "pilots/surveys/report.html", {
        "survey": survey,
        "tables": reports.reach_tables(survey, cohorts),
        "charts": reports.distributions(survey, cohorts),
        # Open answers can name people and schools: programme staff only, never coordinators.
        "open_answers": reports.open_answers(survey, cohorts) if request.user.is_staff else None,
    })


@reports_required
def reach_export(request, pk):
    """Cascade reach by country, year and cohort, for sharing: counts under 5 are '<5', and so is
    the number of students where fewer than 5 teachers gave it."""
    survey = get_object_or_404(Survey, pk=pk)
    tables = reports.reach_tables(survey, report_cohorts(request.user))

    def rows():
        yield [_("Cohort"), _("Country"), _("Year"), _("Teachers asked"), _("Answered"),
               _("Students reached"), _("Missing")]
        for level, key in (("cohort", "name"), ("country_year", None), ("country", None)):
            for row in tables[level]:
                students = row["students"] if row["reach_n"] >= SMALL_CELL else (
                    None if row["students"] is None else f"<{SMALL_CELL}")
                yield [row.get(key, "") if key else "", row.get("country") or _("Regional"), row.get("year", ""),
                       suppress(row["asked"]), suppress(row["answered"]), students, suppress(row["missing"])]

    return csv_response(f"survey-{survey.pk}-reach-shared.csv", rows())
