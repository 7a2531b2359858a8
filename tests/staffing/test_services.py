"""The services behind the staff pages, called directly: every error code."""

from decimal import Decimal

import pytest

from pilots.choices import AttendanceStatus, EnrolmentStatus
from pilots.models import Assessment, Attendance
from pilots.staffing import services as staffing_services
from tests.factories import AssessmentFactory, AttendanceFactory, CohortFactory, EnrolmentFactory
from tests.staffing.support import cohort_with_teachers

pytestmark = pytest.mark.django_db


def entry(enrolment, status, version="", note=""):
    return {"enrolment_id": enrolment.pk, "status": status, "version": version, "note": note}


def test_record_attendance_creates_updates_and_skips_blank_rows(django_user_model):
    user = django_user_model.objects.create_user("u")
    cohort, session, (a, b, c) = cohort_with_teachers(3)
    existing = AttendanceFactory(enrolment=b, session=session, status=AttendanceStatus.ABSENT)
    result = staffing_services.record_attendance(
        session=session,
        entries=[entry(a, "present"), entry(b, "late", staffing_services.attendance_version(existing)),
                 entry(c, "")],
        user=user,
    )
    assert result == {"created": 1, "updated": 1}
    assert dict(Attendance.objects.values_list("enrolment_id", "status")) == {a.pk: "present", b.pk: "late"}
    latest = [Attendance.history.filter(enrolment_id=e.pk).latest() for e in (a, b)]
    assert [(h.history_type, h.history_user) for h in latest] == [("+", user), ("~", user)]


def _attendance_rows():
    return list(Attendance.objects.order_by("pk").values_list(
        "pk", "enrolment_id", "session_id", "status", "note", "updated_at"))


def _assessment_rows():
    return list(Assessment.objects.order_by("pk").values_list(
        "pk", "enrolment_id", "kind", "score", "taken_on", "updated_at"))


def test_record_attendance_conflict_code_lists_the_rows_and_saves_nothing(django_user_model):
    user = django_user_model.objects.create_user("u")
    cohort, session, (a, b, c) = cohort_with_teachers(3)
    # a: someone else recorded it after the register was opened (opened with no row: version "").
    AttendanceFactory(enrolment=a, session=session, status=AttendanceStatus.ABSENT)
    # b: recorded before the register was opened, changed in this save without conflict.
    b_row = AttendanceFactory(enrolment=b, session=session, status=AttendanceStatus.EXCUSED, note="sick")
    rows_before, history_before = _attendance_rows(), Attendance.history.count()

    with pytest.raises(staffing_services.AttendanceConflict) as exc:
        staffing_services.record_attendance(
            session=session,
            entries=[entry(a, "present"), entry(b, "present", staffing_services.attendance_version(b_row)),
                     entry(c, "late")],
            user=user,
        )

    assert exc.value.code == "conflict"
    assert [(x["enrolment_id"], x["status"]) for x in exc.value.conflicts] == [(a.pk, "absent")]
    # Nothing of the batch was saved: neither the update of b nor the new row of c, nor any history.
    assert _attendance_rows() == rows_before
    assert not Attendance.objects.filter(enrolment=c).exists()
    assert Attendance.history.count() == history_before
    assert not Attendance.history.filter(history_user=user).exists()


def test_record_attendance_not_seated_code():
    cohort, session, (a,) = cohort_with_teachers(1)
    other = EnrolmentFactory(status=EnrolmentStatus.CONFIRMED)  # another cohort
    waiting = EnrolmentFactory(cohort=cohort, status=EnrolmentStatus.WAITLISTED)
    for intruder in (other, waiting):
        with pytest.raises(staffing_services.RecordError) as exc:
            staffing_services.record_attendance(
                session=session, entries=[entry(a, "present"), entry(intruder, "late")]
            )
        assert exc.value.code == "not_seated"
    assert not Attendance.objects.exists()


def test_record_scores_creates_updates_and_checks_versions():
    cohort, session, (a, b) = cohort_with_teachers(2)
    old = AssessmentFactory(enrolment=b, kind="pre", score=30)
    result = staffing_services.record_scores(
        cohort=cohort, kind="pre", scores={a.pk: Decimal("50"), b.pk: Decimal("35")},
        versions={a.pk: "", b.pk: staffing_services.attendance_version(old)},
    )
    assert result == {"created": 1, "updated": 1}
    with pytest.raises(staffing_services.ScoreConflict) as exc:
        staffing_services.record_scores(cohort=cohort, kind="pre", scores={b.pk: Decimal("99")},
                               versions={b.pk: staffing_services.attendance_version(old)})
    assert exc.value.code == "conflict" and exc.value.conflicts[0]["score"] == Decimal("35.00")
    assert dict(Assessment.objects.values_list("enrolment_id", "score")) == {
        a.pk: Decimal("50.00"), b.pk: Decimal("35.00")}


def test_record_scores_conflict_saves_nothing_of_the_page(django_user_model):
    user = django_user_model.objects.create_user("u")
    cohort, session, (a, b, c) = cohort_with_teachers(3)
    a_row = AssessmentFactory(enrolment=a, kind="pre", score=30)
    opened_a = staffing_services.attendance_version(a_row)
    a_row.score = Decimal("31")
    a_row.save()  # someone else changed a's score after the page was opened
    b_row = AssessmentFactory(enrolment=b, kind="pre", score=40)
    rows_before, history_before = _assessment_rows(), Assessment.history.count()

    with pytest.raises(staffing_services.ScoreConflict) as exc:
        staffing_services.record_scores(
            cohort=cohort, kind="pre",
            scores={a.pk: Decimal("60"), b.pk: Decimal("45"), c.pk: Decimal("50")},
            versions={a.pk: opened_a, b.pk: staffing_services.attendance_version(b_row), c.pk: ""},
            user=user,
        )

    assert exc.value.code == "conflict"
    assert [(x["enrolment_id"], x["score"]) for x in exc.value.conflicts] == [(a.pk, Decimal("31.00"))]
    # Nothing of the page was saved: b keeps 40, c has no score, no history row was added.
    assert _assessment_rows() == rows_before
    assert not Assessment.objects.filter(enrolment=c).exists()
    assert Assessment.history.count() == history_before
    assert not Assessment.history.filter(history_user=user).exists()


def test_record_scores_not_seated_code():
    cohort, session, (a,) = cohort_with_teachers(1)
    withdrawn = EnrolmentFactory(cohort=cohort, status=EnrolmentStatus.WITHDRAWN)
    with pytest.raises(staffing_services.RecordError) as exc:
        staffing_services.record_scores(
            cohort=cohort, kind="post", scores={a.pk: Decimal(1), withdrawn.pk: Decimal(2)}
        )
    assert exc.value.code == "not_seated" and not Assessment.objects.exists()


def test_review_enrolments_applies_in_registration_order_and_reports_refusals():
    cohort = CohortFactory(capacity=1)
    first, second = EnrolmentFactory.create_batch(2, cohort=cohort, status=EnrolmentStatus.WAITLISTED)
    done, errors = staffing_services.review_enrolments(cohort=cohort, enrolment_ids=[second.pk, first.pk],
                                              action="confirm")
    assert [e.pk for e in done] == [first.pk]
    assert [e.code for e in errors] == ["cohort_full"]
    done, errors = staffing_services.review_enrolments(cohort=cohort, enrolment_ids=[first.pk], action="reject")
    assert done == [] and [e.code for e in errors] == ["invalid_status"]
