"""Who looked: every view of teachers' personal data by staff or coordinators is recorded once."""

import csv
import io

import pytest
from django.urls import reverse

from pilots.models import AccessRecord
from tests.factories import EnrolmentFactory, SessionFactory


@pytest.fixture
def cohort(db):
    enrolment = EnrolmentFactory(cohort__code="kh-2023")
    EnrolmentFactory.create_batch(2, cohort=enrolment.cohort)
    SessionFactory(cohort=enrolment.cohort)
    return enrolment.cohort


def test_viewing_a_roster_writes_exactly_one_access_record(cohort, staff_client, staff_user):
    staff_client.get(reverse("reports:cohort", args=[cohort.code]))
    record = AccessRecord.objects.get()
    assert (record.user, record.what, record.teachers_count) == (staff_user, "cohort report kh-2023", 3)
    staff_client.get(reverse("reports:cohort", args=[cohort.code]))  # served from the cache: still recorded
    assert AccessRecord.objects.count() == 2


def test_a_coordinators_view_is_recorded_and_another_countrys_is_not_shown(cohort, make_coordinator, client):
    client.force_login(make_coordinator("KH"))
    client.get(reverse("reports:cohort", args=[cohort.code]))
    client.force_login(make_coordinator("TH"))
    assert client.get(reverse("reports:cohort", args=[cohort.code])).status_code == 404
    assert list(AccessRecord.objects.values_list("user__username", flat=True)) == ["coord-kh"]


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_roster_export_is_recorded_and_names_who_downloaded_it(cohort, staff_client, fmt):
    response = staff_client.get(reverse("reports:cohort_roster", args=[cohort.code, fmt]))
    body = b"".join(response.streaming_content)
    if fmt == "csv":
        last = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))[-1]
    else:
        from openpyxl import load_workbook

        last = list(load_workbook(io.BytesIO(body)).active.iter_rows(values_only=True))[-1]
    assert last[0].startswith("Downloaded by staff at ") and last[0].endswith(" UTC")
    assert AccessRecord.objects.get().what == f"roster export kh-2023 {fmt}"


def test_staff_pages_and_admin_teacher_pages_are_recorded(cohort, staff_client):
    session = cohort.sessions.get()
    enrolment = cohort.enrolments.first()
    for url in [
        reverse("staffing:attendance", args=[session.pk]),
        reverse("staffing:sign_in_sheet", args=[session.pk]),
        reverse("staffing:scores", args=[cohort.pk, "pre"]),
        reverse("staffing:review", args=[cohort.pk]),
        reverse("admin:pilots_teacher_changelist"),
        reverse("admin:pilots_teacher_change", args=[enrolment.teacher_id]),
        reverse("admin:pilots_teacher_history", args=[enrolment.teacher_id]),
        reverse("admin:pilots_enrolment_change", args=[enrolment.pk]),
    ]:
        before = AccessRecord.objects.count()
        assert staff_client.get(url).status_code == 200, url
        assert AccessRecord.objects.count() == before + 1, url
    counts = list(AccessRecord.objects.order_by("pk").values_list("what", "teachers_count"))
    assert counts[4] == ("admin teacher list", 3) and counts[5] == ("admin teacher page", 1)


def test_access_records_are_read_only_in_the_admin_and_export(cohort, client, django_user_model):
    admin_user = django_user_model.objects.create_superuser("boss", "boss@example.org", "pw-boss-1234")
    client.force_login(admin_user)
    client.get(reverse("reports:cohort", args=[cohort.code]))
    url = reverse("admin:pilots_accessrecord_changelist")
    response = client.get(url, {"what": "cohort report kh-2023"})
    assert response.status_code == 200 and response.context["cl"].result_count == 1
    assert client.get(reverse("admin:pilots_accessrecord_add")).status_code == 403
    ids = list(AccessRecord.objects.values_list("pk", flat=True))
    response = client.post(url, {"action": "export_csv", "_selected_action": ids})
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert rows[0][:3] == ["When", "User", "What"] and rows[1][1:4] == ["boss", "cohort report kh-2023", "3"]
    assert rows[-1][0].startswith("Downloaded by boss")


def test_anonymous_visitors_write_no_record(cohort, client):
    client.get(reverse("reports:cohort", args=[cohort.code]))
    assert not AccessRecord.objects.exists()
