"""The registration POST's queries: a fixed number, and only the seat decision and its writes while
the cohort row is locked (everything else is done before the lock is taken)."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from pilots.choices import EnrolmentStatus
from pilots.models import Enrolment, OutboundEmail
from pilots.registration import lookups, views
from tests.factories import EnrolmentFactory, OpenCohortFactory, TeacherFactory
from tests.registration.helpers import registration_data

pytestmark = pytest.mark.django_db

# The production task backend: the email's task is a row written in the registration's transaction.
DATABASE_TASKS = {"default": {"BACKEND": "pilots.tasks_backend.DatabaseBackend"}}

# Round trips, in a process that has served a registration within the last second: before the
# transaction none (the cohort, the privacy notice's version, the provinces and subjects the form
# checks are kept a second, `pilots.kept`). In it: the new teacher with their history, their
# subjects; then the lock window. Tests run inside a transaction, so the service's is a savepoint
# (2 more). On PostgreSQL (`pilots.rows`) a row and its history are one statement; the subjects,
# the lock, the seat count and the keys of the rows to write go in one round trip, and the
# enrolment, its email and its task in one more. Elsewhere each statement is a round trip.
def new_teacher_queries():
    if connection.vendor == "postgresql":
        return 2 + 1 + 1 + 1
    return 2 + (2 + 1) + (1 + 1 + 2 + 1 + 1)


LOCK_WINDOW_WRITES = ["insert pilots_enrolment with history", "insert pilots_outboundemail",
                      "insert django_tasks_database_dbtaskresult"]


def _statements(sql):
    # One round trip may carry several statements, joined by "; " (`pilots.rows`).
    return re.split(r";\s+(?=WITH |INSERT |SELECT )", sql)


def _post(client, cohort, **overrides):
    data = registration_data(cohort, **overrides)  # its own lookups, outside the count
    # What a busy process keeps (`pilots.kept`), read before the count.
    lookups.reference()
    views._post_cohort(cohort.code)
    views._privacy_version("en")
    with CaptureQueriesContext(connection) as queries:
        response = client.post(reverse("registration:register", args=[cohort.code]), data)
    return response, [q["sql"] for q in queries.captured_queries]


def _kind(sql):
    words = sql.split()
    if words[:4] == ["WITH", "row", "AS", "(INSERT"]:  # a row and its history, one statement
        return f"insert {words[5].strip(chr(34))} with history"
    if words[0] == "INSERT":
        return f"insert {words[2].strip(chr(34))}"
    if "COUNT(" in sql and '"pilots_enrolment"' in sql and '"pilots_seatoffer"' in sql:
        return "count"
    if words[:2] == ["SELECT", "nextval(pg_get_serial_sequence('\"pilots_enrolment\"',"]:
        return "keys"
    return words[0].lower()


def test_a_registration_post_makes_a_fixed_number_of_queries(client, settings):
    settings.TASKS = DATABASE_TASKS
    cohort = OpenCohortFactory(capacity=2)
    response, queries = _post(client, cohort)
    assert response.status_code == 302
    assert len(queries) == new_teacher_queries(), "\n".join(queries)
    enrolment = Enrolment.objects.get(cohort=cohort)
    assert enrolment.status == EnrolmentStatus.CONFIRMED
    assert OutboundEmail.objects.filter(enrolment=enrolment, kind="confirmed").exists()


def test_the_same_number_for_every_registration_of_a_full_cohort(client, settings):
    settings.TASKS = DATABASE_TASKS
    cohort = OpenCohortFactory(capacity=1)
    counts = []
    for n in range(3):
        response, queries = _post(client, cohort, email=f"teacher{n}@example.org")
        assert response.status_code == 302
        counts.append(len(queries))
    assert counts == [new_teacher_queries()] * 3
    assert sorted(Enrolment.objects.filter(cohort=cohort).values_list("status", flat=True)) == [
        EnrolmentStatus.CONFIRMED, EnrolmentStatus.WAITLISTED, EnrolmentStatus.WAITLISTED]


@pytest.mark.postgres
def test_only_the_seat_decision_and_its_writes_happen_under_the_cohort_lock(client, settings):
    settings.TASKS = DATABASE_TASKS
    cohort = OpenCohortFactory()
    response, queries = _post(client, cohort)
    assert response.status_code == 302
    locks = [n for n, sql in enumerate(queries) if "FOR UPDATE" in sql]
    assert len(locks) == 1
    lock = locks[0]
    assert "set_config('lock_timeout'" in queries[lock]  # the lock timeout, in the same statement
    # The teacher's record and its history are written before the lock is taken ...
    before = [_kind(sql) for sql in queries[:lock]]
    assert "insert pilots_teacher with history" in before
    # ... and the lock is held for the count (a statement of its own, sent with the lock but run once
    # it is granted, so that it sees every seat committed before) and the keys of the rows to write,
    # then for one round trip: the enrolment, its history, its email and its task.
    assert [_kind(sql) for sql in _statements(queries[lock])] == [
        "insert pilots_teacher_subjects", "select", "count", "keys"]  # the subjects before the lock
    assert [[_kind(sql) for sql in _statements(trip)] for trip in queries[lock + 1:-1]] == [LOCK_WINDOW_WRITES]
    assert queries[-1].startswith("RELEASE SAVEPOINT")  # the commit, in a test's transaction


def test_a_returning_teacher_already_registered_gets_the_link_again_without_the_lock(client, settings):
    settings.TASKS = DATABASE_TASKS
    cohort = OpenCohortFactory()
    teacher = TeacherFactory(email="chantha.sok@example.org")
    enrolment = EnrolmentFactory(teacher=teacher, cohort=cohort, status=EnrolmentStatus.WAITLISTED)
    response, queries = _post(client, cohort)
    assert response.status_code == 200
    assert not any("FOR UPDATE" in sql for sql in queries)
    assert OutboundEmail.objects.filter(enrolment=enrolment, kind="link").count() == 1


def test_a_withdrawn_teacher_registering_again_goes_to_the_back_of_the_queue(client, settings):
    settings.TASKS = DATABASE_TASKS
    cohort = OpenCohortFactory(capacity=1)
    EnrolmentFactory(cohort=cohort, status=EnrolmentStatus.CONFIRMED)
    teacher = TeacherFactory(email="chantha.sok@example.org")
    withdrawn = EnrolmentFactory(teacher=teacher, cohort=cohort, status=EnrolmentStatus.WITHDRAWN)
    later = EnrolmentFactory(cohort=cohort, status=EnrolmentStatus.WAITLISTED)
    response, _ = _post(client, cohort)
    assert response.status_code == 302
    withdrawn.refresh_from_db()
    assert withdrawn.status == EnrolmentStatus.WAITLISTED
    assert list(cohort.enrolments.waiting()) == [later, withdrawn]
