"""factory_boy factories. Names are fictional; dates sit inside the 2020-2024 programme."""

import datetime as dt

import factory
from django.utils import timezone

from partners.models import Agreement, AgreementKind, AgreementParty, AgreementStatus, Partner, PartnerKind
from pilots.choices import (
    AssessmentKind,
    AttendanceStatus,
    CohortKind,
    CohortStatus,
    Country,
    EnrolmentStatus,
    Gender,
    Language,
)
from pilots.models import Assessment, Attendance, Cohort, Enrolment, Module, Programme, Province, Session, Teacher


class PartnerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Partner

    name = factory.Sequence(lambda n: f"Partner organisation {n}")
    acronym = factory.Sequence(lambda n: f"P{n}")
    kind = PartnerKind.NGO
    country = "KH"


class AgreementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Agreement

    title = factory.Sequence(lambda n: f"Agreement {n}")
    kind = AgreementKind.MOU
    status = AgreementStatus.SIGNED
    signed_on = dt.date(2024, 11, 5)


class AgreementPartyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AgreementParty

    agreement = factory.SubFactory(AgreementFactory)
    partner = factory.SubFactory(PartnerFactory)


class ProgrammeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Programme

    name = factory.Sequence(lambda n: f"Pilot programme {n}")
    start_date = dt.date(2020, 1, 1)
    end_date = dt.date(2024, 12, 31)


class ModuleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Module

    programme = factory.SubFactory(ProgrammeFactory)
    code = factory.Sequence(lambda n: f"M{n}")
    title = factory.Sequence(lambda n: f"Module {n}")
    planned_hours = 3
    order = factory.Sequence(int)


class CohortFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Cohort

    programme = factory.SubFactory(ProgrammeFactory)
    name = factory.Sequence(lambda n: f"Cohort {n}")
    code = factory.Sequence(lambda n: f"cohort-{n}")
    year = 2023
    kind = CohortKind.NATIONAL
    country = Country.CAMBODIA
    language = Language.KHMER
    venue = "Phnom Penh"
    start_date = dt.date(2023, 3, 1)
    end_date = dt.date(2023, 3, 5)
    capacity = 30
    status = CohortStatus.OPEN


class OpenCohortFactory(CohortFactory):
    """A cohort in the future whose registration window is open now."""

    year = factory.LazyFunction(lambda: (timezone.localdate() + dt.timedelta(days=60)).year)
    start_date = factory.LazyFunction(lambda: timezone.localdate() + dt.timedelta(days=60))
    end_date = factory.LazyFunction(lambda: timezone.localdate() + dt.timedelta(days=62))
    registration_opens = factory.LazyFunction(lambda: timezone.now() - dt.timedelta(days=1))
    registration_closes = factory.LazyFunction(lambda: timezone.now() + dt.timedelta(days=30))


class SessionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Session

    cohort = factory.SubFactory(CohortFactory)
    title = factory.Sequence(lambda n: f"Session {n}")
    date = factory.LazyAttribute(lambda o: o.cohort.start_date)
    starts_at = dt.time(8, 0)
    ends_at = dt.time(11, 30)


class TeacherFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Teacher

    family_name = "សុខ"
    given_name = factory.Sequence(lambda n: f"ចាន់ថា{n}")
    family_name_latin = "Sok"
    given_name_latin = factory.Sequence(lambda n: f"Chantha{n}")
    gender = Gender.FEMALE
    email = factory.Sequence(lambda n: f"teacher{n}@example.org")
    school = "Hun Sen Phnom Penh High School"
    preferred_language = Language.KHMER
    province = factory.LazyFunction(lambda: Province.objects.get(code="KH-12"))


class EnrolmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Enrolment

    teacher = factory.SubFactory(TeacherFactory)
    cohort = factory.SubFactory(CohortFactory)
    status = EnrolmentStatus.CONFIRMED
    language = Language.KHMER


class AttendanceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Attendance

    enrolment = factory.SubFactory(EnrolmentFactory)
    session = factory.SubFactory(SessionFactory, cohort=factory.SelfAttribute("..enrolment.cohort"))
    status = AttendanceStatus.PRESENT


class AssessmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Assessment

    enrolment = factory.SubFactory(EnrolmentFactory)
    kind = AssessmentKind.PRE
    score = 50


# --- What follows a training -------------------------------------------------------------------


def completed_enrolment(cohort, **teacher_fields):
    """An enrolment that meets the completion rule: present at every session of `cohort` (give it
    sessions first) and post-test taken."""
    enrolment = EnrolmentFactory(cohort=cohort, teacher=TeacherFactory(**teacher_fields))
    for session in cohort.sessions.all():
        AttendanceFactory(enrolment=enrolment, session=session)
    AssessmentFactory(enrolment=enrolment, kind=AssessmentKind.POST, score=80)
    return enrolment
