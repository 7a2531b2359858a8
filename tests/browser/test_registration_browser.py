"""Teachers register in real Chromium: in Khmer, with errors, into a full cohort, withdrawing,
without JavaScript; axe-core finds no WCAG 2.1 A/AA violation; the form page stays under 100 KB."""

import re

import pytest

from pilots.choices import CohortKind, EnrolmentStatus
from pilots.models import Enrolment
from tests.factories import EnrolmentFactory, OpenCohortFactory

from .support import WeightRecorder, assert_accessible, fill_registration

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


KHMER = re.compile("[\u1780-\u17ff]")


def khmer_cohort(**kwargs):
    defaults = {"code": "kh-2026", "name": "វគ្គបណ្តុះបណ្តាលគ្រូ ភ្នំពេញ", "country": "KH", "language": "km"}
    return OpenCohortFactory(**{**defaults, **kwargs})


def choose_language(page, code):
    """Use the language switcher in the header (a real form post; the choice then sticks)."""
    page.select_option("#language-switcher", code)
    page.locator("#language-switcher").locator("xpath=..").locator("button[type=submit]").click()


def test_a_teacher_registers_in_khmer_and_sees_the_khmer_confirmation(page):
    cohort = khmer_cohort(capacity=5)
    page.goto("/cohorts/")
    choose_language(page, "km")
    assert page.locator("html").get_attribute("lang") == "km"
    assert page.locator("h1").inner_text() == "វគ្គបណ្តុះបណ្តាល ដែលកំពុងបើកចុះឈ្មោះ"

    page.get_by_role("link", name=cohort.name).first.click()
    page.get_by_role("link", name="ចុះឈ្មោះចូលរួមវគ្គបណ្តុះបណ្តាលនេះ").click()
    assert page.get_by_label("នាមត្រកូល").first.is_visible()
    fill_registration(page, family="ឧកញ៉ាសុវណ្ណារាជ", given="ចន្ទ្រាមុនីរតនា")
    page.get_by_role("button", name="ចុះឈ្មោះ", exact=True).click()

    assert page.locator("h1").inner_text() == "លោកអ្នកបានចុះឈ្មោះរួចរាល់"
    assert "ការចូលរួមរបស់លោកអ្នក ត្រូវបានបញ្ជាក់ហើយ" in page.locator("main").inner_text()
    enrolment = Enrolment.objects.get()
    assert enrolment.status == EnrolmentStatus.CONFIRMED and enrolment.language == "km"
    assert page.locator("#reference").inner_text() == enrolment.reference
    # The Khmer text is drawn with our self-hosted Noto Sans Khmer subset.
    page.evaluate("document.fonts.ready")
    assert page.evaluate("document.fonts.check('16px \"Pilots Khmer\"', 'ក')")
    assert page.evaluate(
        "[...document.fonts].some(f => f.family.includes('Pilots Khmer') && f.status === 'loaded')"
    )

    # The status page keeps the language and shows the long Khmer name whole, never cut on a phone.
    page.set_viewport_size({"width": 320, "height": 640})
    page.get_by_role("link", name="ការចុះឈ្មោះរបស់ខ្ញុំ").click()
    assert page.locator("html").get_attribute("lang") == "km"
    name = page.locator("dd.name")
    assert "ឧកញ៉ាសុវណ្ណារាជ" in name.inner_text() and "ចន្ទ្រាមុនីរតនា" in name.inner_text()
    assert page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth")
    assert name.evaluate("e => e.scrollWidth <= e.clientWidth")


def test_a_teacher_on_an_english_phone_keeps_english_until_choosing_the_cohorts_language(page):
    cohort = khmer_cohort()
    page.goto("/cohorts/")  # the browser asks for English (en-GB)
    page.get_by_role("link", name=cohort.name).first.click()
    assert page.locator("html").get_attribute("lang") == "en"  # no change between list and cohort
    page.get_by_role("link", name="Register for this training").click()
    assert page.locator("h1").inner_text().startswith("Register:")
    # The cohort's language is offered; choosing it sticks on the next page.
    page.get_by_role("button", name="Read this page in ភាសាខ្មែរ").click()
    assert page.locator("html").get_attribute("lang") == "km"
    assert KHMER.search(page.locator("h1").inner_text())
    page.goto(f"/cohorts/{cohort.code}/")
    assert page.locator("html").get_attribute("lang") == "km"


def test_errors_are_shown_next_to_their_fields(page):
    cohort = khmer_cohort(country="TH", language="th", code="th-2026", name="Bangkok teachers")
    page.goto("/cohorts/")
    choose_language(page, "en")
    page.goto(f"/cohorts/{cohort.code}/register/")
    page.fill("#id_email", "not-an-email")
    page.fill("#id_phone", "12")
    page.get_by_role("button", name="Register", exact=True).click()

    assert page.locator("#form-errors h2").inner_text() == "Please correct the following:"
    page.wait_for_function("document.activeElement && document.activeElement.id === 'form-errors'")
    for field, message in [
        ("family_name", "This field is required."),
        ("email", "Enter a valid email address."),
        ("phone", "Enter a valid phone number, for example"),
        ("consent", "Please tick the box to agree to the privacy notice."),
    ]:
        field_input = page.locator(f"#id_{field}")
        assert field_input.get_attribute("aria-invalid") == "true", field
        # The message sits in the field's own block, and the input points at it for screen readers.
        assert message in page.locator(f"#div_id_{field}").inner_text(), field
    assert "id_email_error" in page.locator("#id_email").get_attribute("aria-describedby")
    assert page.locator("#id_email").input_value() == "not-an-email"  # what was typed is kept
    assert not Enrolment.objects.exists()


def test_registering_into_a_full_cohort_puts_the_teacher_on_the_waiting_list(page):
    cohort = khmer_cohort(capacity=1)
    EnrolmentFactory(cohort=cohort, status=EnrolmentStatus.CONFIRMED)
    page.goto("/cohorts/")
    choose_language(page, "km")
    page.goto(f"/cohorts/{cohort.code}/")
    assert "ពេញ៖ បញ្ជីរង់ចាំ" in page.locator("main").inner_text()
    page.goto(f"/cohorts/{cohort.code}/register/")
    fill_registration(page, email="late@example.org")
    page.locator("form[method=post] button[type=submit].btn-lg").click()

    assert page.locator("h1").inner_text() == "លោកអ្នកស្ថិតក្នុងបញ្ជីរង់ចាំ"
    assert "ស្ថិតក្នុងបញ្ជីរង់ចាំ" in page.locator("[role=status]").inner_text()
    assert page.locator("#waitlist-position").inner_text().startswith("លោកអ្នកស្ថិតនៅលេខ 1")
    assert Enrolment.objects.get(teacher__email="late@example.org").status == EnrolmentStatus.WAITLISTED


def test_a_teacher_withdraws_from_the_status_page_and_the_waiting_list_moves_up(page, mailoutbox):
    cohort = khmer_cohort(capacity=1)
    page.goto("/cohorts/")
    choose_language(page, "en")
    page.goto(f"/cohorts/{cohort.code}/register/")
    fill_registration(page, email="first@example.org")
    page.get_by_role("button", name="Register", exact=True).click()
    page.get_by_role("link", name="My registration").click()
    waiting = EnrolmentFactory(cohort=cohort, status=EnrolmentStatus.WAITLISTED)

    assert page.locator("#status").inner_text() == "Confirmed"
    page.get_by_role("link", name="Withdraw from this training").click()
    assert "next teacher on the waiting list" in page.locator("#withdraw-consequence").inner_text()
    page.get_by_role("button", name="Yes, withdraw").click()

    assert page.locator("#status").inner_text() == "Withdrawn"
    assert "You have withdrawn" in page.locator("main").inner_text()
    assert page.get_by_role("link", name="Withdraw from this training").count() == 0
    waiting.refresh_from_db()
    assert waiting.status == EnrolmentStatus.CONFIRMED


def test_registration_works_without_javascript(chromium, live_server):
    cohort = khmer_cohort(country="VN", language="vi", code="vn-2026", name="Khóa Hà Nội")
    context = chromium.new_context(base_url=live_server.url, java_script_enabled=False, locale="en-GB")
    try:
        page = context.new_page()
        page.goto("/cohorts/")
        assert page.locator("h1").inner_text() == "Trainings open for registration"
        choose_language(page, "vi")  # the switcher is a plain form: no script needed
        assert page.locator("h1").inner_text() == "Các khóa tập huấn đang mở đăng ký"
        page.goto(f"/cohorts/{cohort.code}/register/")
        fill_registration(page, country="VN", family="Nguyễn", given="Thị Lan", email="lan@example.org")
        page.get_by_role("button", name="Đăng ký", exact=True).click()
        assert page.locator("h1").inner_text() == "Thầy/Cô đã đăng ký thành công"
        enrolment = Enrolment.objects.select_related("teacher").get()
        assert enrolment.teacher.given_name == "Thị Lan" and enrolment.language == "vi"
    finally:
        context.close()


def test_pages_teachers_use_have_no_wcag_21_aa_violations(page):
    cohort = khmer_cohort(capacity=3)
    page.goto("/cohorts/")
    choose_language(page, "km")
    assert_accessible(page, "the list of open cohorts")
    page.goto(f"/cohorts/{cohort.code}/")
    assert_accessible(page, "the cohort page")
    page.goto(f"/cohorts/{cohort.code}/register/")
    assert_accessible(page, "the registration form")
    page.locator("form[method=post] button[type=submit].btn-lg").click()
    assert page.locator("#form-errors").is_visible()
    assert_accessible(page, "the registration form with errors")
    fill_registration(page)
    page.locator("form[method=post] button[type=submit].btn-lg").click()
    assert page.locator("#reference").is_visible()
    assert_accessible(page, "the confirmation page")
    page.goto(page.get_by_role("link", name="ការចុះឈ្មោះរបស់ខ្ញុំ").get_attribute("href"))
    assert_accessible(page, "the status page")

    # In English, the cohort page offers its own language; a full cohort's form offers the waiting list.
    EnrolmentFactory.create_batch(2, cohort=cohort, status=EnrolmentStatus.CONFIRMED)
    choose_language(page, "en")
    page.goto(f"/cohorts/{cohort.code}/")
    assert page.get_by_role("button", name="Read this page in ភាសាខ្មែរ").is_visible()
    assert_accessible(page, "the cohort page in English")
    page.goto(f"/cohorts/{cohort.code}/register/")
    assert page.get_by_role("button", name="Join the waiting list").is_visible()
    assert_accessible(page, "the form of a full cohort")


@pytest.mark.parametrize("language", ["km", "th", "vi", "en"])
def test_the_registration_page_weighs_at_most_100_kb_compressed(page, live_server, language):
    """HTML, CSS and fonts of the form page, text gzip-compressed, fonts as sent (woff2)."""
    country = {"km": "KH", "th": "TH", "vi": "VN", "en": ""}[language]
    kind = {"kind": CohortKind.REGIONAL} if not country else {}
    name = {"km": "វគ្គបណ្តុះបណ្តាលគ្រូ", "th": "การอบรมครู", "vi": "Khóa tập huấn", "en": "Regional"}[language]
    cohort = khmer_cohort(
        country=country, language=language, code=f"weight-{language}", name=name, venue=name, **kind
    )
    # The language cookie of a teacher who chose it (set directly: a page visited first would fill
    # the browser's cache with the fonts this test weighs).
    page.context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])
    recorder = WeightRecorder(page)
    page.goto(f"/cohorts/{cohort.code}/register/")
    page.evaluate("document.fonts.ready")
    page.wait_for_load_state("networkidle")
    sizes = recorder.sizes()
    total = sum(wire for _raw, wire in sizes.values())
    report = {url.rsplit("/", 1)[-1] or url: wire for url, (_raw, wire) in sizes.items()}
    assert any(url.endswith("bootstrap.min.css") for url in sizes), report
    fonts = sorted(url.rsplit("/", 1)[-1] for url in sizes if url.endswith(".woff2"))
    if language == "km":
        assert fonts and all(font.startswith("NotoSansKhmer") for font in fonts), report
    elif language == "th":
        assert fonts and all(font.startswith("NotoSansThai") for font in fonts), report
    elif language == "vi":  # Latin script uses the system's fonts: no download at all
        assert fonts == [], report
    else:
        # A regional form lists Cambodian and Thai provinces in their own script as well: Chromium
        # may fetch those subsets (or not, depending on when it lays out the closed <select>).
        assert all(font.startswith(("NotoSansKhmer", "NotoSansThai")) for font in fonts), report
    assert total <= 100 * 1024, f"{total} bytes over the wire: {report}"
