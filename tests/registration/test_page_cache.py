"""The public cohort pages come from a cache keyed by language and data version: a registration,
a withdrawal or a change to the cohort shows at once, in every language."""

import pytest
from django.urls import reverse

from pilots.enrolment import withdraw_enrolment
from pilots.models import Cohort, Enrolment
from tests.factories import OpenCohortFactory
from tests.registration.helpers import registration_data

pytestmark = pytest.mark.django_db

SEATS = {"en": "{} seats left", "km": "នៅសល់ {} កន្លែង"}


def _pages(cohort):
    return [reverse("registration:open_cohorts"), reverse("registration:cohort_detail", args=[cohort.code])]


def _get(client, url, language):
    client.cookies["django_language"] = language
    return client.get(url).content.decode()


def _register(client, cohort, email, django_capture_on_commit_callbacks):
    client.cookies["django_language"] = "en"
    with django_capture_on_commit_callbacks(execute=True):  # the data version moves on commit
        response = client.post(reverse("registration:register", args=[cohort.code]),
                               registration_data(cohort, email=email))
    assert response.status_code == 302


@pytest.mark.parametrize("language", ["en", "km"])
def test_seats_left_are_never_stale_after_a_registration(client, language, django_capture_on_commit_callbacks):
    cohort = OpenCohortFactory(capacity=5)
    for url in _pages(cohort):
        assert SEATS[language].format(5) in _get(client, url, language)
        assert SEATS[language].format(5) in _get(client, url, language)  # now from the cache
    _register(client, cohort, "first@example.org", django_capture_on_commit_callbacks)
    for url in _pages(cohort):
        page = _get(client, url, language)
        assert SEATS[language].format(4) in page and SEATS[language].format(5) not in page


def test_each_language_has_its_own_cached_page(client):
    cohort = OpenCohortFactory(capacity=5)
    for url in _pages(cohort):
        assert "5 seats left" in _get(client, url, "en")
        khmer = _get(client, url, "km")  # not the English page from the cache
        assert "នៅសល់ 5 កន្លែង" in khmer and "5 seats left" not in khmer
        assert "5 seats left" in _get(client, url, "en")


def test_a_withdrawal_and_a_cohort_change_show_at_once(client, django_capture_on_commit_callbacks):
    cohort = OpenCohortFactory(capacity=2)
    _register(client, cohort, "first@example.org", django_capture_on_commit_callbacks)
    detail = _pages(cohort)[1]
    assert "1 seat left" in _get(client, detail, "en")
    with django_capture_on_commit_callbacks(execute=True):
        withdraw_enrolment(enrolment=Enrolment.objects.get(cohort=cohort))
    assert "2 seats left" in _get(client, detail, "en")
    # A change through the admin or a staff page marks data changed in its transaction.
    from pilots import data_version

    with django_capture_on_commit_callbacks(execute=True):
        Cohort.objects.filter(pk=cohort.pk).update(capacity=7)
        data_version.data_changed()
    assert "7 seats left" in _get(client, detail, "en")


def test_the_language_button_keeps_each_visitors_own_csrf_token(client):
    cohort = OpenCohortFactory(language="km")
    detail = _pages(cohort)[1]
    first = _get(client, detail, "en")
    other = client.__class__()
    other.cookies["django_language"] = "en"
    second = other.get(detail).content.decode()

    def token(html):
        return html.split('name="csrfmiddlewaretoken" value="', 1)[1].split('"', 1)[0]

    assert token(first) != token(second)
    assert client.cookies["csrftoken"].value != other.cookies["csrftoken"].value


def test_a_registration_keeps_the_cached_pages_but_their_seats_change(
    client, django_capture_on_commit_callbacks, django_assert_num_queries
):
    """A rush of registrations does not make every page read recompute: the pages stay in the
    cache, and only their seats are read afresh (one query per page)."""
    from pilots import data_version

    cohort = OpenCohortFactory(capacity=3)
    open_list, detail = _pages(cohort)
    for url in (open_list, detail):
        assert "3 seats left" in _get(client, url, "en")  # fills the cache
    content = data_version.content_current()
    _register(client, cohort, "first@example.org", django_capture_on_commit_callbacks)
    _register(client, cohort, "second@example.org", django_capture_on_commit_callbacks)
    assert data_version.content_current() == content
    with django_assert_num_queries(1):  # the seats only: the list comes from the cache
        page = _get(client, open_list, "en")
    assert "1 seat left" in page and "3 seats left" not in page
    with django_assert_num_queries(1):  # its seats: the cohort's row (title, language button) is kept a second
        page = _get(client, detail, "en")
    assert "1 seat left" in page and "3 seats left" not in page
    _register(client, cohort, "third@example.org", django_capture_on_commit_callbacks)
    _register(client, cohort, "fourth@example.org", django_capture_on_commit_callbacks)
    for url in (open_list, detail):
        page = _get(client, url, "en")
        assert "Full: waiting list" in page and "seat left" not in page
    assert "<!--pilots-seats" not in page
