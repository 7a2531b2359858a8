import csv
import io

from django.urls import reverse

from tests.factories import ProgrammeFactory


def test_staff_read_and_export_the_record_of_processing(db, staff_client):
    ProgrammeFactory(name="Pilot programme 2020-2024")
    html = staff_client.get(reverse("privacy:record_of_processing")).content.decode()
    assert "Mail provider" in html and "Pilot programme 2020-2024" in html and "60 days" in html
    response = staff_client.get(reverse("privacy:record_of_processing_export"))
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert rows[0] == ["Section", "Category", "Purpose", "Legal basis"]
    assert ["Retention", "Pilot programme 2020-2024", "60 months after the last cohort ends",
            "12 months for rejected, withdrawn or waitlisted applications"] in rows


def test_coordinators_do_not_see_it(make_coordinator, client):
    client.force_login(make_coordinator("VN"))
    assert client.get(reverse("privacy:record_of_processing")).status_code == 403
