"""Module titles, cohort names, venues and organisers in the reader's language, English (marked
lang="en") where staff have not translated them yet, at no extra query."""

import re

import pytest
from django.urls import reverse

from tests.factories import ModuleFactory, OpenCohortFactory, SessionFactory

pytestmark = pytest.mark.django_db


def _get(client, url, language):
    client.cookies["django_language"] = language
    return client.get(url).content.decode()


def test_the_cohort_page_shows_module_titles_and_the_cohort_in_the_readers_language(client):
    cohort = OpenCohortFactory(name="Takeo in-service", name_km="វគ្គបណ្តុះបណ្តាល តាកែវ",
                               venue="Teacher-training centre", venue_km="មជ្ឈមណ្ឌលគរុកោសល្យ")
    ModuleFactory(programme=cohort.programme, title="Risk factors", title_km="កត្តាហានិភ័យ", order=1)
    ModuleFactory(programme=cohort.programme, title="Capstone", order=2)  # not translated yet

    html = _get(client, reverse("registration:cohort_detail", args=[cohort.code]), "km")
    assert re.search(r"<h1>\s*វគ្គបណ្តុះបណ្តាល តាកែវ</h1>", html)
    assert "<strong>កត្តាហានិភ័យ</strong>" in html
    assert "មជ្ឈមណ្ឌលគរុកោសល្យ" in html
    # The untranslated title falls back to English, marked as English for screen readers.
    assert '<strong lang="en">Capstone</strong>' in html

    english = _get(client, reverse("registration:cohort_detail", args=[cohort.code]), "en")
    assert "<strong>Risk factors</strong>" in english and 'lang="en"' not in english.split("<main")[1]


def test_the_open_cohorts_list_shows_names_in_the_readers_language_with_english_marked(client):
    OpenCohortFactory(name="Chiang Mai teachers", name_th="การอบรมครู เชียงใหม่", country="TH", language="th")
    OpenCohortFactory(name="Hue teachers", country="VN", language="vi")
    html = _get(client, reverse("registration:open_cohorts"), "th")
    assert "การอบรมครู เชียงใหม่" in html
    assert re.search(r'<h2 class="h4 card-title" lang="en"><a [^>]+>Hue teachers</a>', html)


@pytest.mark.parametrize("size", [1, 8])
def test_translated_content_costs_no_extra_query(client, django_assert_num_queries, size):
    cohort = OpenCohortFactory(name_th="การอบรม")
    for index in range(size):
        module = ModuleFactory(programme=cohort.programme, title_th=f"หน่วย {index}")
        SessionFactory(cohort=cohort, module=module, title_th=f"ช่วงที่ {index}")
    client.cookies["django_language"] = "th"
    # As in English: the cohort's row, then (the page not yet cached) the cohort, its team, modules,
    # sessions; and its seats.
    with django_assert_num_queries(6):
        response = client.get(reverse("registration:cohort_detail", args=[cohort.code]))
    assert response.content.decode().count("<li><strong>หน่วย") == size
    with django_assert_num_queries(2):  # the list (not cached yet), the seats
        client.get(reverse("registration:open_cohorts"))


def test_each_session_of_a_regional_cohort_says_where_it_meets(client):
    cohort = OpenCohortFactory(kind="regional_tot", country="", language="en", is_online=True,
                               venue="Online and Bangkok")
    SessionFactory(cohort=cohort, title="Framework of Analysis", mode="online", venue="")
    SessionFactory(cohort=cohort, title="Capstone", mode="in_person", venue="Bangkok", venue_th="กรุงเทพฯ")
    html = _get(client, reverse("registration:cohort_detail", args=[cohort.code]), "th")
    assert re.search(r"Framework of Analysis</span> \([^)<]+\)</li>", html)  # online: no place
    assert '<span class="session-venue">กรุงเทพฯ</span>' in html
    assert "Online and Bangkok" in html  # the cohort's facts name both, not only "Online"
