"""Partners' read-only aggregates: scoped to the token owner's countries, with the shared files'
small-cell suppression, never a name, email or phone."""

import pytest

from pilots.api.models import ApiCall, ApiToken
from pilots.api.tokens import issue_token, revoke_tokens
from pilots.choices import AssessmentKind, AttendanceStatus, CohortKind, Country, EnrolmentStatus, Language
from pilots.models import AccessRecord, Cohort
from pilots.reports.cohort import breakdowns_by_cohort
from pilots.reports.exports import OVERVIEW_COLUMNS, overview_shared_rows
from pilots.reports.figures import refresh_figures
from pilots.reports.overview import programme_overview
from tests.api.support import bearer, partner_token
from tests.factories import (
    AssessmentFactory,
    AttendanceFactory,
    CohortFactory,
    EnrolmentFactory,
    SessionFactory,
    TeacherFactory,
)

pytestmark = pytest.mark.django_db

OVERVIEW = "/api/v1/partner/overview"


def _cohort(code, country, participants, *, year=2023):
    language = {Country.CAMBODIA: Language.KHMER, Country.THAILAND: Language.THAI}.get(country, Language.ENGLISH)
    kind = CohortKind.REGIONAL if not country else CohortKind.NATIONAL
    cohort = CohortFactory(code=code, country=country, language=language, kind=kind, year=year)
    session = SessionFactory(cohort=cohort)
    for n in range(participants):
        enrolment = EnrolmentFactory(
            cohort=cohort, status=EnrolmentStatus.CONFIRMED,
            teacher=TeacherFactory(family_name=f"Secretname{code}{n}", email=f"{code}{n}@private.example"),
        )
        AttendanceFactory(enrolment=enrolment, session=session, status=AttendanceStatus.PRESENT)
        AssessmentFactory(enrolment=enrolment, kind=AssessmentKind.PRE, score=40 + n)
        AssessmentFactory(enrolment=enrolment, kind=AssessmentKind.POST, score=70 + n)
    return cohort


@pytest.fixture
def countries():
    return {
        "th": _cohort("th-big", Country.THAILAND, 6),
        "th-small": _cohort("th-small", Country.THAILAND, 3, year=2024),
        "kh": _cohort("kh-big", Country.CAMBODIA, 8),
        "regional": _cohort("regional", "", 7),
    }


def test_a_thai_token_never_sees_cambodian_or_regional_figures(client, make_coordinator, countries):
    secret = partner_token(make_coordinator, Country.THAILAND)
    body = client.get(OVERVIEW, **bearer(secret)).json()
    assert {row["country"] for row in body["rows"]} == {"TH"}
    assert [row["country"] for row in body["by_country"]] == ["TH"]
    # Thailand's own 6 + 3 registrations (Cambodia's and the regional ones are in no row); no row
    # adds up several countries, as in the shared files.
    assert body["by_country"][0]["figures"]["registered"] == 9
    assert "total" not in body and "by_year" not in body
    assert client.get("/api/v1/partner/cohorts/kh-big", **bearer(secret)).status_code == 404
    assert client.get("/api/v1/partner/cohorts/regional", **bearer(secret)).status_code == 404
    listed = client.get("/api/v1/partner/cohorts", **bearer(secret)).json()["results"]
    assert sorted(c["code"] for c in listed) == ["th-big", "th-small"]


def test_the_overview_is_the_reports_overview_with_the_shared_files_suppression(client, make_coordinator, countries):
    secret = partner_token(make_coordinator, Country.THAILAND)
    body = client.get(OVERVIEW, **bearer(secret)).json()
    overview = programme_overview(Cohort.objects.filter(country="TH"))
    expected = list(overview_shared_rows(overview, breakdowns_by_cohort(overview.cohorts)))
    header_keys = ["year", "country_label", "cohorts", "registered", "confirmed", "completed", "withdrawn",
                   "attendance_rate", "pre_mean", "pre_n", "post_mean", "post_n", "missing_post", "gain_mean",
                   "gain_n", "g_mean", "g_n", "g_excluded"]
    by_year = {row["year"]: row["figures"] for row in body["rows"]}
    for csv_row in expected[1:3]:  # Thailand's two years (then its all-years row)
        cells = dict(zip(header_keys, csv_row, strict=True))
        figures = by_year[cells["year"]]
        assert {k: figures[k] for k in header_keys[2:]} == {k: cells[k] for k in header_keys[2:]}
    small = by_year[2024]
    assert small["confirmed"] == "x"
    assert small["pre_mean"] == "x"  # a mean over 3 teachers would disclose their scores
    # 2023's 6 would give 2024's 3 away through Thailand's all-years row: one of them is hidden too.
    assert "x" in (by_year[2023]["confirmed"], body["by_country"][0]["figures"]["confirmed"])


def test_a_cohort_summary_has_funnel_completion_attendance_scores_and_gain(client, make_coordinator, countries):
    EnrolmentFactory.create_batch(2, cohort=countries["th"], status=EnrolmentStatus.WAITLISTED)
    secret = partner_token(make_coordinator, Country.THAILAND)
    body = client.get("/api/v1/partner/cohorts/th-big", **bearer(secret)).json()
    funnel = {step["status"]: step["count"] for step in body["funnel"]}
    # As the cohort's shared summary file has them: the 2 waitlisted are hidden, and so is the 6
    # that would give them away (8 registered - 6 confirmed).
    assert funnel["waitlisted"] == "x" and funnel["confirmed"] == "x"
    figures = body["figures"]
    assert figures["registered"] == 8
    assert figures["completed"] == 6
    assert figures["pre_mean"] == 42.5 and figures["gain_mean"] == 30.0
    # Every figure is the shared file's cell for the cohort's all-years row: hidden ones included.
    one = programme_overview(Cohort.objects.filter(code="th-big"))
    *_rows, all_years = overview_shared_rows(one, breakdowns_by_cohort(one.cohorts))
    header = [key for key, _label in OVERVIEW_COLUMNS]
    expected = dict(zip(header, all_years, strict=True))
    assert {k: figures[k] for k in figures} == {k: expected[k] for k in figures}


def test_no_name_email_or_phone_is_ever_in_an_aggregate(client, make_coordinator, countries):
    secret = partner_token(make_coordinator, Country.THAILAND, Country.CAMBODIA)
    for url in (OVERVIEW, "/api/v1/partner/cohorts", "/api/v1/partner/cohorts/th-big",
                "/api/v1/partner/cohorts/kh-big"):
        text = client.get(url, **bearer(secret)).content.decode()
        assert "Secretname" not in text
        assert "private.example" not in text
        assert "+855" not in text


def test_every_call_is_recorded_with_its_token_endpoint_and_teachers_returned(client, make_coordinator, countries):
    secret = partner_token(make_coordinator, Country.THAILAND)
    client.get(OVERVIEW, **bearer(secret))
    client.get("/api/v1/partner/cohorts/kh-big", **bearer(secret))
    calls = list(ApiCall.objects.order_by("at", "pk").values_list("endpoint", "status_code", "teachers"))
    assert calls == [("/api/v1/partner/overview", 200, 0), ("/api/v1/partner/cohorts/<code>", 404, 0)]
    token = ApiToken.objects.get()
    assert token.last_used_at is not None
    assert ApiCall.objects.filter(token=token).count() == 2


def test_a_revoked_token_is_refused_at_once(client, make_coordinator, countries):
    secret = partner_token(make_coordinator, Country.THAILAND)
    assert client.get(OVERVIEW, **bearer(secret)).status_code == 200
    revoke_tokens(ApiToken.objects.all())
    response = client.get(OVERVIEW, **bearer(secret))
    assert response.status_code == 401
    assert response.json()["code"] == "unauthorized"
    assert response["WWW-Authenticate"] == "Bearer"


def test_a_token_of_a_deactivated_user_or_a_wrong_secret_is_refused(client, make_coordinator):
    owner = make_coordinator(Country.THAILAND)
    _token, secret = issue_token(owner=owner, name="x")
    assert client.get(OVERVIEW, **bearer(secret + "x")).status_code == 401
    owner.is_active = False
    owner.save()
    assert client.get(OVERVIEW, **bearer(secret)).status_code == 401


def test_a_token_whose_owner_may_not_read_reports_gets_403(client, django_user_model):
    owner = django_user_model.objects.create_user("no-reports", password="pw-x-12345678")
    _token, secret = issue_token(owner=owner, name="x")
    response = client.get(OVERVIEW, **bearer(secret), HTTP_ACCEPT_LANGUAGE="km")
    assert response.status_code == 403
    assert response.json()["code"] == "forbidden"
    assert response.json()["message"] == "ម្ចាស់ថូខឹននេះមិនមានសិទ្ធិធ្វើការនេះទេ។"


def test_the_secret_is_stored_only_as_its_sha256(make_coordinator):
    import hashlib

    token, secret = issue_token(owner=make_coordinator(Country.THAILAND), name="x")
    token.refresh_from_db()
    assert secret not in {token.key_hash, token.prefix + "x"}
    assert token.key_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert len(secret) >= 40


@pytest.mark.parametrize("n", [5, 100])
def test_overview_is_a_fixed_number_of_queries_whatever_the_data(n, client, make_coordinator,
                                                                 django_assert_num_queries):
    for i in range(n):
        cohort = CohortFactory(country=Country.THAILAND, language=Language.THAI, year=2020 + i % 5)
        EnrolmentFactory(cohort=cohort)
    secret = partner_token(make_coordinator, Country.THAILAND)
    refresh_figures()  # what the scheduler keeps (without it: the three live queries instead of one)
    # token, last used, permissions (2), countries, the latest stored figures and the overview's
    # one query over them, the cohorts' breakdowns for the shared file's protection, the
    # programme's surveys (none), the call record
    with django_assert_num_queries(10):
        assert client.get(OVERVIEW, **bearer(secret)).status_code == 200


@pytest.mark.parametrize("n", [5, 100])
def test_cohort_list_and_summary_are_fixed_numbers_of_queries(n, client, make_coordinator,
                                                              django_assert_num_queries):
    cohorts = [CohortFactory(country=Country.THAILAND, language=Language.THAI) for _ in range(n)]
    EnrolmentFactory.create_batch(n, cohort=cohorts[0])
    SessionFactory.create_batch(3, cohort=cohorts[0])
    secret = partner_token(make_coordinator, Country.THAILAND)
    with django_assert_num_queries(6):
        assert client.get("/api/v1/partner/cohorts", {"limit": 200}, **bearer(secret)).status_code == 200
    # + the cohort's shared summary (funnel, breakdowns, summary) and the breakdowns behind its
    # overview row's protection: the shared files' own queries; the countries and the surveys (none)
    with django_assert_num_queries(18):
        assert client.get(f"/api/v1/partner/cohorts/{cohorts[0].code}", **bearer(secret)).status_code == 200


def test_a_second_call_is_answered_from_the_cache_protection_included(client, make_coordinator, countries,
                                                                       django_assert_num_queries):
    secret = partner_token(make_coordinator, Country.THAILAND)
    first = client.get(OVERVIEW, **bearer(secret)).json()
    summary = client.get("/api/v1/partner/cohorts/th-big", **bearer(secret)).json()
    # token, last used, permissions (2), countries, the latest stored figures' stamp (never cached:
    # a lagging replica must not be pointed at figures it lacks), the call record
    with django_assert_num_queries(7):
        assert client.get(OVERVIEW, **bearer(secret)).json() == first
    # the same, with the cohort (in scope) instead of the overview's own countries query
    with django_assert_num_queries(7):
        assert client.get("/api/v1/partner/cohorts/th-big", **bearer(secret)).json() == summary


def test_aggregates_hold_no_teachers_data_so_they_leave_no_access_record(client, make_coordinator, countries):
    secret = partner_token(make_coordinator, Country.THAILAND)
    client.get(OVERVIEW, **bearer(secret))
    client.get("/api/v1/partner/cohorts/th-big", **bearer(secret))
    assert ApiCall.objects.count() == 2
    assert not AccessRecord.objects.exists()
