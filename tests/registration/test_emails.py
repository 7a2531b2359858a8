"""Emails go through a background task: a mail server that is down loses no registration, and the
failed send is retried and visible to staff."""

import pytest
from django.core.management import call_command
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from pilots.choices import EnrolmentStatus
from pilots.models import Enrolment, OutboundEmail, Province
from pilots.notifications import queue_email, send_email
from pilots.registration.services import register_teacher
from tests.factories import EnrolmentFactory, OpenCohortFactory
from tests.registration.helpers import registration_data

# The worker closes database connections between tasks, as in production: the tests commit for real
# (the flush after each test reloads provinces and subjects: see pilots.reference).
pytestmark = pytest.mark.django_db(transaction=True)

# Nothing listens here (our own port range): the SMTP connection is refused, as when the server is down.
DEAD_SMTP_PORT = 8349


@pytest.fixture
def database_tasks(settings):
    settings.TASKS = {"default": {"BACKEND": "pilots.tasks_backend.DatabaseBackend"}}


def register_teacher_in(cohort):
    return register_teacher(
        cohort=cohort, language="km", consent_version="2024-11",
        details={"email": "lan@example.org", "family_name": "Nguyễn", "given_name": "Thị Lan",
                 "province": Province.objects.get(code="KH-12"), "phone": "+85512345678"},
    )


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
    email = OutboundEmail.objects.get()
    assert queued.status == "READY" and queued.args_kwargs["kwargs"]["email_id"] == email.pk
    assert email.kind == "confirmed" and email.sent_at is None

    run_worker()

    failed = DBTaskResult.objects.get(status="FAILED")
    assert "ConnectionRefusedError" in failed.exception_class_path
    retry = DBTaskResult.objects.get(status="READY")
    assert retry.args_kwargs["kwargs"]["attempt"] == 2
    assert retry.run_after > timezone.now()
    email.refresh_from_db()
    assert (email.attempts, email.last_error, email.sent_at) == (1, "ConnectionRefusedError", None)
    # Staff see the failure in the admin ("Task results").
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    DBTaskResult.objects.filter(pk=retry.pk).update(run_after=timezone.now())

    run_worker()

    assert DBTaskResult.objects.get(pk=retry.pk).status == "SUCCESSFUL"
    assert len(mailoutbox) == 1 and enrolment.reference in mailoutbox[0].body
    email.refresh_from_db()
    assert email.attempts == 2 and email.sent_at is not None


def test_the_email_and_its_task_are_saved_with_the_enrolment_or_not_at_all(database_tasks):
    """With the database task backend the task row is written in the enrolment's transaction."""
    cohort = OpenCohortFactory()
    with pytest.raises(RuntimeError), transaction.atomic():
        register_teacher_in(cohort)
        assert OutboundEmail.objects.count() == 1 and DBTaskResult.objects.count() == 1  # before commit
        raise RuntimeError("the request failed after the registration")
    assert (Enrolment.objects.count(), OutboundEmail.objects.count(), DBTaskResult.objects.count()) == (0, 0, 0)

    register_teacher_in(cohort)
    assert (Enrolment.objects.count(), OutboundEmail.objects.count(), DBTaskResult.objects.count()) == (1, 1, 1)


def test_a_task_run_twice_sends_its_email_once(database_tasks, mailoutbox):
    email = queue_email(EnrolmentFactory(), "confirmed")
    assert send_email.call(email_id=email.pk) == "sent"
    assert send_email.call(email_id=email.pk) == "already sent"
    assert len(mailoutbox) == 1


def test_failed_email_tasks_are_listed_for_staff_in_the_admin(staff_client, settings, database_tasks):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", DEAD_SMTP_PORT, 2
    with transaction.atomic():
        queue_email(EnrolmentFactory(), "confirmed")
    run_worker()
    page = staff_client.get(reverse("admin:django_tasks_database_dbtaskresult_changelist") + "?status=FAILED")
    assert page.status_code == 200
    assert "send_email" in page.content.decode()


def test_the_last_attempt_is_not_retried_again(settings, database_tasks):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", DEAD_SMTP_PORT, 2
    settings.PILOTS_EMAIL_MAX_ATTEMPTS = 2
    email = queue_email(EnrolmentFactory(), "confirmed")
    DBTaskResult.objects.all().delete()
    send_email.enqueue(email_id=email.pk, attempt=2)
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
