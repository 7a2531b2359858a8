import datetime as dt

import pytest
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.contenttypes.models import ContentType

from pilots.choices import AssessmentKind, AttendanceStatus, EnrolmentStatus, Gender
from pilots.models import Subject, Teacher
from tests.factories import (
    AssessmentFactory,
    AttendanceFactory,
    CohortFactory,
    EnrolmentFactory,
    SessionFactory,
    TeacherFactory,
)

# The teacher whose data is exported and erased: values found nowhere else in the database.
PERSONAL = {
    "family_name": "ង៉ែតវណ្ណារី", "given_name": "សុភាវតី", "family_name_latin": "Ngaetvannary",
    "given_name_latin": "Sophavatey", "nickname": "Pheakdey", "email": "sophavatey.ngaet@example.org",
    "phone": "+85512987654", "school": "Wat Bo Zeta High School",
}
NOTE = "needs wheelchair access ramp zeta"


@pytest.fixture
def two_cohorts(db):
    """Two cohorts (one Cambodian, one Thai) with sessions, teachers, attendance and scores; the
    teacher in PERSONAL is in both, with free-text notes, history rows and an admin log entry."""
    kh = CohortFactory(code="kh-2023")
    th = CohortFactory(code="th-2023", country="TH", language="th")
    sessions = {c: [SessionFactory(cohort=c, date=c.start_date + dt.timedelta(days=i)) for i in range(3)]
                for c in (kh, th)}
    history, civics = Subject.objects.all()[:2]
    target = TeacherFactory(**PERSONAL, gender=Gender.MALE, years_experience=9)
    target.subjects.add(history, civics)
    others = [TeacherFactory(gender=g) for g in (Gender.FEMALE, Gender.FEMALE, Gender.MALE, Gender.UNDISCLOSED)]
    others[0].subjects.add(history)
    enrolments = []
    for cohort in (kh, th):
        for i, teacher in enumerate([target, *others]):
            status = [EnrolmentStatus.CONFIRMED, EnrolmentStatus.COMPLETED, EnrolmentStatus.WAITLISTED,
                      EnrolmentStatus.CONFIRMED, EnrolmentStatus.WITHDRAWN][i]
            enrolment = EnrolmentFactory(teacher=teacher, cohort=cohort, status=status)
            enrolments.append(enrolment)
            if status in (EnrolmentStatus.CONFIRMED, EnrolmentStatus.COMPLETED):
                for j, session in enumerate(sessions[cohort]):
                    AttendanceFactory(enrolment=enrolment, session=session,
                                      status=[AttendanceStatus.PRESENT, AttendanceStatus.LATE,
                                              AttendanceStatus.ABSENT][(i + j) % 3],
                                      note=NOTE if teacher == target else "")
                AssessmentFactory(enrolment=enrolment, kind=AssessmentKind.PRE, score=40 + 5 * i)
                AssessmentFactory(enrolment=enrolment, kind=AssessmentKind.POST, score=70 + 3 * i)
    for enrolment in target.enrolments.all():
        enrolment.notes = NOTE
        enrolment.save()  # a history row holding the note
    target.school = PERSONAL["school"]
    target.save()  # a second history row
    LogEntry.objects.create(
        user_id=_staff_id(), content_type=ContentType.objects.get_for_model(Teacher), object_id=str(target.pk),
        object_repr=str(target), action_flag=CHANGE, change_message=f"Phone {PERSONAL['phone']}",
    )
    return {"kh": kh, "th": th, "target": Teacher.objects.get(pk=target.pk), "others": others}


def _staff_id():
    from django.contrib.auth import get_user_model

    user, _ = get_user_model().objects.get_or_create(username="admin-log", defaults={"is_staff": True})
    return user.pk
