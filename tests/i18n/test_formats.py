"""Dates as each country writes them: Buddhist Era years for Thai readers (pages and emails), never
for Cambodian dates; Khmer March is មីនា; Vietnamese "ngày" in lower case inside a sentence."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import translation

from pilots.i18n.dates import format_date
from pilots.notifications import registration_link_requested
from tests.factories import EnrolmentFactory, OpenCohortFactory

pytestmark = pytest.mark.django_db

START = dt.date(2026, 3, 19)


def _cohort(**kwargs):
    return OpenCohortFactory(start_date=START, end_date=START + dt.timedelta(days=2), year=2026, **kwargs)


def _page(client, cohort, language):
    client.cookies["django_language"] = language
    return client.get(reverse("registration:cohort_detail", args=[cohort.code])).content.decode()


def test_thai_pages_show_buddhist_era_years(client):
    html = _page(client, _cohort(country="TH", language="th"), "th")
    assert "19 มีนาคม 2569" in html and "21 มีนาคม 2569" in html
    assert "2026" not in html.split("<main")[1].split("</main>")[0]


def test_khmer_pages_keep_common_era_years_and_spell_march_mina(client):
    html = _page(client, _cohort(), "km")
    assert "19 ខែមីនា ឆ្នាំ 2026" in html
    assert "មិនា" not in html and "2569" not in html  # no Thai arithmetic on Cambodian dates


def test_vietnamese_dates_do_not_capitalise_ngay_mid_sentence(client):
    html = _page(client, _cohort(country="VN", language="vi"), "vi")
    assert "ngày 19 tháng 3 năm 2026" in html
    assert "Ngày 19" not in html and "Ngày 21" not in html


def test_thai_emails_show_buddhist_era_years(mailoutbox, django_capture_on_commit_callbacks):
    cohort = _cohort(country="TH", language="th")
    enrolment = EnrolmentFactory(cohort=cohort, language="th", teacher__preferred_language="th")
    with django_capture_on_commit_callbacks(execute=True):
        registration_link_requested(enrolment_id=enrolment.pk)
    body = mailoutbox[-1].body
    assert "19 มีนาคม 2569" in body and "2026" not in body.split("http")[0]


def test_the_buddhist_era_is_added_for_thai_only_and_escapes_are_kept():
    with translation.override("th"):
        assert format_date(START) == "19 มีนาคม 2569"
        assert format_date(START, buddhist_era=False) == "19 มีนาคม 2026"
    for language in ("en", "km", "vi"):
        with translation.override(language):
            assert "2026" in format_date(START) and "2569" not in format_date(START)
