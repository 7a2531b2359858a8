"""Each language on a 360 px phone, in real Chromium: the list, the cohort page with its module
titles in the language, the form (names in the country's order, the error summary taking focus,
the email typo hint), the confirmation, "My registration", withdrawing with a confirmation step,
and a cut-off link landing on a 404 in the language; axe-core finds nothing on any of them."""

import pytest
from django.utils import translation
from django.utils.translation import gettext

from pilots.choices import EnrolmentStatus
from pilots.models import Enrolment
from tests.factories import ModuleFactory, OpenCohortFactory

from .support import assert_accessible, fill_registration

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 360, "height": 740}
CASES = {
    # language: (country, cohort name, module titles in the language, family, given)
    "km": ("KH", "វគ្គបណ្តុះបណ្តាលគ្រូ តាកែវ", ("កត្តាហានិភ័យ", "ពាក្យសម្តីញុះញង់ឱ្យស្អប់"), "សុខ", "ចាន់ថា"),
    "th": ("TH", "การอบรมครู เชียงใหม่", ("ปัจจัยเสี่ยง", "ประทุษวาจา"), "ศรีสุวรรณ", "สมศรี"),
    "vi": ("VN", "Khóa tập huấn giáo viên Huế", ("Các yếu tố nguy cơ", "Ngôn từ thù hận"), "Nguyễn", "Thị Lan"),
    "en": ("KH", "Takeo teachers", ("Risk factors", "Hate speech"), "Sok", "Chantha"),
}


def _in(language, message):
    with translation.override(language):
        return str(gettext(message)) if isinstance(message, str) else str(message)


def _choose(page, code):
    page.select_option("#language-switcher", code)
    page.locator("#language-switcher").locator("xpath=..").locator("button[type=submit]").click()


def _fits_the_phone(page):
    return page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth")


@pytest.mark.parametrize("language", list(CASES))
def test_a_teacher_walks_the_whole_path_in_their_language_on_a_phone(page, language):
    country, name, titles, family, given = CASES[language]
    cohort = OpenCohortFactory(country=country, language=language if language != "en" else "km",
                               code=f"walk-{language}", **{"name": "Takeo teachers", f"name_{language}": name})
    for order, title in enumerate(titles):
        ModuleFactory(programme=cohort.programme, order=order, title=f"Module {order}",
                      **{f"title_{language}": title})
    page.set_viewport_size(PHONE)

    page.goto("/cohorts/")
    _choose(page, language)
    assert page.locator("html").get_attribute("lang") == language
    assert page.locator("h1").inner_text() == _in(language, "Trainings open for registration")
    assert _fits_the_phone(page)
    assert_accessible(page, f"the list in {language}")
    # The language switcher is a tap target of at least 44 x 44 px.
    for target in ("#language-switcher", "#language-switcher + button"):
        box = page.locator(target).bounding_box()
        assert box["height"] >= 44 and box["width"] >= 44, target

    page.get_by_role("link", name=name).first.click()
    main = page.locator("main").inner_text()
    assert all(title in main for title in titles)
    assert_accessible(page, f"the cohort page in {language}")

    page.locator(f"a[href='/cohorts/{cohort.code}/register/']").first.click()
    family_y = page.locator("#id_family_name").bounding_box()["y"]
    given_y = page.locator("#id_given_name").bounding_box()["y"]
    assert (given_y < family_y) if country == "TH" else (family_y < given_y)
    for label in page.locator(".form-check-label").all():  # radios and checkboxes
        box = label.bounding_box()
        assert box["height"] >= 44 and box["width"] >= 44, label.inner_text()
    assert_accessible(page, f"the form in {language}")

    # A missing name and a mistyped email: the summary at the top takes focus and links each field.
    fill_registration(page, country=country, family="", given=given, email="teacher@gmial.com")
    page.locator("form[method=post] button[type=submit].btn-lg").click()
    page.locator("#form-errors").wait_for()  # it takes focus by autofocus, no script of ours
    page.wait_for_function("document.activeElement && document.activeElement.id === 'form-errors'")
    summary = page.locator("#form-errors")
    assert summary.locator("a[href='#id_family_name']").count() == 1
    assert "teacher@gmail.com" in summary.inner_text()
    assert _fits_the_phone(page)
    assert_accessible(page, f"the form with errors in {language}")
    summary.locator("a[href='#id_family_name']").click()
    page.wait_for_function("document.activeElement && document.activeElement.id === 'id_family_name'")
    page.fill("#id_family_name", family)
    page.locator("button[name=email_suggestion][value=accept]").click()

    assert page.locator("#reference").is_visible()
    enrolment = Enrolment.objects.select_related("teacher").get()
    assert enrolment.teacher.email == "teacher@gmail.com" and enrolment.language == language
    assert_accessible(page, f"the confirmation in {language}")

    page.locator("main a.btn-outline-primary").click()
    status_url = page.url
    assert page.locator("#status").inner_text() == _in(language, EnrolmentStatus.CONFIRMED.label)
    assert_accessible(page, f"My registration in {language}")

    page.locator("main a.btn-outline-danger").click()
    assert page.locator("#withdraw-consequence").is_visible()
    assert_accessible(page, f"the withdrawal step in {language}")
    enrolment.refresh_from_db()
    assert enrolment.status == EnrolmentStatus.CONFIRMED  # nothing happened yet
    page.locator("form button.btn-danger").click()
    assert page.locator("#status").inner_text() == _in(language, EnrolmentStatus.WITHDRAWN.label)

    # A link cut off in an email or a chat app lands on a 404 in the teacher's language.
    response = page.goto(status_url.rstrip("/")[:-6] + "/")
    assert response.status == 404
    assert page.locator("html").get_attribute("lang") == language
    assert page.locator("h1").inner_text() == _in(language, "Page not found")
    assert page.locator("main a[href='/cohorts/']").count() == 1
    assert_accessible(page, f"the 404 page in {language}")
