"""Coordinator reports: thin views over the report queries, scoped to the user's countries.

Every view needs pilots.view_reports (anonymous users go to sign-in, others get 403) and reads
cohorts only through `access.report_cohorts(user)`, so a cohort outside the user's countries is a
404 for the page and for every export.
"""

from django.http import Http404, HttpResponseBadRequest, QueryDict
from django.shortcuts import get_object_or_404, render
from django.template.loader import render_to_string
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from pilots import data_version
from pilots.access import report_cohorts, reports_required, visible_countries
from pilots.choices import AttendanceStatus, CohortKind
from pilots.models import Cohort
from pilots.privacy.access_log import record_access, stamped
from pilots.templatetags.reports_tags import era_year

from . import charts, exports, figures
from .cache import cached
from .cohort import (
    attendance_by_session,
    breakdowns_by_cohort,
    breakdowns_from_roster,
    cohort_summary,
    funnel_from_rows,
    gain_distribution_from_rows,
    page_roster,
    roster_figures,
    score_distribution_from_rows,
)
from .filters import OverviewFilter, cohort_years
from .overview import country_label

ERA_SESSION_KEY = "pilots_report_era"


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
        report_cohorts(request.user, Cohort.objects.select_related("programme", "province")), code=code
    )


def _overview(request, params=None):
    """The filter set and the overview for exactly the filters applied; None for the overview when
    a filter is invalid (nothing is computed or cached then: the errors are shown)."""
    cohorts, countries = report_cohorts(request.user), visible_countries(request.user)
    years = cached(("cohort-years", countries), lambda: cohort_years(cohorts))
    filterset = OverviewFilter(request.GET if params is None else params, queryset=cohorts, years=years)
    if not filterset.is_valid():
        return filterset, None
    # The stored figures' latest refresh, when there is one (`figures`): the overview adds them up.
    stamp = figures.latest()
    data = cached(("overview", countries, filterset.applied(), stamp and stamp[0]),
                  lambda: figures.overview_for(filterset.qs, stamp))
    return filterset, data


def _invalid_filters(filterset):
    """400 with the filters' errors in the reader's language, for an export (no figures at all)."""
    lines = [_("These filters are not valid, so no figures were exported:")]
    for name, errors in filterset.form.errors.items():
        label = filterset.form.fields[name].label if name in filterset.form.fields else name
        lines += [f"{label}: {error}" for error in errors]
    return HttpResponseBadRequest("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")


@reports_required
def overview(request):
    era = report_era(request)
    filterset, data = _overview(request)
    query = request.GET.copy()
    query.pop("era", None)
    context = {"filter": filterset, "overview": data, "era": era, "query": query.urlencode()}
    if data is None:
        return render(request, "pilots/reports/overview.html", context)
    labels = [f"{era_year(r['year'], era)} {r['country_label']}" for r in data.rows]
    chart = charts.Chart(
        slug="overview-chart",
        title=_("Teachers by year and country"),
        description=_("Registered and confirmed teachers, and those who met the completion rule, for "
                      "each year and country; the same numbers are in the table beside the chart."),
        categories=labels,
        series=[
            (_("Registered"), [r["registered"] for r in data.rows]),
            (_("Confirmed"), [r["confirmed"] for r in data.rows]),
            (_("Met the completion rule"), [r["completed"] for r in data.rows]),
        ],
    )
    cohorts = list(filterset.qs.order_by("-year", "country", "name").only(
        "code", "name", "year", "country", "kind", "language", "start_date"
    ))
    # Labels looked up once: get_FOO_display() rebuilds its choices for every one of ~1,000 cohorts.
    kinds = {k: str(v) for k, v in CohortKind.choices}
    countries = {code: str(country_label(code)) for code in {c.country for c in cohorts}}
    for c in cohorts:
        c.kind_label, c.country_label = kinds.get(c.kind, c.kind), countries[c.country]
    return render(request, "pilots/reports/overview.html",
                  context | {"chart": chart, "cohorts": cohorts, "freshness": figures.freshness(data)})


@reports_required
def overview_export(request, fmt):
    _check_format(fmt)
    filterset, data = _overview(request)
    if data is None:
        return _invalid_filters(filterset)
    if fmt == "xlsx":
        return exports.xlsx_response("programme-overview.xlsx", exports.overview_rows(data), "Overview")
    return exports.csv_response("programme-overview.csv", exports.overview_rows(data))


@reports_required
def overview_shared_export(request):
    # One fixed granularity: the query string is ignored, so that no two shared files differ by a
    # filter and can be subtracted from one another.
    _filterset, data = _overview(request, params=QueryDict())
    rows = cached(("overview-shared", visible_countries(request.user)),
                  lambda: list(exports.overview_shared_rows(data, breakdowns_by_cohort(data.cohorts))))
    return exports.csv_response("programme-overview-shared.csv", rows)


@reports_required
def cohort_report(request, code):
    era = report_era(request)
    cohort = _scoped_cohort(request, code)
    record_access(request, f"cohort report {cohort.code}", cohort.enrolments.all())
    body = cached(
        ("cohort", cohort.pk, get_language(), era),
        lambda: render_to_string("pilots/reports/_cohort_body.html", _cohort_context(cohort, era), request),
        # Writes to other cohorts leave this one cached (`pilots.data_version`).
        version=data_version.cohort_version(cohort.pk),
    )
    return render(request, "pilots/reports/cohort.html", {"cohort": cohort, "body": body})


def _cohort_context(cohort, era):
    # The per-enrolment aggregate and the roster, once: the summary, the funnel, the breakdowns and
    # the distributions are counted from their rows (`cohort.*_from_rows`).
    figures = roster_figures(cohort)
    rows = page_roster(cohort, figures)
    summary = cohort_summary(cohort, figures.values())
    participants = summary["confirmed"]
    sessions = attendance_by_session(cohort, participants)
    scores = score_distribution_from_rows(figures.values())
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
        "cohort": cohort, "summary": summary, "funnel": funnel_from_rows(figures.values()),
        "breakdowns": breakdowns_from_roster(rows), "sessions": sessions,
        "attendance_chart": attendance_chart, "score_chart": score_chart,
        "gains": gain_distribution_from_rows(figures.values()), "roster": rows, "era": era,
        "statuses": statuses,
    }


@reports_required
def cohort_roster_export(request, code, fmt):
    _check_format(fmt)
    cohort = _scoped_cohort(request, code)
    name = f"roster-{cohort.code}.{fmt}"
    record_access(request, f"roster export {cohort.code} {fmt}", cohort.enrolments.all())
    if fmt == "xlsx":
        return exports.xlsx_response(name, stamped(exports.roster_rows(cohort), request.user), "Roster")
    return exports.csv_response(name, stamped(exports.roster_rows(cohort), request.user))


@reports_required
def cohort_summary_export(request, code):
    cohort = _scoped_cohort(request, code)
    return exports.csv_response(f"summary-{cohort.code}-shared.csv", exports.cohort_summary_rows(cohort))
