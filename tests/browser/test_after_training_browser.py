"""After the training, in real Chromium: a teacher who completed downloads the certificate from
the status page and a second browser opens the verification page printed with the QR code; a
survey answered on a phone without JavaScript in each language appears in the report."""

import re
import shutil
import subprocess

import pytest
from django.urls import reverse

from pilots.certificates.services import issue_certificates
from pilots.choices import Language, NameOrder
from pilots.status_links import make_registration_token
from pilots.surveys.models import Response, SurveyKind
from pilots.surveys.services import create_default_surveys
from tests.factories import CohortFactory, EnrolmentFactory, ModuleFactory, SessionFactory, completed_enrolment

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_teacher_downloads_the_certificate_and_another_browser_verifies_it(page, chromium, live_server, settings,
                                                                           tmp_path):
    if not shutil.which("pdftotext"):
        pytest.skip("pdftotext (poppler-utils) is not installed")
    settings.PILOTS_SITE_URL = live_server.url
    cohort = CohortFactory(name="វគ្គបណ្តុះបណ្តាលគ្រូ បាត់ដំបង")
    ModuleFactory(programme=cohort.programme)
    SessionFactory(cohort=cohort)
    enrolment = completed_enrolment(cohort, family_name="ស្រី", given_name="ព្រះក្សត្រី",
                                    name_order=NameOrder.FAMILY_FIRST, preferred_language=Language.KHMER)
    issue_certificates(cohort_id=cohort.pk)

    page.goto(reverse("registration:my_registration", args=[make_registration_token(enrolment)]))
    with page.expect_download() as download:
        page.locator("#certificate a[download]").click()
    path = tmp_path / "certificate.pdf"
    download.value.save_as(path)
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    assert "ស្រី ព្រះក្សត្រី" in text.splitlines()
    # The address printed under the QR code is the one the QR code encodes (the same string).
    (url,) = re.findall(r"https?://\S+/certificates/[A-Z0-9-]+/", text)

    other = chromium.new_context()
    try:
        verifier = other.new_page()
        verifier.goto(url)
        assert verifier.locator("#verdict").inner_text().strip() == "This certificate is valid."
        assert "ស្រី ព្រះក្សត្រី" in verifier.locator("main").inner_text()
        assert enrolment.teacher.email not in verifier.content()
    finally:
        other.close()


@pytest.mark.parametrize("language", ["km", "th", "vi", "en"])
def test_a_survey_answered_on_a_phone_without_javascript_appears_in_the_report(chromium, live_server, language,
                                                                              staff_client):
    import datetime as dt

    from django.utils import timezone

    end = timezone.localdate() - dt.timedelta(days=1)
    cohort = CohortFactory(start_date=end - dt.timedelta(days=2), end_date=end)
    create_default_surveys(programme=cohort.programme, follow_up_months=())
    survey = cohort.programme.surveys.get(kind=SurveyKind.REACTION)
    enrolment = EnrolmentFactory(cohort=cohort, language=language, teacher__preferred_language=language)
    phone = chromium.new_context(base_url=live_server.url, locale=language, java_script_enabled=False,
                                 viewport={"width": 360, "height": 740}, is_mobile=True, has_touch=True)
    try:
        page = phone.new_page()
        page.goto(reverse("registration:my_registration", args=[make_registration_token(enrolment)]))
        assert page.locator("html").get_attribute("lang") == language
        page.locator("#surveys a").first.click()
        questions = list(survey.questions.all())
        assert page.locator("legend").first.inner_text().startswith(
            getattr(questions[0], f"text_{language}") or questions[0].text_en)
        page.locator(f"input[name=q{questions[0].pk}][value='5']").check()
        page.locator(f"input[name=q{questions[1].pk}][value='4']").check()
        page.locator(f"textarea[name=q{questions[2].pk}]").fill("ល្អ ดีมาก tốt")
        page.locator("#survey-form button[type=submit]").click()
        assert page.locator("h1").count() == 1 and "#surveys" not in page.content()
    finally:
        phone.close()
    assert Response.objects.get().language == language
    html = staff_client.get(reverse("surveys:report", args=[survey.pk])).content.decode()
    assert "100 %" in html and "ល្អ ดีมาก tốt" in html
