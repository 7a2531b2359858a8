"""Staff tokens: cohorts and sessions, enrolment status changes through the enrolment services
(capacity and the waiting list hold), attendance through the staff pages' service."""

import json

import pytest

from pilots.api.models import ApiCall
from pilots.choices import AttendanceStatus, Country, EnrolmentStatus
from pilots.models import AccessRecord, Attendance, Enrolment
from tests.api.support import bearer, partner_token, staff_token
from tests.factories import AttendanceFactory, CohortFactory, EnrolmentFactory, SessionFactory, TeacherFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(django_user_model):
    return staff_token(django_user_model)


def post_status(client, secret, reference, action):
    return client.post(f"/api/v1/staff/enrolments/{reference}/status", json.dumps({"action": action}),
                       content_type="application/json", **bearer(secret))


def put_attendance(client, secret, session, entries):
    return client.put(f"/api/v1/staff/sessions/{session.pk}/attendance", json.dumps({"entries": entries}),
                      content_type="application/json", **bearer(secret))


def test_cohorts_and_one_cohort_with_its_sessions(client, staff):
    _token, secret = staff
    cohort = CohortFactory(code="kh-1", capacity=2)
    SessionFactory(cohort=cohort, title="Day one")
    EnrolmentFactory(cohort=cohort, status=EnrolmentStatus.CONFIRMED)
    EnrolmentFactory(cohort=cohort, status=EnrolmentStatus.WAITLISTED)
    listed = client.get("/api/v1/staff/cohorts", **bearer(secret)).json()["results"]
    assert [(c["code"], c["confirmed"], c["waitlisted"], c["seats_left"]) for c in listed] == [("kh-1", 1, 1, 1)]
    body = client.get("/api/v1/staff/cohorts/kh-1", **bearer(secret)).json()
    assert [s["title"] for s in body["sessions"]] == ["Day one"]


def test_a_staff_member_without_every_country_sees_only_their_teams_cohorts(client, django_user_model):
    from django.contrib.auth.models import Permission

    owner = django_user_model.objects.create_user("team-member", password="pw-x-12345678", is_staff=True)
    owner.user_permissions.add(*Permission.objects.filter(codename__in=["view_cohort", "view_enrolment"]))
    from pilots.api.tokens import issue_token

    _token, secret = issue_token(owner=owner, name="x")
    mine, other = CohortFactory(code="mine"), CohortFactory(code="other")
    mine.team.add(owner)
    assert [c["code"] for c in client.get("/api/v1/staff/cohorts", **bearer(secret)).json()["results"]] == ["mine"]
    assert client.get("/api/v1/staff/cohorts/other", **bearer(secret)).status_code == 404
    assert client.get(f"/api/v1/staff/cohorts/{other.code}/enrolments", **bearer(secret)).status_code == 404


def test_enrolments_give_names_but_never_email_or_phone_and_are_counted(client, staff):
    token, secret = staff
    cohort = CohortFactory(code="kh-1")
    for n in range(3):
        EnrolmentFactory(cohort=cohort, teacher__email=f"hidden{n}@private.example", teacher__phone="+85512345678")
    response = client.get("/api/v1/staff/cohorts/kh-1/enrolments", **bearer(secret))
    assert len(response.json()["results"]) == 3
    assert "private.example" not in response.content.decode()
    assert "12345678" not in response.content.decode()
    assert ApiCall.objects.get(token=token).teachers == 3
    # and in the access record of the owner, with the views of the pages, exports and admin
    record = AccessRecord.objects.get()
    assert (record.user, record.what, record.teachers_count) == (
        token.owner, "API GET /api/v1/staff/cohorts/<code>/enrolments", 3)
    assert record.path == "/api/v1/staff/cohorts/kh-1/enrolments"


def test_confirming_when_full_is_refused_and_a_withdrawal_promotes_the_waiting_list(client, staff, mailoutbox,
                                                                                   django_capture_on_commit_callbacks):
    _token, secret = staff
    cohort = CohortFactory(capacity=1)
    seated = EnrolmentFactory(cohort=cohort, status=EnrolmentStatus.CONFIRMED)
    waiting = EnrolmentFactory(cohort=cohort, status=EnrolmentStatus.WAITLISTED)

    refused = post_status(client, secret, waiting.reference, "confirm")
    assert refused.status_code == 409
    assert refused.json()["code"] == "cohort_full"

    with django_capture_on_commit_callbacks(execute=True):
        done = post_status(client, secret, seated.reference, "withdraw")
    assert done.status_code == 200
    assert done.json()["status"] == "withdrawn"
    waiting.refresh_from_db()
    assert waiting.status == EnrolmentStatus.CONFIRMED  # the freed seat went to the waiting list


def test_a_status_change_the_rules_refuse_is_a_409_in_the_language_asked(client, staff):
    _token, secret = staff
    rejected = EnrolmentFactory(status=EnrolmentStatus.REJECTED)
    response = client.post(f"/api/v1/staff/enrolments/{rejected.reference}/status",
                           json.dumps({"action": "confirm"}), content_type="application/json",
                           HTTP_ACCEPT_LANGUAGE="th", **bearer(secret))
    assert response.status_code == 409
    assert response.json()["code"] == "invalid_status"
    assert response["Content-Language"] == "th"


def test_a_read_only_token_cannot_write(client, django_user_model):
    _token, secret = staff_token(django_user_model, can_write=False)
    enrolment = EnrolmentFactory(status=EnrolmentStatus.APPLIED)
    response = post_status(client, secret, enrolment.reference, "confirm")
    assert response.status_code == 403
    assert response.json()["code"] == "read_only"
    enrolment.refresh_from_db()
    assert enrolment.status == EnrolmentStatus.APPLIED


def test_a_partner_token_cannot_use_the_staff_endpoints(client, make_coordinator):
    secret = partner_token(make_coordinator, Country.CAMBODIA)
    enrolment = EnrolmentFactory(status=EnrolmentStatus.APPLIED)
    assert client.get("/api/v1/staff/cohorts", **bearer(secret)).status_code == 403
    assert post_status(client, secret, enrolment.reference, "confirm").status_code == 403


def test_attendance_is_read_and_written_through_the_register_service(client, staff):
    token, secret = staff
    cohort = CohortFactory()
    session = SessionFactory(cohort=cohort)
    a, b = EnrolmentFactory.create_batch(2, cohort=cohort, status=EnrolmentStatus.CONFIRMED)
    EnrolmentFactory(cohort=cohort, status=EnrolmentStatus.WAITLISTED)  # not on the register

    register = client.get(f"/api/v1/staff/sessions/{session.pk}/attendance", **bearer(secret)).json()
    assert sorted(r["reference"] for r in register["rows"]) == sorted([a.reference, b.reference])

    saved = put_attendance(client, secret, session, [
        {"reference": a.reference, "status": "present", "note": "", "version": ""},
        {"reference": b.reference, "status": "excused", "note": "ill", "version": ""},
    ])
    assert saved.status_code == 200
    assert saved.json() == {"created": 2, "updated": 0}
    assert dict(Attendance.objects.values_list("enrolment_id", "status")) == {
        a.pk: AttendanceStatus.PRESENT, b.pk: AttendanceStatus.EXCUSED}
    # The history names the token's owner.
    assert Attendance.history.filter(history_user=token.owner).count() == 2


def test_a_row_changed_since_it_was_read_is_a_conflict_and_nothing_is_saved(client, staff):
    _token, secret = staff
    cohort = CohortFactory()
    session = SessionFactory(cohort=cohort)
    a, b = EnrolmentFactory.create_batch(2, cohort=cohort, status=EnrolmentStatus.CONFIRMED)
    AttendanceFactory(enrolment=a, session=session, status=AttendanceStatus.LATE)  # a colleague's save
    response = put_attendance(client, secret, session, [
        {"reference": a.reference, "status": "absent", "version": ""},
        {"reference": b.reference, "status": "present", "version": ""},
    ])
    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "conflict"
    assert [d["reference"] for d in body["details"]] == [a.reference]
    assert not Attendance.objects.filter(enrolment=b).exists()


def test_an_enrolment_of_another_cohort_or_a_waitlisted_one_is_refused(client, staff):
    _token, secret = staff
    session = SessionFactory()
    elsewhere = EnrolmentFactory(status=EnrolmentStatus.CONFIRMED)
    response = put_attendance(client, secret, session, [{"reference": elsewhere.reference, "status": "present"}])
    assert response.status_code == 400
    assert response.json()["code"] == "unknown_enrolment"
    waiting = EnrolmentFactory(cohort=session.cohort, status=EnrolmentStatus.WAITLISTED)
    response = put_attendance(client, secret, session, [{"reference": waiting.reference, "status": "present"}])
    assert response.status_code == 400
    assert response.json()["code"] == "not_seated"


def test_a_body_that_is_not_json_is_a_json_error(client, staff):
    _token, secret = staff
    session = SessionFactory()
    response = client.put(f"/api/v1/staff/sessions/{session.pk}/attendance", "not json",
                          content_type="application/json", **bearer(secret))
    assert 400 <= response.status_code < 500
    assert response.json()["code"] == "invalid_request"


@pytest.mark.parametrize("n", [5, 100])
def test_staff_reads_are_fixed_numbers_of_queries(n, client, staff, django_assert_num_queries):
    _token, secret = staff
    cohorts = CohortFactory.create_batch(n)
    sessions = SessionFactory.create_batch(3, cohort=cohorts[0])
    for _ in range(n):
        enrolment = EnrolmentFactory(cohort=cohorts[0], teacher=TeacherFactory())
        AttendanceFactory(enrolment=enrolment, session=sessions[0])
    with django_assert_num_queries(6):
        assert client.get("/api/v1/staff/cohorts", {"limit": 200}, **bearer(secret)).status_code == 200
    with django_assert_num_queries(7):
        assert client.get(f"/api/v1/staff/cohorts/{cohorts[0].code}", **bearer(secret)).status_code == 200
    # + the access record of the teachers' data returned
    with django_assert_num_queries(8):
        assert client.get(f"/api/v1/staff/cohorts/{cohorts[0].code}/enrolments", {"limit": 200},
                          **bearer(secret)).status_code == 200
    with django_assert_num_queries(10):
        assert client.get(f"/api/v1/staff/sessions/{sessions[0].pk}/attendance",
                          **bearer(secret)).status_code == 200
    assert Enrolment.objects.count() == n
