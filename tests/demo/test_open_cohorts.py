import io

import pytest
from django.urls import reverse

from pilots.demo.open_cohorts import seed_open_cohorts
from pilots.models import Cohort, Enrolment, Teacher
from tests.factories import ModuleFactory, ProgrammeFactory

pytestmark = pytest.mark.django_db


def test_seed_open_cohorts_is_idempotent_and_opens_cohorts_everywhere(client):
    programme = ProgrammeFactory()
    ModuleFactory.create_batch(3, programme=programme)
    out = io.StringIO()
    seed_open_cohorts(programme=programme, stdout=out)
    counts = (Cohort.objects.count(), Teacher.objects.count(), Enrolment.objects.count())
    seed_open_cohorts(programme=programme)
    assert (Cohort.objects.count(), Teacher.objects.count(), Enrolment.objects.count()) == counts
    assert "open-kh-phnom-penh" in out.getvalue()

    open_now = Cohort.objects.open_for_registration().with_fill_stats()
    assert {c.country for c in open_now} == {"KH", "TH", "VN", ""}
    assert any(c.requires_approval for c in open_now)
    assert any(0 < c.seats_left <= 2 and not c.requires_approval for c in open_now)  # nearly full
    for cohort in open_now:
        assert cohort.sessions.count() == 3
        cohort.full_clean()

    page = client.get(reverse("registration:open_cohorts")).content.decode()
    assert "Phnom Penh in-service training (demo)" in page
    assert client.get(reverse("registration:register", args=["open-th-chiang-mai"])).status_code == 200
