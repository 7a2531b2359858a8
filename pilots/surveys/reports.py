"""Survey reports: response rates, answer distributions (server-side SVG, pilots.reports.charts),
open answers (staff only) and the cascade reach: students reached by the teachers, with the
teachers who did not answer shown as missing, never as zero. A fixed number of queries."""

from django.db.models import Count, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from pilots.choices import SEATED_STATUSES
from pilots.reports.charts import Chart
from pilots.reports.disclosure import HIDDEN, SMALL_CELL, protect

from .models import Answer, Measure, QuestionKind, Response, Survey
from .services import add_months


def due_cohorts(survey: Survey, cohorts):
    """The cohorts (of the reader's scope) whose teachers have been asked: the survey opened."""
    today = timezone.localdate()
    latest_end = add_months(today, -survey.months_after)
    return cohorts.filter(programme_id=survey.programme_id, end_date__lte=latest_end)


def reach_rows(survey: Survey, cohorts, group_by):
    """Per group (`group_by`: fields of Cohort), teachers asked, who answered, students reached
    (sum of the answers) and teachers who did not give a number (missing)."""
    reach = survey.questions.filter(measure=Measure.STUDENTS_REACHED).first()
    answers = "enrolments__survey_responses__answers"
    seated = Q(enrolments__status__in=SEATED_STATUSES)
    answered_reach = Q(**{f"{answers}__question": reach, f"{answers}__number__isnull": False}) if reach else Q(pk=None)
    rows = (
        due_cohorts(survey, cohorts).order_by().values(*group_by)
        .annotate(
            asked=Count("enrolments", filter=seated, distinct=True),
            answered=Count("enrolments__survey_responses", distinct=True,
                           filter=seated & Q(enrolments__survey_responses__survey=survey)),
            reach_n=Count(f"{answers}", filter=seated & answered_reach, distinct=True),
            students=Sum(f"{answers}__number", filter=seated & answered_reach),
        )
        .order_by(*group_by)
    )
    out = []
    for row in rows:
        row["missing"] = row["asked"] - row["reach_n"]
        row["rate"] = row["answered"] * 100.0 / row["asked"] if row["asked"] else None
        out.append(row)
    return out


def reach_tables(survey: Survey, cohorts):
    return {
        "cohort": reach_rows(survey, cohorts, ["code", "name", "country", "year"]),
        "country_year": reach_rows(survey, cohorts, ["country", "year"]),
        "country": reach_rows(survey, cohorts, ["country"]),
    }


def answer_values(question) -> list:
    """The answers a scale or choice question can have, in the order its chart shows them."""
    if question.kind == QuestionKind.LIKERT:
        return list(range(1, 6))
    return [o["value"] for o in question.options]


def _gave(question, value) -> Q:
    """Answers to `question` that gave `value` (a filter on Answer). A choice answer keeps each of
    its options once (`services.submit_response`), so `value` is at one of the first len(options)
    positions of its list: compared there, the count works alike on PostgreSQL and SQLite."""
    if question.kind == QuestionKind.LIKERT:
        return Q(question=question, number=value)
    held = Q(pk=None)
    for position in range(len(question.options)):
        held |= Q(**{f"choices__{position}": value})
    return Q(question=question) & held


def answer_counts(survey: Survey, cohorts, questions) -> dict[tuple[int, object], int]:
    """{(question id, value): teachers who gave it}, over the cohorts in scope whose teachers were
    asked: one query whatever the number of answers (one conditional count per bar)."""
    cells = {
        (question.pk, value): f"q{question.pk}_{i}"
        for question in questions for i, value in enumerate(answer_values(question))
    }
    if not cells:
        return {}
    by_alias = {alias: key for key, alias in cells.items()}
    questions_by_pk = {q.pk: q for q in questions}
    totals = Answer.objects.filter(
        question__in=questions, response__enrolment__cohort__in=due_cohorts(survey, cohorts)
    ).aggregate(**{
        alias: Count("pk", filter=_gave(questions_by_pk[key[0]], key[1])) for alias, key in by_alias.items()
    })
    return {by_alias[alias]: n for alias, n in totals.items()}


def distributions(survey: Survey, cohorts) -> list[Chart]:
    """One bar chart per scale or choice question, counting the answers of the cohorts in scope
    (counted in the database, `answer_counts`)."""
    questions = [q for q in survey.questions.all() if q.kind not in (QuestionKind.TEXT, QuestionKind.NUMBER)]
    counts = answer_counts(survey, cohorts, questions)
    charts = []
    for question in questions:
        values = answer_values(question)
        if question.kind == QuestionKind.LIKERT:
            labels = [str(n) for n in values]
        else:
            labels = [question.option_label(v) for v in values]
        charts.append(Chart(
            slug=f"q{question.pk}",
            title=question.text,
            description=_("Number of teachers who gave each answer."),
            categories=labels,
            series=[(_("Answers"), [counts[(question.pk, v)] for v in values])],
        ))
    return charts


def open_answers(survey: Survey, cohorts):
    return (
        Answer.objects.filter(response__survey=survey, question__kind=QuestionKind.TEXT,
                              response__enrolment__cohort__in=due_cohorts(survey, cohorts))
        .exclude(text="")
        .select_related("question", "response__enrolment__cohort")
        .order_by("question__order", "response__submitted_at")
    )




REACH_COUNTS = ("asked", "answered", "reach_n", "missing")


def reach_shared_rows(tables):
    """Cascade reach for sharing outside the programme, at the one granularity the shared overview
    has (per country: its cohorts, its years, its all-years row; no row adds up several countries),
    with the same protection (`disclosure.protect`): counts under 5, and the cells that would give
    them away through the sums tying cohorts, years and the country (and asked = gave a number +
    missing), are hidden; so is a number of students given by fewer than 5 (or a hidden number of)
    teachers, and any students figure that would give such a one away."""
    yield [_("Cohort"), _("Country"), _("Year"), _("Teachers asked"), _("Answered"),
           _("Students reached"), _("Missing")]
    for country_row in tables["country"]:
        country = country_row["country"]
        cohorts = [r for r in tables["cohort"] if r["country"] == country]
        years = [r for r in tables["country_year"] if r["country"] == country]
        block = [*cohorts, *years, country_row]
        total = len(block) - 1
        values, equations = {}, []
        for i, row in enumerate(block):
            for key in REACH_COUNTS:
                values[(i, key)] = row[key]
            equations.append({(i, "asked"): 1, (i, "reach_n"): -1, (i, "missing"): -1})
        year_rows = {r["year"]: len(cohorts) + j for j, r in enumerate(years)}
        for key in REACH_COUNTS:
            equations.append({(total, key): 1, **{(row, key): -1 for row in year_rows.values()}})
            for year, row in year_rows.items():
                parts = [i for i, c in enumerate(cohorts) if c["year"] == year]
                equations.append({(row, key): 1, **{(i, key): -1 for i in parts}})
        hidden = protect(values, equations)
        # Students: a sum over a small or hidden number of teachers is secret; the sums tie as above.
        students = {i: row["students"] or 0 for i, row in enumerate(block)}
        secret = {("s", i) for i, row in enumerate(block)
                  if row["reach_n"] < SMALL_CELL or (i, "reach_n") in hidden}
        student_equations = [{("s", total): 1, **{("s", row): -1 for row in year_rows.values()}}] + [
            {("s", row): 1, **{("s", i): -1 for i, c in enumerate(cohorts) if c["year"] == year}}
            for year, row in year_rows.items()
        ]
        hidden_students = protect({("s", i): v for i, v in students.items()}, student_equations, secret=secret)
        for i, row in enumerate(block):
            asked, answered, missing = (HIDDEN if (i, key) in hidden else row[key]
                                        for key in ("asked", "answered", "missing"))
            figure = HIDDEN if ("s", i) in hidden_students else row["students"]
            yield [row.get("name", "") if i < len(cohorts) else "", country or _("Regional"),
                   row.get("year", _("All years")) if i < total else _("All years"),
                   asked, answered, figure, missing]


def reach_rows_for_programme(tables):
    """The same tables with every figure, for the programme's own files (CSV, XLSX)."""
    yield [_("Cohort"), _("Country"), _("Year"), _("Teachers asked"), _("Answered"),
           _("Students reached"), _("Missing")]
    for level in ("cohort", "country_year", "country"):
        for row in tables[level]:
            yield [row.get("name", ""), row.get("country") or _("Regional"), row.get("year", _("All years")),
                   row["asked"], row["answered"], row["students"], row["missing"]]


def response_rates(surveys, cohorts) -> list[tuple]:
    """(survey, teachers asked, answered, rate %) for each survey, over the reader's cohorts whose
    teachers it has been sent to (`due_cohorts`): two queries whatever the number of surveys and
    teachers, each counted in the database."""
    surveys = list(surveys)
    if not surveys:
        return []
    today = timezone.localdate()
    seated = Q(enrolments__status__in=SEATED_STATUSES)
    asked = cohorts.aggregate(**{
        f"s{survey.pk}": Count("enrolments", filter=seated & Q(
            programme_id=survey.programme_id, end_date__lte=add_months(today, -survey.months_after)
        ))
        for survey in surveys
    })
    answered = dict(
        Response.objects.filter(survey__in=surveys, enrolment__cohort__in=cohorts,
                                enrolment__status__in=SEATED_STATUSES)
        .order_by().values_list("survey").annotate(n=Count("pk"))
    )
    out = []
    for survey in surveys:
        n_asked, n = asked[f"s{survey.pk}"], answered.get(survey.pk, 0)
        out.append((survey, n_asked, n, n * 100.0 / n_asked if n_asked else None))
    return out
