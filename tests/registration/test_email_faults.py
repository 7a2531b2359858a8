"""Nothing lost when something fails: real gunicorn, real db_worker processes, a real SMTP server,
real PostgreSQL, and faults injected from outside (connections terminated, a worker SIGKILLed at a
chosen moment, the mail server down). Every saved enrolment gets exactly one email; no cohort is
overbooked; no teacher who was registered saw an error page."""

import signal
import threading
import time

import psycopg
import pytest
from django.db import connection, transaction
from django_tasks_db.models import DBTaskResult

from pilots.choices import EnrolmentStatus
from pilots.enrolment import lock_cohort, place_enrolment
from pilots.models import Enrolment, OutboundEmail
from tests.factories import OpenCohortFactory, TeacherFactory
from tests.registration import faults
from tests.registration.helpers import registration_data

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

TEACHERS = 40
CAPACITY = 20


@pytest.fixture(autouse=True)
def database_tasks(settings):
    # As in production: emails queued here (by the test itself) are rows for the worker processes.
    settings.TASKS = {"default": {"BACKEND": "pilots.tasks_backend.DatabaseBackend"}}


@pytest.fixture
def smtp():
    server = faults.SmtpServer().start()
    yield server
    server.stop()


@pytest.fixture
def processes():
    started = []
    yield started
    for process in started:
        faults.stop(process, signal.SIGKILL)


def burst(port, cohort, teachers=TEACHERS):
    fields = registration_data(cohort)
    clients = [faults.Teacher(port, n) for n in range(teachers)]
    outcomes = {}
    barrier = threading.Barrier(teachers)

    def go(client):
        barrier.wait(timeout=30)
        outcomes[client.email] = client.register(cohort.code, fields)

    threads = [threading.Thread(target=go, args=(client,)) for client in clients]
    for thread in threads:
        thread.start()
    return clients, outcomes, threads


def all_emails_sent():
    return OutboundEmail.objects.exists() and not OutboundEmail.objects.filter(sent_at=None).exists()


def assert_nothing_lost(clients, outcomes, smtp, capacity=CAPACITY):
    statuses = [status for client in clients for _method, status in client.responses]
    enrolments = {e.teacher.email: e for e in Enrolment.objects.select_related("teacher")}
    delivered = smtp.mailbox.count_by_recipient()
    report = {
        "responses": {code: statuses.count(code) for code in sorted(set(statuses))},
        "outcomes": {o: list(outcomes.values()).count(o) for o in sorted(set(outcomes.values()))},
        "enrolments": len(enrolments),
        "emails_delivered": sum(delivered.values()),
    }
    print("fault test:", report)
    assert 500 not in statuses, report
    # Everyone shown "registered" is registered, and every registration was shown as such.
    registered = {email for email, outcome in outcomes.items() if outcome != "failed"}
    assert registered == set(enrolments), report
    # Exactly one email per saved enrolment, and none to anybody else.
    assert delivered == {email: 1 for email in enrolments}, report
    confirmed = sum(e.status == EnrolmentStatus.CONFIRMED for e in enrolments.values())
    assert confirmed == min(capacity, len(enrolments)), report
    return report


def test_killing_the_apps_database_connections_mid_burst_loses_no_email_and_shows_no_error(smtp, processes):
    cohort = OpenCohortFactory(capacity=CAPACITY)
    app, port = faults.start_app(smtp.port)
    processes.append(app)
    processes.append(faults.start_worker(smtp.port))

    clients, outcomes, threads = burst(port, cohort)
    killed, blinks = 0, 0
    while any(thread.is_alive() for thread in threads) and blinks < 6:  # the database "blinks"
        time.sleep(0.5)
        killed += faults.kill_connections(faults.APP)
        blinks += 1
    for thread in threads:
        thread.join()

    assert killed > 0
    assert faults.wait_for(all_emails_sent), "emails still unsent"
    time.sleep(0.5)  # nothing more arrives
    report = assert_nothing_lost(clients, outcomes, smtp)
    assert report["enrolments"] >= TEACHERS - 2  # a teacher gives up only after four tries


def test_a_worker_survives_losing_its_database_connection(smtp, processes):
    cohort = OpenCohortFactory(capacity=CAPACITY)
    app, port = faults.start_app(smtp.port)
    worker = faults.start_worker(smtp.port)
    processes.extend([app, worker])

    clients, outcomes, threads = burst(port, cohort, teachers=20)
    for _ in range(8):  # while the teachers register and the worker works through the queue
        faults.kill_connections(faults.WORKER)
        time.sleep(0.4)
    for thread in threads:
        thread.join()

    assert faults.wait_for(all_emails_sent), "emails still unsent"
    assert worker.poll() is None, "the worker exited"
    assert_nothing_lost(clients, outcomes, smtp)


def _held_email(smtp, processes):
    """One queued email whose worker is stopped in the middle of talking to the mail server."""
    teacher = TeacherFactory(email="held@example.org")
    cohort = OpenCohortFactory()
    with transaction.atomic():
        place_enrolment(enrolment=Enrolment(teacher=teacher, cohort=cohort), cohort=lock_cohort(cohort.pk))
    smtp.mailbox.hold = True
    worker = faults.start_worker(smtp.port)
    processes.append(worker)
    assert smtp.mailbox.arrivals.get(timeout=30) == ["held@example.org"]
    return worker


def _task_row_lock():
    """A transaction holding the row lock of every running task: the worker cannot mark it done."""
    db = connection.settings_dict
    conn = psycopg.connect(host=db["HOST"] or faults.HOST, port=db["PORT"] or 5432, user=db["USER"],
                           dbname=db["NAME"])
    rows = conn.execute(
        "SELECT id FROM django_tasks_database_dbtaskresult WHERE status = 'RUNNING' FOR UPDATE"
    ).fetchall()
    assert len(rows) == 1
    return conn


def test_a_worker_killed_after_the_mail_server_accepted_does_not_send_twice(smtp, processes):
    worker = _held_email(smtp, processes)
    lock = _task_row_lock()
    smtp.mailbox.decisions.put("accept")  # the server says 250; the worker cannot mark the task done
    assert faults.wait_for(lambda: OutboundEmail.objects.filter(sent_at__isnull=False).exists())
    worker.send_signal(signal.SIGKILL)
    worker.wait()
    # A dead machine's sessions end too (the server would otherwise finish its last statement).
    faults.kill_connections(faults.WORKER)
    lock.rollback()
    lock.close()
    smtp.mailbox.hold = False

    processes.append(faults.start_worker(smtp.port))  # another worker reclaims the dead one's task
    assert faults.wait_for(lambda: DBTaskResult.objects.filter(status="SUCCESSFUL").exists())
    time.sleep(0.5)
    assert DBTaskResult.objects.get().return_value == "already sent"
    assert smtp.mailbox.count_by_recipient() == {"held@example.org": 1}


def test_a_worker_killed_before_the_mail_server_accepted_has_its_email_sent_by_another(smtp, processes):
    worker = _held_email(smtp, processes)
    worker.send_signal(signal.SIGKILL)  # dies in the middle of the SMTP conversation
    worker.wait()
    smtp.mailbox.decisions.put("reject")  # the dead connection's message is never delivered
    smtp.mailbox.hold = False
    assert smtp.mailbox.count_by_recipient() == {}

    processes.append(faults.start_worker(smtp.port))
    assert faults.wait_for(all_emails_sent)
    time.sleep(0.5)
    assert smtp.mailbox.count_by_recipient() == {"held@example.org": 1}


def test_a_mail_server_down_then_up_delivers_every_email_once(processes):
    smtp = faults.SmtpServer()  # not started: connections are refused
    cohort = OpenCohortFactory(capacity=CAPACITY)
    app, port = faults.start_app(smtp.port)
    processes.extend([app, faults.start_worker(smtp.port)])

    clients, outcomes, threads = burst(port, cohort, teachers=10)
    for thread in threads:
        thread.join()
    assert faults.wait_for(lambda: OutboundEmail.objects.filter(attempts__gte=1).count() == 10)
    assert not OutboundEmail.objects.filter(sent_at__isnull=False).exists()

    smtp.start()
    try:
        assert faults.wait_for(all_emails_sent), "emails still unsent"
        time.sleep(0.5)
        report = assert_nothing_lost(clients, outcomes, smtp)
    finally:
        smtp.stop()
    assert report["responses"] == {200: 20, 302: 10}  # form, sent, confirmation page: nothing failed
