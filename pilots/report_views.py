"""Coordinator reports: thin views over pilots.reports, scoped to the user's countries.

Every view needs pilots.view_reports (anonymous users go to sign-in, others get 403) and reads
cohorts only through Cohort.objects.for_coordinator(user), so a cohort outside the user's countries
is a 404 for the page and for every export.
"""

from functools import wraps

from django.contrib.auth.decorators import login_required, permission_required
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.template.loader import render_to_string
from django.utils.translation import get_language
from django.views.decorators.http import require_safe

from . import charts, exports, reports
from .filters import OverviewFilter
from .models import AttendanceStatus, Cohort, CountryAssignment
from .report_cache import cached
from .templatetags.reports_tags import era_year

ERA_SESSION_KEY = "pilots_report_era"


def reports_view(view):
    @wraps(view)
    @require_safe
    @login_required
    @permission_required("pilots.view_reports", raise_exception=True)
    def wrapped(request, *args, **kwargs):
        return view(request, *args, **kwargs)

    return wrapped


def report_era(request):
    """'be' (Buddhist Era) or 'ce'; ?era=be|ce switches it and the session remembers the choice."""
    era = request.GET.get("era")
    if era in ("be", "ce"):
        request.session[ERA_SESSION_KEY] = era
    return request.session.get(ERA_SESSION_KEY, "ce")


def _check_format(fmt):
    if fmt not in ("csv", "xlsx"):
        raise Http404


def _scoped_cohort(request, code):
    return get_object_or_404(
        Cohort.objects.for_coordinator(request.user).select_related("programme", "province"), code=code
    )


def scope_key(user):
    """What the user may see, for cache keys: 'all' or their sorted countries (one query)."""
    if user.is_superuser or user.has_perm("pilots.view_all_countries"):
        return "all"
    return tuple(sorted(CountryAssignment.objects.filter(user=user).values_list("country", flat=True)))


def _overview(request):
    filterset = OverviewFilter(request.GET or None, queryset=Cohort.objects.for_coordinator(request.user))
    filters = sorted((k, str(v)) for k, v in filterset.form.cleaned_data.items() if v) \
        if filterset.is_valid() else []
    data = cached(("overview", scope_key(request.user), tuple(filters)),
                  lambda: reports.programme_overview(filterset.qs))
    return filterset, data


@reports_view
def overview(request):
    from django.utils.translation import gettext as _

    era = report_era(request)
    filterset, data = _overview(request)
    labels = [f"{era_year(r['year'], era)} {r['country_label']}" for r in data.rows]
    chart = charts.Chart(
        slug="overview-chart",
        title=_("Teachers by year and country"),
        description=_("Registered, confirmed and completed teachers for each year and country; "
                      "the same numbers are in the table beside the chart."),
        categories=labels,
        series=[
            (_("Registered"), [r["registered"] for r in data.rows]),
            (_("Confirmed"), [r["confirmed"] for r in data.rows]),
            (_("Completed"), [r["completed"] for r in data.rows]),
        ],
    )
    cohorts = filterset.qs.order_by("-year", "country", "name").only(
        "code", "name", "year", "country", "kind", "language", "start_date"
    )
    query = request.GET.copy()
    query.pop("era", None)
    return render(request, "pilots/reports/overview.html", {
        "filter": filterset, "overview": data, "chart": chart, "cohorts": cohorts, "era": era,
        "query": query.urlencode(),
    })


@reports_view
def overview_export(request, fmt):
    _check_format(fmt)
    _filterset, data = _overview(request)
    if fmt == "xlsx":
        return exports.xlsx_response("programme-overview.xlsx", exports.overview_rows(data), "Overview")
    return exports.csv_response("programme-overview.csv", exports.overview_rows(data))


@reports_view
def overview_shared_export(request):
    _filterset, data = _overview(request)
    return exports.csv_response("programme-overview-shared.csv", exports.overview_rows(data, shared=True))


@reports_view
def cohort_report(request, code):
    era = report_era(request)
    cohort = _scoped_cohort(request, code)
    body = cached(
        ("cohort", cohort.pk, get_language(), era),
        lambda: render_to_string("pilots/reports/_cohort_body.html", _cohort_context(cohort, era), request),
    )
    return render(request, "pilots/reports/cohort.html", {"cohort": cohort, "body": body})


def _cohort_context(cohort, era):
    from django.utils.translation import gettext as _

    # The per-enrolment aggregate, once: the summary and the roster both read it.
    figures = reports.roster_figures(cohort)
    summary = reports.cohort_summary(cohort, figures.values())
    participants = summary["confirmed"]
    sessions = reports.attendance_by_session(cohort, participants)
    scores = reports.score_distribution(cohort)
    statuses = [(k.value, k.label) for k in AttendanceStatus]
    attendance_chart = charts.Chart(
        slug="attendance-chart",
        title=_("Attendance per session"),
        description=_("Participants present, late, absent and excused at each session; the same "
                      "numbers are in the table beside the chart."),
        categories=[s.title for s in sessions],
        series=[(label, [getattr(s, key) for s in sessions]) for key, label in statuses],
        stacked=True,
    )
    score_chart = charts.Chart(
        slug="score-chart",
        title=_("Pre- and post-test scores"),
        description=_("Number of participants in each ten-point score band, before and after the "
                      "training; the same numbers are in the table beside the chart."),
        categories=[b["label"] for b in scores],
        series=[(_("Pre-test"), [b["pre"] for b in scores]), (_("Post-test"), [b["post"] for b in scores])],
    )
    return {
        "cohort": cohort, "summary": summary, "funnel": reports.enrolment_funnel(cohort),
        "breakdowns": reports.breakdowns(cohort), "sessions": sessions,
        "attendance_chart": attendance_chart, "score_chart": score_chart,
        "gains": reports.gain_distribution(cohort), "roster": reports.roster(cohort, figures), "era": era,
        "statuses": statuses,
    }


@reports_view
def cohort_roster_export(request, code, fmt):
    _check_format(fmt)
    cohort = _scoped_cohort(request, code)
    name = f"roster-{cohort.code}.{fmt}"
    if fmt == "xlsx":
        return exports.xlsx_response(name, exports.roster_rows(cohort), "Roster")
    return exports.csv_response(name, exports.roster_rows(cohort))


@reports_view
def cohort_summary_export(request, code):
    cohort = _scoped_cohort(request, code)
    return exports.csv_response(f"summary-{cohort.code}-shared.csv", exports.cohort_summary_rows(cohort))
