"""Emails go through a background task: a mail server that is down loses no registration, and the
failed send is retried and visible to staff."""

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from pilots.choices import EnrolmentStatus
from pilots.models import Enrolment
from tests.factories import OpenCohortFactory
from tests.registration.helpers import registration_data

# The worker closes database connections between tasks, as in production: the tests commit for real
# (the flush after each test reloads provinces and subjects: see pilots.reference).
pytestmark = pytest.mark.django_db(transaction=True)

# Nothing listens here (our own port range): the SMTP connection is refused, as when the server is down.
DEAD_SMTP_PORT = 8349


@pytest.fixture
def database_tasks(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def run_worker():
    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)


def test_a_dead_mail_server_loses_no_registration_and_the_email_is_retried(
    client, settings, database_tasks, mailoutbox, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", DEAD_SMTP_PORT, 2
    cohort = OpenCohortFactory()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("registration:register", args=[cohort.code]), registration_data(cohort))

    assert response.status_code == 302  # the teacher is registered at once, mail server or not
    enrolment = Enrolment.objects.get()
    assert enrolment.status == EnrolmentStatus.CONFIRMED
    queued = DBTaskResult.objects.get()
    assert queued.status == "READY" and queued.args_kwargs["kwargs"]["kind"] == "confirmed"

    run_worker()

    failed = DBTaskResult.objects.get(status="FAILED")
    assert "ConnectionRefusedError" in failed.exception_class_path
    retry = DBTaskResult.objects.get(status="READY")
    assert retry.args_kwargs["kwargs"]["attempt"] == 2
    assert retry.run_after > timezone.now()
    # Staff see the failure in the admin ("Task results").
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    DBTaskResult.objects.filter(pk=retry.pk).update(run_after=timezone.now())

    run_worker()

    assert DBTaskResult.objects.get(pk=retry.pk).status == "SUCCESSFUL"
    assert len(mailoutbox) == 1 and enrolment.reference in mailoutbox[0].body


def test_failed_email_tasks_are_listed_for_staff_in_the_admin(staff_client, settings, database_tasks):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", DEAD_SMTP_PORT, 2
    from pilots.notifications import send_enrolment_email
    from tests.factories import EnrolmentFactory

    enrolment = EnrolmentFactory()
    send_enrolment_email.enqueue(enrolment_id=enrolment.pk, kind="confirmed", attempt=1)
    run_worker()
    page = staff_client.get(reverse("admin:django_tasks_database_dbtaskresult_changelist") + "?status=FAILED")
    assert page.status_code == 200
    assert "send_enrolment_email" in page.content.decode()


def test_the_last_attempt_is_not_retried_again(settings, database_tasks):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", DEAD_SMTP_PORT, 2
    settings.PILOTS_EMAIL_MAX_ATTEMPTS = 2
    from pilots.notifications import send_enrolment_email
    from tests.factories import EnrolmentFactory

    send_enrolment_email.enqueue(enrolment_id=EnrolmentFactory().pk, kind="confirmed", attempt=2)
    run_worker()
    assert list(DBTaskResult.objects.values_list("status", flat=True)) == ["FAILED"]


def test_emails_use_the_language_the_teacher_chose_for_emails(
    client, mailoutbox, django_capture_on_commit_callbacks
):
    cohort = OpenCohortFactory()
    client.cookies["django_language"] = "en"  # the page is read in English...
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("registration:register", args=[cohort.code]),
                    registration_data(cohort, preferred_language="th"))  # ...emails wanted in Thai
    assert Enrolment.objects.get().language == "en"
    assert mailoutbox[0].extra_headers["Content-Language"] == "th"
    assert 'lang="th"' in mailoutbox[0].alternatives[0][0]
