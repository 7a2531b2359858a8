"""The overview's stored figures: the same numbers as the live computation, kept by the scheduler,
with the page saying how fresh they are; scope, filters and small-cell suppression still apply."""

import csv
import io

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse

from pilots.choices import AssessmentKind, AttendanceStatus, EnrolmentStatus
from pilots.enrolment import withdraw_enrolment
from pilots.models import Cohort, CohortFigures, FiguresRefresh
from pilots.reports import figures
from pilots.reports.overview import programme_overview
from pilots.scheduler.runner import run_jobs
from tests.factories import (
    AssessmentFactory,
    AttendanceFactory,
    CohortFactory,
    EnrolmentFactory,
    ProgrammeFactory,
    SessionFactory,
)

pytestmark = pytest.mark.django_db
C, W = EnrolmentStatus.CONFIRMED, EnrolmentStatus.WITHDRAWN


@pytest.fixture
def data(db):
    programme = ProgrammeFactory(completion_min_attendance=50, completion_requires_post_test=False)
    cohorts = {
        "kh": CohortFactory(programme=programme, code="kh-f", year=2023, country="KH"),
        "th": CohortFactory(programme=programme, code="th-f", year=2024, country="TH"),
        "vn": CohortFactory(programme=programme, code="vn-f", year=2024, country="VN"),  # no enrolments
    }
    enrolments = []
    for key, n in (("kh", 7), ("th", 3)):
        sessions = [SessionFactory(cohort=cohorts[key], title=f"{key}{i}") for i in range(2)]
        for i in range(n):
            e = EnrolmentFactory(cohort=cohorts[key], status=W if i == 0 else C)
            enrolments.append(e)
            AttendanceFactory(enrolment=e, session=sessions[0], status=AttendanceStatus.PRESENT)
            AttendanceFactory(
                enrolment=e, session=sessions[1], status=AttendanceStatus.ABSENT if i % 2 else AttendanceStatus.EXCUSED
            )
            AssessmentFactory(enrolment=e, kind=AssessmentKind.PRE, score=40 + i)
            if i % 3:
                AssessmentFactory(enrolment=e, kind=AssessmentKind.POST, score=70 + i)
    return cohorts, enrolments


def _refresh(capture):
    with capture(execute=True):
        return figures.refresh_figures()


def _comparable(overview):
    return overview.rows, overview.total, overview.by_year, overview.by_country, overview.cohorts


def test_stored_figures_add_up_to_the_live_overview(data, django_capture_on_commit_callbacks):
    _refresh(django_capture_on_commit_callbacks)
    for cohorts in (Cohort.objects.all(), Cohort.objects.filter(country="KH"), Cohort.objects.filter(year=2024)):
        stored = figures.overview_for(cohorts, figures.latest())
        assert stored.refresh is not None
        assert _comparable(stored) == _comparable(programme_overview(cohorts))
    total = figures.overview_for(Cohort.objects.all(), figures.latest()).total
    assert (total["cohorts"], total["registered"], total["confirmed"], total["withdrawn"]) == (3, 10, 8, 2)


def test_overview_page_says_how_fresh_and_the_scheduler_catches_up(
    data, staff_client, django_capture_on_commit_callbacks
):
    cohorts, enrolments = data
    page = staff_client.get(reverse("reports:overview"))
    assert "Figures as of" not in page.content.decode()  # nothing stored yet: computed now
    with django_capture_on_commit_callbacks(execute=True):
        assert [run.done for run in run_jobs(only=["report_figures"])] == [1]
    assert [run.done for run in run_jobs(only=["report_figures"])] == [0]  # nothing changed since

    page = staff_client.get(reverse("reports:overview"))
    assert "nothing has changed since" in page.content.decode()
    assert page.context["overview"].total["confirmed"] == 8

    with django_capture_on_commit_callbacks(execute=True):
        withdraw_enrolment(enrolment=enrolments[1])
    page = staff_client.get(reverse("reports:overview"))
    assert "Changes made since then are added when the figures are next refreshed" in page.content.decode()
    assert page.context["overview"].total["confirmed"] == 8  # as of the refresh
    # The cohort's own report is live.
    cohort_page = staff_client.get(reverse("reports:cohort", args=[cohorts["kh"].code]))
    assert cohort_page.context["summary"]["confirmed"] == 5

    with django_capture_on_commit_callbacks(execute=True):
        assert [run.done for run in run_jobs(only=["report_figures"])] == [1]
    page = staff_client.get(reverse("reports:overview"))
    assert page.context["overview"].total["confirmed"] == 7
    assert "nothing has changed since" in page.content.decode()
    assert FiguresRefresh.objects.count() == figures.KEEP  # older refreshes are deleted


def test_stored_figures_keep_to_the_coordinators_countries(
    data, client, make_coordinator, django_capture_on_commit_callbacks
):
    _refresh(django_capture_on_commit_callbacks)
    client.force_login(make_coordinator("TH"))
    overview = client.get(reverse("reports:overview")).context["overview"]
    assert overview.refresh is not None
    assert [r["country"] for r in overview.rows] == ["TH"]
    assert overview.total["registered"] == 3
    rows = list(csv.reader(io.StringIO(client.get(reverse("reports:overview_shared")).getvalue().decode("utf-8-sig"))))
    assert {r[1] for r in rows[1:]} == {"Thailand"}


def test_shared_overview_hides_the_same_cells_from_stored_figures(
    data, staff_client, django_capture_on_commit_callbacks
):
    live = staff_client.get(reverse("reports:overview_shared")).getvalue()
    _refresh(django_capture_on_commit_callbacks)
    stored = staff_client.get(reverse("reports:overview_shared")).getvalue()
    assert stored == live
    rows = list(csv.reader(io.StringIO(stored.decode("utf-8-sig"))))
    thailand = next(r for r in rows if r[1] == "Thailand" and r[0] == "2024")
    assert thailand[3] == "x"  # 3 registered teachers: under 5, hidden


def test_stored_figures_are_checked_by_the_database(data, django_capture_on_commit_callbacks):
    refresh = _refresh(django_capture_on_commit_callbacks)
    row = CohortFigures.objects.filter(refresh=refresh, status=C).first()
    for change in ({"completed": row.n + 1}, {"status": "lost"}, {"g_n": row.gain_n + 1}):
        with pytest.raises(IntegrityError), transaction.atomic():
            CohortFigures.objects.filter(pk=row.pk).update(**change)
    with pytest.raises(IntegrityError), transaction.atomic():
        CohortFigures.objects.create(refresh=refresh, cohort=row.cohort, status=row.status)
