"""A teacher downloads everything Pilots holds about them from "My registration"."""

import json

import pytest
from django.urls import reverse

from pilots.models import DataRequest
from pilots.privacy.erasure import erase_teacher
from pilots.privacy.inventory import models_referring_to_teacher
from pilots.privacy.models import RequestKind, RequestStatus
from pilots.status_links import make_registration_token

from .conftest import NOTE, PERSONAL


def rows_referring_to(teacher):
    """Every (model label, pk) that refers to the teacher, found by walking the foreign keys of every
    model (history tables by the rows they copy): independent of the registry."""
    found = {teacher._meta.label: {teacher.pk}}
    models = models_referring_to_teacher()
    for _ in range(len(models)):
        for model in models:
            if getattr(model, "instance_type", None):
                ids = found.get(model.instance_type._meta.label, set())
                pks = set(model.objects.filter(id__in=ids).values_list("pk", flat=True))
            else:
                pks = set()
                for f in model._meta.concrete_fields:
                    if f.is_relation and f.related_model._meta.label in found:
                        pks |= set(model._default_manager.filter(
                            **{f"{f.attname}__in": found[f.related_model._meta.label]}).values_list("pk", flat=True))
            if pks:
                found.setdefault(model._meta.label, set()).update(pks)
    return {(label, pk) for label, pks in found.items() for pk in pks}


def _token(teacher):
    return make_registration_token(teacher.enrolments.first())


def test_json_export_holds_every_row_that_refers_to_the_teacher(two_cohorts, client):
    target = two_cohorts["target"]
    expected = rows_referring_to(target)
    assert {label for label, _ in expected} >= {"pilots.Teacher", "pilots.HistoricalTeacher", "pilots.Enrolment",
                                                "pilots.Attendance", "pilots.Assessment", "pilots.Teacher_subjects"}
    response = client.get(reverse("privacy:my_data_json", args=[_token(target)]))
    assert response["Content-Type"] == "application/json; charset=utf-8"
    data = json.loads(response.content)["data"]
    exported = {(label, row["pk"]) for label, rows in data.items() for row in rows}
    assert expected <= exported
    teacher = data["pilots.Teacher"][0]
    assert teacher["email"] == PERSONAL["email"] and teacher["phone"] == PERSONAL["phone"]
    assert NOTE in {row["notes"] for row in data["pilots.Enrolment"]}


def test_export_leaves_out_other_teachers(two_cohorts, client):
    other = two_cohorts["others"][0]
    response = client.get(reverse("privacy:my_data_json", args=[_token(two_cohorts["target"])]))
    assert other.email not in response.content.decode()


def test_readable_page_shows_the_same_rows(two_cohorts, client):
    target = two_cohorts["target"]
    html = client.get(reverse("privacy:my_data", args=[_token(target)])).content.decode()
    for value in (PERSONAL["family_name"], PERSONAL["email"], PERSONAL["school"], NOTE):
        assert value in html
    assert html.count('data-model="pilots.Attendance"') == 1 and html.count("data-pk=") >= 20


def test_a_download_is_in_the_requests_register_as_an_access_request_done(two_cohorts, client):
    client.get(reverse("privacy:my_data_json", args=[_token(two_cohorts["target"])]))
    request = DataRequest.objects.get()
    assert (request.kind, request.status, request.teacher) == (RequestKind.ACCESS, RequestStatus.DONE,
                                                             two_cohorts["target"])


@pytest.mark.parametrize("name", ["privacy:my_data", "privacy:my_data_json", "registration:my_registration"])
def test_links_of_an_erased_teacher_show_nothing(two_cohorts, client, name):
    token = _token(two_cohorts["target"])
    erase_teacher(teacher=two_cohorts["target"])
    assert client.get(reverse(name, args=[token])).status_code == 404


def test_a_forged_link_is_a_404(db, client):
    assert client.get(reverse("privacy:my_data_json", args=["1:forged"])).status_code == 404


def test_export_takes_the_same_number_of_queries_for_few_and_many_rows(two_cohorts, client, django_assert_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    few = two_cohorts["others"][3]  # withdrawn: no attendance, no scores
    counts = []
    for teacher in (few, two_cohorts["target"]):
        url = reverse("privacy:my_data", args=[_token(teacher)])
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]
