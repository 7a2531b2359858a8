"""Which language a visitor reads: the switcher (sticks), the browser, the cohort; native names."""

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from pilots.choices import CohortKind
from pilots.models import Province
from pilots.province_names import NATIVE_NAMES, province_label
from pilots.status_links import make_registration_token
from tests.factories import EnrolmentFactory, OpenCohortFactory

pytestmark = pytest.mark.django_db

ENGLISH_BROWSER = "en-US,en;q=0.9"


def html_lang(response) -> str:
    content = response.content.decode()
    start = content.index('<html lang="') + len('<html lang="')
    return content[start : content.index('"', start)]


@pytest.mark.parametrize(
    ("country", "language", "heading"),
    [
        ("KH", "km", "ចុះឈ្មោះ"),
        ("TH", "th", "ลงทะเบียน"),
        ("VN", "vi", "Đăng ký"),
    ],
)
def test_an_english_browser_keeps_english_on_a_cohort_page_and_is_offered_the_cohort_language(
    client, country, language, heading
):
    cohort = OpenCohortFactory(country=country, language=language)
    for name in ("registration:cohort_detail", "registration:register"):
        response = client.get(reverse(name, args=[cohort.code]), HTTP_ACCEPT_LANGUAGE=ENGLISH_BROWSER)
        assert html_lang(response) == "en"  # the language does not change under the visitor
        assert f'name="language" value="{language}"' in response.content.decode()  # but is offered
    # Choosing it (the button posts to set_language) makes the form the cohort's language.
    client.post(reverse("set_language"), {"language": language, "next": "/"})
    response = client.get(reverse("registration:register", args=[cohort.code]),
                          HTTP_ACCEPT_LANGUAGE=ENGLISH_BROWSER)
    assert html_lang(response) == language and f"<h1>{heading}" in response.content.decode()


def test_the_switcher_choice_wins_over_the_cohort_and_sticks(client):
    cohort = OpenCohortFactory(country="KH", language="km")
    url = reverse("registration:register", args=[cohort.code])
    response = client.post(reverse("set_language"), {"language": "vi", "next": url})
    assert response.status_code == 302 and response["Location"] == url
    cookie = response.cookies[settings.LANGUAGE_COOKIE_NAME]
    assert cookie.value == "vi" and int(cookie["max-age"]) == 365 * 24 * 60 * 60

    for page in (url, reverse("registration:open_cohorts"), reverse("pilots:home")):
        assert html_lang(client.get(page, HTTP_ACCEPT_LANGUAGE="km")) == "vi"


def test_a_browser_that_asks_for_khmer_thai_or_vietnamese_gets_it(client):
    cohort = OpenCohortFactory(country="TH", language="th")
    response = client.get(
        reverse("registration:cohort_detail", args=[cohort.code]), HTTP_ACCEPT_LANGUAGE="km-KH,km"
    )
    assert html_lang(response) == "km"


def test_a_regional_english_cohort_leaves_the_browser_language(client):
    cohort = OpenCohortFactory(country="", kind=CohortKind.REGIONAL, language="en")
    url = reverse("registration:cohort_detail", args=[cohort.code])
    assert html_lang(client.get(url, HTTP_ACCEPT_LANGUAGE="vi-VN,vi;q=0.9")) == "vi"
    assert html_lang(client.get(url, HTTP_ACCEPT_LANGUAGE=ENGLISH_BROWSER)) == "en"


@pytest.mark.parametrize(
    ("accept", "expected"), [("th-TH,th;q=0.9", "th"), (ENGLISH_BROWSER, "en"), ("", "en")]
)
def test_pages_without_a_cohort_follow_the_browser(client, accept, expected):
    OpenCohortFactory(country="KH", language="km")
    assert html_lang(client.get(reverse("registration:open_cohorts"), HTTP_ACCEPT_LANGUAGE=accept)) == expected


def test_a_teachers_own_pages_use_the_language_they_registered_in(client):
    enrolment = EnrolmentFactory(cohort=OpenCohortFactory(country="TH", language="th"), language="th")
    token = make_registration_token(enrolment)
    for name in ("registration:my_registration", "registration:done"):
        response = client.get(reverse(name, args=[token]), HTTP_ACCEPT_LANGUAGE=ENGLISH_BROWSER)
        assert html_lang(response) == "th"
        assert "การลงทะเบียนของฉัน" in response.content.decode()


def test_a_forged_registration_link_is_still_a_plain_404(client):
    response = client.get(reverse("registration:my_registration", args=["12:forged"]))
    assert response.status_code == 404


def test_the_registration_language_costs_one_query_only_for_visitors_without_a_choice(client):
    url = reverse("registration:my_registration", args=[make_registration_token(EnrolmentFactory())])
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "km"
    with CaptureQueriesContext(connection) as chosen:
        client.get(url)
    del client.cookies[settings.LANGUAGE_COOKIE_NAME]
    with CaptureQueriesContext(connection) as not_chosen:
        client.get(url)
    assert len(not_chosen.captured_queries) == len(chosen.captured_queries) + 1


def test_the_switcher_names_each_language_in_its_own_script(client):
    content = client.get(reverse("pilots:home")).content.decode()
    for code, name in [("en", "English"), ("km", "ភាសាខ្មែរ"), ("th", "ภาษาไทย"), ("vi", "Tiếng Việt")]:
        assert (
            f'lang="{code}" >{name}</option>' in content
            or f'lang="{code}" selected>{name}</option>' in content
        )


def test_every_cambodian_and_thai_province_has_its_name_in_its_own_script():
    provinces = Province.objects.filter(country__in=["KH", "TH"])
    assert provinces.count() >= 25 + 77
    missing = [p.code for p in provinces if p.code not in NATIVE_NAMES]
    assert not missing
    assert province_label(Province.objects.get(code="KH-2")) == "បាត់ដំបង (Battambang)"
    assert province_label(Province.objects.get(code="TH-50")) == "เชียงใหม่ (Chiang Mai)"
    assert province_label(Province.objects.get(code="VN-HN")) == "Hà Nội"  # already native


def test_the_form_lists_provinces_in_khmer_script(client):
    cohort = OpenCohortFactory(country="KH", language="km")
    content = client.get(reverse("registration:register", args=[cohort.code])).content.decode()
    assert "រាជធានីភ្នំពេញ (Phnom Penh)</option>" in content
    assert "សៀមរាប (Siem Reap)</option>" in content


def test_the_cohort_facts_name_the_province_in_its_own_script(client):
    cohort = OpenCohortFactory(country="KH", language="km", province=Province.objects.get(code="KH-3"))
    url = reverse("registration:cohort_detail", args=[cohort.code])
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "km"
    assert "(កំពង់ចាម)" in client.get(url).content.decode()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    assert "(Kampong Cham)" in client.get(url).content.decode()
