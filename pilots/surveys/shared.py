"""Survey figures for readers outside the programme (the partners' API): response rates and the
cascade reach as the shared reach file has them (`reports.reach_shared_rows`, per country: its
cohorts, its years, its all-years row), and each country's answer counts per question
(`reports.distributions`) with the same small-cell protection (`pilots.reports.disclosure.protect`).

Answer counts are given per country over all years only: per cohort or per year as well, they
would add up across rows and one cohort's small counts could be worked out from the others'.
Reads only; a fixed number of queries per survey whatever the number of cohorts and teachers.
"""

from itertools import islice

from pilots.reports.disclosure import HIDDEN, protect

from .models import QuestionKind, Survey
from .reports import answer_values, distributions, reach_shared_rows, reach_tables


def surveys_of(cohorts):
    """The surveys of the programmes of `cohorts`, questions loaded."""
    return (Survey.objects.filter(programme__in=cohorts.values("programme_id")).select_related("programme")
            .prefetch_related("questions").order_by("programme__name", "months_after", "pk"))


def response_rate(asked, answered):
    """Percent who answered, hidden when either count is; None when no one was asked yet."""
    if HIDDEN in (asked, answered):
        return HIDDEN
    return round(answered * 100.0 / asked, 1) if asked else None


def reach_figures(survey: Survey, cohorts):
    """The shared reach rows of `survey` over `cohorts`, as dicts: level (cohort, year, country),
    country, year, cohort (code), asked, answered, rate, students, missing (HIDDEN where hidden),
    and the unprotected `answered` count of each country, which `choice_counts` needs."""
    tables = reach_tables(survey, cohorts)
    shared = reach_shared_rows(tables)
    next(shared)  # the header
    rows, answered = [], {}
    for country_row in tables["country"]:
        country = country_row["country"]
        answered[country] = country_row["answered"]
        block = ([("cohort", r) for r in tables["cohort"] if r["country"] == country]
                 + [("year", r) for r in tables["country_year"] if r["country"] == country]
                 + [("country", country_row)])
        for (level, source), cells in zip(block, islice(shared, len(block)), strict=True):
            asked, answered_cell, students, missing = cells[3:7]
            rows.append({"level": level, "country": country, "year": source.get("year"), "cohort": source.get("code"),
                         "asked": asked, "answered": answered_cell, "rate": response_rate(asked, answered_cell),
                         "students": students, "missing": missing})
    return rows, answered


def choice_counts(survey: Survey, cohorts, *, answered: int, answered_hidden: bool):
    """Each scale or choice question's answer counts over `cohorts` (one country), protected: a
    count under 5 is HIDDEN, and so is any count that would give one away. For a one-answer
    question whose counts add up to the teachers who answered (`answered`, published or hidden in
    the reach rows), that sum is an equation; a hidden `answered` stays unknown."""
    questions = {f"q{q.pk}": q for q in survey.questions.all()}
    out = []
    for chart in distributions(survey, cohorts):
        question = questions[chart.slug]
        counts = chart.series[0][1]
        values = {("option", i): n for i, n in enumerate(counts)}
        equations, given, secret = [], {}, set()
        one_answer = question.kind in (QuestionKind.LIKERT, QuestionKind.CHOICE)
        if one_answer and sum(counts) == answered:
            values[("answered",)] = answered
            equations.append({("answered",): 1, **{("option", i): -1 for i in range(len(counts))}})
            given = {("answered",): answered_hidden}
            secret = {("answered",)} if answered_hidden else set()
        hidden = protect(values, equations, given=given, secret=secret)
        options = [
            {"value": value, "label": label, "count": HIDDEN if ("option", i) in hidden else counts[i]}
            for i, (value, label) in enumerate(zip(answer_values(question), chart.categories, strict=True))
        ]
        out.append({"question": question.pk, "text": chart.title, "kind": question.kind, "options": options})
    return out


def shared_survey_figures(cohorts):
    """Every survey of the programmes of `cohorts`: its reach rows (cohorts, years, countries) and
    each country's protected answer counts."""
    out = []
    for survey in surveys_of(cohorts):
        rows, answered = reach_figures(survey, cohorts)
        hidden_answered = {r["country"]: r["answered"] == HIDDEN for r in rows if r["level"] == "country"}
        choices = {
            country: choice_counts(survey, cohorts.filter(country=country), answered=n,
                                   answered_hidden=hidden_answered[country])
            for country, n in answered.items()
        }
        out.append({"survey": survey, "rows": rows, "choices": choices})
    return out
