"""The public registration pages, as a teacher's browser (without JavaScript) sees them."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from pilots.choices import CohortKind, CohortStatus, EnrolmentStatus
from pilots.enrolment import CohortBusy
from pilots.models import Enrolment, OutboundEmail, Teacher
from pilots.registration import services as registration_services
from pilots.status_links import make_registration_token
from tests.factories import (
    CohortFactory,
    EnrolmentFactory,
    ModuleFactory,
    OpenCohortFactory,
    SessionFactory,
    TeacherFactory,
)
from tests.registration.helpers import registration_data

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english_visitor(client):
    """These tests read the pages in English, as a visitor who chose English with the switcher.

    Without a choice, a cohort's pages use the cohort's language (pilots/locale_middleware.py).
    """
    client.cookies["django_language"] = "en"


def register_url(cohort):
    return reverse("registration:register", args=[cohort.code])


def test_home_page_links_to_the_open_trainings(client):
    response = client.get("/")
    assert reverse("registration:open_cohorts") in response.content.decode()


def test_open_cohorts_lists_only_open_ones_with_seats_or_waiting_list(client):
    roomy = OpenCohortFactory(name="Kampot teachers", capacity=5)
    full = OpenCohortFactory(name="Full Bangkok cohort", capacity=1, country="TH", language="th")
    EnrolmentFactory(cohort=full, status=EnrolmentStatus.CONFIRMED)
    CohortFactory(name="Old closed cohort", status=CohortStatus.CLOSED)
    OpenCohortFactory(name="Not yet open", registration_opens=timezone.now() + dt.timedelta(days=3))

    page = client.get(reverse("registration:open_cohorts")).content.decode()

    assert "Kampot teachers" in page and "5 seats left" in page
    assert "Full Bangkok cohort" in page and "Full: waiting list" in page
    assert "Old closed cohort" not in page and "Not yet open" not in page
    assert register_url(roomy) in page


@pytest.mark.parametrize(
    ("query", "shown", "hidden"),
    [
        ("?country=TH", "Thai cohort", "Khmer cohort"),
        ("?language=km", "Khmer cohort", "Thai cohort"),
        ("?country=regional", "Regional cohort", "Thai cohort"),
    ],
)
def test_open_cohorts_filter_by_country_and_language(client, query, shown, hidden):
    OpenCohortFactory(name="Khmer cohort")
    OpenCohortFactory(name="Thai cohort", country="TH", language="th")
    OpenCohortFactory(name="Regional cohort", country="", kind=CohortKind.REGIONAL, language="en")
    page = client.get(reverse("registration:open_cohorts") + query).content.decode()
    assert shown in page and hidden not in page


@pytest.mark.parametrize("size", [1, 10])
def test_open_cohorts_list_takes_a_fixed_number_of_queries(client, django_assert_num_queries, size):
    for _ in range(size):
        cohort = OpenCohortFactory(capacity=3)
        EnrolmentFactory.create_batch(2, cohort=cohort)
    # Cohorts with their province and organiser (none while the list is cached), and the seats of
    # every cohort shown, read on each request in one query.
    for queries in (2, 1):
        with django_assert_num_queries(queries):
            response = client.get(reverse("registration:open_cohorts"))
        assert response.content.decode().count("seat left") == size


@pytest.mark.parametrize("size", [1, 8])
def test_cohort_page_takes_a_fixed_number_of_queries(client, django_assert_num_queries, size):
    cohort = OpenCohortFactory()
    for _ in range(size):
        module = ModuleFactory(programme=cohort.programme)
        SessionFactory(cohort=cohort, module=module)
    # The cohort's row (then kept a second); then (not while the page is cached) the cohort, its
    # team, the programme's modules, the sessions with modules; and its seats, read on each request.
    for queries in (6, 1):
        with django_assert_num_queries(queries):
            response = client.get(reverse("registration:cohort_detail", args=[cohort.code]))
        assert response.content.decode().count("<li><strong>Module") == size


def test_cohort_page_shows_modules_dates_and_register_button(client):
    cohort = OpenCohortFactory(name="Siem Reap in-service", venue="Provincial teacher-training centre")
    ModuleFactory(programme=cohort.programme, title="Risk factors of atrocity crimes")
    page = client.get(reverse("registration:cohort_detail", args=[cohort.code])).content.decode()
    assert "Risk factors of atrocity crimes" in page
    assert "Provincial teacher-training centre" in page
    assert register_url(cohort) in page


def test_cohort_page_of_a_closed_cohort_says_so_without_a_register_button(client):
    cohort = CohortFactory(status=CohortStatus.CLOSED)
    page = client.get(reverse("registration:cohort_detail", args=[cohort.code])).content.decode()
    assert "Registration for this training is closed." in page
    assert register_url(cohort) not in page


def test_an_unknown_cohort_is_a_404_until_it_exists(client):
    # A cohort page's row is kept a second per process, but a code not found is never kept.
    url = reverse("registration:cohort_detail", args=["kh-new"])
    assert client.get(url).status_code == 404
    OpenCohortFactory(code="kh-new", name="Battambang in-service")
    page = client.get(url)
    assert page.status_code == 200 and "Battambang in-service" in page.content.decode()


def test_planned_cohorts_are_not_public(client):
    cohort = CohortFactory(status=CohortStatus.PLANNED)
    assert client.get(reverse("registration:cohort_detail", args=[cohort.code])).status_code == 404


def test_registration_form_has_labels_unticked_consent_privacy_notice_and_hidden_honeypot(client):
    cohort = OpenCohortFactory()
    page = client.get(register_url(cohort)).content.decode()
    assert "Privacy notice" in page and "never sell or publish them" in page
    assert 'name="consent"' in page and 'name="consent" checked' not in page
    assert '<div class="d-none" aria-hidden="true">' in page
    assert 'tabindex="-1"' in page
    assert "Phnom Penh" in page and "Bangkok" not in page  # the cohort country's provinces only
    assert 'type="tel"' in page


def test_regional_form_offers_the_provinces_of_the_three_countries(client):
    cohort = OpenCohortFactory(country="", kind=CohortKind.REGIONAL, language="en")
    page = client.get(register_url(cohort)).content.decode()
    assert "Phnom Penh" in page and "Bangkok" in page and "Hà Nội" in page


def test_registering_normalises_input_and_shows_the_reference_and_next_step(
    client, mailoutbox, django_capture_on_commit_callbacks
):
    cohort = OpenCohortFactory(capacity=2)
    data = registration_data(cohort, family_name="  Nguye\u0302\u0303n  ", email="  Chantha.SOK@Example.ORG ")

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(register_url(cohort), data, follow=True)

    teacher = Teacher.objects.get()
    assert teacher.family_name == "Nguyễn"  # NFC and trimmed
    assert teacher.email == "chantha.sok@example.org"
    assert str(teacher.phone) == "+85512345678"
    enrolment = teacher.enrolments.get()
    assert enrolment.status == EnrolmentStatus.CONFIRMED
    page = response.content.decode()
    assert enrolment.reference in page and "You are registered" in page
    assert "Your place is confirmed" in page
    assert "chantha" not in response.redirect_chain[0][0].lower()  # no personal data in the URL
    assert len(mailoutbox) == 1


def test_registering_in_khmer_gives_a_khmer_enrolment_and_email(
    client, mailoutbox, django_capture_on_commit_callbacks
):
    cohort = OpenCohortFactory(capacity=2)
    client.cookies["django_language"] = "km"
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(register_url(cohort), registration_data(cohort))
    assert response.status_code == 302
    enrolment = Enrolment.objects.get()
    assert enrolment.language == "km" and enrolment.teacher.consent_language == "km"
    assert mailoutbox[0].extra_headers["Content-Language"] == "km"


def test_full_cohort_puts_the_teacher_on_the_waiting_list(client):
    cohort = OpenCohortFactory(capacity=1)
    EnrolmentFactory(cohort=cohort, status=EnrolmentStatus.CONFIRMED)
    form_page = client.get(register_url(cohort)).content.decode()
    assert "This training is full." in form_page and "Join the waiting list" in form_page
    page = client.post(register_url(cohort), registration_data(cohort), follow=True).content.decode()
    assert "You are on the waiting list" in page


def test_cohort_with_approval_says_the_application_awaits_approval(client):
    cohort = OpenCohortFactory(requires_approval=True)
    page = client.post(register_url(cohort), registration_data(cohort), follow=True).content.decode()
    assert "awaiting approval" in page


def test_errors_are_shown_next_to_the_fields_and_nothing_is_saved(client):
    cohort = OpenCohortFactory()
    data = registration_data(cohort, email="not-an-email", phone="12", consent=None, given_name="")
    response = client.post(register_url(cohort), data)
    page = response.content.decode()
    assert response.status_code == 200
    assert "Please correct the following:" in page
    assert 'aria-describedby="id_email_helptext id_email_error"' in page or 'id_email_error' in page
    assert 'id="id_phone_error"' in page and "Enter a valid phone number" in page
    assert "Please tick the box to agree to the privacy notice." in page
    assert 'aria-invalid="true"' in page
    assert not Teacher.objects.exists()


def test_a_phone_of_another_country_is_refused(client):
    cohort = OpenCohortFactory()  # Cambodia
    response = client.post(register_url(cohort), registration_data(cohort, phone="+66812345678"))
    assert "Enter a phone number of Cambodia." in response.content.decode()
    assert not Teacher.objects.exists()


def test_a_province_of_another_country_is_refused(client):
    from pilots.models import Province

    cohort = OpenCohortFactory()
    data = registration_data(cohort, province=Province.objects.get(code="TH-10").pk)
    response = client.post(register_url(cohort), data)
    assert "Select a valid choice" in response.content.decode()
    assert not Teacher.objects.exists()


def test_control_characters_in_names_are_a_field_error(client):
    cohort = OpenCohortFactory()
    response = client.post(register_url(cohort), registration_data(cohort, given_name="Cha\x07ntha"))
    assert "invisible control characters" in response.content.decode()
    assert not Teacher.objects.exists()


def test_a_filled_honeypot_saves_nothing(client):
    cohort = OpenCohortFactory()
    response = client.post(register_url(cohort), registration_data(cohort, website="http://spam.example"))
    assert "could not be sent" in response.content.decode()
    assert not Teacher.objects.exists()


def test_registering_twice_shows_a_friendly_message_and_resends_the_link(
    client, mailoutbox, django_capture_on_commit_callbacks
):
    cohort = OpenCohortFactory()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(register_url(cohort), registration_data(cohort))
        # A second tap at once (or a retried request) does not send a second email...
        response = client.post(register_url(cohort), registration_data(cohort))
    page = response.content.decode()
    assert "You are already registered" in page
    assert Enrolment.objects.count() == 1
    assert len(mailoutbox) == 1
    # ...registering again later re-sends the link.
    OutboundEmail.objects.update(queued_at=timezone.now() - dt.timedelta(minutes=5))
    with django_capture_on_commit_callbacks(execute=True):
        client.post(register_url(cohort), registration_data(cohort))
    assert len(mailoutbox) == 2 and "/registration/" in mailoutbox[1].body


def test_a_closed_cohort_form_says_registration_is_closed(client):
    cohort = CohortFactory(status=CohortStatus.CLOSED)
    for response in (client.get(register_url(cohort)), client.post(register_url(cohort), {})):
        assert "Registration for this training is closed." in response.content.decode()
    assert not Teacher.objects.exists()


def test_a_stuck_lock_shows_the_translated_busy_page_not_an_error(client, monkeypatch):
    def stuck(cohort_id, **kwargs):
        raise CohortBusy()

    monkeypatch.setattr(registration_services, "lock_cohort_counting_seats", stuck)
    cohort = OpenCohortFactory()
    response = client.post(register_url(cohort), registration_data(cohort))
    assert response.status_code == 503
    assert "Please try again in a moment." in response.content.decode()
    client.cookies["django_language"] = "km"
    response = client.post(register_url(cohort), registration_data(cohort))
    assert '<html lang="km">' in response.content.decode()


def test_too_many_registration_posts_from_one_address_get_a_429_page(client, settings):
    settings.PILOTS_REGISTRATION_RATE = "3/m"
    cohort = OpenCohortFactory()
    statuses = [
        client.post(register_url(cohort), registration_data(cohort, email=f"t{i}@example.org")).status_code
        for i in range(4)
    ]
    assert statuses == [302, 302, 302, 429]
    response = client.post(register_url(cohort), registration_data(cohort, email="t9@example.org"))
    assert response.status_code == 429 and "Too many attempts" in response.content.decode()
    assert Enrolment.objects.count() == 3
    # Reading the form is never limited.
    assert client.get(register_url(cohort)).status_code == 200


def test_my_registration_shows_status_and_lets_the_teacher_correct_contact_details(client):
    enrolment = EnrolmentFactory(cohort=OpenCohortFactory(), status=EnrolmentStatus.WAITLISTED)
    url = reverse("registration:my_registration", args=[make_registration_token(enrolment)])
    page = client.get(url).content.decode()
    assert enrolment.reference in page and "Waiting list" in page
    assert enrolment.teacher.full_name in page

    response = client.post(
        url, {"email": " New@Example.org", "phone": "012 999 888", "school": "New school",
              "preferred_language": "en"}, follow=True
    )
    assert "Your contact details are saved." in response.content.decode()
    enrolment.teacher.refresh_from_db()
    assert enrolment.teacher.email == "new@example.org"
    assert str(enrolment.teacher.phone) == "+85512999888"


def test_my_registration_refuses_an_email_another_teacher_uses(client):
    other = TeacherFactory(email="taken@example.org")
    enrolment = EnrolmentFactory(cohort=OpenCohortFactory())
    url = reverse("registration:my_registration", args=[make_registration_token(enrolment)])
    response = client.post(url, {"email": "TAKEN@example.org", "phone": "012 999 888", "school": "S",
                                 "preferred_language": "km"})
    assert "already exists" in response.content.decode()
    enrolment.teacher.refresh_from_db()
    assert enrolment.teacher.email != other.email


def test_withdrawing_from_the_status_page_frees_the_seat_for_the_waiting_list(
    client, mailoutbox, django_capture_on_commit_callbacks
):
    cohort = OpenCohortFactory(capacity=1)
    seated = EnrolmentFactory(cohort=cohort, status=EnrolmentStatus.CONFIRMED)
    waiting = EnrolmentFactory(cohort=cohort, status=EnrolmentStatus.WAITLISTED)
    token = make_registration_token(seated)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("registration:withdraw", args=[token]), {"confirm": "yes"}, follow=True)

    assert "You have withdrawn." in response.content.decode()
    seated.refresh_from_db()
    waiting.refresh_from_db()
    assert seated.status == EnrolmentStatus.WITHDRAWN
    assert waiting.status == EnrolmentStatus.CONFIRMED
    assert {m.to[0] for m in mailoutbox} == {seated.teacher.email, waiting.teacher.email}
    assert "Withdraw from this training" not in response.content.decode()


@pytest.mark.parametrize("name", ["my_registration", "done"])
def test_a_tampered_or_forged_link_is_a_404(client, name):
    enrolment = EnrolmentFactory()
    token = make_registration_token(enrolment)
    other_id_token = token.replace(f"{enrolment.pk}:", f"{enrolment.pk + 1}:", 1)
    for bad in (other_id_token, token[:-1] + ("A" if token[-1] != "A" else "B"), "1", "abc:def"):
        assert client.get(reverse(f"registration:{name}", args=[bad])).status_code == 404
    assert client.get(reverse(f"registration:{name}", args=[token])).status_code == 200


def test_a_withdraw_with_a_tampered_link_is_a_404_and_changes_nothing(client):
    enrolment = EnrolmentFactory(status=EnrolmentStatus.CONFIRMED)
    token = make_registration_token(enrolment) + "x"
    assert client.post(reverse("registration:withdraw", args=[token]), {"confirm": "yes"}).status_code == 404
    enrolment.refresh_from_db()
    assert enrolment.status == EnrolmentStatus.CONFIRMED


def test_the_cohort_page_offers_its_language_and_the_choice_sticks(client):
    cohort = OpenCohortFactory()  # taught in Khmer
    page = client.get(reverse("registration:cohort_detail", args=[cohort.code])).content.decode()
    assert 'name="language" value="km"' in page and "ភាសាខ្មែរ" in page
    client.post(reverse("set_language"), {"language": "km", "next": register_url(cohort)})
    page = client.get(register_url(cohort)).content.decode()
    assert '<html lang="km">' in page
    assert 'name="language" value="km"' not in page  # already in Khmer: no switch offered


@pytest.mark.parametrize("size", [1, 20])
def test_registration_form_takes_a_fixed_number_of_queries(client, django_assert_num_queries, size):
    cohort = OpenCohortFactory(capacity=50)
    EnrolmentFactory.create_batch(size, cohort=cohort)
    # The cohort, its seat counts, the provinces and the subjects.
    with django_assert_num_queries(5):  # + the published privacy notice
        response = client.get(register_url(cohort))
    assert f"{50 - size} seats left" in response.content.decode()


def test_deploy_check_warns_when_the_rate_limit_cache_is_not_shared(settings):
    from pilots.checks import check_rate_limit_cache

    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    assert [w.id for w in check_rate_limit_cache(None)] == ["pilots.W001"]
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                                   "LOCATION": "redis://127.0.0.1:6379/3"}}
    assert check_rate_limit_cache(None) == []


def test_every_error_and_help_text_is_tied_to_its_field(client):
    import re

    cohort = OpenCohortFactory()
    page = client.post(register_url(cohort), {"email": "x", "website": ""}).content.decode()
    ids = set(re.findall(r'\bid="([^"]+)"', page))
    described = [i for ref in re.findall(r'aria-describedby="([^"]+)"', page) for i in ref.split()]
    assert {"id_email_error", "id_consent_error", "id_gender_error", "id_province_error"} <= set(described)
    assert [i for i in described if i not in ids] == []
    labelled = set(re.findall(r'<label[^>]*for="([^"]+)"', page))
    inputs = set(re.findall(r'<(?:input|select|textarea)[^>]*\bid="([^"]+)"', page)) - {"language-switcher"}
    assert inputs <= labelled | {i for i in inputs if i.startswith("id_csrf")}
