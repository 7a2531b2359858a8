"""Surveys: answered through the status link without an account or JavaScript, in the teacher's
language, once; reports with response rates, distributions, staff-only open answers and the
cascade reach where non-respondents are missing, never zero; the shared export suppresses
small cells."""

import datetime as dt

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from pilots.choices import Country, EnrolmentStatus, Language
from pilots.status_links import make_registration_token
from pilots.surveys import services
from pilots.surveys.models import Measure, QuestionKind, Response, SurveyKind
from tests.factories import CohortFactory, EnrolmentFactory, ModuleFactory, ProgrammeFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def programme():
    programme = ProgrammeFactory()
    ModuleFactory(programme=programme, code="M1", title="Risk factors")
    services.create_default_surveys(programme=programme)
    return programme


def _ended_cohort(programme, days_ago=1, **kwargs):
    end = timezone.localdate() - dt.timedelta(days=days_ago)
    return CohortFactory(programme=programme, start_date=end - dt.timedelta(days=2), end_date=end, **kwargs)


def _reaction(programme):
    return programme.surveys.get(kind=SurveyKind.REACTION)


def _follow_up(programme, months=3):
    return programme.surveys.get(kind=SurveyKind.FOLLOW_UP, months_after=months)


def test_default_surveys_reaction_and_follow_ups_at_3_and_12_months(programme):
    timings = sorted(programme.surveys.values_list("kind", "months_after", "version"))
    assert timings == [("follow_up", 3, 1), ("follow_up", 12, 1), ("reaction", 0, 1)]
    follow_up = _follow_up(programme)
    kinds = set(follow_up.questions.values_list("kind", flat=True))
    assert kinds == {QuestionKind.CHOICE, QuestionKind.NUMBER, QuestionKind.MULTIPLE, QuestionKind.TEXT}
    assert follow_up.questions.filter(measure=Measure.STUDENTS_REACHED).count() == 1


def test_status_page_links_the_open_survey_and_the_teacher_answers_once(client, programme):
    cohort = _ended_cohort(programme)
    enrolment = EnrolmentFactory(cohort=cohort)
    token = make_registration_token(enrolment)
    survey = _reaction(programme)
    url = reverse("surveys:answer", args=[token, survey.pk])
    assert url.encode() in client.get(reverse("registration:my_registration", args=[token])).content
    questions = list(survey.questions.all())
    page = client.get(url)
    assert b"<script" not in page.content.split(b"</header>")[-1]  # the form needs no JavaScript
    assert b'type="radio"' in page.content
    response = client.post(url, {f"q{questions[0].pk}": "5", f"q{questions[1].pk}": "4",
                                 f"q{questions[2].pk}": "More time"}, follow=True)
    assert "Thank you: your answers are saved." in response.content.decode()
    saved = Response.objects.get(enrolment=enrolment)
    assert sorted(a.number for a in saved.answers.exclude(number=None)) == [4, 5]
    again = client.get(url)
    assert "You have already answered this survey." in again.content.decode()
    assert url.encode() not in client.get(reverse("registration:my_registration", args=[token])).content


def test_a_required_answer_missing_is_shown_in_the_teachers_language(client, programme):
    enrolment = EnrolmentFactory(cohort=_ended_cohort(programme))
    url = reverse("surveys:answer", args=[make_registration_token(enrolment), _reaction(programme).pk])
    client.cookies["django_language"] = "km"
    page = client.post(url, {}, HTTP_ACCEPT_LANGUAGE="km")
    assert page.status_code == 200
    assert "តើវគ្គបណ្តុះបណ្តាលមានប្រយោជន៍ប៉ុណ្ណា" in page.content.decode()
    assert not Response.objects.exists()


def test_bad_number_gives_a_message_not_a_500(client, programme):
    enrolment = EnrolmentFactory(cohort=_ended_cohort(programme, days_ago=100))
    survey = _follow_up(programme)
    with time_machine.travel(timezone.now() + dt.timedelta(days=1)):
        url = reverse("surveys:answer", args=[make_registration_token(enrolment), survey.pk])
        if survey not in services.open_surveys(enrolment):
            pytest.skip("calendar month lengths put the window elsewhere")
        number = survey.questions.get(kind=QuestionKind.NUMBER)
        yes = survey.questions.get(kind=QuestionKind.CHOICE)
        page = client.post(url, {f"q{number.pk}": "-3", f"q{yes.pk}": "yes"})
    assert page.status_code == 200 and not Response.objects.exists()


def test_the_survey_opens_and_closes_on_its_window(programme):
    cohort = _ended_cohort(programme, days_ago=1)
    enrolment = EnrolmentFactory(cohort=cohort)
    reaction = _reaction(programme)
    assert services.open_surveys(enrolment) == [reaction]
    assert services.open_surveys(enrolment, today=cohort.end_date + dt.timedelta(days=31)) == []
    follow_up_day = services.add_months(cohort.end_date, 3)
    assert _follow_up(programme) in services.open_surveys(enrolment, today=follow_up_day)
    withdrawn = EnrolmentFactory(cohort=cohort, status=EnrolmentStatus.WITHDRAWN)
    assert services.open_surveys(withdrawn) == []
    with pytest.raises(services.SurveyError) as exc:
        services.submit_response(survey=reaction, enrolment=withdrawn, answers={}, language="en")
    assert exc.value.code == "not_open"


def _answer_follow_up(enrolment, survey, students, today):
    questions = {q.kind: q for q in survey.questions.all()}
    answers = {questions[QuestionKind.CHOICE].pk: "yes", questions[QuestionKind.TEXT].pk: "History"}
    if students is not None:
        answers[questions[QuestionKind.NUMBER].pk] = students
    return services.submit_response(survey=survey, enrolment=enrolment, answers=answers, language="km", today=today)


def test_cascade_reach_counts_non_respondents_as_missing_never_zero(client, programme, make_coordinator):
    cohort = _ended_cohort(programme, days_ago=120, country=Country.CAMBODIA, language=Language.KHMER)
    survey = _follow_up(programme)
    today = services.add_months(cohort.end_date, 3)
    teachers = [EnrolmentFactory(cohort=cohort) for _ in range(4)]
    _answer_follow_up(teachers[0], survey, 40, today)
    _answer_follow_up(teachers[1], survey, 35, today)
    _answer_follow_up(teachers[2], survey, None, today)  # answered, but gave no number
    client.force_login(make_coordinator("KH"))
    html = client.get(reverse("surveys:report", args=[survey.pk])).content.decode()
    assert '<td class="text-end students">75</td><td class="text-end missing">2</td>' in html
    assert "open-answers" not in html  # coordinators never see open answers
    csv = b"".join(client.get(reverse("surveys:reach_export", args=[survey.pk])).streaming_content).decode()
    assert ",x," in csv and ",75," not in csv  # 2 teachers gave numbers: the sum is hidden when shared


def test_staff_see_open_answers_and_distributions_as_svg(staff_client, programme):
    cohort = _ended_cohort(programme)
    survey = _reaction(programme)
    questions = list(survey.questions.all())
    for n in range(3):
        services.submit_response(survey=survey, enrolment=EnrolmentFactory(cohort=cohort), language="th",
                                 answers={questions[0].pk: 5, questions[1].pk: 3 + n % 2, questions[2].pk: f"idea {n}"})
    html = staff_client.get(reverse("surveys:report", args=[survey.pk])).content.decode()
    assert html.count("<svg") == 2 and "aria-labelledby" in html
    assert "idea 2" in html
    assert "100 %" in html  # response rate


def test_coordinator_of_another_country_gets_404(client, programme, make_coordinator):
    _ended_cohort(programme, country=Country.CAMBODIA)
    client.force_login(make_coordinator("TH"))
    assert client.get(reverse("surveys:report", args=[_reaction(programme).pk])).status_code == 404


@pytest.mark.parametrize("size", [2, 8])
def test_report_queries_do_not_grow_with_answers(staff_client, programme, size, django_assert_max_num_queries):
    cohort = _ended_cohort(programme)
    survey = _reaction(programme)
    questions = list(survey.questions.all())
    for _ in range(size):
        services.submit_response(survey=survey, enrolment=EnrolmentFactory(cohort=cohort), language="en",
                                 answers={questions[0].pk: 4, questions[1].pk: 4, questions[2].pk: "x"})
    with django_assert_max_num_queries(16):
        assert staff_client.get(reverse("surveys:report", args=[survey.pk])).status_code == 200


def _reach_csv(client, survey, name="reach_export", *args):
    response = client.get(reverse(f"surveys:{name}", args=[survey.pk, *args]))
    assert response.status_code == 200
    assert {"private", "no-store"} <= {part.strip() for part in response["Cache-Control"].split(",")}
    return [line.split(",") for line in b"".join(response.streaming_content).decode().splitlines()]


def test_no_hidden_number_of_students_can_be_worked_out_from_the_shared_reach_file(client, programme,
                                                                                  make_coordinator):
    """Two Cambodian cohorts of the same year: 6 teachers of one gave numbers, 2 of the other. The
    second cohort's sum must stay unknown, also as the year's (or the country's) sum minus the
    first cohort's: the file hides one more figure of that sum."""
    survey = _follow_up(programme)
    big = _ended_cohort(programme, days_ago=120, country=Country.CAMBODIA, language=Language.KHMER, name="Big")
    small = _ended_cohort(programme, days_ago=121, country=Country.CAMBODIA, language=Language.KHMER,
                          name="Small")
    today = services.add_months(big.end_date, 3)
    for n in range(6):
        _answer_follow_up(EnrolmentFactory(cohort=big), survey, 30 + n, today)
    for n in range(2):
        _answer_follow_up(EnrolmentFactory(cohort=small), survey, 10 + n, today)
    client.force_login(make_coordinator("KH"))
    header, *rows = _reach_csv(client, survey)
    students = {row[0] or row[2]: row[5] for row in rows}  # cohort name, or the year / "All years"
    assert students["Small"] == "x"
    # The attack: a visible total minus the visible parts.
    year = str(big.year)
    totals = [students[key] for key in (year, "All years")]
    assert "x" in (students["Big"], *totals), students
    # The programme's own file has every figure.
    header, *full = _reach_csv(client, survey, "reach_programme_export", "csv")
    assert {row[0]: row[5] for row in full if row[0]} == {"Big": str(sum(30 + n for n in range(6))), "Small": "21"}


def test_the_programme_reach_export_comes_as_xlsx_too(client, programme, make_coordinator):
    survey = _follow_up(programme)
    _ended_cohort(programme, country=Country.CAMBODIA)  # a cohort of the coordinator's (else 404)
    client.force_login(make_coordinator("KH"))
    response = client.get(reverse("surveys:reach_programme_export", args=[survey.pk, "xlsx"]))
    assert response.status_code == 200 and response["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml")
    assert client.get(reverse("surveys:reach_programme_export", args=[survey.pk, "pdf"])).status_code == 404


def test_survey_reports_are_never_stored_by_browsers_or_proxies(staff_client, programme):
    _ended_cohort(programme)
    response = staff_client.get(reverse("surveys:report", args=[_reaction(programme).pk]))
    cache_control = {part.strip() for part in response["Cache-Control"].split(",")}
    assert response.status_code == 200 and {"private", "no-store"} <= cache_control


@pytest.mark.parametrize("programmes", [1, 4])
def test_the_survey_list_shows_response_rates_in_a_fixed_number_of_queries(
    staff_client, django_assert_max_num_queries, programmes
):
    for _ in range(programmes):
        programme = ProgrammeFactory()
        services.create_default_surveys(programme=programme)
        cohort = _ended_cohort(programme, days_ago=10)
        enrolments = [EnrolmentFactory(cohort=cohort, status=EnrolmentStatus.CONFIRMED) for _ in range(4)]
        reaction = _reaction(programme)
        questions = list(reaction.questions.all())
        services.submit_response(survey=reaction, enrolment=enrolments[0], language="en",
                                 answers={questions[0].pk: 5, questions[1].pk: 4})
    with django_assert_max_num_queries(9):  # session, user, permissions, countries, surveys, 2 counts
        html = staff_client.get(reverse("surveys:reports")).content.decode()
    assert html.count("25 %") == programmes  # 1 of the 4 teachers answered each reaction survey
