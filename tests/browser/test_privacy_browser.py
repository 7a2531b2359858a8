"""A teacher, on a phone, downloads their data and asks for its erasure from "My registration"."""

import json

import pytest

from pilots.models import DataRequest
from pilots.status_links import make_registration_token
from tests.factories import EnrolmentFactory, OpenCohortFactory

from .support import assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_teacher_downloads_their_data_and_requests_erasure_on_a_phone(page, mailoutbox):
    enrolment = EnrolmentFactory(cohort=OpenCohortFactory(), teacher__email="chantha.sok@example.org")
    page.set_viewport_size({"width": 360, "height": 740})
    page.goto(f"/registration/{make_registration_token(enrolment)}/")
    assert_accessible(page, "the status page with its privacy section")

    with page.expect_download() as download:
        page.get_by_role("link", name="Download my data (JSON)").click()
    data = json.loads(open(download.value.path(), encoding="utf-8").read())["data"]
    assert data["pilots.Teacher"][0]["email"] == "chantha.sok@example.org"
    assert [e["reference"] for e in data["pilots.Enrolment"]] == [enrolment.reference]

    page.get_by_role("link", name="See my data").click()
    assert "chantha.sok@example.org" in page.locator("main").inner_text()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")  # nothing cut off
    assert_accessible(page, "the page of the teacher's data")
    page.get_by_role("link", name="Back to my registration").click()

    page.get_by_label("What do you ask?").select_option("erasure")
    page.get_by_label("Details (optional)").fill("I left teaching.")
    page.get_by_role("button", name="Send my request").click()
    assert "Your request is recorded" in page.locator("main").inner_text()
    erasure = DataRequest.objects.get(kind="erasure")
    assert erasure.status == "received" and erasure.due_on is not None
    assert any("we can no longer write to you" in m.body for m in mailoutbox)
