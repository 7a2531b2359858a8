"""Survey figures in the partners' aggregates: response rates and reach exactly as the shared reach
file has them, answer counts per country with the same small-cell protection, the token's
countries only, and a fixed number of queries whatever the number of cohorts and answers."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from pilots.api.tokens import issue_token
from pilots.choices import Country, Language
from pilots.reports.disclosure import HIDDEN, derivable
from pilots.surveys import services
from pilots.surveys.models import QuestionKind, SurveyKind
from tests.api.support import bearer, partner_token
from tests.factories import CohortFactory, EnrolmentFactory, ModuleFactory, ProgrammeFactory

pytestmark = pytest.mark.django_db

OVERVIEW = "/api/v1/partner/overview"


@pytest.fixture
def programme():
    programme = ProgrammeFactory()
    ModuleFactory(programme=programme, code="M1", title="Risk factors")
    services.create_default_surveys(programme=programme)
    return programme


def ended_cohort(programme, code, country, days_ago=120):
    end = timezone.localdate() - dt.timedelta(days=days_ago)
    language = {Country.CAMBODIA: Language.KHMER, Country.THAILAND: Language.THAI}[country]
    return CohortFactory(programme=programme, code=code, name=code, country=country, language=language,
                         year=end.year, start_date=end - dt.timedelta(days=2), end_date=end)


def answer_follow_up(enrolment, survey, *, taught, students=None, modules=()):
    questions = {q.kind: q for q in survey.questions.all() if q.kind != QuestionKind.MULTIPLE}
    which = survey.questions.filter(kind=QuestionKind.MULTIPLE).order_by("order").first()
    answers = {questions[QuestionKind.CHOICE].pk: "yes" if taught else "no", which.pk: list(modules)}
    if students is not None:
        answers[questions[QuestionKind.NUMBER].pk] = students
    today = services.add_months(enrolment.cohort.end_date, survey.months_after)
    services.submit_response(survey=survey, enrolment=enrolment, answers=answers, language="km", today=today)


@pytest.fixture
def answered(programme):
    """A Cambodian cohort of 12 teachers, 9 of whom answered the 3-month follow-up (7 taught the
    material, 2 did not), and a Thai cohort of 6, all of whom answered."""
    survey = programme.surveys.get(kind=SurveyKind.FOLLOW_UP, months_after=3)
    kh = ended_cohort(programme, "kh-2025", Country.CAMBODIA)
    enrolments = EnrolmentFactory.create_batch(12, cohort=kh)
    for n, enrolment in enumerate(enrolments[:9]):
        answer_follow_up(enrolment, survey, taught=n < 7, students=20 + n, modules=["M1"])
    th = ended_cohort(programme, "th-2025", Country.THAILAND)
    for n, enrolment in enumerate(EnrolmentFactory.create_batch(6, cohort=th)):
        answer_follow_up(enrolment, survey, taught=True, students=10 + n)
    return survey


def reach_csv(client, survey):
    response = client.get(reverse("surveys:reach_export", args=[survey.pk]))
    header, *rows = [line.split(",") for line in b"".join(response.streaming_content).decode().splitlines()]
    return rows


def cell(value):
    return value if value == HIDDEN else int(value)


def test_response_rates_and_reach_are_the_shared_reach_files_cells(client, make_coordinator, answered):
    coordinator = make_coordinator(Country.CAMBODIA)
    _token, secret = issue_token(owner=coordinator, name="x")
    body = client.get(OVERVIEW, **bearer(secret)).json()
    (figures,) = [s for s in body["surveys"] if s["id"] == answered.pk]
    client.force_login(coordinator)
    shared = reach_csv(client, answered)
    # The file: the cohort's row, its year's row, the country's all-years row.
    cohort_row, year_row, all_years = shared
    api_rows = {row["year"]: row for row in figures["rows"]}
    for csv_row, api_row in ((year_row, api_rows[answered_year(answered)]), (all_years, api_rows[None])):
        assert [api_row[k] for k in ("asked", "answered", "students_reached", "missing")] == [
            cell(v) for v in (csv_row[3], csv_row[4], csv_row[5], csv_row[6])]
    assert {row["country"] for row in figures["rows"]} == {"KH"}
    assert api_rows[None]["asked"] == 12 and api_rows[None]["answered"] == 9
    assert api_rows[None]["response_rate"] == 75.0

    summary = client.get("/api/v1/partner/cohorts/kh-2025", **bearer(secret)).json()
    (one,) = [s for s in summary["surveys"] if s["id"] == answered.pk]
    assert [one[k] for k in ("asked", "answered", "students_reached", "missing")] == [
        cell(v) for v in cohort_row[3:7]]
    assert one["response_rate"] == (75.0 if HIDDEN not in (one["asked"], one["answered"]) else HIDDEN)
    # The reaction survey went out too (nobody answered it): its cohort row of the shared file.
    (reaction,) = [s for s in summary["surveys"] if s["kind"] == "reaction"]
    (reaction_row, *_rest) = reach_csv(client, answered.programme.surveys.get(kind=SurveyKind.REACTION))
    assert [reaction[k] for k in ("asked", "answered", "students_reached", "missing")] == [
        cell(v) for v in reaction_row[3:7]]
    assert reaction["answered"] == HIDDEN and reaction["response_rate"] == HIDDEN  # 0 answered


def answered_year(survey):
    return (timezone.localdate() - dt.timedelta(days=120)).year


def test_answer_counts_hide_small_counts_and_what_would_give_them_away(client, make_coordinator, answered):
    secret = partner_token(make_coordinator, Country.CAMBODIA)
    body = client.get(OVERVIEW, **bearer(secret)).json()
    (figures,) = [s for s in body["surveys"] if s["id"] == answered.pk]
    (kh,) = figures["answers"]
    assert kh["country"] == "KH"
    questions = {q["kind"] + str(i): q for i, q in enumerate(kh["questions"])}
    taught = {o["value"]: o["count"] for o in questions["choice0"]["options"]}
    # 2 said no: hidden; and the 7 who said yes too, or 9 answered - 7 would give the 2 away.
    assert taught == {"yes": HIDDEN, "no": HIDDEN}
    modules = {o["value"]: o["count"] for o in questions["multiple1"]["options"]}
    assert modules == {"M1": 9}
    obstacles = {o["value"]: o["count"] for o in questions["multiple2"]["options"]}
    assert set(obstacles.values()) == {HIDDEN}  # nobody named one: 0 is a small count too
    assert kh["country_label"] == "Cambodia"
    assert [o["label"] for o in questions["choice0"]["options"]] == ["Yes", "No"]


def test_no_hidden_answer_count_can_be_worked_out_from_the_published_ones(client, make_coordinator, programme):
    survey = programme.surveys.get(kind=SurveyKind.FOLLOW_UP, months_after=3)
    kh = ended_cohort(programme, "kh-a", Country.CAMBODIA)
    for n, enrolment in enumerate(EnrolmentFactory.create_batch(14, cohort=kh)):
        answer_follow_up(enrolment, survey, taught=n < 11, students=5)
    secret = partner_token(make_coordinator, Country.CAMBODIA)
    body = client.get(OVERVIEW, **bearer(secret)).json()
    (figures,) = [s for s in body["surveys"] if s["id"] == survey.pk]
    answered_cell = [r for r in figures["rows"] if r["year"] is None][0]["answered"]
    options = figures["answers"][0]["questions"][0]["options"]
    counts = {o["value"]: o["count"] for o in options}
    assert counts["no"] == HIDDEN  # 3
    values = {"answered": 14, "yes": 11, "no": 3}
    published = {"answered": answered_cell, **counts}
    hidden = {k for k, v in published.items() if v == HIDDEN}
    assert "no" not in derivable(values, [{"answered": 1, "yes": -1, "no": -1}], hidden)


def test_a_thai_token_gets_no_cambodian_survey_figure(client, make_coordinator, answered):
    coordinator = make_coordinator(Country.THAILAND)
    _token, secret = issue_token(owner=coordinator, name="x")
    body = client.get(OVERVIEW, **bearer(secret)).json()
    for survey in body["surveys"]:
        assert {row["country"] for row in survey["rows"]} <= {"TH"}
        assert [a["country"] for a in survey["answers"]] == ["TH"]
    (follow_up,) = [s for s in body["surveys"] if s["id"] == answered.pk]
    client.force_login(coordinator)
    cohort_row, _year, all_years = reach_csv(client, answered)  # Thailand's only
    assert [r["asked"] for r in follow_up["rows"] if r["year"] is None] == [cell(all_years[3])]
    summary = client.get("/api/v1/partner/cohorts/th-2025", **bearer(secret)).json()
    assert [s["asked"] for s in summary["surveys"] if s["id"] == answered.pk] == [cell(cohort_row[3])]
    assert client.get("/api/v1/partner/cohorts/kh-2025", **bearer(secret)).status_code == 404


def test_survey_text_and_labels_follow_accept_language(client, make_coordinator, answered):
    secret = partner_token(make_coordinator, Country.CAMBODIA)
    body = client.get(OVERVIEW, **bearer(secret), HTTP_ACCEPT_LANGUAGE="km").json()
    (figures,) = [s for s in body["surveys"] if s["id"] == answered.pk]
    assert figures["title"] == "ការតាមដានក្រោយ 3 ខែ"
    assert [o["label"] for o in figures["answers"][0]["questions"][0]["options"]] == ["បាទ/ចាស", "ទេ"]


@pytest.mark.parametrize("cohorts", [1, 6])
def test_survey_figures_are_a_fixed_number_of_queries_whatever_the_data(cohorts, client, make_coordinator, programme,
                                                                        django_assert_num_queries):
    survey = programme.surveys.get(kind=SurveyKind.FOLLOW_UP, months_after=3)
    for k in range(cohorts):
        cohort = ended_cohort(programme, f"kh-{k}", Country.CAMBODIA, days_ago=120 + k)
        for enrolment in EnrolmentFactory.create_batch(3, cohort=cohort):
            answer_follow_up(enrolment, survey, taught=True, students=12, modules=["M1"])
    secret = partner_token(make_coordinator, Country.CAMBODIA)
    # The overview's 11 queries (live: no stored figures yet), then the surveys and their questions,
    # and per survey (3 here) the reach tables (3 aggregates, each finding the reach question) and
    # one count of answers per country it was sent to (none yet for the 12-month follow-up).
    with django_assert_num_queries(11 + 2 + 3 * 6 + 2 * 1):
        assert client.get(OVERVIEW, **bearer(secret)).status_code == 200
