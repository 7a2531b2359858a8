"""The provinces and subjects a registration POST checks against are kept per content version:
no query for them on a POST, and a change made through the admin is seen."""

import pytest
from django.urls import reverse
from django.utils import timezone

from pilots import data_version
from pilots.models import Enrolment, Province, Subject
from pilots.registration import lookups
from tests.factories import OpenCohortFactory
from tests.registration.helpers import registration_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def check_at_once(monkeypatch):
    monkeypatch.setattr(lookups, "CHECK_SECONDS", 0)


def _register(client, cohort, **overrides):
    return client.post(reverse("registration:register", args=[cohort.code]),
                       registration_data(cohort, **overrides))


def test_a_province_closed_by_staff_is_refused_once_the_content_version_changes(
    client, check_at_once, django_capture_on_commit_callbacks
):
    cohort = OpenCohortFactory(country="KH")
    assert _register(client, cohort).status_code == 302
    with django_capture_on_commit_callbacks(execute=True):
        Province.objects.filter(code="KH-12").update(valid_until=timezone.now().date())
        data_version.data_changed()  # as the admin's save does
    response = _register(client, cohort, email="dara.kim@example.org")
    assert response.status_code == 200
    assert "province" in response.context["form"].errors
    assert Enrolment.objects.count() == 1


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


def test_a_process_asks_for_the_content_version_at_most_once_per_interval(monkeypatch):
    asked = []
    real = data_version.content_current
    monkeypatch.setattr(data_version, "content_current", lambda: asked.append(1) or real())
    key = Province.objects.get(code="KH-12").pk
    for _ in range(5):
        assert lookups.provinces(key)[key].code == "KH-12"
    assert len(asked) == 1
