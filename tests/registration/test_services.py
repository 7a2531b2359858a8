"""register_teacher: every error code, duplicates, returning and withdrawn teachers, emails."""

import datetime as dt
import itertools

import pytest
from django.utils import timezone
from phonenumber_field.phonenumber import PhoneNumber

from pilots.choices import CohortStatus, EnrolmentStatus
from pilots.enrolment import CohortBusy, EnrolmentError, lock_cohort_counting_seats, withdraw_enrolment
from pilots.models import Cohort, Enrolment, OutboundEmail, Province, Subject, Teacher
from pilots.notifications import render_enrolment_email
from pilots.registration import services as registration_services
from tests.factories import EnrolmentFactory, OpenCohortFactory, TeacherFactory

pytestmark = pytest.mark.django_db


def details(**overrides):
    data = {
        "family_name": "Nguyễn",
        "given_name": "Thị Lan",
        "family_name_latin": "",
        "given_name_latin": "",
        "nickname": "",
        "name_order": "family_first",
        "gender": "female",
        "email": "lan.nguyen@example.org",
        "phone": PhoneNumber.from_string("+84912345678"),
        "school": "THPT Chu Văn An",
        "school_level": "upper_secondary",
        "province": Province.objects.get(code="VN-HN"),
        "years_experience": 12,
        "preferred_language": "vi",
    }
    data.update(overrides)
    return data


def register(cohort, **overrides):
    return registration_services.register_teacher(
        cohort=cohort,
        details=details(**overrides),
        subjects=Subject.objects.filter(code="history"),
        language="vi",
        consent_version="2024-11",
    )


def test_registering_confirms_while_seats_remain_then_waitlists(
    mailoutbox, django_capture_on_commit_callbacks
):
    cohort = OpenCohortFactory(capacity=1, country="VN", language="vi")
    with django_capture_on_commit_callbacks(execute=True):
        first = register(cohort, email="a@example.org")
        second = register(cohort, email="b@example.org")

    assert first.is_new and first.enrolment.status == EnrolmentStatus.CONFIRMED
    assert second.is_new and second.enrolment.status == EnrolmentStatus.WAITLISTED
    assert [m.to for m in mailoutbox] == [["a@example.org"], ["b@example.org"]]
    assert "Thầy/Cô đã được xác nhận tham gia" in mailoutbox[0].subject  # in Vietnamese
    assert "danh sách chờ" in mailoutbox[1].subject
    teacher = first.enrolment.teacher
    assert teacher.consent_version == "2024-11" and teacher.consent_language == "vi"
    assert teacher.consent_at is not None
    assert list(teacher.subjects.values_list("code", flat=True)) == ["history"]
    assert first.enrolment.consent_version == "2024-11" and first.enrolment.consented_at
    assert first.enrolment.language == "vi"


def test_a_cohort_that_requires_approval_takes_applications(mailoutbox, django_capture_on_commit_callbacks):
    cohort = OpenCohortFactory(capacity=5, requires_approval=True)
    with django_capture_on_commit_callbacks(execute=True):
        result = register(cohort)
    assert result.enrolment.status == EnrolmentStatus.APPLIED
    assert "đã nhận đơn đăng ký" in mailoutbox[0].subject


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"status": CohortStatus.PLANNED}, "cohort_not_open"),
        ({"status": CohortStatus.CLOSED}, "cohort_not_open"),
        ({"status": CohortStatus.CANCELLED}, "cohort_not_open"),
        ({"registration_opens": timezone.now() + dt.timedelta(days=1)}, "registration_not_started"),
        ({"registration_opens": timezone.now() - dt.timedelta(days=9),
          "registration_closes": timezone.now() - dt.timedelta(days=1)}, "registration_ended"),
    ],
)
def test_registration_outside_an_open_window_is_refused_with_a_code(changes, code):
    cohort = OpenCohortFactory(**changes)
    with pytest.raises(EnrolmentError) as exc:
        register(cohort)
    assert exc.value.code == code
    assert not Teacher.objects.exists()
    assert not Enrolment.objects.exists()


def test_registration_without_an_email_is_refused_with_a_code():
    cohort = OpenCohortFactory()
    with pytest.raises(EnrolmentError) as exc:
        register(cohort, email="")
    assert exc.value.code == "email_required"


def test_the_same_email_twice_in_a_cohort_is_one_enrolment_and_resends_the_link(
    mailoutbox, django_capture_on_commit_callbacks
):
    cohort = OpenCohortFactory(capacity=3)
    with django_capture_on_commit_callbacks(execute=True):
        first = register(cohort)
    OutboundEmail.objects.update(queued_at=timezone.now() - dt.timedelta(minutes=5))  # not a double tap
    with django_capture_on_commit_callbacks(execute=True):
        again = register(cohort, given_name="Someone Else", school="Another school")

    assert not again.is_new
    assert again.enrolment.pk == first.enrolment.pk
    assert Enrolment.objects.count() == 1
    teacher = Teacher.objects.get()
    assert teacher.given_name == "Thị Lan" and teacher.school == "THPT Chu Văn An"
    assert len(mailoutbox) == 2
    assert "Đăng ký của Thầy/Cô" in mailoutbox[1].subject
    assert "/registration/" in mailoutbox[1].body


def test_a_teacher_registering_for_another_cohort_is_the_same_teacher_with_updated_details():
    one, two = OpenCohortFactory(capacity=3), OpenCohortFactory(capacity=3)
    register(one, school="Old school", nickname="")
    register(two, email="LAN.Nguyen@Example.org".lower(), school="New school", nickname="Lan",
             given_name="Changed")

    teacher = Teacher.objects.get()
    assert teacher.enrolments.count() == 2
    assert teacher.school == "New school"  # current situation: updated
    assert teacher.nickname == "Lan"  # was blank: filled in
    assert teacher.given_name == "Thị Lan"  # identity: never overwritten by a form


def test_an_existing_teacher_whose_email_has_capitals_is_found():
    cohort = OpenCohortFactory()
    existing = TeacherFactory(email="Mixed.Case@Example.org")
    result = register(cohort, email="mixed.case@example.org")
    assert result.enrolment.teacher == existing


def test_a_withdrawn_teacher_who_registers_again_reuses_the_enrolment_row(django_capture_on_commit_callbacks):
    cohort = OpenCohortFactory(capacity=1)
    first = register(cohort).enrolment
    withdraw_enrolment(enrolment=first)
    other = register(cohort, email="other@example.org").enrolment
    assert other.status == EnrolmentStatus.CONFIRMED

    again = register(cohort)
    assert again.is_new
    assert again.enrolment.pk == first.pk
    assert again.enrolment.status == EnrolmentStatus.WAITLISTED
    assert Enrolment.objects.filter(cohort=cohort).count() == 2


def test_withdrawing_promotes_the_first_waitlisted_and_emails_both(
    mailoutbox, django_capture_on_commit_callbacks
):
    cohort = OpenCohortFactory(capacity=1)
    seated = register(cohort, email="seated@example.org").enrolment
    waiting = register(cohort, email="waiting@example.org").enrolment
    assert waiting.status == EnrolmentStatus.WAITLISTED

    with django_capture_on_commit_callbacks(execute=True):
        withdraw_enrolment(enrolment=seated)

    waiting.refresh_from_db()
    assert waiting.status == EnrolmentStatus.CONFIRMED
    subjects = {m.to[0]: m.subject for m in mailoutbox}
    assert "đã được rút" in subjects["seated@example.org"]
    assert "Đã có chỗ trống" in subjects["waiting@example.org"]


def test_emails_are_in_the_teachers_language_with_text_html_and_status_link(
    mailoutbox, django_capture_on_commit_callbacks, settings
):
    settings.PILOTS_SITE_URL = "https://pilots.example.org"
    cohort = OpenCohortFactory(capacity=3)
    with django_capture_on_commit_callbacks(execute=True):
        enrolment = register(cohort).enrolment
    message = mailoutbox[0]
    assert message.extra_headers["Content-Language"] == "vi"
    assert "https://pilots.example.org/registration/" in message.body
    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html"
    assert 'lang="vi"' in html and "https://pilots.example.org/registration/" in html
    assert enrolment.reference in message.body
    assert "Thị Lan" in message.body  # the name as given, never split


def test_a_stuck_cohort_lock_is_a_busy_error(monkeypatch):
    cohort = OpenCohortFactory()

    def stuck(cohort_id, **kwargs):
        raise CohortBusy()

    monkeypatch.setattr(registration_services, "lock_cohort_counting_seats", stuck)
    with pytest.raises(CohortBusy) as exc:
        register(cohort)
    assert exc.value.code == "busy"
    assert not Enrolment.objects.exists()


def test_staff_closing_the_cohort_meanwhile_is_caught_under_the_lock(monkeypatch):
    cohort = OpenCohortFactory()
    real_lock = lock_cohort_counting_seats

    def lock_after_closing(cohort_id, **kwargs):
        type(cohort).objects.filter(pk=cohort_id).update(status=CohortStatus.CLOSED)
        return real_lock(cohort_id, **kwargs)

    monkeypatch.setattr(registration_services, "lock_cohort_counting_seats", lock_after_closing)
    with pytest.raises(EnrolmentError) as exc:
        register(cohort)
    assert exc.value.code == "cohort_not_open"


def test_existing_enrolment_factory_teacher_registering_again_is_not_new():
    cohort = OpenCohortFactory()
    enrolment = EnrolmentFactory(cohort=cohort, status=EnrolmentStatus.REJECTED)
    result = register(cohort, email=enrolment.teacher.email)
    assert not result.is_new
    assert result.enrolment.status == EnrolmentStatus.REJECTED


def test_plain_text_emails_are_not_html_escaped_and_html_ones_are():
    enrolment = EnrolmentFactory(teacher=TeacherFactory(family_name="O'Neil & <Co>", preferred_language="en"))
    message = render_enrolment_email(enrolment, "promoted")
    assert "Dear O'Neil & <Co>" in message.body
    assert "O&#x27;Neil &amp; &lt;Co&gt;" in message.alternatives[0][0]
    assert "A place is free" in message.subject


# --- the registration window: one rule, in Python and in SQL -----------------------------------

NOW = dt.datetime(2024, 6, 1, 12, 0, tzinfo=dt.UTC)
OPENS = {"opens past": NOW - dt.timedelta(days=10), "opens future": NOW + dt.timedelta(days=1),
         "opens now": NOW, "opens unset": None}
CLOSES = {"closes past": NOW - dt.timedelta(days=1), "closes future": NOW + dt.timedelta(days=10),
          "closes now": NOW, "closes unset": None}
STATUSES = [CohortStatus.OPEN, CohortStatus.CLOSED, CohortStatus.PLANNED]

# status x opens past/future/unset x closes past/future/unset, without the windows the database
# refuses (closing before opening), plus the boundaries: opening at `now` is open, closing at `now`
# is closed.
WINDOW_GRID = [
    (status, opens, closes)
    for status, opens, closes in itertools.product(
        STATUSES, ["opens past", "opens future", "opens unset"], ["closes past", "closes future", "closes unset"]
    )
    if (opens, closes) != ("opens future", "closes past")
] + [
    (status, opens, closes)
    for status in STATUSES
    for opens, closes in [("opens now", "closes future"), ("opens past", "closes now"), ("opens unset", "closes now")]
]


def _expected_refusal(status, opens, closes):
    if status != CohortStatus.OPEN:
        return "cohort_not_open"
    if opens == "opens future":
        return "registration_not_started"
    if closes in ("closes past", "closes now"):
        return "registration_ended"
    return None


def _window_cohort(status, opens, closes):
    cohort = OpenCohortFactory(status=status, registration_opens=OPENS[opens], registration_closes=CLOSES[closes])
    cohort.refresh_from_db()  # the values as the database keeps them
    return cohort


def test_the_grid_covers_every_refusal_and_every_status():
    assert {_expected_refusal(*case) for case in WINDOW_GRID} == {
        None, *registration_services.REFUSALS}
    assert {status for status, _o, _c in WINDOW_GRID} == set(STATUSES)


@pytest.mark.parametrize(("status", "opens", "closes"), WINDOW_GRID, ids=[" ".join(case) for case in WINDOW_GRID])
def test_registration_refusal_and_open_for_registration_agree(status, opens, closes):
    cohort = _window_cohort(status, opens, closes)
    refusal = cohort.registration_refusal(NOW)

    assert refusal == _expected_refusal(status, opens, closes)
    in_sql = Cohort.objects.open_for_registration(NOW).filter(pk=cohort.pk).exists()
    assert in_sql is (refusal is None)
    assert cohort.is_open_for_registration(NOW) is (refusal is None)
    if refusal is None:
        registration_services.check_registration_open(cohort, NOW)
    else:
        with pytest.raises(EnrolmentError) as exc:
            registration_services.check_registration_open(cohort, NOW)
        assert exc.value.code == refusal
        assert exc.value.messages == [str(registration_services.REFUSALS[refusal])]


def test_open_for_registration_lists_exactly_the_cohorts_without_a_refusal():
    cohorts = [_window_cohort(*case) for case in WINDOW_GRID]
    assert set(Cohort.objects.open_for_registration(NOW)) == {
        cohort for cohort in cohorts if cohort.registration_refusal(NOW) is None}


def test_history_says_the_teacher_registered_themselves():
    registration = register(OpenCohortFactory())
    assert registration.enrolment.history.get().history_change_reason == "registration"
    assert Teacher.objects.get().history.get().history_change_reason == "registration"
