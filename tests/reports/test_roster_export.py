"""Roster exports stream: the enrolments, their figures and their subjects are read side by side in
chunks (constant memory), and the file is complete, in the page's order, for the coordinator's
countries only."""

import csv
import io

import pytest
from django.http import FileResponse, StreamingHttpResponse
from django.urls import reverse
from openpyxl import load_workbook

from pilots.choices import AssessmentKind, AttendanceStatus, EnrolmentStatus
from pilots.models import Subject
from pilots.reports.cohort import ROSTER_FIGURES, iter_roster, roster
from tests.factories import (
    AssessmentFactory,
    AttendanceFactory,
    CohortFactory,
    EnrolmentFactory,
    SessionFactory,
    TeacherFactory,
)

pytestmark = pytest.mark.django_db
N = 23


@pytest.fixture
def cohort(db):
    cohort = CohortFactory(code="kh-roster", country="KH")
    sessions = [SessionFactory(cohort=cohort, title=f"S{i}") for i in range(3)]
    subjects = list(Subject.objects.order_by("order", "name")[:3])
    for i in range(N):
        # Family names repeat, so the order falls back to given names and then to the enrolment.
        teacher = TeacherFactory(family_name=f"F{i % 4}", given_name=f"G{i % 3}")
        teacher.subjects.set(subjects[: i % 3])  # none, one or two subjects
        status = EnrolmentStatus.WITHDRAWN if i % 7 == 0 else EnrolmentStatus.CONFIRMED
        enrolment = EnrolmentFactory(cohort=cohort, teacher=teacher, status=status)
        for session in sessions[: i % 4]:
            AttendanceFactory(
                enrolment=enrolment,
                session=session,
                status=AttendanceStatus.LATE if i % 2 else AttendanceStatus.PRESENT,
            )
        if i % 2:
            AssessmentFactory(enrolment=enrolment, kind=AssessmentKind.PRE, score=30 + i)
    return cohort


def _row(e):
    return (e.pk, e.teacher.family_name, e.subject_names, e.status_label, *(getattr(e, k) for k in ROSTER_FIGURES))


def test_streamed_roster_is_the_pages_roster_across_chunks(cohort):
    page = [_row(e) for e in roster(cohort)]
    for chunk_size in (1, 4, 2000):
        assert [_row(e) for e in iter_roster(cohort, chunk_size=chunk_size)] == page
    assert len(page) == N and any(", " in row[2] for row in page) and any(row[2] == "" for row in page)


def test_roster_csv_is_streamed_and_complete(cohort, staff_client):
    response = staff_client.get(reverse("reports:cohort_roster", args=[cohort.code, "csv"]))
    assert isinstance(response, StreamingHttpResponse) and response.streaming
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert rows[0][:3] == ["Reference", "Family name", "Given name"]
    assert len(rows) == N + 2 and rows[-1][0].startswith("Downloaded by staff at ")
    assert [r[0] for r in rows[1:-1]] == [e.reference for e in roster(cohort)]


def test_roster_xlsx_is_streamed_from_a_file_and_complete(cohort, staff_client):
    response = staff_client.get(reverse("reports:cohort_roster", args=[cohort.code, "xlsx"]))
    assert isinstance(response, FileResponse) and response.streaming
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:3] == ("Reference", "Family name", "Given name")
    assert len(rows) == N + 2
    assert [r[0] for r in rows[1:-1]] == [e.reference for e in roster(cohort)]


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_roster_export_keeps_to_the_coordinators_countries(cohort, client, make_coordinator, fmt):
    url = reverse("reports:cohort_roster", args=[cohort.code, fmt])
    client.force_login(make_coordinator("TH"))
    assert client.get(url).status_code == 404
    client.force_login(make_coordinator("KH"))
    response = client.get(url)
    assert response.status_code == 200
    assert len(b"".join(response.streaming_content)) > 0
