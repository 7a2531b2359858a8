"""A teacher, on a phone, downloads their data and asks for its erasure from "My registration",
in Khmer (the language they registered in)."""

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
    assert page.locator("html").get_attribute("lang") == "km"
    assert_accessible(page, "the status page with its privacy section")

    with page.expect_download() as download:
        page.get_by_role("link", name="ទាញយកទិន្នន័យរបស់ខ្ញុំ (JSON)").click()
    data = json.loads(open(download.value.path(), encoding="utf-8").read())["data"]
    assert data["pilots.Teacher"][0]["email"] == "chantha.sok@example.org"
    assert [e["reference"] for e in data["pilots.Enrolment"]] == [enrolment.reference]

    page.get_by_role("link", name="មើលទិន្នន័យរបស់ខ្ញុំ").click()
    assert "chantha.sok@example.org" in page.locator("main").inner_text()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")  # nothing cut off
    assert_accessible(page, "the page of the teacher's data")
    page.get_by_role("link", name="ត្រឡប់ទៅការចុះឈ្មោះរបស់ខ្ញុំ").click()

    page.get_by_label("តើលោកអ្នកស្នើសុំអ្វី?").select_option("erasure")
    page.get_by_label("ព័ត៌មានលម្អិត (មិនចាំបាច់)").fill("ខ្ញុំឈប់បង្រៀនហើយ។")
    page.get_by_role("button", name="ផ្ញើសំណើរបស់ខ្ញុំ").click()
    assert "សំណើរបស់លោកអ្នកត្រូវបានកត់ត្រាហើយ" in page.locator("main").inner_text()
    erasure = DataRequest.objects.get(kind="erasure")
    assert erasure.status == "received" and erasure.due_on is not None
    assert any("យើងមិនអាចសរសេរមកលោកអ្នកទៀតបានទេ" in m.body for m in mailoutbox)
