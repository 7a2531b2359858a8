"""A regional form follows the teacher's country as soon as a province is picked: names in that
country's order, its phone example and hint, its labels; without a request, under the CSP, and the
same after a POST with or without JavaScript."""

import pytest

from pilots.choices import CohortKind
from pilots.models import Enrolment, Province
from tests.factories import OpenCohortFactory

from .support import PHONES, assert_accessible, fill_registration

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"viewport": {"width": 360, "height": 740}, "is_mobile": True, "has_touch": True}


def regional_cohort():
    return OpenCohortFactory(kind=CohortKind.REGIONAL, country="", language="en", code="reg-2026",
                             name="Regional train-the-trainer")


def province(code) -> str:
    return str(Province.objects.get(code=code).pk)


def first_of(page, one, other) -> str:
    """Which of two fields comes first in the page as it stands (what a teacher reads and tabs
    through); read from the serialised DOM, which works with JavaScript off too."""
    html = page.content()
    return one if html.index(f'id="{one}"') < html.index(f'id="{other}"') else other


def hint(page) -> str:
    return page.locator("#id_phone_helptext").inner_text()


def test_picking_a_province_changes_name_order_and_phone_hint_at_once(chromium, live_server):
    cohort = regional_cohort()
    context = chromium.new_context(base_url=live_server.url, locale="en-GB", **PHONE)
    context.set_default_timeout(15_000)
    try:
        page = context.new_page()
        console = []
        page.on("console", lambda msg: console.append(msg.text) if msg.type in ("error", "warning") else None)
        page.goto(f"/cohorts/{cohort.code}/register/")
        requests = []
        page.on("request", lambda r: r.resource_type in ("document", "xhr", "fetch") and requests.append(r.url))

        # Before a province is chosen: every country's example, the family name first.
        assert all(prefix in hint(page) for prefix in ("+855", "+66", "+84"))
        assert first_of(page, "id_family_name", "id_given_name") == "id_family_name"
        assert first_of(page, "id_province", "id_family_name") == "id_province"  # asked first

        page.select_option("#id_province", province("TH-10"))  # Bangkok
        assert first_of(page, "id_family_name", "id_given_name") == "id_given_name"
        assert first_of(page, "id_family_name_latin", "id_given_name_latin") == "id_given_name_latin"
        assert "+66" in hint(page) and "+855" not in hint(page) and "+84" not in hint(page)
        assert page.get_attribute("#id_phone", "placeholder").startswith("+66")
        assert page.locator("#id_nickname").is_visible()  # customary in Thailand

        page.select_option("#id_province", province("KH-12"))  # Phnom Penh
        assert first_of(page, "id_family_name", "id_given_name") == "id_family_name"
        assert "+855" in hint(page) and "+66" not in hint(page)
        assert page.get_attribute("#id_phone", "placeholder").startswith("+855")
        assert not page.locator("#id_nickname").is_visible()
        assert page.get_by_label("Given name", exact=False).first.is_visible()

        page.select_option("#id_province", province("VN-HN"))  # Hà Nội
        assert first_of(page, "id_family_name", "id_given_name") == "id_family_name"
        assert "+84" in hint(page) and "+855" not in hint(page)
        assert page.locator("label[for=id_given_name]").inner_text().startswith("Middle and given name")

        assert requests == [], "the form changed through a request, not in the page"
        assert not [text for text in console if "Content Security Policy" in text], console
        assert_accessible(page, "a regional form after choosing a province")

        # The values typed move with their fields, and the server agrees after a POST.
        page.select_option("#id_province", province("TH-10"))
        fill_registration(page, country="KH", family="ศรีสวัสดิ์", given="สมหญิง", email="somying@example.org")
        page.select_option("#id_province", province("TH-10"))  # fill_registration picked Phnom Penh
        page.fill("#id_phone", "12")
        page.get_by_role("button", name="Register", exact=True).click()
        assert page.locator("#form-errors").is_visible()
        assert first_of(page, "id_family_name", "id_given_name") == "id_given_name"
        assert "+66" in hint(page) and "+855" not in hint(page)
        assert page.input_value("#id_given_name") == "สมหญิง"
        page.fill("#id_phone", PHONES["TH"])
        page.get_by_role("button", name="Register", exact=True).click()
        page.wait_for_selector("#reference")
        teacher = Enrolment.objects.get().teacher
        assert (teacher.given_name, teacher.family_name, teacher.name_order) == ("สมหญิง", "ศรีสวัสดิ์", "given_first")
        assert str(teacher.phone) == "+66812345678"
    finally:
        context.close()


def test_without_javascript_the_hints_follow_the_province_after_a_post(chromium, live_server):
    cohort = regional_cohort()
    context = chromium.new_context(base_url=live_server.url, locale="en-GB", java_script_enabled=False, **PHONE)
    context.set_default_timeout(15_000)
    try:
        page = context.new_page()
        page.goto(f"/cohorts/{cohort.code}/register/")
        fill_registration(page, country="KH", family="ศรีสวัสดิ์", given="สมหญิง", email="somying@example.org")
        page.select_option("#id_province", province("TH-10"))
        page.fill("#id_phone", "12")
        page.get_by_role("button", name="Register", exact=True).click()
        assert first_of(page, "id_family_name", "id_given_name") == "id_given_name"
        assert "+66" in hint(page) and "+855" not in hint(page)
        assert page.get_attribute("#id_phone", "placeholder").startswith("+66")
        assert page.locator("#id_nickname").is_visible()

        page.select_option("#id_province", province("KH-12"))  # no script: nothing changes yet
        page.fill("#id_phone", "1")
        page.get_by_role("button", name="Register", exact=True).click()
        assert first_of(page, "id_family_name", "id_given_name") == "id_family_name"
        assert "+855" in hint(page) and "+66" not in hint(page)
        assert not page.locator("#id_nickname").is_visible()
    finally:
        context.close()
