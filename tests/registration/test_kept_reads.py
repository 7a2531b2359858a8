"""What a registration POST reads before it writes (the cohort, the provinces and subjects the form
checks) is kept a second per process: no query for them on a POST, and a change made by staff is
seen after that second, or at once where it matters (the locked cohort row)."""

import pytest
from django.urls import reverse
from django.utils import timezone

from pilots.choices import CohortStatus
from pilots.kept import Kept
from pilots.models import Cohort, Enrolment, Province, Subject
from pilots.registration import lookups
from tests.factories import OpenCohortFactory
from tests.registration.helpers import registration_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def after_a_second(monkeypatch):
    """Every Kept's second is over at once."""
    for kept in Kept.every:
        monkeypatch.setattr(kept, "seconds", 0)


def _register(client, cohort, **overrides):
    return client.post(reverse("registration:register", args=[cohort.code]),
                       registration_data(cohort, **overrides))


def test_a_province_closed_by_staff_is_refused_a_second_later(client, after_a_second):
    cohort = OpenCohortFactory(country="KH")
    assert _register(client, cohort).status_code == 302
    Province.objects.filter(code="KH-12").update(valid_until=timezone.now().date())
    response = _register(client, cohort, email="dara.kim@example.org")
    assert response.status_code == 200
    assert "province" in response.context["form"].errors
    assert Enrolment.objects.count() == 1


def test_within_the_second_a_closed_province_is_still_accepted(client):
    # The other side of the same rule: proves the test above tests the second, not the check.
    cohort = OpenCohortFactory(country="KH")
    assert _register(client, cohort).status_code == 302
    Province.objects.filter(code="KH-12").update(valid_until=timezone.now().date())
    assert _register(client, cohort, email="dara.kim@example.org").status_code == 302


def test_a_subject_added_meanwhile_is_accepted_at_once(client):
    cohort = OpenCohortFactory(country="KH")
    assert _register(client, cohort).status_code == 302  # the rows are now kept
    added = Subject.objects.create(code="ethics", name="Ethics", order=20)  # no version change
    response = _register(client, cohort, email="dara.kim@example.org", subjects=[added.pk])
    assert response.status_code == 302
    assert list(Enrolment.objects.latest("pk").teacher.subjects.values_list("code", flat=True)) == ["ethics"]


def test_a_subject_that_does_not_exist_is_refused_with_the_form_s_message(client):
    cohort = OpenCohortFactory(country="KH")
    response = _register(client, cohort, subjects=[987654])
    assert response.status_code == 200
    assert "subjects" in response.context["form"].errors
    assert not Enrolment.objects.exists()


def test_a_process_reads_them_once_a_second(django_assert_num_queries):
    key = Province.objects.get(code="KH-12").pk
    lookups.provinces(key)
    with django_assert_num_queries(0):
        for _ in range(5):
            assert lookups.provinces(key)[key].code == "KH-12"


def test_a_cohort_closed_by_staff_takes_no_registration_even_within_the_second(client):
    cohort = OpenCohortFactory(country="KH")
    assert _register(client, cohort).status_code == 302  # the cohort is now kept, open
    Cohort.objects.filter(pk=cohort.pk).update(status=CohortStatus.CLOSED)
    response = _register(client, cohort, email="dara.kim@example.org")
    assert response.status_code == 200  # the locked row said so: the form, with why
    assert "Registration for this cohort is not open." in response.content.decode()
    assert Enrolment.objects.count() == 1


def test_a_second_later_the_closed_cohort_shows_its_closed_page(client, after_a_second):
    cohort = OpenCohortFactory(country="KH")
    assert _register(client, cohort).status_code == 302
    Cohort.objects.filter(pk=cohort.pk).update(status=CohortStatus.CLOSED)
    response = _register(client, cohort, email="dara.kim@example.org")
    assert [t.name for t in response.templates][0] == "pilots/registration/registration_closed.html"
    assert Enrolment.objects.count() == 1


def test_an_unknown_key_costs_one_query_not_a_reload(django_assert_num_queries):
    lookups.reference()
    with django_assert_num_queries(1):
        assert lookups.subjects(987654, 987655) == {}
