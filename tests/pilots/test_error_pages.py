"""404, 403, 500 and the CSRF failure page: in the visitor's language, inside the site's layout,
with a way on."""

import pytest
from django.test import Client
from django.urls import NoReverseMatch, reverse

from tests.factories import OpenCohortFactory
from tests.registration.helpers import registration_data

pytestmark = pytest.mark.django_db


def _client(language, **kwargs):
    client = Client(**kwargs)
    client.cookies["django_language"] = language
    return client


@pytest.mark.parametrize(("language", "heading"), [
    ("en", "Page not found"), ("km", "រកមិនឃើញទំព័រ"), ("th", "ไม่พบหน้านี้"), ("vi", "Không tìm thấy trang"),
])
def test_a_cut_off_registration_link_lands_on_a_404_in_the_language_with_a_way_on(language, heading):
    response = _client(language).get("/registration/12:cut-off/")
    html = response.content.decode()
    assert response.status_code == 404
    assert f'<html lang="{language}">' in html
    assert f"<h1>{heading}</h1>" in html
    assert 'id="language-switcher"' in html  # the site's layout, not Django's bare page
    assert f'href="{reverse("registration:open_cohorts")}"' in html
    try:
        assert f'href="{reverse("registration:request_link")}"' in html
    except NoReverseMatch:
        pass  # the "get my link again" page is not on this site (yet)
    assert "Not Found" not in html


def test_an_unknown_address_is_a_404_in_the_browsers_language():
    response = Client(headers={"accept-language": "th-TH,th;q=0.9"}).get("/no-such-page/")
    assert response.status_code == 404 and "<h1>ไม่พบหน้านี้</h1>" in response.content.decode()


def test_a_form_sent_without_its_csrf_token_gets_a_translated_page_back_to_the_form():
    cohort = OpenCohortFactory()
    url = reverse("registration:register", args=[cohort.code])
    client = _client("km", enforce_csrf_checks=True)
    response = client.post(url, registration_data(cohort), headers={"referer": f"http://testserver{url}"})
    html = response.content.decode()
    assert response.status_code == 403
    assert "<h1>សូមផ្ញើទម្រង់នេះម្តងទៀត</h1>" in html
    assert f'href="{url}"' in html  # back to the form
    assert "You are seeing this message" not in html and "CSRF" not in html


@pytest.mark.urls("tests.pilots.error_urls")
def test_a_server_error_is_a_translated_page_in_the_layout():
    client = _client("vi", raise_request_exception=False)
    response = client.get("/boom/")
    html = response.content.decode()
    assert response.status_code == 500
    assert "<h1>Đã xảy ra lỗi</h1>" in html and 'id="language-switcher"' in html


@pytest.mark.urls("tests.pilots.error_urls")
def test_a_refused_page_is_a_translated_403():
    response = _client("th").get("/forbidden/")
    assert response.status_code == 403
    assert "<h1>ไม่มีสิทธิ์เข้าถึง</h1>" in response.content.decode()
