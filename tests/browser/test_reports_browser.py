"""The cohort report in real Chromium: no CSP violations, charts drawn, an A4 print layout."""

import re

import pytest

from tests.factories import AttendanceFactory, CohortFactory, EnrolmentFactory, SessionFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_cohort_report_renders_and_prints_on_a4(page, live_server, django_user_model):
    cohort = CohortFactory(code="kh-print")
    session = SessionFactory(cohort=cohort, title="Opening")
    for _ in range(3):
        AttendanceFactory(enrolment=EnrolmentFactory(cohort=cohort), session=session)
    django_user_model.objects.create_superuser("boss", "boss@example.org", "pw-boss-1234")
    errors = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    missing = []
    page.on("response", lambda r: missing.append(r.url) if r.status == 404 else None)
    page.goto("/accounts/login/?next=/reports/cohorts/kh-print/")
    page.fill("input[name=username]", "boss")
    page.fill("input[name=password]", "pw-boss-1234")
    page.click("main button[type=submit]")
    page.wait_for_url("**/reports/cohorts/kh-print/")
    assert page.locator("h1").inner_text() == cohort.name
    assert page.locator("svg#attendance-chart, svg[aria-labelledby^='attendance-chart']").count() == 1
    assert page.locator("svg[aria-labelledby^='attendance-chart'] rect").count() >= 1
    assert [u for u in missing if not u.endswith("/favicon.ico")] == []
    assert [e for e in errors if "404" not in e] == []  # no Content-Security-Policy violations
    page.emulate_media(media="print")
    assert not page.locator("header").is_visible()  # navigation hidden on paper
    assert not page.locator("text=Download the roster").is_visible()
    pdf = page.pdf(prefer_css_page_size=True)  # the size comes from our @page rule
    assert pdf.startswith(b"%PDF") and re.search(rb"/MediaBox \[0 0 59[45]", pdf)  # A4: 595 x 842 points
