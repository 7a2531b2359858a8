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
from pilots.models import Cohort, Enrolment
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


# --- the admin ---------------------------------------------------------------------------------


def _heading(client, cohort):
    """The <h1> of the cohort report: inside the cached part of the page."""
    html = client.get(reverse("reports:cohort", args=[cohort.code])).content.decode()
    return re.search(r"<h1>(.*?)</h1>", html, re.S).group(1).strip()


def _cohort_change_data(cohort, **changes):
    """The cohort's admin change form as submitted unchanged, with `changes` (the inlines left as
    they are)."""
    data = {
        "programme": cohort.programme_id, "name_en": cohort.name, "code": cohort.code, "year": cohort.year,
        "kind": cohort.kind, "status": cohort.status, "description_en": cohort.description,
        "country": cohort.country, "province": cohort.province_id or "", "language": cohort.language,
        "venue_en": cohort.venue, "start_date": cohort.start_date.isoformat(),
        "end_date": cohort.end_date.isoformat(), "capacity": cohort.capacity,
        "registration_opens_0": "", "registration_opens_1": "",
        "registration_closes_0": "", "registration_closes_1": "",
        "organiser": cohort.organiser_id or "",
    }
    for prefix in ("sessions", "enrolments"):
        data.update({f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0",
                     f"{prefix}-MIN_NUM_FORMS": "0", f"{prefix}-MAX_NUM_FORMS": "1000"})
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def test_renaming_a_cohort_in_the_admin_replaces_the_version_once_committed_and_shows_in_the_report(
    cohort, admin_client, django_capture_on_commit_callbacks
):
    cohort, _session, _enrolment = cohort
    assert _heading(admin_client, cohort) == cohort.name  # cached under the current version
    before = data_version.current()
    url = reverse("admin:pilots_cohort_change", args=[cohort.pk])

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = admin_client.post(url, _cohort_change_data(cohort, name_en="Kampot 2023 (renamed)"))
        assert data_version.current() == before  # not before the commit
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert Cohort.objects.get(pk=cohort.pk).name == "Kampot 2023 (renamed)"
    for callback in callbacks:
        callback()

    assert data_version.current() != before
    assert _heading(admin_client, cohort) == "Kampot 2023 (renamed)"


def test_raising_capacity_in_the_admin_then_promoting_shows_in_the_next_report(
    cohort, admin_client, django_capture_on_commit_callbacks
):
    cohort, _session, _enrolment = cohort
    waiting = EnrolmentFactory(cohort=cohort, status=EnrolmentStatus.WAITLISTED)
    Cohort.objects.filter(pk=cohort.pk).update(capacity=1)
    cohort.refresh_from_db()
    assert _overview_total(admin_client)["confirmed"] == 1
    first = data_version.current()

    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(reverse("admin:pilots_cohort_change", args=[cohort.pk]),
                                     _cohort_change_data(cohort, capacity="2"))
    assert response.status_code == 302
    assert Cohort.objects.get(pk=cohort.pk).capacity == 2
    second = data_version.current()
    assert second != first
    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(reverse("admin:pilots_cohort_changelist"),
                          {"action": "promote_waitlist", "_selected_action": [cohort.pk]})

    assert data_version.current() not in (first, second)
    waiting.refresh_from_db()
    assert waiting.status == EnrolmentStatus.CONFIRMED
    assert _overview_total(admin_client)["confirmed"] == 2


def test_an_admin_action_replaces_the_version_once_committed_and_shows_in_the_report(
    cohort, admin_client, django_capture_on_commit_callbacks
):
    cohort, _session, enrolment = cohort
    _warm(admin_client, cohort, enrolment)
    total = _overview_total(admin_client)
    assert (total["confirmed"], total["withdrawn"]) == (1, 0)
    before = data_version.current()

    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(reverse("admin:pilots_enrolment_changelist"),
                          {"action": "withdraw", "_selected_action": [enrolment.pk]})

    assert Enrolment.objects.get(pk=enrolment.pk).status == EnrolmentStatus.WITHDRAWN
    assert data_version.current() != before
    total = _overview_total(admin_client)
    assert (total["confirmed"], total["withdrawn"]) == (0, 1)


# --- one cohort's writes and the other cohorts' reports ------------------------------------------


@pytest.fixture
def other(db):
    other = CohortFactory(code="kh-other", capacity=10, country="KH")
    session = SessionFactory(cohort=other, title="Other session")
    enrolment = EnrolmentFactory(cohort=other, status=EnrolmentStatus.CONFIRMED, teacher__email="b@example.org")
    return other, session, enrolment


def _behind_the_cache(session, enrolment):
    """Record B's attendance without marking report data changed: only a recomputed report shows it."""
    from pilots.models import Attendance

    Attendance.objects.create(session=session, enrolment=enrolment, status="present")


def test_a_write_to_one_cohort_refreshes_its_report_and_leaves_the_others_cached(
    cohort, other, staff_client, django_capture_on_commit_callbacks
):
    (cohort, session, enrolment), (other, other_session, other_enrolment) = cohort, other
    _warm(staff_client, cohort, enrolment)
    _warm(staff_client, other, other_enrolment)
    _behind_the_cache(other_session, other_enrolment)

    with django_capture_on_commit_callbacks(execute=True):
        staffing_services.record_attendance(session=session, entries=[
            {"enrolment_id": enrolment.pk, "status": "late", "version": "", "note": ""}])

    assert _roster_row(staff_client, cohort, enrolment)[3:7] == ["0", "1", "0", "0"]  # fresh
    assert _roster_row(staff_client, other, other_enrolment)[3:7] == ["0", "0", "0", "0"]  # still cached
    assert _overview_total(staff_client)["attended"] == 2  # the overview follows every write


@pytest.mark.parametrize("write", ["status", "scores"])
def test_status_and_score_writes_refresh_only_their_cohorts_report(
    write, cohort, other, staff_client, django_capture_on_commit_callbacks
):
    (cohort, _session, enrolment), (other, other_session, other_enrolment) = cohort, other
    _warm(staff_client, cohort, enrolment)
    _warm(staff_client, other, other_enrolment)
    _behind_the_cache(other_session, other_enrolment)

    with django_capture_on_commit_callbacks(execute=True):
        if write == "status":
            withdraw_enrolment(enrolment=enrolment)
        else:
            staffing_services.record_scores(cohort=cohort, kind=AssessmentKind.PRE, scores={enrolment.pk: 47})

    row = _roster_row(staff_client, cohort, enrolment)
    assert ("Withdrawn" in row) if write == "status" else (row[8] == "47.0"), row
    assert _roster_row(staff_client, other, other_enrolment)[3:7] == ["0", "0", "0", "0"]


def test_a_write_naming_no_cohort_refreshes_every_cohort_report(
    cohort, other, staff_client, django_capture_on_commit_callbacks
):
    (_cohort, _session, _enrolment), (other, other_session, other_enrolment) = cohort, other
    _warm(staff_client, other, other_enrolment)
    _behind_the_cache(other_session, other_enrolment)

    with django_capture_on_commit_callbacks(execute=True):
        data_version.data_changed()  # e.g. a teacher's details, a programme's completion rule

    assert _roster_row(staff_client, other, other_enrolment)[3:7] == ["1", "0", "0", "0"]
