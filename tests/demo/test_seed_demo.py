import datetime as dt
from io import StringIO

import pytest
from django.apps import apps
from django.core.management import call_command

from partners.models import Agreement
from pilots import data_version
from pilots.models import Assessment, Attendance, Cohort, Enrolment, Teacher

pytestmark = pytest.mark.django_db


def _counts():
    return {
        model._meta.label: model.objects.count()
        for model in apps.get_models()
        if model._meta.app_label in {"partners", "pilots", "auth"}
    }


def test_seed_demo_replaces_the_report_data_version_once_committed(settings, django_capture_on_commit_callbacks):
    settings.DEBUG = True
    before = data_version.current()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("seed_demo", stdout=StringIO())
        assert data_version.current() == before  # not while the seed's transaction is open
    assert data_version.current() != before


def test_seed_demo_twice_changes_nothing(settings):
    settings.DEBUG = True
    call_command("seed_demo", stdout=StringIO())
    first = _counts()
    call_command("seed_demo", stdout=StringIO())
    assert _counts() == first
    assert first["pilots.Teacher"] > 150


def test_seed_demo_builds_the_domain_outline():
    call_command("seed_demo", stdout=StringIO())

    mou = Agreement.objects.get(kind="mou")
    assert (mou.signed_on, mou.signed_city, mou.signed_country.code) == (dt.date(2024, 11, 5), "Kigali", "RW")
    assert {p.acronym for p in mou.partners.all()} == {"OSAPG", "DC-Cam"}

    regional = Cohort.objects.get(code="regional-tot-2022")
    assert regional.country == "" and regional.capacity == 20
    assert regional.enrolments.count() == 20
    assert regional.sessions.filter(date__range=(dt.date(2022, 9, 16), dt.date(2022, 9, 18))).count() == 3
    assert set(Cohort.objects.filter(kind="national_inservice", year__lte=2024).values_list("country", flat=True)) == {
        "KH", "TH", "VN"}

    # Names in their own scripts.
    assert Teacher.objects.filter(family_name__regex=r"[\u1780-\u17FF]").exists()  # Khmer
    assert Teacher.objects.filter(family_name__regex=r"[\u0E00-\u0E7F]").exists()  # Thai
    assert Teacher.objects.filter(family_name__in=["Nguyễn", "Trần", "Đặng"]).exists()  # Vietnamese

    # Scores near the outline's means, some post-tests missing, attendance around 90%.
    pre = [float(a.score) for a in Assessment.objects.filter(kind="pre")]
    post = [float(a.score) for a in Assessment.objects.filter(kind="post")]
    assert 40 < sum(pre) / len(pre) < 56 and 66 < sum(post) / len(post) < 82
    assert len(post) < len(pre)
    attended = Attendance.objects.filter(status__in=["present", "late"]).count() / Attendance.objects.count()
    assert 0.8 < attended < 0.97
    assert Enrolment.objects.filter(status="withdrawn").exists()


def test_seed_demo_prints_credentials_only_with_debug(settings):
    settings.DEBUG = False
    out = StringIO()
    call_command("seed_demo", stdout=out)
    assert "pilots-demo" not in out.getvalue()

    settings.DEBUG = True
    call_command("seed_demo", stdout=out)  # accounts exist: still no password unless DEBUG
    assert "pilots-demo-2024" in out.getvalue()


def test_demo_accounts_have_their_roles():
    from django.contrib.auth import get_user_model

    call_command("seed_demo", stdout=StringIO())
    users = {u.username: u for u in get_user_model().objects.all()}
    assert users["admin"].is_superuser
    assert users["staff"].has_perm("pilots.change_enrolment") and not users["staff"].is_superuser
    assert users["coordinator-th"].has_perm("pilots.view_reports")
    assert list(users["coordinator-th"].country_assignments.values_list("country", flat=True)) == ["TH"]


def test_seed_demo_leaves_cohorts_open_for_registration_in_every_country():
    call_command("seed_demo", stdout=StringIO())
    open_now = Cohort.objects.open_for_registration()
    assert set(open_now.values_list("country", flat=True)) == {"KH", "TH", "VN", ""}
    assert open_now.filter(requires_approval=True).exists()


def test_the_demo_staff_member_runs_the_cohorts_still_to_come(client):
    from django.contrib.auth import get_user_model
    from django.urls import reverse
    from django.utils import timezone

    from pilots.access import staff_cohorts

    call_command("seed_demo", stdout=StringIO())
    staff = get_user_model().objects.get(username="staff")
    theirs = staff_cohorts(staff)
    assert theirs.exists()
    assert not theirs.filter(end_date__lt=timezone.localdate()).exists()
    client.force_login(staff)
    page = client.get(reverse("staffing:my_cohorts")).content.decode()
    assert all(cohort.name in page for cohort in theirs)
