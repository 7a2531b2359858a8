"""The registration path without traps: withdrawal asks first, the visitor's country comes first,
errors are summarised at the top, a likely email typo is offered a fix, the phone hint and the name
fields follow the teacher's country, a waitlisted teacher sees their place."""

import re

import pytest
from django.urls import reverse

from pilots.choices import CohortKind, EnrolmentStatus
from pilots.models import Enrolment, Province, Teacher
from pilots.status_links import make_registration_token
from tests.factories import EnrolmentFactory, OpenCohortFactory
from tests.registration.helpers import registration_data

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english(client):
    client.cookies["django_language"] = "en"


def register_url(cohort):
    return reverse("registration:register", args=[cohort.code])


def test_withdrawing_asks_first_and_says_the_seat_goes_to_the_waiting_list(client):
    cohort = OpenCohortFactory(capacity=1)
    seated = EnrolmentFactory(cohort=cohort, status=EnrolmentStatus.CONFIRMED)
    waiting = EnrolmentFactory(cohort=cohort, status=EnrolmentStatus.WAITLISTED)
    url = reverse("registration:withdraw", args=[make_registration_token(seated)])

    status_page = client.get(reverse("registration:my_registration", args=[make_registration_token(seated)]))
    assert f'href="{url}"' in status_page.content.decode()  # a link to the second step, not a POST
    for response in (client.get(url), client.post(url)):  # a POST without the confirmation too
        html = response.content.decode()
        assert response.status_code == 200
        assert "Your seat goes at once to the next teacher on the waiting list." in html
        assert 'name="confirm" value="yes"' in html
    seated.refresh_from_db()
    assert seated.status == EnrolmentStatus.CONFIRMED

    client.post(url, {"confirm": "yes"})
    seated.refresh_from_db()
    waiting.refresh_from_db()
    assert (seated.status, waiting.status) == (EnrolmentStatus.WITHDRAWN, EnrolmentStatus.CONFIRMED)


def test_a_waitlisted_teacher_sees_their_place_in_the_queue(client):
    cohort = OpenCohortFactory(capacity=1)
    EnrolmentFactory(cohort=cohort, status=EnrolmentStatus.CONFIRMED)
    first, second = EnrolmentFactory.create_batch(2, cohort=cohort, status=EnrolmentStatus.WAITLISTED)
    for enrolment, position in ((first, 1), (second, 2)):
        for name in ("my_registration", "done"):
            html = client.get(reverse(f"registration:{name}", args=[make_registration_token(enrolment)]))
            assert f"You are number {position} on the waiting list." in html.content.decode()
    confirm_page = client.get(reverse("registration:withdraw", args=[make_registration_token(first)]))
    assert "You leave the list and lose your place in it." in confirm_page.content.decode()


@pytest.mark.parametrize(("language", "first"), [("th", "TH"), ("km", "KH"), ("vi", "VN")])
def test_the_open_cohorts_list_puts_the_visitors_country_first(client, language, first):
    for country, days in (("KH", 1), ("VN", 2), ("TH", 3)):
        OpenCohortFactory(country=country, name=f"{country} cohort", code=f"c-{country.lower()}",
                          start_date=OpenCohortFactory.start_date.function().replace(day=1 + days % 28))
    OpenCohortFactory(country="", kind=CohortKind.REGIONAL, language="en", name="Regional cohort", code="c-r")
    client.cookies["django_language"] = language
    html = client.get(reverse("registration:open_cohorts")).content.decode()
    codes = re.findall(r'href="/cohorts/(c-[a-z]+)/"', html)
    assert codes[0] == f"c-{first.lower()}" and codes[1] == "c-r"


def test_the_error_summary_lists_each_wrong_field_as_a_link_and_takes_focus(client):
    cohort = OpenCohortFactory()
    data = registration_data(cohort, email="x", phone="12", gender=None)
    html = client.post(register_url(cohort), data).content.decode()
    summary = re.search(r'<div class="alert alert-danger error-summary"[^>]*>(.*?)</div>', html, re.S)
    assert summary and "autofocus" in summary.group(0) and 'tabindex="-1"' in summary.group(0)
    links = re.findall(r'<a class="alert-link" href="#([^"]+)">', summary.group(1))
    assert links == ["id_gender_0", "id_email", "id_phone"]
    for target in links:
        assert f'id="{target}"' in html


def test_the_form_leaves_validation_to_the_server_and_keeps_phone_keyboards(client):
    html = client.get(register_url(OpenCohortFactory())).content.decode()
    assert re.search(r"<form [^>]*novalidate", html)
    assert re.search(r'<input type="tel"[^>]*inputmode="tel"[^>]*id="id_phone"', html)
    assert re.search(r'<input type="email"[^>]*inputmode="email"', html)
    assert "---------" not in html and "Choose your school level" in html


def test_a_likely_email_typo_is_offered_a_fix_the_teacher_may_accept(client):
    cohort = OpenCohortFactory()
    data = registration_data(cohort, email="sok@gmial.com")
    html = client.post(register_url(cohort), data).content.decode()
    assert "Did you mean sok@gmail.com?" in html
    assert 'name="email_suggestion" value="accept"' in html and 'name="email_suggestion" value="ignore"' in html
    assert not Teacher.objects.exists()

    response = client.post(register_url(cohort), {**data, "email_suggestion": "accept"})
    assert response.status_code == 302
    assert Teacher.objects.get().email == "sok@gmail.com"


def test_a_teacher_may_keep_an_email_that_only_looks_like_a_typo(client):
    cohort = OpenCohortFactory()
    data = registration_data(cohort, email="sok@gmial.com", email_suggestion="ignore")
    assert client.post(register_url(cohort), data).status_code == 302
    assert Enrolment.objects.get().teacher.email == "sok@gmial.com"


@pytest.mark.parametrize(("country", "prefix"), [("KH", "+855"), ("TH", "+66"), ("VN", "+84")])
def test_the_phone_hint_shows_the_cohorts_country(client, country, prefix):
    html = client.get(register_url(OpenCohortFactory(country=country))).content.decode()
    hint = re.search(r'id="id_phone_helptext"[^>]*>(.*?)</', html, re.S).group(1)
    assert prefix in hint and all(p not in hint for p in {"+855", "+66", "+84"} - {prefix})


def test_a_regional_form_hints_every_country_then_the_chosen_provinces(client):
    cohort = OpenCohortFactory(kind=CohortKind.REGIONAL, country="", language="en")
    html = client.get(register_url(cohort)).content.decode()
    hint = re.search(r'id="id_phone_helptext"[^>]*>(.*?)</', html, re.S).group(1)
    assert all(p in hint for p in ("+855", "+66", "+84"))
    thai = Province.objects.get(code="TH-10")
    html = client.post(register_url(cohort), registration_data(cohort, province=thai.pk, phone="1")).content.decode()
    hint = re.search(r'id="id_phone_helptext"[^>]*>(.*?)</', html, re.S).group(1)
    assert "+66" in hint and "+855" not in hint


def test_names_are_asked_in_the_countrys_order_with_its_titles_and_nickname(client):
    thai = client.get(register_url(OpenCohortFactory(country="TH", language="th"))).content.decode()
    assert thai.index('name="given_name"') < thai.index('name="family_name"')
    assert 'name="nickname"' in thai
    khmer = client.get(register_url(OpenCohortFactory(country="KH"))).content.decode()
    assert khmer.index('name="family_name"') < khmer.index('name="given_name"')
    assert 'name="nickname"' not in khmer  # not customary in Cambodia
    client.cookies["django_language"] = "vi"
    vietnamese = client.get(register_url(OpenCohortFactory(country="VN", language="vi"))).content.decode()
    assert vietnamese.index('name="family_name"') < vietnamese.index('name="given_name"')
    assert "Tên đệm và tên" in vietnamese
    client.cookies["django_language"] = "th"
    thai = client.get(register_url(OpenCohortFactory(country="TH", language="th"))).content.decode()
    assert all(f">{title}</option>" in thai for title in ("นาย", "นาง", "นางสาว"))
    client.cookies["django_language"] = "km"
    khmer = client.get(register_url(OpenCohortFactory(country="KH"))).content.decode()
    assert all(f">{title}</option>" in khmer for title in ("លោក", "លោកស្រី", "កញ្ញា"))


def test_the_title_is_stored_on_the_teacher(client):
    cohort = OpenCohortFactory(country="TH", language="th")
    assert client.post(register_url(cohort), registration_data(cohort, title="miss")).status_code == 302
    assert Teacher.objects.get().title == "miss"
    other = OpenCohortFactory(country="TH", language="th")
    response = client.post(register_url(other), registration_data(other, title="queen", email="b@example.org"))
    assert response.status_code == 200 and not Teacher.objects.filter(email="b@example.org").exists()


def test_a_regional_form_sent_back_asks_names_as_the_provinces_country_writes_them(client):
    cohort = OpenCohortFactory(kind=CohortKind.REGIONAL, country="", language="en")
    page = client.get(register_url(cohort)).content.decode()
    assert 'id="country-conventions" type="application/json"' in page and "js/registration.js" in page
    assert page.index('name="province"') < page.index('name="family_name"')  # asked first
    assert 'data-country="TH"' in page and 'data-country="VN"' in page
    thai = Province.objects.get(code="TH-10")
    page = client.post(register_url(cohort), registration_data(cohort, province=thai.pk, phone="1")).content.decode()
    assert page.index('name="given_name"') < page.index('name="family_name"')
    assert 'placeholder="+66' in page
    hanoi = Province.objects.get(code="VN-HN")
    page = client.post(register_url(cohort), registration_data(cohort, province=hanoi.pk, phone="1")).content.decode()
    assert page.index('name="family_name"') < page.index('name="given_name"')
    assert "Middle and given name" in page
    assert 'id="div_id_nickname" class="mb-3 d-none"' in page  # not customary in Vietnam
    national = client.get(register_url(OpenCohortFactory(country="KH"))).content.decode()
    assert "js/registration.js" not in national and "country-conventions" not in national
