"""The "My registration" link: never in a log line (Django's loggers and gunicorn's access log),
expires some time after its cohort, and a teacher can ask for a fresh one by email without the page
telling whether an address is registered."""

import datetime as dt
import logging
import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from io import StringIO
from pathlib import Path

import pytest
from django.core import signing
from django.urls import reverse
from django.utils import timezone

from pilots.models import Enrolment
from pilots.status_links import SALT, LinkExpired, make_registration_token, read_registration_token
from tests.factories import CohortFactory, EnrolmentFactory, OpenCohortFactory, TeacherFactory

ROOT = Path(__file__).resolve().parent.parent.parent
pytestmark = pytest.mark.django_db


def _token_issued(enrolment, when: dt.datetime) -> str:
    """A link as make_registration_token wrote it at `when` (TimestampSigner's format)."""
    return signing.Signer(salt=SALT).sign(f"{enrolment.pk}:{signing.b62_encode(int(when.timestamp()))}")


def _old_style_token(enrolment) -> str:
    """A link as sent before links carried the time they were issued."""
    return signing.Signer(salt=SALT).sign(str(enrolment.pk))


def _status(client, token):
    return client.get(reverse("registration:my_registration", args=[token]))


# --- logs -------------------------------------------------------------------------------------


@pytest.fixture
def console_output():
    """What the configured console handler (the one every logger ends in) writes."""
    handler = next(h for h in logging.getLogger().handlers if getattr(h, "name", "") == "console"
                   or isinstance(h, logging.StreamHandler))
    buffer = StringIO()
    old = handler.setStream(buffer)
    yield buffer
    handler.setStream(old)


def test_a_status_page_request_logs_its_path_without_the_token(client, console_output):
    enrolment = EnrolmentFactory()
    token = make_registration_token(enrolment)
    # A link with one character changed: a 404 that django.request logs with its path.
    broken = token[:-1] + ("A" if token[-1] != "A" else "B")
    assert _status(client, broken).status_code == 404
    # What runserver's request handler logs for every request (django.server).
    logging.getLogger("django.server").info('"%s" %s %s', f"GET /registration/{token}/ HTTP/1.1", "200", "5120")
    logging.getLogger("pilots.registration").warning("Slow page %s", f"/registration/{token}/done/")
    output = console_output.getvalue()
    assert "Not Found: /registration/[redacted]/" in output
    assert '"GET /registration/[redacted]/ HTTP/1.1" 200 5120' in output
    assert "Slow page /registration/[redacted]/done/" in output
    signature = token.rsplit(":", 1)[1]
    assert token not in output and broken not in output and signature not in output


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_gunicorn_access_log_shows_status_link_paths_redacted(tmp_path):
    enrolment_token = signing.Signer(salt=SALT).sign("12345:" + signing.b62_encode(int(time.time())))
    port = _free_port()
    access_log = tmp_path / "access.log"
    env = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "DJANGO_SETTINGS_MODULE"}}
    env.update(PILOTS_TESTING="1", GUNICORN_BIND=f"127.0.0.1:{port}", WEB_CONCURRENCY="1",
               GUNICORN_ACCESS_LOG=str(access_log), DATABASE_URL=f"sqlite:///{tmp_path / 'empty.sqlite3'}")
    server = subprocess.Popen(
        [str(Path(sys.executable).parent / "gunicorn"), "-c", "config/gunicorn.conf.py"],  # as the README runs it
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        for _ in range(150):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.1)
        request = urllib.request.Request(
            f"{base}/registration/{enrolment_token}/done/?next=%2Fregistration%2F{enrolment_token}%2F",
            headers={"Referer": f"{base}/registration/{enrolment_token}/", "Host": "localhost"},
        )
        # A genuine signature, so the page looks the enrolment up, in a database without tables here:
        # an error page, which Django also logs (with its path) on gunicorn's error output.
        with pytest.raises(urllib.error.HTTPError):
            urllib.request.urlopen(request, timeout=10)
        for _ in range(50):
            if "/done/" in access_log.read_text():
                break
            time.sleep(0.1)
    finally:
        server.terminate()
        output, _ = server.communicate(timeout=20)
    log = access_log.read_text()
    assert "GET /registration/[redacted]/done/?next=%2Fregistration%2F[redacted] HTTP/1.1" in log, log
    assert f"{base}/registration/[redacted]/" in log  # the referrer
    signature = enrolment_token.rsplit(":", 1)[1]
    assert signature not in log, log
    # A database without tables is "unavailable" (503): Django logs the path of every 5xx.
    assert "Service Unavailable: /registration/[redacted]/done/" in output, output
    assert signature not in output, output  # gunicorn's and Django's own lines on stderr


# --- expiry -----------------------------------------------------------------------------------


def _ended(days_ago):
    end = timezone.localdate() - dt.timedelta(days=days_ago)
    return CohortFactory(start_date=end - dt.timedelta(days=4), end_date=end, year=end.year)


def test_a_link_works_until_the_period_after_its_cohort_ends(settings):
    settings.PILOTS_STATUS_LINK_DAYS = 90
    enrolment = EnrolmentFactory(cohort=_ended(days_ago=0))
    token = _old_style_token(enrolment)
    end = enrolment.cohort.end_date
    assert read_registration_token(token, today=end + dt.timedelta(days=90)) == enrolment.pk
    with pytest.raises(LinkExpired):
        read_registration_token(token, today=end + dt.timedelta(days=91))


def test_a_fresh_link_sent_after_the_cohort_works_for_the_period_from_when_it_was_sent(settings):
    settings.PILOTS_STATUS_LINK_DAYS = 90
    enrolment = EnrolmentFactory(cohort=_ended(days_ago=400))
    assert read_registration_token(make_registration_token(enrolment)) == enrolment.pk
    stale = _token_issued(enrolment, timezone.now() - dt.timedelta(days=91))
    with pytest.raises(LinkExpired):
        read_registration_token(stale)


def test_an_expired_link_shows_a_translated_page_offering_a_fresh_one(client):
    enrolment = EnrolmentFactory(cohort=_ended(days_ago=200))
    token = _old_style_token(enrolment)
    client.cookies["django_language"] = "en"
    for name in ("my_registration", "done"):
        response = client.get(reverse(f"registration:{name}", args=[token]))
        assert response.status_code == 410
        html = response.content.decode()
        assert "<h1>This link has expired</h1>" in html
        assert f'action="{reverse("registration:request_link")}"' in html
        assert enrolment.teacher.email not in html and enrolment.teacher.family_name not in html
    response = client.post(reverse("registration:withdraw", args=[token]))
    assert response.status_code == 410
    enrolment.refresh_from_db()
    assert enrolment.status == "confirmed"
    # Without a chosen language, the page speaks the one the teacher registered in (Khmer here).
    del client.cookies["django_language"]
    html = _status(client, token).content.decode()
    assert '<html lang="km">' in html and "តំណនេះផុតកំណត់ហើយ" in html


def test_a_link_to_a_current_cohort_still_works(client):
    enrolment = EnrolmentFactory(cohort=OpenCohortFactory())
    assert _status(client, _old_style_token(enrolment)).status_code == 200
    assert _status(client, make_registration_token(enrolment)).status_code == 200


# --- asking for a fresh link ------------------------------------------------------------------


REQUEST_URL = "/registration-link/"


def _ask(client, email, address="198.51.100.7"):
    return client.post(REQUEST_URL, {"email": email}, REMOTE_ADDR=address)


def _page_text(response):
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", response.content.decode())


def test_a_teacher_gets_a_fresh_working_link_for_each_enrolment(
    client, mailoutbox, django_capture_on_commit_callbacks
):
    teacher = TeacherFactory(email="sophea@example.org")
    old = EnrolmentFactory(teacher=teacher, cohort=_ended(days_ago=300))
    current = EnrolmentFactory(teacher=teacher, cohort=OpenCohortFactory())
    with django_capture_on_commit_callbacks(execute=True):
        response = _ask(client, "  Sophea@Example.ORG ")
    assert response.status_code == 200 and "<h1>Check your email</h1>" in response.content.decode()
    assert len(mailoutbox) == 2
    assert {m.to[0] for m in mailoutbox} == {"sophea@example.org"}
    for message in mailoutbox:
        path = re.search(r"https?://[^/]+(/registration/[^/\s]+/)", message.body).group(1)
        response = client.get(path)
        assert response.status_code == 200
        assert response.context["enrolment"].pk in (old.pk, current.pk)
    assert Enrolment.objects.count() == 2


def test_the_answer_is_the_same_for_an_unknown_address(client, mailoutbox, django_capture_on_commit_callbacks):
    EnrolmentFactory(teacher=TeacherFactory(email="sophea@example.org"))
    with django_capture_on_commit_callbacks(execute=True):
        known = _ask(client, "sophea@example.org")
        unknown = _ask(client, "nobody@example.org", address="203.0.113.5")
    assert known.status_code == unknown.status_code == 200
    assert _page_text(known) == _page_text(unknown)
    assert len(mailoutbox) == 1


def test_requests_are_limited_per_address_and_per_email(client, settings, mailoutbox):
    settings.PILOTS_LINK_REQUEST_RATE = "3/h"
    settings.PILOTS_LINK_REQUEST_EMAIL_RATE = "2/h"
    # One email from many addresses.
    assert [_ask(client, "sophea@example.org", f"198.51.100.{i}").status_code for i in range(3)] == [200, 200, 429]
    # Many emails from one address.
    codes = [_ask(client, f"t{i}@example.org", "203.0.113.9").status_code for i in range(4)]
    assert codes == [200, 200, 200, 429]
    assert "Too many attempts" in _ask(client, "x@example.org", "203.0.113.9").content.decode()


@pytest.mark.parametrize("email", ["", "not an email", "a@b", "x" * 300 + "@example.org", "a\x00b@example.org",
                                   "\u202eorg.example@a", "ผู้ใช้@ตัวอย่าง.ไทย"])
def test_bad_input_shows_a_field_error_not_an_error_page(client, email):
    response = _ask(client, email)
    assert response.status_code == 200
    assert "Get a new link to your registration" in response.content.decode()


def test_the_request_page_is_linked_from_the_status_and_cohort_pages(client):
    enrolment = EnrolmentFactory(cohort=OpenCohortFactory())
    for url in (
        reverse("registration:my_registration", args=[make_registration_token(enrolment)]),
        reverse("registration:cohort_detail", args=[enrolment.cohort.code]),
        reverse("registration:open_cohorts"),
    ):
        assert f'href="{REQUEST_URL}"' in client.get(url).content.decode(), url
    response = client.get(REQUEST_URL)
    assert response.status_code == 200 and 'type="email"' in response.content.decode()


@pytest.mark.parametrize("enrolments", [1, 5])
def test_asking_for_fresh_links_takes_a_fixed_number_of_queries(client, django_assert_max_num_queries, enrolments):
    teacher = TeacherFactory(email="sophea@example.org")
    for _ in range(enrolments):
        EnrolmentFactory(teacher=teacher)
    # The teacher, the enrolments, who was emailed just now, one bulk insert of the emails (their
    # tasks run after commit here, immediate backend), and the savepoint around them.
    with django_assert_max_num_queries(6):
        assert _ask(client, "sophea@example.org").status_code == 200
