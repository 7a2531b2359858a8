"""The database itself refuses rows that break the rules the forms check."""

import datetime as dt

import pytest
from django.db import IntegrityError, transaction

from partners.models import Agreement, AgreementParty, Contact, Partner
from pilots.models import (
    Assessment,
    Attendance,
    Cohort,
    CountryAssignment,
    Enrolment,
    Session,
    Teacher,
)
from tests.factories import (
    AgreementFactory,
    AssessmentFactory,
    AttendanceFactory,
    CohortFactory,
    EnrolmentFactory,
    ModuleFactory,
    PartnerFactory,
    ProgrammeFactory,
    SessionFactory,
    TeacherFactory,
)

pytestmark = pytest.mark.django_db


def refused(make):
    with pytest.raises(IntegrityError), transaction.atomic():
        make()


def test_one_enrolment_per_teacher_and_cohort():
    enrolment = EnrolmentFactory()
    refused(lambda: Enrolment.objects.create(teacher=enrolment.teacher, cohort=enrolment.cohort))


def test_one_attendance_per_enrolment_and_session():
    attendance = AttendanceFactory()
    refused(lambda: Attendance.objects.create(
        enrolment=attendance.enrolment, session=attendance.session, status="absent"))


def test_one_assessment_per_enrolment_and_kind():
    assessment = AssessmentFactory(kind="pre")
    refused(lambda: Assessment.objects.create(enrolment=assessment.enrolment, kind="pre", score=60))


@pytest.mark.parametrize("score", [-1, "100.01", 140])
def test_scores_outside_0_to_100_are_refused(score):
    enrolment = EnrolmentFactory()
    refused(lambda: Assessment.objects.create(enrolment=enrolment, kind="post", score=score))


@pytest.mark.parametrize("score", [0, 100])
def test_scores_at_the_bounds_are_kept(score):
    assert Assessment.objects.create(enrolment=EnrolmentFactory(), kind="post", score=score).pk


def test_cohort_end_before_start_is_refused():
    refused(lambda: CohortFactory(start_date=dt.date(2023, 5, 2), end_date=dt.date(2023, 5, 1)))


def test_cohort_capacity_zero_is_refused():
    refused(lambda: CohortFactory(capacity=0))


def test_registration_closing_before_it_opens_is_refused():
    from django.utils import timezone

    now = timezone.now()
    refused(lambda: CohortFactory(registration_opens=now, registration_closes=now - dt.timedelta(hours=1)))


def test_regional_cohort_has_no_country_and_national_cohort_has_one():
    refused(lambda: CohortFactory(kind="regional_tot", country="KH"))
    refused(lambda: CohortFactory(kind="national_inservice", country=""))
    assert CohortFactory(kind="regional_tot", country="", language="en").pk


def test_programme_end_before_start_is_refused():
    refused(lambda: ProgrammeFactory(start_date=dt.date(2024, 1, 1), end_date=dt.date(2020, 1, 1)))


def test_session_ending_before_it_starts_is_refused():
    refused(lambda: SessionFactory(starts_at=dt.time(10), ends_at=dt.time(9)))


def test_agreement_effective_dates_ordered():
    refused(lambda: AgreementFactory(effective_from=dt.date(2024, 1, 1), effective_to=dt.date(2023, 1, 1)))


def test_signed_agreement_needs_a_signing_date():
    refused(lambda: AgreementFactory(status="signed", signed_on=None))
    assert AgreementFactory(status="draft", signed_on=None).pk


def test_module_code_unique_within_programme():
    module = ModuleFactory(code="M1")
    refused(lambda: ModuleFactory(programme=module.programme, code="M1"))
    assert ModuleFactory(code="M1").pk  # another programme may reuse it


def test_teacher_email_unique_whatever_the_case():
    TeacherFactory(email="lan.nguyen@example.org")
    refused(lambda: TeacherFactory(email="Lan.Nguyen@Example.org"))


def test_teachers_without_email_are_allowed_side_by_side():
    TeacherFactory(email="")
    assert TeacherFactory(email="").pk


def test_a_partner_is_a_party_to_an_agreement_once():
    party = AgreementParty.objects.create(agreement=AgreementFactory(), partner=PartnerFactory())
    refused(lambda: AgreementParty.objects.create(agreement=party.agreement, partner=party.partner))


def test_one_primary_contact_per_partner():
    partner = PartnerFactory()
    Contact.objects.create(partner=partner, name="A", is_primary=True)
    refused(lambda: Contact.objects.create(partner=partner, name="B", is_primary=True))


def test_coordinator_country_assigned_once(django_user_model):
    user = django_user_model.objects.create(username="c")
    CountryAssignment.objects.create(user=user, country="TH")
    refused(lambda: CountryAssignment.objects.create(user=user, country="TH"))


# Every choice field refuses a value outside its choices, even when written around the forms.
INVALID_CHOICES = [
    (Partner, "kind", lambda: PartnerFactory()),
    (Agreement, "kind", lambda: AgreementFactory()),
    (Agreement, "status", lambda: AgreementFactory()),
    (AgreementParty, "role", lambda: AgreementParty.objects.create(
        agreement=AgreementFactory(), partner=PartnerFactory())),
    (Cohort, "kind", lambda: CohortFactory()),
    (Cohort, "status", lambda: CohortFactory()),
    (Cohort, "language", lambda: CohortFactory()),
    (Session, "mode", lambda: SessionFactory()),
    (Teacher, "gender", lambda: TeacherFactory()),
    (Teacher, "school_level", lambda: TeacherFactory()),
    (Teacher, "preferred_language", lambda: TeacherFactory()),
    (Enrolment, "status", lambda: EnrolmentFactory()),
    (Enrolment, "language", lambda: EnrolmentFactory()),
    (Attendance, "status", lambda: AttendanceFactory()),
    (Assessment, "kind", lambda: AssessmentFactory()),
]


@pytest.mark.parametrize(("model", "field", "make"), INVALID_CHOICES, ids=lambda v: getattr(v, "__name__", v))
def test_invalid_choice_values_are_refused(model, field, make):
    obj = make()
    refused(lambda: model.objects.filter(pk=obj.pk).update(**{field: "bogus"}))

