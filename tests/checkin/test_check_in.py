"""Teachers check themselves in with the rotating code; staff see it on the register."""

import datetime as dt
import threading

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from pilots.checkin import codes
from pilots.checkin.services import CheckInError, check_in_teacher, open_check_in
from pilots.choices import EnrolmentStatus
from pilots.models import Attendance, SelfCheckIn
from pilots.status_links import make_registration_token
from tests.factories import CohortFactory, EnrolmentFactory, SessionFactory
from tests.staffing.support import text

pytestmark = pytest.mark.django_db

TZ = timezone.get_default_timezone()


@pytest.fixture
def room(staff_user):
    today = timezone.localdate()
    cohort = CohortFactory(start_date=today, end_date=today + dt.timedelta(days=2))
    cohort.team.add(staff_user)
    session = SessionFactory(cohort=cohort, date=today, starts_at=dt.time(8, 0), ends_at=dt.time(11, 0))
    enrolment = EnrolmentFactory(cohort=cohort, teacher__email="sokha@example.org",
                                 teacher__preferred_language="km")
    check_in = open_check_in(session=session, grace_minutes=15)
    return session, enrolment, check_in


def at(session, hour, minute=0):
    return dt.datetime.combine(session.date, dt.time(hour, minute), tzinfo=TZ)


def current_code(check_in, now):
    return codes.code_for(check_in.secret, codes.window_of(now))


def test_a_teacher_checks_in_by_email_and_code_before_the_grace_period_ends(room):
    session, enrolment, check_in = room
    now = at(session, 8, 10)
    result = check_in_teacher(code=current_code(check_in, now), email="Sokha@Example.org ", now=now)
    assert result.created and result.attendance.status == "present"
    assert SelfCheckIn.objects.get().enrolment == enrolment
    assert result.attendance.history.get().history_change_reason == "check-in"


def test_after_the_grace_period_the_teacher_is_late(room):
    session, enrolment, check_in = room
    now = at(session, 8, 16)
    result = check_in_teacher(code=current_code(check_in, now), enrolment=enrolment, now=now)
    assert result.attendance.status == "late"


def test_checking_in_twice_changes_nothing(room):
    session, enrolment, check_in = room
    first = at(session, 8, 5)
    check_in_teacher(code=current_code(check_in, first), enrolment=enrolment, now=first)
    later = at(session, 9, 0)
    again = check_in_teacher(code=current_code(check_in, later), enrolment=enrolment, now=later)
    assert not again.created and again.attendance.status == "present"
    assert Attendance.objects.count() == 1 and SelfCheckIn.objects.count() == 1


def test_the_code_of_the_previous_window_still_works_but_an_older_one_has_expired(room):
    session, enrolment, check_in = room
    now = at(session, 8, 5)
    previous = codes.code_for(check_in.secret, codes.window_of(now) - 1)
    assert check_in_teacher(code=previous, enrolment=enrolment, now=now).created
    old = codes.code_for(check_in.secret, codes.window_of(now) - 4)
    with pytest.raises(CheckInError) as caught:
        check_in_teacher(code=old, email="sokha@example.org", now=now)
    assert caught.value.code == "expired_code"


def test_a_wrong_code_a_code_of_another_session_and_an_unconfirmed_teacher_are_refused(room):
    session, enrolment, check_in = room
    now = at(session, 8, 5)
    other_session = SessionFactory(cohort=CohortFactory(), date=session.date, starts_at=dt.time(8),
                                   ends_at=dt.time(9))
    other = open_check_in(session=other_session)
    with pytest.raises(CheckInError) as caught:
        check_in_teacher(code="000000" if current_code(check_in, now) != "000000" else "111111",
                         enrolment=enrolment, now=now)
    assert caught.value.code in ("wrong_code", "expired_code")
    with pytest.raises(CheckInError) as caught:
        check_in_teacher(code=current_code(other, now), enrolment=enrolment, now=now)
    assert caught.value.code == "other_session"
    with pytest.raises(CheckInError) as caught:
        check_in_teacher(code=current_code(other, now), email="sokha@example.org",
                         session_id=session.pk, now=now)
    assert caught.value.code == "other_session"
    waiting = EnrolmentFactory(cohort=session.cohort, status=EnrolmentStatus.WAITLISTED,
                               teacher__email="wait@example.org")
    with pytest.raises(CheckInError) as caught:
        check_in_teacher(code=current_code(check_in, now), email=waiting.teacher.email, now=now)
    assert caught.value.code == "not_confirmed"
    assert not Attendance.objects.exists()


def test_the_teacher_page_works_without_javascript_and_answers_in_their_language(client, room):
    session, enrolment, check_in = room
    client.cookies["django_language"] = "km"
    page = client.get(reverse("checkin:check_in") + f"?s={session.pk}&c=123456")
    assert 'value="123456"' in text(page) and 'inputmode="numeric"' in text(page)
    response = client.post(reverse("checkin:check_in"), {
        "code": "99999", "email": "sokha@example.org", "session": session.pk})
    assert 'lang="km"' in text(response) and "This code is not right" not in text(response)
    assert 'id="check-in-error"' in text(response)


def test_from_my_registration_the_teacher_types_only_the_code(client, room):
    session, enrolment, check_in = room
    token = make_registration_token(enrolment)
    page = text(client.get(reverse("registration:my_registration", args=[token])))
    assert reverse("checkin:check_in") in page and 'name="code"' in page
    response = client.post(reverse("checkin:check_in"), {
        "code": current_code(check_in, timezone.now()), "token": token})
    assert 'id="check-in-result"' in text(response)
    assert Attendance.objects.get(enrolment=enrolment, session=session).self_check_in


def test_the_staff_screen_shows_a_qr_code_and_the_code_and_reloads_when_it_changes(staff_client, room):
    session, _enrolment, check_in = room
    page = text(staff_client.get(reverse("staffing:check_in", args=[session.pk])))
    assert "<svg" in page and current_code(check_in, timezone.now()) in page
    assert 'data-reload-in="' in page and 'http-equiv="refresh"' not in page


def test_staff_open_the_check_in_with_a_grace_period(staff_client, staff_user):
    today = timezone.localdate()
    cohort = CohortFactory(start_date=today, end_date=today)
    cohort.team.add(staff_user)
    session = SessionFactory(cohort=cohort, date=today)
    url = reverse("staffing:check_in", args=[session.pk])
    assert "Open the check-in" in text(staff_client.get(url))
    staff_client.post(url, {"grace_minutes": "20"})
    assert session.check_in.grace_minutes == 20


def test_the_register_shows_who_checked_in_themselves_and_staff_can_correct_it(staff_client, room):
    session, enrolment, check_in = room
    check_in_teacher(code=current_code(check_in, timezone.now()), enrolment=enrolment)
    page = text(staff_client.get(reverse("staffing:attendance", args=[session.pk])))
    assert "checked in themselves" in page


@pytest.mark.django_db(transaction=True)
def test_concurrent_check_ins_of_the_same_teacher_record_one_attendance(staff_user):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL for concurrent writers")
    today = timezone.localdate()
    cohort = CohortFactory(start_date=today, end_date=today)
    session = SessionFactory(cohort=cohort, date=today)
    enrolment = EnrolmentFactory(cohort=cohort)
    check_in = open_check_in(session=session)
    barrier = threading.Barrier(8)
    results = []

    def run():
        barrier.wait()
        try:
            results.append(check_in_teacher(code=current_code(check_in, timezone.now()),
                                            enrolment=enrolment).created)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == [False] * 7 + [True]
    assert Attendance.objects.count() == 1 and SelfCheckIn.objects.count() == 1
