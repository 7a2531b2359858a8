"""The admin keeps to a staff member's countries, as the staff pages do (access.visible_countries):
without "view all countries", only the rows of their countries, in every changelist, change,
delete and history page, autocomplete and foreign-key choice."""

import json

import pytest
from django.contrib import admin
from django.contrib.auth.models import Group, Permission
from django.urls import reverse

from pilots.admin import CountryScopeMixin
from pilots.models import Assessment, Attendance, Cohort, CountryAssignment, Enrolment, Province, Session, Teacher
from pilots.roles import PROGRAMME_STAFF
from tests.factories import (
    AssessmentFactory,
    AttendanceFactory,
    CohortFactory,
    EnrolmentFactory,
    SessionFactory,
    TeacherFactory,
)

pytestmark = pytest.mark.django_db

PERSONAL_MODELS = [Teacher, Enrolment, Cohort, Session, Attendance, Assessment]


def _country_data(country, province, name):
    cohort = CohortFactory(country=country, name=f"Cohort {name}", code=f"cohort-{name}")
    teacher = TeacherFactory(family_name=f"Family{name}", email=f"{name}@example.org",
                             province=Province.objects.get(code=province))
    enrolment = EnrolmentFactory(teacher=teacher, cohort=cohort)
    session = SessionFactory(cohort=cohort, title=f"Session {name}")
    attendance = AttendanceFactory(enrolment=enrolment, session=session)
    assessment = AssessmentFactory(enrolment=enrolment)
    # A change, so that every history page has a version to show.
    teacher.school = f"School {name}"
    teacher.save()
    return {Teacher: teacher, Enrolment: enrolment, Cohort: cohort, Session: session,
            Attendance: attendance, Assessment: assessment}


@pytest.fixture
def rows():
    return {"KH": _country_data("KH", "KH-12", "kh"), "TH": _country_data("TH", "TH-10", "th")}


@pytest.fixture
def kh_staff(django_user_model):
    """Programme staff's permissions without "view all countries", for Cambodia."""
    user = django_user_model.objects.create_user("kh-staff", password="pw-staff-1234", is_staff=True)
    user.user_permissions.set(
        Group.objects.get(name=PROGRAMME_STAFF).permissions.exclude(codename="view_all_countries")
    )
    CountryAssignment.objects.create(user=user, country="KH")
    return user


def _url(model, name, *args):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{name}", args=args)


def test_every_admin_of_a_model_with_personal_data_is_country_scoped():
    for model in PERSONAL_MODELS:
        assert isinstance(admin.site._registry[model], CountryScopeMixin), model


@pytest.mark.parametrize("model", PERSONAL_MODELS, ids=lambda m: m.__name__)
def test_a_country_staff_member_sees_only_their_countrys_rows(client, kh_staff, rows, model):
    client.force_login(kh_staff)
    mine, other = rows["KH"][model], rows["TH"][model]
    response = client.get(_url(model, "changelist"))
    assert response.status_code == 200
    shown = list(response.context["cl"].result_list)
    assert mine in shown and other not in shown
    assert client.get(_url(model, "change", mine.pk)).status_code == 200
    response = client.get(_url(model, "change", other.pk))
    assert response.status_code == 302 and response["Location"] == reverse("admin:index")
    assert client.get(_url(model, "history", other.pk)).status_code in (302, 404)
    assert client.get(_url(model, "history", mine.pk)).status_code == 200
    if hasattr(other, "history"):
        version = other.history.first().history_id
        response = client.get(reverse(
            f"admin:{model._meta.app_label}_{model._meta.model_name}_simple_history", args=[other.pk, version]
        ))
        assert response.status_code == 404
        html = client.get(_url(model, "history", other.pk)).content.decode()
        assert str(other) not in html


def test_deleting_another_countrys_row_is_not_possible(client, kh_staff, rows, django_user_model):
    kh_staff.user_permissions.add(Permission.objects.get(codename="delete_session", content_type__app_label="pilots"))
    client.force_login(kh_staff)
    other = rows["TH"][Session]
    response = client.post(_url(Session, "delete", other.pk), {"post": "yes"})
    assert response.status_code == 302
    assert Session.objects.filter(pk=other.pk).exists()


@pytest.mark.parametrize(
    ("model_name", "field_name", "target"),
    [("enrolment", "teacher", Teacher), ("enrolment", "cohort", Cohort), ("attendance", "enrolment", Enrolment),
     ("attendance", "session", Session), ("assessment", "enrolment", Enrolment)],
)
def test_autocomplete_offers_only_their_countrys_rows(client, kh_staff, rows, model_name, field_name, target):
    client.force_login(kh_staff)
    response = client.get(reverse("admin:autocomplete"), {
        "app_label": "pilots", "model_name": model_name, "field_name": field_name, "term": "",
    })
    assert response.status_code == 200
    ids = {int(item["id"]) for item in json.loads(response.content)["results"]}
    assert rows["KH"][target].pk in ids and rows["TH"][target].pk not in ids


def test_a_foreign_key_to_another_countrys_row_is_refused(client, kh_staff, rows):
    client.force_login(kh_staff)
    enrolment = rows["KH"][Enrolment]
    response = client.post(_url(Attendance, "add"), {
        "enrolment": enrolment.pk, "session": rows["TH"][Session].pk, "status": "present", "note": "",
    })
    assert response.status_code == 200  # the form again, with an error
    assert "Select a valid choice" in response.content.decode()
    assert not Attendance.objects.filter(session=rows["TH"][Session], enrolment=enrolment).exists()


def test_a_teacher_enrolled_in_their_country_shows_even_with_a_province_elsewhere(client, kh_staff, rows):
    client.force_login(kh_staff)
    travelling = TeacherFactory(email="moved@example.org", province=Province.objects.get(code="TH-10"))
    EnrolmentFactory(teacher=travelling, cohort=rows["KH"][Cohort])
    EnrolmentFactory(teacher=travelling, cohort=CohortFactory(country="KH"))
    shown = list(client.get(_url(Teacher, "changelist")).context["cl"].result_list)
    assert shown.count(travelling) == 1  # once, though two enrolments match
    # Their enrolment in the other country stays hidden on their page.
    EnrolmentFactory(teacher=travelling, cohort=rows["TH"][Cohort])
    html = client.get(_url(Teacher, "change", travelling.pk)).content.decode()
    assert "Cohort th" not in html and "Cohort kh" in html


def test_staff_with_every_country_and_superusers_see_everything(client, staff_user, admin_user, rows):
    for user in (staff_user, admin_user):
        client.force_login(user)
        for model in PERSONAL_MODELS:
            shown = list(client.get(_url(model, "changelist")).context["cl"].result_list)
            assert rows["KH"][model] in shown and rows["TH"][model] in shown


def test_staff_without_countries_see_no_rows(client, kh_staff, rows):
    CountryAssignment.objects.filter(user=kh_staff).delete()
    client.force_login(kh_staff)
    for model in PERSONAL_MODELS:
        assert list(client.get(_url(model, "changelist")).context["cl"].result_list) == []


def _count_queries(client, url):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


@pytest.mark.parametrize("model", PERSONAL_MODELS, ids=lambda m: m.__name__)
def test_a_scoped_changelist_takes_the_same_queries_for_few_and_many_rows(client, kh_staff, model):
    client.force_login(kh_staff)
    _country_data("KH", "KH-12", "a")
    few = _count_queries(client, _url(model, "changelist"))
    for name in "bcdef":
        _country_data("KH", "KH-12", name)
        _country_data("TH", "TH-10", f"t{name}")
    assert _count_queries(client, _url(model, "changelist")) == few
