"""Production logs are JSON lines without the teacher's status token (a credential) in any field."""

import io
import json
import logging

import pytest

from pilots.json_logging import RedactingJsonFormatter
from pilots.status_links import make_registration_token
from tests.factories import EnrolmentFactory


@pytest.fixture
def json_log():
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(RedactingJsonFormatter("%(asctime)s %(levelname)s %(name)s %(message)s"))
    logger = logging.getLogger("django")
    logger.addHandler(handler)
    yield stream
    logger.removeHandler(handler)


@pytest.mark.django_db
def test_a_status_link_in_a_request_log_is_redacted(client, json_log):
    token = make_registration_token(EnrolmentFactory())
    # A path under the token that does not exist: Django logs "Not Found: <path>" with the request.
    assert client.get(f"/registration/{token}/nothing-here/").status_code == 404
    lines = [json.loads(line) for line in json_log.getvalue().splitlines()]
    assert lines, "the 404 was logged"
    text = json_log.getvalue()
    assert token not in text
    assert any(line["message"] == "Not Found: /registration/[redacted]/nothing-here/" for line in lines)


def test_every_field_is_redacted_and_the_time_is_utc():
    formatter = RedactingJsonFormatter("%(asctime)s %(message)s")
    record = logging.LogRecord("gunicorn.access", logging.INFO, __file__, 1,
                               "GET %s 200", ("/registration/AbC123:xYz/withdraw/",), None)
    record.url = "https://pilots.example/registration/AbC123:xYz/"
    line = json.loads(formatter.format(record))
    assert line["message"] == "GET /registration/[redacted]/withdraw/ 200"
    assert line["url"] == "https://pilots.example/registration/[redacted]/"
    assert line["asctime"].endswith("Z")
