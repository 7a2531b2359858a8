"""Statements written out once (pilots.rows) write and read what the ORM would: the same rows, the
same history records, the same values."""

import pytest
from django.contrib.auth.models import AnonymousUser, User
from django.db import IntegrityError, connection, transaction
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django_tasks_db import DatabaseBackend as LibraryBackend
from django_tasks_db.models import DBTaskResult
from simple_history.models import HistoricalRecords

from pilots import rows
from pilots.history import change_reason
from pilots.models import Cohort, Enrolment, OutboundEmail, Subject, Teacher
from pilots.notifications import send_email
from pilots.tasks_backend import DatabaseBackend
from tests.factories import CohortFactory, TeacherFactory

pytestmark = pytest.mark.django_db


def _teacher(**fields):
    return Teacher(**{"family_name": "Sok", "given_name": "Chantha", "email": "chantha.sok@example.org",
                      "school": "Hun Sen High School", **fields})


def test_a_row_and_its_history_are_written_as_the_orm_writes_them():
    teacher = _teacher()
    with change_reason("registration"):
        assert rows.insert_with_history(teacher) is True
    saved = Teacher.objects.get(pk=teacher.pk)
    assert (saved.email, saved.school) == ("chantha.sok@example.org", "Hun Sen High School")
    assert saved.created_at is not None and saved.created_at == teacher.created_at  # auto_now_add, as save()
    (record,) = saved.history.all()
    assert record.history_type == "+"
    assert record.history_change_reason == "registration"
    assert record.history_user is None
    assert (record.family_name, record.email, record.created_at) == ("Sok", saved.email, saved.created_at)
    assert not teacher._state.adding  # a later save() updates this row
    teacher.school = "Preah Sisowath High School"
    teacher.save()
    assert Teacher.objects.count() == 1 and saved.history.count() == 2


def test_the_history_names_the_signed_in_user_as_django_simple_history_would():
    user = User.objects.create_user("sophea", password="not-used-here")
    request = RequestFactory().post("/")
    request.user = user
    HistoricalRecords.context.request = request
    try:
        rows.insert_with_history(_teacher())
        request.user = AnonymousUser()
        rows.insert_with_history(_teacher(email="dara.kim@example.org"))
    finally:
        del HistoricalRecords.context.request
    users = dict(Teacher.history.values_list("email", "history_user"))
    assert users == {"chantha.sok@example.org": user.pk, "dara.kim@example.org": None}


def test_a_row_that_breaks_a_unique_constraint_is_skipped_with_its_history():
    TeacherFactory(email="chantha.sok@example.org")
    with transaction.atomic():
        assert rows.insert_with_history(_teacher(), skip_conflict=True) is False
    assert Teacher.objects.count() == 1
    assert Teacher.history.filter(email="chantha.sok@example.org").count() == 1  # the factory's only


def test_many_rows_in_one_insert_get_their_keys():
    cohort = CohortFactory()
    teachers = [TeacherFactory(), TeacherFactory()]
    enrolments = rows.insert(*[Enrolment(teacher=t, cohort=cohort) for t in teachers])
    assert [e.pk for e in enrolments] == list(
        Enrolment.objects.filter(cohort=cohort).order_by("pk").values_list("pk", flat=True))
    assert len({e.reference for e in Enrolment.objects.filter(cohort=cohort)}) == 2  # the model's defaults


def test_a_row_read_has_the_orm_s_values_and_loads_the_others_when_asked():
    cohort = CohortFactory()
    read = rows.select_one(Cohort, "code = %s", [cohort.code], fields=("status", "registration_opens"))
    orm = Cohort.objects.get(pk=cohort.pk)
    assert (read.pk, read.status, read.registration_opens) == (orm.pk, orm.status, orm.registration_opens)
    assert read.get_deferred_fields() >= {"capacity", "name"}
    assert read.capacity == orm.capacity  # deferred, read on access
    assert rows.select_one(Cohort, "code = %s", ["no-such-cohort"]) is None


def test_the_task_backend_writes_the_row_the_library_writes():
    email = OutboundEmail.objects.create(enrolment=_enrolment(), kind="confirmed")
    ours = DatabaseBackend("default", {}).enqueue(send_email, (), {"email_id": email.pk, "attempt": 1})
    theirs = LibraryBackend("default", {}).enqueue(send_email, (), {"email_id": email.pk, "attempt": 1})
    compared = ("status", "args_kwargs", "priority", "task_path", "queue_name", "backend_name", "run_after",
                "worker_ids", "return_value", "exception_class_path", "traceback")
    mine, library = (DBTaskResult.objects.values(*compared).get(pk=r.id) for r in (ours, theirs))
    assert mine == library
    assert ours.db_result.task_result.kwargs == {"email_id": email.pk, "attempt": 1}


def _enrolment():
    return Enrolment.objects.create(teacher=TeacherFactory(), cohort=CohortFactory())


@pytest.mark.postgres
def test_rows_written_together_go_in_one_round_trip_after_the_statements_before_them():
    cohort, teacher = CohortFactory(), TeacherFactory()
    with transaction.atomic(), CaptureQueriesContext(connection) as trips, rows.together():
        rows.select_one_then(Cohort, "id = %s", [cohort.pk], reserve=(Enrolment, OutboundEmail))
        enrolment = Enrolment(teacher=teacher, cohort=cohort, status="confirmed")
        rows.insert_with_history(enrolment)
        (email,) = rows.insert(OutboundEmail(enrolment=enrolment, kind="confirmed"))
        assert enrolment.pk is not None and email.pk is not None  # the keys reserved with the select
        assert len(trips) == 1  # the two rows wait
        # Any other statement goes after them: it sees both rows.
        assert OutboundEmail.objects.filter(enrolment_id=enrolment.pk).count() == 1
        assert len(trips) == 3
        # No key left to give: sent at once.
        (link,) = rows.insert(OutboundEmail(enrolment=enrolment, kind="link"))
        assert len(trips) == 4 and link.pk is not None
    (record,) = Enrolment.objects.get(pk=enrolment.pk).history.all()
    assert (record.history_type, record.status) == ("+", "confirmed")


@pytest.mark.postgres
def test_rows_waiting_go_with_the_next_select_in_its_round_trip():
    cohort, teacher, subject = CohortFactory(), TeacherFactory(), Subject.objects.get(code="history")
    with transaction.atomic(), CaptureQueriesContext(connection) as trips, rows.together():
        rows.insert(Teacher.subjects.through(teacher_id=teacher.pk, subject_id=subject.pk), keys=False)
        read, (row,) = rows.select_one_then(
            Cohort, "id = %s", [cohort.pk], [("SELECT COUNT(*) FROM pilots_teacher_subjects WHERE teacher_id = %s",
                                              [teacher.pk])])
        assert len(trips) == 1 and trips[0]["sql"].startswith("INSERT INTO")
        assert read.pk == cohort.pk and row == (1,)  # the select and its follower came after the insert
    assert list(teacher.subjects.all()) == [subject]


@pytest.mark.postgres
def test_a_constraint_broken_by_rows_written_together_fails_their_transaction():
    existing = Enrolment.objects.create(teacher=TeacherFactory(), cohort=CohortFactory())
    with pytest.raises(IntegrityError), transaction.atomic(), rows.together():
        rows.select_one_then(Cohort, "id = %s", [existing.cohort_id], reserve=(Enrolment,))
        rows.insert_with_history(Enrolment(teacher=existing.teacher, cohort=existing.cohort))
    assert Enrolment.objects.count() == 1 and Enrolment.history.count() == 1


def test_without_postgresql_nothing_is_reserved_and_rows_are_written_at_once():
    if connection.vendor == "postgresql":
        pytest.skip("the SQLite path")
    cohort, teacher = CohortFactory(), TeacherFactory()
    with transaction.atomic(), rows.together():
        rows.select_one_then(Cohort, "id = %s", [cohort.pk], reserve=(Enrolment,))
        enrolment = Enrolment(teacher=teacher, cohort=cohort)
        assert enrolment.pk is None
        rows.insert_with_history(enrolment)
        assert Enrolment.objects.filter(pk=enrolment.pk).exists()
