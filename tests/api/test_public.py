"""The public endpoints: open trainings and one cohort, no token, in the language asked, cacheable,
readable from other sites."""

import datetime as dt

import pytest
from django.utils import timezone

from pilots import data_version
from pilots.choices import CohortStatus, Country, EnrolmentStatus, Language
from tests.factories import CohortFactory, EnrolmentFactory, ModuleFactory, OpenCohortFactory, SessionFactory

pytestmark = pytest.mark.django_db

LIST = "/api/v1/public/cohorts"


def codes(response):
    return [c["code"] for c in response.json()["results"]]


def test_lists_the_cohorts_teachers_can_register_for_with_seats_left_and_window():
    open_ = OpenCohortFactory(code="kh-open", capacity=3)
    EnrolmentFactory.create_batch(2, cohort=open_, status=EnrolmentStatus.CONFIRMED)
    EnrolmentFactory(cohort=open_, status=EnrolmentStatus.WAITLISTED)
    OpenCohortFactory(code="not-yet", registration_opens=timezone.now() + dt.timedelta(days=2))
    OpenCohortFactory(code="closed", status=CohortStatus.CLOSED)
    CohortFactory(code="past", registration_closes=timezone.now() - dt.timedelta(days=1),
                  registration_opens=timezone.now() - dt.timedelta(days=9))

    response = OpenClient().get(LIST)

    assert response.status_code == 200
    assert codes(response) == ["kh-open"]
    cohort = response.json()["results"][0]
    assert cohort["seats_left"] == 1
    assert cohort["capacity"] == 3
    assert cohort["is_open_for_registration"] is True
    assert cohort["registration_closes"].startswith(str(open_.registration_closes.date()))
    assert cohort["register_url"].endswith("/cohorts/kh-open/register/")


def test_a_full_cohort_shows_no_seat_left_so_registrations_join_the_waiting_list():
    full = OpenCohortFactory(capacity=1)
    EnrolmentFactory(cohort=full, status=EnrolmentStatus.CONFIRMED)
    assert OpenClient().get(LIST).json()["results"][0]["seats_left"] == 0


def test_filters_by_country_regional_and_language_like_the_teachers_page():
    OpenCohortFactory(code="kh", country=Country.CAMBODIA, language=Language.KHMER)
    OpenCohortFactory(code="th", country=Country.THAILAND, language=Language.THAI)
    OpenCohortFactory(code="reg", kind="regional_tot", country="", language=Language.ENGLISH)
    client = OpenClient()
    assert codes(client.get(LIST, {"country": "TH"})) == ["th"]
    assert codes(client.get(LIST, {"country": "regional"})) == ["reg"]
    assert codes(client.get(LIST, {"language": "km"})) == ["kh"]


def test_a_country_that_is_not_a_pilot_country_is_a_json_422_in_the_language_asked():
    response = OpenClient().get(LIST, {"country": "FR"}, HTTP_ACCEPT_LANGUAGE="vi")
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "invalid_request"
    assert body["message"] != "The request is not valid: see the details."
    assert response["Content-Language"] == "vi"


def test_pages_follow_the_cursor_without_repeating_or_skipping():
    start = timezone.localdate() + dt.timedelta(days=30)
    for n in range(7):
        # Two cohorts share each start date: the cursor must still keep them apart.
        OpenCohortFactory(code=f"c{n}", start_date=start + dt.timedelta(days=n // 2),
                          end_date=start + dt.timedelta(days=n // 2 + 1), year=(start + dt.timedelta(days=n // 2)).year)
    client, seen, cursor = OpenClient(), [], None
    while True:
        body = client.get(LIST, {"limit": 3, **({"cursor": cursor} if cursor else {})}).json()
        seen += [c["code"] for c in body["results"]]
        cursor = body["next"]
        if cursor is None:
            break
    assert sorted(seen) == [f"c{n}" for n in range(7)]
    assert len(seen) == 7


def test_a_forged_cursor_is_a_400_not_a_server_error():
    response = OpenClient().get(LIST, {"cursor": "eyJwIjoxfQ"})
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_cursor"


def test_one_cohort_with_its_modules_and_sessions_in_the_language_asked():
    cohort = OpenCohortFactory(code="kh-2027")
    module = ModuleFactory(programme=cohort.programme, code="M1", title="Risk factors")
    SessionFactory(cohort=cohort, module=module, title="Day one")

    response = OpenClient().get("/api/v1/public/cohorts/kh-2027", HTTP_ACCEPT_LANGUAGE="th-TH,th;q=0.9")

    assert response.status_code == 200
    body = response.json()
    assert [m["code"] for m in body["modules"]] == ["M1"]
    assert body["sessions"][0]["title"] == "Day one"
    assert body["sessions"][0]["module"] == "M1"
    assert body["sessions"][0]["starts_at"] == "08:00:00+07:00"
    assert body["country_label"] == "กัมพูชา"
    assert response["Content-Language"] == "th"


def test_a_planned_cohort_is_not_public_yet():
    CohortFactory(code="planned", status=CohortStatus.PLANNED)
    response = OpenClient().get("/api/v1/public/cohorts/planned")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_etag_gives_304_until_the_data_changes_and_differs_by_language():
    OpenCohortFactory()
    client = OpenClient()
    first = client.get(LIST)
    etag = first["ETag"]
    assert first["Cache-Control"] == "public, max-age=60"
    assert "Accept-Language" in first["Vary"]

    again = client.get(LIST, HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304
    assert again.content == b""
    assert client.get(LIST, HTTP_IF_NONE_MATCH=etag, HTTP_ACCEPT_LANGUAGE="km").status_code == 200

    data_version.replace()  # what every writer does after its commit
    assert client.get(LIST, HTTP_IF_NONE_MATCH=etag).status_code == 200


def test_if_modified_since_gives_304_for_the_same_data():
    OpenCohortFactory()
    client = OpenClient()
    last_modified = client.get(LIST)["Last-Modified"]
    assert client.get(LIST, HTTP_IF_MODIFIED_SINCE=last_modified).status_code == 304


def test_a_304_costs_no_database_query(django_assert_num_queries):
    OpenCohortFactory()
    client = OpenClient()
    etag = client.get(LIST)["ETag"]
    with django_assert_num_queries(0):
        assert client.get(LIST, HTTP_IF_NONE_MATCH=etag).status_code == 304


def test_other_sites_may_read_the_public_endpoints_from_the_browser():
    OpenCohortFactory(code="kh")
    client = OpenClient()
    response = client.get(LIST, HTTP_ORIGIN="https://moeys.example.org")
    assert response["Access-Control-Allow-Origin"] == "*"
    assert "ETag" in response["Access-Control-Expose-Headers"]
    preflight = client.options(LIST, HTTP_ORIGIN="https://moeys.example.org",
                               HTTP_ACCESS_CONTROL_REQUEST_METHOD="GET",
                               HTTP_ACCESS_CONTROL_REQUEST_HEADERS="accept-language, if-none-match")
    assert preflight.status_code == 200
    assert "GET" in preflight["Access-Control-Allow-Methods"]


def test_token_endpoints_are_not_opened_to_other_sites():
    response = OpenClient().get("/api/v1/partner/overview", HTTP_ORIGIN="https://evil.example.org")
    assert "Access-Control-Allow-Origin" not in response


@pytest.mark.parametrize("n", [5, 100])
def test_open_cohorts_is_one_query_whatever_the_number_of_cohorts(n, django_assert_num_queries):
    for cohort in OpenCohortFactory.create_batch(n):
        EnrolmentFactory(cohort=cohort)
    with django_assert_num_queries(1):
        assert OpenClient().get(LIST, {"limit": 100}).status_code == 200


@pytest.mark.parametrize("n", [5, 100])
def test_one_cohort_is_a_fixed_number_of_queries_whatever_its_size(n, django_assert_num_queries):
    cohort = OpenCohortFactory(code="big")
    for _ in range(n // 5):
        module = ModuleFactory(programme=cohort.programme)
        SessionFactory(cohort=cohort, module=module)
    EnrolmentFactory.create_batch(n, cohort=cohort)
    with django_assert_num_queries(3):
        assert OpenClient().get("/api/v1/public/cohorts/big").status_code == 200


def OpenClient():  # noqa: N802 - reads as the anonymous visitor it stands for
    from django.test import Client

    return Client()


def test_the_open_cohorts_answer_is_computed_once_per_data_version(django_assert_num_queries):
    cohort = OpenCohortFactory(capacity=2)
    client = OpenClient()
    client.get(LIST)
    with django_assert_num_queries(0):
        assert client.get(LIST).json()["results"][0]["seats_left"] == 2
    EnrolmentFactory(cohort=cohort, status=EnrolmentStatus.CONFIRMED)
    data_version.replace()  # the enrolment services do this after their commit
    assert client.get(LIST).json()["results"][0]["seats_left"] == 1
