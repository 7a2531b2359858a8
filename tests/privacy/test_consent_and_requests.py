"""Versioned notices and consents, the teacher's requests, their due dates and handling."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from pilots.models import Consent, DataRequest, Erasure, PrivacyNotice, PublicHoliday, Teacher
from pilots.privacy import services
from pilots.privacy.deadlines import due_dates
from pilots.privacy.models import Purpose, RequestKind, RequestStatus
from pilots.status_links import make_registration_token
from tests.factories import EnrolmentFactory

MONDAY = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)  # 16:00 in Bangkok, a Monday


def _at(day):
    return timezone.make_aware(dt.datetime.combine(day, dt.time(10, 0)))


@pytest.mark.parametrize(("country", "kind", "ack", "due"), [
    ("TH", RequestKind.ACCESS, None, dt.date(2026, 4, 1)),  # PDPA: 30 days
    ("VN", RequestKind.ACCESS, dt.date(2026, 3, 4), dt.date(2026, 3, 17)),  # 2 working days
    ("VN", RequestKind.WITHDRAWAL, dt.date(2026, 3, 4), dt.date(2026, 3, 17)),  # 15 days
    ("KH", RequestKind.ERASURE, dt.date(2026, 3, 4), dt.date(2026, 4, 1)),  # the baseline
    ("", RequestKind.ERASURE, dt.date(2026, 3, 4), dt.date(2026, 3, 17)),  # the strictest
])
def test_due_dates_follow_each_countrys_rule(db, country, kind, ack, due):
    assert due_dates(country=country, kind=kind, received_at=MONDAY) == (ack, due)


def test_working_days_skip_weekends_and_the_countrys_public_holidays(db):
    friday = _at(dt.date(2026, 4, 10))
    assert due_dates(country="VN", kind="access", received_at=friday)[0] == dt.date(2026, 4, 14)
    PublicHoliday.objects.create(country="VN", date=dt.date(2026, 4, 13), name="Holiday")
    PublicHoliday.objects.create(country="TH", date=dt.date(2026, 4, 14), name="Another country's holiday")
    assert due_dates(country="VN", kind="access", received_at=friday)[0] == dt.date(2026, 4, 15)


@pytest.fixture
def enrolment(db):
    # English pages and emails (the teacher's choice), in a Vietnamese cohort.
    return EnrolmentFactory(teacher__consent_version="2024-11", cohort__country="VN", cohort__language="vi",
                            teacher__province=None, teacher__preferred_language="en", language="en")


@pytest.fixture
def client(client, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def _status(client, enrolment):
    return client.get(reverse("registration:my_registration", args=[make_registration_token(enrolment)]))


def test_a_new_notice_version_asks_a_returning_teacher_to_consent_again(enrolment, client):
    assert "Our privacy notice has changed" not in _status(client, enrolment).content.decode()
    PrivacyNotice.objects.create(version="2026-01", language="en", text="We now keep data for five years.")
    html = _status(client, enrolment).content.decode()
    assert "Our privacy notice has changed" in html and "five years" in html
    client.post(reverse("privacy:consent", args=[make_registration_token(enrolment)]),
                {"purpose": "registration", "action": "give"})
    teacher = Teacher.objects.get(pk=enrolment.teacher_id)
    assert (teacher.consent_version, teacher.consent_language) == ("2026-01", "en")
    consent = Consent.objects.get(teacher=teacher, purpose=Purpose.REGISTRATION)
    assert (consent.version, consent.language, consent.withdrawn_at) == ("2026-01", "en", None)
    assert "Our privacy notice has changed" not in _status(client, enrolment).content.decode()


def test_each_language_has_its_own_versions(enrolment, client):
    PrivacyNotice.objects.create(version="2026-01", language="vi", text="Thông báo mới")
    assert services.current_version("vi") == "2026-01"
    assert services.current_version("th") == "2024-11"  # no Thai or English notice yet: the built-in one


def test_optional_purposes_are_given_and_withdrawn_apart(enrolment, client, mailoutbox,
                                                       django_capture_on_commit_callbacks):
    url = reverse("privacy:consent", args=[make_registration_token(enrolment)])
    client.post(url, {"purpose": "photos", "action": "give"})
    client.post(url, {"purpose": "publication", "action": "give"})
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, {"purpose": "photos", "action": "withdraw"})
    live = set(Consent.objects.filter(withdrawn_at__isnull=True).values_list("purpose", flat=True))
    assert live == {"publication"}
    request = DataRequest.objects.get()
    assert (request.kind, request.status, request.details) == (RequestKind.WITHDRAWAL, RequestStatus.DONE, "photos")
    assert len(mailoutbox) == 1 and mailoutbox[0].to == [enrolment.teacher.email]
    assert "It is done." in mailoutbox[0].body


def test_erasure_request_is_registered_with_its_due_date_and_confirmed_by_email(
        enrolment, client, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("privacy:request", args=[make_registration_token(enrolment)]),
                               {"kind": "erasure", "details": "Please delete everything"}, follow=True)
    assert "Your request is recorded" in response.content.decode()
    request = DataRequest.objects.get()
    assert (request.kind, request.status, request.country) == ("erasure", "received", "VN")
    assert request.acknowledge_by is not None and request.due_on == timezone.localdate() + dt.timedelta(days=15)
    assert len(mailoutbox) == 1 and "we can no longer write to you" in mailoutbox[0].body
    assert request.due_on.strftime("%Y") in mailoutbox[0].body


def test_an_unknown_request_is_refused_with_a_message_not_a_500(enrolment, client):
    response = client.post(reverse("privacy:request", args=[make_registration_token(enrolment)]),
                           {"kind": "delete-everything-now"}, follow=True)
    assert response.status_code == 200 and "Nothing was sent" in response.content.decode()
    assert not DataRequest.objects.exists()


def test_closing_an_erasure_request_erases_the_teacher_and_keeps_the_request(enrolment, staff_user):
    request = services.submit_request(enrolment=enrolment, kind=RequestKind.ERASURE, details="my name is X")
    services.acknowledge_request(data_request=request, handler=staff_user)
    services.close_request(data_request=request, handler=staff_user, outcome="Erased.")
    request.refresh_from_db()
    assert (request.status, request.handler, request.requester_email, request.details) == (
        "done", staff_user, "", "")
    assert Erasure.objects.get(teacher=enrolment.teacher).data_request == request
    statuses = list(request.history.order_by("history_date").values_list("status", flat=True))
    assert statuses == ["received", "acknowledged", "done"]  # every action in the history
    assert not request.history.exclude(details="").exists()
    with pytest.raises(services.PrivacyError) as exc:
        services.close_request(data_request=request, handler=staff_user, outcome="again")
    assert exc.value.code == "closed"


def test_staff_see_open_requests_due_soon_first(enrolment, staff_client):
    late = services.submit_request(enrolment=enrolment, kind=RequestKind.ACCESS, now=MONDAY)  # VN: 15 days
    th = EnrolmentFactory(cohort__country="TH", teacher__province=None)
    services.submit_request(enrolment=th, kind=RequestKind.ACCESS, now=MONDAY - dt.timedelta(days=5))
    first = services.submit_request(enrolment=enrolment, kind=RequestKind.CORRECTION,
                                    now=MONDAY - dt.timedelta(days=10))
    response = staff_client.get(reverse("privacy:requests"))
    assert [r.pk for r in response.context["requests"]][:2] == [first.pk, late.pk]


def test_coordinators_cannot_open_the_requests_register(make_coordinator, client):
    client.force_login(make_coordinator("KH"))
    assert client.get(reverse("privacy:requests")).status_code == 403


@pytest.mark.parametrize("n", [3, 60])
def test_requests_register_takes_a_fixed_number_of_queries(db, staff_client, django_assert_max_num_queries, n):
    enrolment = EnrolmentFactory(cohort__country="TH", teacher__province=None)
    for i in range(n):
        services.submit_request(enrolment=enrolment, kind=RequestKind.ACCESS, notify=False,
                                now=MONDAY - dt.timedelta(days=i))
    with django_assert_max_num_queries(6):
        response = staff_client.get(reverse("privacy:requests"))
    assert len(response.context["requests"]) == n


def test_staff_register_a_request_received_by_letter_with_the_countrys_due_dates(db, client, django_user_model):
    client.force_login(django_user_model.objects.create_superuser("boss", "boss@example.org", "pw-boss-1234"))
    response = client.post(reverse("admin:pilots_datarequest_add"), {
        "kind": "access", "country": "TH", "received_at_0": "2026-03-02", "received_at_1": "16:00:00",
        "requester_email": "letter@example.org", "details": "By post", "outcome": "",
    })
    assert response.status_code == 302, response.context["adminform"].errors
    request = DataRequest.objects.get()
    assert (request.acknowledge_by, request.due_on, request.status) == (None, dt.date(2026, 4, 1), "received")
