"""Staff tokens create and change cohorts and sessions: the admin's rules (the model's validators,
`clean` and constraints, through `pilots.staffing.forms`), field messages in the language asked,
write tokens and permissions, the admin's log, and capacity held under the cohort's lock."""

import datetime as dt
import json

import pytest
from django.contrib.admin.models import ADDITION, CHANGE, LogEntry
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext

from pilots import data_version
from pilots.api import staff as staff_api
from pilots.api.models import ApiCall
from pilots.api.tokens import issue_token
from pilots.choices import Country, EnrolmentStatus
from pilots.models import Cohort, Session
from tests.api.support import bearer, partner_token, staff_token
from tests.factories import CohortFactory, EnrolmentFactory, ModuleFactory, ProgrammeFactory, SessionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(django_user_model):
    return staff_token(django_user_model)


def send(client, method, url, secret, body, **headers):
    return getattr(client, method)(url, json.dumps(body), content_type="application/json", **bearer(secret),
                                   **headers)


def new_cohort(programme, **fields):
    return {"programme": programme.pk, "name_en": "Phnom Penh 2025", "name_km": "ភ្នំពេញ ២០២៥", "code": "kh-2025-pp",
            "year": 2025, "kind": "national_inservice", "country": "KH", "province": "KH-12", "language": "km",
            "start_date": "2025-03-03", "end_date": "2025-03-07", "capacity": 25, "status": "open", **fields}


def messages(response):
    # loc: body, the body's name, the field (none for the record as a whole)
    return {tuple(d["loc"][2:]): d["message"] for d in response.json()["details"]}


def test_a_cohort_is_created_and_recorded_in_the_admin_log(client, staff, django_capture_on_commit_callbacks):
    token, secret = staff
    programme = ProgrammeFactory()
    before = data_version.current()
    with django_capture_on_commit_callbacks(execute=True):
        response = send(client, "post", "/api/v1/staff/cohorts", secret, new_cohort(programme))
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["code"], body["name_km"], body["province"], body["capacity"], body["seats_left"]) == (
        "kh-2025-pp", "ភ្នំពេញ ២០២៥", "KH-12", 25, 25)
    cohort = Cohort.objects.get(code="kh-2025-pp")
    assert (cohort.status, cohort.requires_approval, cohort.is_online) == ("open", False, False)  # defaults
    entry = LogEntry.objects.get(object_id=str(cohort.pk))
    assert (entry.user, entry.action_flag) == (token.owner, ADDITION)
    assert ApiCall.objects.get(token=token).status_code == 201
    assert data_version.current() != before  # reports recompute


def test_the_admins_rules_refuse_a_cohort_with_field_messages_in_the_language_asked(client, staff):
    _token, secret = staff
    programme = ProgrammeFactory()
    CohortFactory(code="taken")
    response = send(client, "post", "/api/v1/staff/cohorts", secret,
                    new_cohort(programme, code="taken", year=2024, province="TH-10", end_date="2025-03-01",
                               capacity=0),
                    HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 422
    assert response.json()["code"] == "invalid_request"
    found = messages(response)
    assert found[("code",)] == "Cohort with this Code already exists."
    assert found[("capacity",)] == "Ensure this value is greater than or equal to 1."
    assert found[()] == "The end date must not be before the start date."  # the named constraint's message
    assert not Cohort.objects.filter(name_en="Phnom Penh 2025").exists()

    response = send(client, "post", "/api/v1/staff/cohorts", secret,
                    new_cohort(programme, year=2024, province="TH-10"), HTTP_ACCEPT_LANGUAGE="th")
    assert response["Content-Language"] == "th"
    found = messages(response)
    # Cohort.clean's two rules, in Thai.
    assert set(found) == {("year",), ("province",)}
    assert all(any("\u0e00" <= ch <= "\u0e7f" for ch in text) for text in found.values())


def test_a_new_cohort_needs_the_required_fields_and_a_regional_one_no_country(client, staff):
    _token, secret = staff
    response = send(client, "post", "/api/v1/staff/cohorts", secret, {})
    assert response.status_code == 422
    assert {("programme",), ("name_en",), ("code",), ("year",), ("kind",), ("language",), ("start_date",),
            ("end_date",), ("capacity",)} <= set(messages(response))
    response = send(client, "post", "/api/v1/staff/cohorts", secret,
                    new_cohort(ProgrammeFactory(), kind="regional_tot", province=None))
    assert response.status_code == 422
    assert messages(response)[()] == (
        "A regional cohort has no country; a national or pre-service cohort needs one.")


def test_a_change_keeps_what_it_does_not_name_and_is_logged(client, staff):
    token, secret = staff
    cohort = CohortFactory(code="kh-1", name_km="ឈ្មោះ", capacity=10)
    response = send(client, "patch", "/api/v1/staff/cohorts/kh-1", secret, {"capacity": 12, "venue_th": "กรุงเทพ"})
    assert response.status_code == 200, response.content
    cohort.refresh_from_db()
    assert (cohort.capacity, cohort.venue_th, cohort.name_km, cohort.venue_en) == (12, "กรุงเทพ", "ឈ្មោះ", "Phnom Penh")
    entry = LogEntry.objects.get(object_id=str(cohort.pk))
    assert entry.action_flag == CHANGE
    assert entry.user == token.owner
    assert "Capacity" in entry.get_change_message()


def test_new_dates_must_still_hold_the_cohorts_sessions(client, staff):
    _token, secret = staff
    cohort = CohortFactory(code="kh-1", start_date=dt.date(2023, 3, 1), end_date=dt.date(2023, 3, 5))
    SessionFactory(cohort=cohort, title="Day five", date=dt.date(2023, 3, 5))
    response = send(client, "patch", "/api/v1/staff/cohorts/kh-1", secret, {"end_date": "2023-03-04"})
    assert response.status_code == 422
    assert "Day five" in messages(response)[()]
    cohort.refresh_from_db()
    assert cohort.end_date == dt.date(2023, 3, 5)


def test_capacity_cannot_drop_below_the_seats_taken(client, staff):
    _token, secret = staff
    cohort = CohortFactory(code="kh-1", capacity=5)
    EnrolmentFactory.create_batch(3, cohort=cohort, status=EnrolmentStatus.CONFIRMED)
    EnrolmentFactory(cohort=cohort, status=EnrolmentStatus.WAITLISTED)
    response = send(client, "patch", "/api/v1/staff/cohorts/kh-1", secret, {"capacity": 2})
    assert response.status_code == 409
    assert response.json()["code"] == "capacity_below_seats"
    assert "3" in response.json()["message"]
    cohort.refresh_from_db()
    assert cohort.capacity == 5
    assert send(client, "patch", "/api/v1/staff/cohorts/kh-1", secret, {"capacity": 3}).status_code == 200


def test_a_code_taken_by_another_writer_after_validation_is_a_409_and_nothing_is_saved(client, staff, monkeypatch):
    # The unique code is checked by the form, then by the database: a writer who takes it in
    # between makes the save fail (IntegrityError), which is a conflict, not a server error.
    _token, secret = staff
    programme = ProgrammeFactory()
    real_save = staff_api.save_cohort

    def save_after_another_writer(**kwargs):
        CohortFactory(code="kh-2025-pp")
        return real_save(**kwargs)

    monkeypatch.setattr(staff_api, "save_cohort", save_after_another_writer)
    response = send(client, "post", "/api/v1/staff/cohorts", secret, new_cohort(programme))
    assert response.status_code == 409
    assert response.json()["code"] == "conflict"
    assert Cohort.objects.filter(code="kh-2025-pp").count() == 1
    assert not LogEntry.objects.exists()


def test_read_only_tokens_and_partners_cannot_write_cohorts_or_sessions(client, django_user_model, make_coordinator):
    _token, read_only = staff_token(django_user_model, can_write=False)
    partner = partner_token(make_coordinator, Country.CAMBODIA)
    cohort = CohortFactory(code="kh-1", capacity=10)
    session = SessionFactory(cohort=cohort)
    for secret, code in ((read_only, "read_only"), (partner, "forbidden")):
        calls = [
            send(client, "post", "/api/v1/staff/cohorts", secret, new_cohort(cohort.programme)),
            send(client, "patch", "/api/v1/staff/cohorts/kh-1", secret, {"capacity": 11}),
            send(client, "post", "/api/v1/staff/cohorts/kh-1/sessions", secret, {"title_en": "x"}),
            send(client, "patch", f"/api/v1/staff/sessions/{session.pk}", secret, {"title_en": "x"}),
        ]
        assert [(r.status_code, r.json()["code"]) for r in calls] == [(403, code)] * 4
    cohort.refresh_from_db()
    assert cohort.capacity == 10
    assert Cohort.objects.count() == 1
    assert Session.objects.get().title_en != "x"


def test_a_staff_member_of_one_country_creates_cohorts_there_only_and_joins_the_team(client, django_user_model):
    owner = django_user_model.objects.create_user("kh-staff", password="pw-x-12345678", is_staff=True)
    owner.user_permissions.add(*Permission.objects.filter(codename__in=["add_cohort", "view_cohort", "change_cohort"]))
    owner.country_assignments.create(country="KH")
    _token, secret = issue_token(owner=owner, name="kh tool", can_write=True)
    programme = ProgrammeFactory()
    refused = send(client, "post", "/api/v1/staff/cohorts", secret,
                   new_cohort(programme, country="TH", province="TH-10", language="th"))
    assert refused.status_code == 422
    assert messages(refused)[("country",)] == "You can only place cohorts in the countries assigned to you."
    created = send(client, "post", "/api/v1/staff/cohorts", secret, new_cohort(programme))
    assert created.status_code == 201
    assert list(Cohort.objects.get(code="kh-2025-pp").team.all()) == [owner]
    other = CohortFactory(code="not-mine")
    assert send(client, "patch", "/api/v1/staff/cohorts/not-mine", secret, {"capacity": 3}).status_code == 404
    other.refresh_from_db()
    assert other.capacity == 30


def test_a_session_is_added_within_the_cohorts_dates_with_a_module_of_its_programme(client, staff):
    token, secret = staff
    cohort = CohortFactory(code="kh-1", start_date=dt.date(2023, 3, 1), end_date=dt.date(2023, 3, 5))
    module = ModuleFactory(programme=cohort.programme, code="M1")
    ModuleFactory(code="ELSEWHERE")
    url = "/api/v1/staff/cohorts/kh-1/sessions"
    refused = send(client, "post", url, secret, {"title_en": "Day one", "date": "2023-03-09", "starts_at": "11:00",
                                                 "ends_at": "08:00", "module": "ELSEWHERE"})
    assert refused.status_code == 422
    found = messages(refused)
    assert found[("date",)] == "The session must fall within the cohort's dates (2023-03-01 to 2023-03-05)."
    assert found[("module",)] == "The cohort's programme has no module with this code."
    assert found[()] == "The session must end after it starts."

    created = send(client, "post", url, secret, {"title_en": "Day one", "title_km": "ថ្ងៃទីមួយ", "date": "2023-03-01",
                                                 "starts_at": "08:00:00+07:00", "ends_at": "02:30:00Z",
                                                 "module": "M1"})
    assert created.status_code == 201, created.content
    body = created.json()
    assert (body["starts_at"], body["ends_at"], body["module"], body["cohort"], body["mode"]) == (
        "08:00:00+07:00", "09:30:00+07:00", "M1", "kh-1", "in_person")
    session = Session.objects.get(cohort=cohort)
    assert (session.module, session.title_km, session.starts_at) == (module, "ថ្ងៃទីមួយ", dt.time(8))
    assert LogEntry.objects.get(object_id=str(session.pk), content_type__model="session").user == token.owner


def test_a_session_is_changed_and_read_back(client, staff):
    _token, secret = staff
    session = SessionFactory(cohort=CohortFactory(code="kh-1"), title="Day one", venue="Hall A")
    response = send(client, "patch", f"/api/v1/staff/sessions/{session.pk}", secret, {"venue_en": "Hall B"},
                    HTTP_ACCEPT_LANGUAGE="km")
    assert response.status_code == 200
    read = client.get(f"/api/v1/staff/sessions/{session.pk}", **bearer(secret)).json()
    assert (read["venue_en"], read["title_en"]) == ("Hall B", "Day one")
    refused = send(client, "patch", f"/api/v1/staff/sessions/{session.pk}", secret, {"mode": "carrier pigeon"},
                   HTTP_ACCEPT_LANGUAGE="km")
    assert refused.status_code == 422
    assert any("\u1780" <= ch <= "\u17ff" for ch in messages(refused)[("mode",)])  # Khmer
    assert client.get("/api/v1/staff/sessions/999999", **bearer(secret)).status_code == 404


def test_text_a_database_cannot_store_is_a_field_error_not_a_server_error(client, staff):
    _token, secret = staff
    response = send(client, "post", "/api/v1/staff/cohorts", secret, new_cohort(ProgrammeFactory(), name_en="a\x00b"))
    assert response.status_code == 422
    assert ("name_en",) in messages(response)


def test_changing_a_cohorts_dates_is_a_fixed_number_of_queries_whatever_its_sessions(client, staff):
    _token, secret = staff
    ContentType.objects.get_for_model(Cohort)  # Django caches it for the admin log after the first write
    counts = []
    for code, sessions in (("few", 2), ("many", 30)):
        cohort = CohortFactory(code=code, start_date=dt.date(2023, 3, 1), end_date=dt.date(2023, 3, 5))
        SessionFactory.create_batch(sessions, cohort=cohort, module=ModuleFactory(programme=cohort.programme))
        with CaptureQueriesContext(connection) as queries:
            response = send(client, "patch", f"/api/v1/staff/cohorts/{code}", secret, {"end_date": "2023-03-06"})
        assert response.status_code == 200
        counts.append(sum(1 for q in queries.captured_queries if "SAVEPOINT" not in q["sql"]))
    assert counts[0] == counts[1], counts


def test_a_value_of_the_wrong_type_is_a_field_message_in_the_language_asked(client, staff):
    _token, secret = staff
    response = send(client, "post", "/api/v1/staff/cohorts", secret,
                    {"capacity": "many", "start_date": "next week", "registration_opens": "soon"},
                    HTTP_ACCEPT_LANGUAGE="vi")
    assert response.status_code == 422
    found = messages(response)
    assert found[("capacity",)] == "Vui lòng nhập một số nguyên."
    assert found[("start_date",)] == "Vui lòng nhập ngày hợp lệ."
    assert found[("registration_opens",)] == "Vui lòng nhập ngày giờ hợp lệ."
    assert set(found) == {("capacity",), ("start_date",), ("registration_opens",)}
    assert len(set(found.values())) == 3
    assert not Cohort.objects.exists()
