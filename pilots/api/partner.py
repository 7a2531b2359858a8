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
from pilots.reports import exports, figures
from pilots.reports.cache import cached
from pilots.reports.cohort import breakdowns_by_cohort, enrolment_funnel
from pilots.reports.exports import OVERVIEW_COLUMNS
from pilots.reports.overview import country_label, programme_overview
from pilots.surveys.shared import shared_survey_figures

from .core import paginate, require_perm
from .schemas import CohortSummaryOut, ErrorOut, OverviewOut, ReportCohortPage

router = Router(tags=["partner"])

TOKEN_ERRORS = {frozenset({400, 401, 403, 422, 429}): ErrorOut}
REPORTS_PERM = "pilots.view_reports"
FIGURE_NOTE = gettext_lazy(
    "Counts under 5, and the counts that would let one work them out, are given as \"x\", and so is a "
    "mean over fewer than 5 teachers, exactly as in the files shared outside the programme; null "
    "means no data (never 0). Figures are per country: no row adds up several countries."
)
FIGURE_KEYS = [key for key, _label in OVERVIEW_COLUMNS if key not in ("year", "country_label")]
ROW_KEYS = [key for key, _label in OVERVIEW_COLUMNS]


def shared_figures(overview):
    """The overview as the shared CSV has it (`exports.overview_shared_rows`: per country, its years
    then its all-years row, with complementary suppression), as (country, dicts by key)."""
    rows = exports.overview_shared_rows(overview, breakdowns_by_cohort(overview.cohorts))
    next(rows)  # the header
    countries = [r["country"] for r in overview.by_country]
    out, block, position = [], [], 0
    years_per_country = {c: sum(1 for r in overview.rows if r["country"] == c) for c in countries}
    for row in rows:
        block.append(dict(zip(ROW_KEYS, row, strict=True)))
        country = countries[position]
        if len(block) == years_per_country[country] + 1:
            out.append((country, block))
            block, position = [], position + 1
    return out


def _figures(row):
    return {key: row.get(key) for key in FIGURE_KEYS}


def overview_out(overview):
    rows, by_country = [], []
    for country, block in shared_figures(overview):
        for cell in block[:-1]:
            rows.append({"year": cell["year"], "country": country, "country_label": str(cell["country_label"]),
                         "figures": _figures(cell)})
        every = block[-1]
        by_country.append({"year": None, "country": country, "country_label": str(every["country_label"]),
                           "figures": _figures(every)})
    return {"note": str(FIGURE_NOTE), "rows": rows, "by_country": by_country}


def _reach(row):
    return {"asked": row["asked"], "answered": row["answered"], "response_rate": row["rate"],
            "students_reached": row["students"], "missing": row["missing"]}


def survey_figures(owner, countries):
    """The surveys of the owner's cohorts as the API gives them (`surveys.shared`: the shared reach
    file's rows and protected answer counts), computed once per data version, language and scope:
    the overview's and every cohort summary's survey figures come from the same protected cells."""

    def compute():
        out = []
        for item in shared_survey_figures(report_cohorts(owner)):
            survey = item["survey"]
            if not item["rows"]:
                continue  # not sent to anyone yet
            ref = {"id": survey.pk, "title": survey.text, "kind": survey.kind, "months_after": survey.months_after,
                   "version": survey.version, "programme": survey.programme.name}
            out.append({
                **ref,
                "rows": [{**_reach(r), "year": r["year"] if r["level"] == "year" else None, "country": r["country"],
                          "country_label": str(country_label(r["country"]))}
                         for r in item["rows"] if r["level"] != "cohort"],
                "answers": [{"country": country, "country_label": str(country_label(country)), "questions": questions}
                            for country, questions in item["choices"].items()],
                "cohorts": {r["cohort"]: {**ref, **_reach(r)} for r in item["rows"] if r["level"] == "cohort"},
            })
        return out

    return cached(("api-surveys", countries), compute)


@router.get("/overview", response={200: OverviewOut, **TOKEN_ERRORS}, operation_id="overview",
            summary="Programme overview by year and country")
def overview(request):
    """The programme's figures by year and country for the countries of the token's owner (regional
    cohorts only for those who see every country), and its surveys' response rates, reach and
    answer counts, cached under the reports' data version."""
    require_perm(request, REPORTS_PERM)
    owner = request.auth.owner
    countries = visible_countries(owner)
    stamp = figures.latest()
    # Cached as answered: the shared file's protection (`disclosure.protect`) is the costly part.
    data = cached(("api-overview", countries, stamp and stamp[0]),
                  lambda: overview_out(figures.overview_for(report_cohorts(owner), stamp)))
    return {**data, "surveys": survey_figures(owner, countries)}


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
    of one cohort, by the reports' definitions, and the response rate and reach of each survey its
    teachers were sent; 404 for a cohort outside the token's countries."""
    require_perm(request, REPORTS_PERM)
    cohort = report_cohorts(request.auth.owner, Cohort.objects.select_related("programme")).filter(code=code).first()
    if cohort is None:
        raise Http404

    def compute():
        # Cached as answered: the protection (`disclosure.protect`) is the costly part.
        one = Cohort.objects.filter(pk=cohort.pk)
        # The status counts as the cohort's shared summary file publishes them.
        statuses = [row[2] for row in exports.cohort_summary_rows(cohort) if row[0] == _("Enrolment status")]
        funnel = [
            {"status": status, "label": str(label), "count": count}
            for status, (label, _n), count in zip(EnrolmentStatus.values, enrolment_funnel(cohort), statuses,
                                                  strict=True)
        ]
        (_country, block), = shared_figures(programme_overview(one))
        return {"funnel": funnel, "figures": _figures(block[-1])}

    data = cached(("api-cohort", cohort.pk), compute)
    owner = request.auth.owner
    surveys = [s["cohorts"][cohort.code] for s in survey_figures(owner, visible_countries(owner))
               if cohort.code in s["cohorts"]]
    return {"cohort": report_cohort_out(cohort), "note": str(FIGURE_NOTE), **data, "surveys": surveys}
