"""Reports are cached per data version; every write path of report data replaces the version once
its transaction commits, bulk writes (imports, registers, score pages) included."""

import csv
import io
import re

import pytest
from django.urls import reverse

from pilots import data_version
from pilots.choices import AssessmentKind, EnrolmentStatus
from pilots.enrolment import withdraw_enrolment
from pilots.imports.columns import ImportKind
from pilots.imports.planning import plan_import
from pilots.imports.reading import read_table
from pilots.imports.services import apply_import
from pilots.staffing import services as staffing_services
from tests.factories import CohortFactory, EnrolmentFactory, SessionFactory

pytestmark = pytest.mark.django_db


def _csv(rows, header):
    out = io.StringIO()
    csv.writer(out).writerows([header, *rows])
    return out.getvalue().encode()


@pytest.fixture
def cohort(db):
    cohort = CohortFactory(code="kh-cache", capacity=10, country="KH")
    session = SessionFactory(cohort=cohort, title="Only session")
    enrolment = EnrolmentFactory(cohort=cohort, status=EnrolmentStatus.CONFIRMED,
                                 teacher__email="a@example.org")
    return cohort, session, enrolment


def _roster_row(client, cohort, enrolment):
    """The cells of the enrolment's roster row on the (possibly cached) cohort report."""
    html = client.get(reverse("reports:cohort", args=[cohort.code])).content.decode()
    row = re.search(rf'<tr data-ref="{enrolment.reference}">(.*?)</tr>', html, re.S).group(1)
    return [re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", row, re.S)]


def _overview_total(client):
    return client.get(reverse("reports:overview")).context["overview"].total


def _warm(client, cohort, enrolment):
    before = _roster_row(client, cohort, enrolment)
    total = _overview_total(client)
    assert before[3:7] == ["0", "0", "0", "0"] and total["attended"] == 0 and total["pre_n"] == 0
    return before


def test_an_attendance_import_shows_in_the_next_report(cohort, staff_client,
                                                       django_capture_on_commit_callbacks):
    cohort, session, enrolment = cohort
    _warm(staff_client, cohort, enrolment)
    header = ["cohort", "email", "session_date", "attendance"]
    plan = plan_import(ImportKind.ATTENDANCE, *read_table(
        _csv([[cohort.code, "a@example.org", session.date.isoformat(), "present"]], header)))
    assert plan.ok
    with django_capture_on_commit_callbacks(execute=True):
        apply_import(plan)
    assert _roster_row(staff_client, cohort, enrolment)[3:8] == ["1", "0", "0", "0", "100.0 %"]
    assert _overview_total(staff_client)["attended"] == 1


def test_a_teacher_import_shows_in_the_next_report(cohort, staff_client, django_capture_on_commit_callbacks):
    cohort, _session, enrolment = cohort
    _warm(staff_client, cohort, enrolment)
    header = ["cohort", "email", "family_name", "given_name", "school", "province", "status"]
    plan = plan_import(ImportKind.TEACHERS, *read_table(
        _csv([[cohort.code, "new@example.org", "Sok", "Dara", "S", "", "confirmed"]], header)))
    assert plan.ok
    with django_capture_on_commit_callbacks(execute=True):
        apply_import(plan)
    assert _overview_total(staff_client)["registered"] == 2
    assert "Sok Dara" in staff_client.get(reverse("reports:cohort", args=[cohort.code])).content.decode()


def test_an_attendance_register_save_shows_in_the_next_report(cohort, staff_client,
                                                              django_capture_on_commit_callbacks):
    cohort, session, enrolment = cohort
    _warm(staff_client, cohort, enrolment)
    with django_capture_on_commit_callbacks(execute=True):
        staffing_services.record_attendance(session=session, entries=[
            {"enrolment_id": enrolment.pk, "status": "late", "version": "", "note": ""}])
    assert _roster_row(staff_client, cohort, enrolment)[3:8] == ["0", "1", "0", "0", "100.0 %"]
    assert _overview_total(staff_client)["attended"] == 1


def test_a_score_save_shows_in_the_next_report(cohort, staff_client, django_capture_on_commit_callbacks):
    cohort, _session, enrolment = cohort
    _warm(staff_client, cohort, enrolment)
    with django_capture_on_commit_callbacks(execute=True):
        staffing_services.record_scores(cohort=cohort, kind=AssessmentKind.PRE, scores={enrolment.pk: 47})
    assert _roster_row(staff_client, cohort, enrolment)[8] == "47.0"
    total = _overview_total(staff_client)
    assert (total["pre_n"], total["pre_mean"]) == (1, 47.0)


def test_a_status_change_shows_in_the_next_report(cohort, staff_client, django_capture_on_commit_callbacks):
    cohort, _session, enrolment = cohort
    _warm(staff_client, cohort, enrolment)
    with django_capture_on_commit_callbacks(execute=True):
        withdraw_enrolment(enrolment=enrolment)
    total = _overview_total(staff_client)
    assert (total["confirmed"], total["withdrawn"]) == (0, 1)


def test_the_version_changes_only_when_the_write_commits(cohort, django_capture_on_commit_callbacks):
    _cohort, session, enrolment = cohort
    before = data_version.current()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        staffing_services.record_attendance(session=session, entries=[
            {"enrolment_id": enrolment.pk, "status": "present", "version": "", "note": ""}])
        assert data_version.current() == before  # not yet: a reader would see the old rows
    assert callbacks
    for callback in callbacks:
        callback()
    assert data_version.current() != before
