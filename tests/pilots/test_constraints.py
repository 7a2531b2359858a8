"""The database itself refuses rows that break the rules the forms check, and says which rule."""

import datetime as dt
from contextlib import contextmanager

import pytest
from django.apps import apps
from django.db import IntegrityError, connection, models, transaction
from django.utils import timezone

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


def _declared(name):
    """The model and the Meta constraint called `name` (the test fails if no model declares it)."""
    for model in apps.get_models():
        for constraint in model._meta.constraints:
            if constraint.name == name:
                return model, constraint
    raise AssertionError(f"no model declares a constraint named {name!r}")


def _columns(model, constraint):
    return [model._meta.get_field(field).column for field in constraint.fields]


def _sqlite_message(model, constraint):
    """What SQLite says when `constraint` refuses a row: CHECK constraints by name, functional
    unique indexes by index name, column unique constraints by their columns."""
    if isinstance(constraint, models.CheckConstraint):
        return f"CHECK constraint failed: {constraint.name}"
    if constraint.expressions:
        return f"UNIQUE constraint failed: index '{constraint.name}'"
    # The columns name the constraint only if no other unique rule of the model has the same ones.
    same_columns = [
        other.name for other in model._meta.constraints
        if isinstance(other, models.UniqueConstraint) and not other.expressions
        and other is not constraint and _columns(model, other) == _columns(model, constraint)
    ]
    assert not same_columns, f"{constraint.name} and {same_columns} refuse the same columns"
    table = model._meta.db_table
    return "UNIQUE constraint failed: " + ", ".join(f"{table}.{column}" for column in _columns(model, constraint))


@contextmanager
def refused_by(name):
    """The block's write is refused by the database constraint `name`, and by no other rule."""
    model, constraint = _declared(name)
    with pytest.raises(IntegrityError) as exc, transaction.atomic():
        yield
    if connection.vendor == "postgresql":
        assert exc.value.__cause__.diag.constraint_name == name
    else:
        assert str(exc.value) == _sqlite_message(model, constraint)


def test_the_helper_tells_one_constraint_from_another():
    with pytest.raises(AssertionError), refused_by("cohort_dates_ordered"):
        CohortFactory(capacity=0)
    with pytest.raises(AssertionError, match="no model declares"), refused_by("no_such_constraint"):
        pass


def test_one_enrolment_per_teacher_and_cohort():
    enrolment = EnrolmentFactory()
    with refused_by("enrolment_one_per_teacher_and_cohort"):
        Enrolment.objects.create(teacher=enrolment.teacher, cohort=enrolment.cohort)


def test_one_attendance_per_enrolment_and_session():
    attendance = AttendanceFactory()
    with refused_by("attendance_one_per_enrolment_and_session"):
        Attendance.objects.create(enrolment=attendance.enrolment, session=attendance.session, status="absent")


def test_one_assessment_per_enrolment_and_kind():
    assessment = AssessmentFactory(kind="pre")
    with refused_by("assessment_one_per_enrolment_and_kind"):
        Assessment.objects.create(enrolment=assessment.enrolment, kind="pre", score=60)


@pytest.mark.parametrize("score", [-1, "100.01", 140])
def test_scores_outside_0_to_100_are_refused(score):
    enrolment = EnrolmentFactory()
    with refused_by("assessment_score_range"):
        Assessment.objects.create(enrolment=enrolment, kind="post", score=score)


@pytest.mark.parametrize("score", [0, 100])
def test_scores_at_the_bounds_are_kept(score):
    assert Assessment.objects.create(enrolment=EnrolmentFactory(), kind="post", score=score).pk


def test_cohort_end_before_start_is_refused():
    with refused_by("cohort_dates_ordered"):
        CohortFactory(start_date=dt.date(2023, 5, 2), end_date=dt.date(2023, 5, 1))


def test_cohort_capacity_zero_is_refused():
    with refused_by("cohort_capacity_positive"):
        CohortFactory(capacity=0)


def test_registration_closing_before_it_opens_is_refused():
    now = timezone.now()
    with refused_by("cohort_registration_window_ordered"):
        CohortFactory(registration_opens=now, registration_closes=now - dt.timedelta(hours=1))


def test_regional_cohort_has_no_country_and_national_cohort_has_one():
    with refused_by("cohort_country_matches_kind"):
        CohortFactory(kind="regional_tot", country="KH")
    with refused_by("cohort_country_matches_kind"):
        CohortFactory(kind="national_inservice", country="")
    assert CohortFactory(kind="regional_tot", country="", language="en").pk


def test_programme_end_before_start_is_refused():
    with refused_by("programme_dates_ordered"):
        ProgrammeFactory(start_date=dt.date(2024, 1, 1), end_date=dt.date(2020, 1, 1))


def test_session_ending_before_it_starts_is_refused():
    with refused_by("session_times_ordered"):
        SessionFactory(starts_at=dt.time(10), ends_at=dt.time(9))


def test_agreement_effective_dates_ordered():
    with refused_by("agreement_effective_dates_ordered"):
        AgreementFactory(effective_from=dt.date(2024, 1, 1), effective_to=dt.date(2023, 1, 1))


def test_signed_agreement_needs_a_signing_date():
    with refused_by("agreement_signed_has_date"):
        AgreementFactory(status="signed", signed_on=None)
    assert AgreementFactory(status="draft", signed_on=None).pk


def test_module_code_unique_within_programme():
    module = ModuleFactory(code="M1")
    with refused_by("module_unique_code"):
        ModuleFactory(programme=module.programme, code="M1")
    assert ModuleFactory(code="M1").pk  # another programme may reuse it


def test_teacher_email_unique_whatever_the_case():
    TeacherFactory(email="lan.nguyen@example.org")
    with refused_by("teacher_unique_email"):
        TeacherFactory(email="Lan.Nguyen@Example.org")


def test_teachers_without_email_are_allowed_side_by_side():
    TeacherFactory(email="")
    assert TeacherFactory(email="").pk


def test_a_partner_is_a_party_to_an_agreement_once():
    party = AgreementParty.objects.create(agreement=AgreementFactory(), partner=PartnerFactory())
    with refused_by("agreementparty_unique_partner"):
        AgreementParty.objects.create(agreement=party.agreement, partner=party.partner)


def test_one_primary_contact_per_partner():
    partner = PartnerFactory()
    Contact.objects.create(partner=partner, name="A", is_primary=True)
    with refused_by("contact_one_primary_per_partner"):
        Contact.objects.create(partner=partner, name="B", is_primary=True)
    assert Contact.objects.create(partner=partner, name="C", is_primary=False).pk


def test_coordinator_country_assigned_once(django_user_model):
    user = django_user_model.objects.create(username="c")
    CountryAssignment.objects.create(user=user, country="TH")
    with refused_by("countryassignment_unique"):
        CountryAssignment.objects.create(user=user, country="TH")


# Every choice field refuses a value outside its choices, even when written around the forms.
INVALID_CHOICES = [
    (Partner, "kind", "partner_kind_valid", lambda: PartnerFactory()),
    (Agreement, "kind", "agreement_kind_valid", lambda: AgreementFactory()),
    (Agreement, "status", "agreement_status_valid", lambda: AgreementFactory()),
    (AgreementParty, "role", "agreementparty_role_valid", lambda: AgreementParty.objects.create(
        agreement=AgreementFactory(), partner=PartnerFactory())),
    (Cohort, "kind", "cohort_kind_valid", lambda: CohortFactory()),
    (Cohort, "status", "cohort_status_valid", lambda: CohortFactory()),
    (Cohort, "language", "cohort_language_valid", lambda: CohortFactory()),
    (Session, "mode", "session_mode_valid", lambda: SessionFactory()),
    (Teacher, "gender", "teacher_gender_valid", lambda: TeacherFactory()),
    (Teacher, "school_level", "teacher_school_level_valid", lambda: TeacherFactory()),
    (Teacher, "preferred_language", "teacher_language_valid", lambda: TeacherFactory()),
    (Teacher, "name_order", "teacher_name_order_valid", lambda: TeacherFactory()),
    (Enrolment, "status", "enrolment_status_valid", lambda: EnrolmentFactory()),
    (Enrolment, "language", "enrolment_language_valid", lambda: EnrolmentFactory()),
    (Attendance, "status", "attendance_status_valid", lambda: AttendanceFactory()),
    (Assessment, "kind", "assessment_kind_valid", lambda: AssessmentFactory()),
]


@pytest.mark.parametrize(
    ("model", "field", "constraint", "make"), INVALID_CHOICES,
    ids=[f"{model.__name__}.{field}" for model, field, _c, _m in INVALID_CHOICES],
)
def test_invalid_choice_values_are_refused(model, field, constraint, make):
    obj = make()
    with refused_by(constraint):
        model.objects.filter(pk=obj.pk).update(**{field: "bogus"})
