"""Read-only aggregates for partners' dashboards: the programme overview and each cohort's summary.

The figures come from the report pages' own functions (`pilots.reports`), scoped to the token
owner's countries (`pilots.access.report_cohorts`), and always with the small-cell suppression of
the files shared outside the programme (`pilots.reports.exports` over `pilots.reports.disclosure`).
No name, email or phone ever appears here.
"""

from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from ninja import Query, Router

from pilots.access import report_cohorts, visible_countries
from pilots.choices import EnrolmentStatus
from pilots.models import Cohort
from pilots.reports.cache import cached
from pilots.reports.cohort import enrolment_funnel
from pilots.reports.disclosure import suppress
from pilots.reports.exports import OVERVIEW_COLUMNS, overview_rows
from pilots.reports.overview import country_label, programme_overview

from .core import paginate, require_perm
from .schemas import CohortSummaryOut, ErrorOut, OverviewOut, ReportCohortPage

router = Router(tags=["partner"])

TOKEN_ERRORS = {frozenset({400, 401, 403, 422, 429}): ErrorOut}
REPORTS_PERM = "pilots.view_reports"
FIGURE_NOTE = gettext_lazy(
    "Counts under 5 are given as \"<5\", and so is a mean over fewer than 5 teachers, as in the files "
    "shared outside the programme; null means no data (never 0)."
)
FIGURE_KEYS = [key for key, _label in OVERVIEW_COLUMNS if key not in ("year", "country_label")]


def shared_figures(overview):
    """The overview's rows as the shared CSV has them (suppressed, rounded), as dicts by key, in the
    order `overview_rows` writes them: year x country rows, then by year, by country, the total."""
    keys = [key for key, _label in OVERVIEW_COLUMNS]
    rows = overview_rows(overview, shared=True)
    next(rows)  # the header
    return [dict(zip(keys, row, strict=True)) for row in rows]


def _figures(row):
    return {key: row.get(key) for key in FIGURE_KEYS}


def overview_out(overview):
    shared = shared_figures(overview)
    n_rows, n_years, n_countries = len(overview.rows), len(overview.by_year), len(overview.by_country)
    every_country = str(_("All countries"))

    def out(source, cell, *, year=True, country=True):
        return {
            "year": source["year"] if year else None,
            "country": source["country"] if country else None,
            "country_label": str(source["country_label"]) if country else every_country,
            "figures": _figures(cell),
        }

    rows = [out(src, cell) for src, cell in zip(overview.rows, shared[:n_rows], strict=True)]
    by_year = [out(src, cell, country=False)
               for src, cell in zip(overview.by_year, shared[n_rows:n_rows + n_years], strict=True)]
    by_country = [out(src, cell, year=False) for src, cell in
                  zip(overview.by_country, shared[n_rows + n_years:n_rows + n_years + n_countries], strict=True)]
    return {"note": str(FIGURE_NOTE), "rows": rows, "by_year": by_year, "by_country": by_country,
            "total": _figures(shared[-1])}


@router.get("/overview", response={200: OverviewOut, **TOKEN_ERRORS}, operation_id="overview",
            summary="Programme overview by year and country")
def overview(request):
    """The programme's figures by year and country for the countries of the token's owner (regional
    cohorts only for those who see every country), cached under the reports' data version."""
    require_perm(request, REPORTS_PERM)
    owner = request.auth.owner
    data = cached(("api-overview", visible_countries(owner)), lambda: programme_overview(report_cohorts(owner)))
    return overview_out(data)


def report_cohort_out(cohort):
    return {"code": cohort.code, "name": cohort.name, "year": cohort.year, "kind": cohort.kind,
            "country": cohort.country, "country_label": str(country_label(cohort.country)),
            "status": cohort.status, "start_date": cohort.start_date, "end_date": cohort.end_date}


@router.get("/cohorts", response={200: ReportCohortPage, **TOKEN_ERRORS}, operation_id="report_cohorts",
            summary="Cohorts whose summaries this token may read")
def cohorts(request, cursor: str | None = Query(None, max_length=500), limit: int = Query(50, ge=1, le=200)):
    require_perm(request, REPORTS_PERM)
    items, next_cursor = paginate(report_cohorts(request.auth.owner), cursor=cursor, limit=limit, field="start_date")
    return {"results": [report_cohort_out(c) for c in items], "next": next_cursor}


@router.get("/cohorts/{code}", response={200: CohortSummaryOut, 404: ErrorOut, **TOKEN_ERRORS},
            operation_id="report_cohort", summary="One cohort's summary")
def cohort_summary(request, code: str):
    """Funnel (enrolments by status), completion, attendance rate, pre/post means and normalised gain
    of one cohort, by the reports' definitions; 404 for a cohort outside the token's countries."""
    require_perm(request, REPORTS_PERM)
    cohort = report_cohorts(request.auth.owner, Cohort.objects.select_related("programme")).filter(code=code).first()
    if cohort is None:
        raise Http404

    def compute():
        one = Cohort.objects.filter(pk=cohort.pk)
        return {"funnel": enrolment_funnel(cohort), "overview": programme_overview(one)}

    data = cached(("api-cohort", cohort.pk), compute)
    funnel = [
        {"status": status, "label": str(label), "count": suppress(n)}
        for status, (label, n) in zip(EnrolmentStatus.values, data["funnel"], strict=True)
    ]
    total = shared_figures(data["overview"])[-1]
    return {"cohort": report_cohort_out(cohort), "note": str(FIGURE_NOTE), "funnel": funnel,
            "figures": _figures(total)}
