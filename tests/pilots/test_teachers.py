"""A teacher's own details (`pilots.teachers`): name order, phone numbers, finding a teacher."""

import pytest
from django.core.exceptions import ValidationError

from pilots import teachers
from pilots.choices import Country, NameOrder, name_order_for
from pilots.models import Province
from tests.factories import CohortFactory, TeacherFactory

pytestmark = pytest.mark.django_db


def _regional():
    return CohortFactory(kind="regional_tot", country="", language="en")


def _province(code):
    return Province.objects.get(code=code)


# --- name order --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("country", "order"),
    [(Country.THAILAND, NameOrder.GIVEN_FIRST), (Country.CAMBODIA, NameOrder.FAMILY_FIRST),
     (Country.VIETNAM, NameOrder.FAMILY_FIRST), ("", NameOrder.FAMILY_FIRST)],
)
def test_name_order_of_each_country(country, order):
    assert name_order_for(country) == order


@pytest.mark.parametrize(
    ("country", "language", "order"),
    [("TH", "th", NameOrder.GIVEN_FIRST), ("TH", "en", NameOrder.GIVEN_FIRST),
     ("KH", "km", NameOrder.FAMILY_FIRST), ("VN", "vi", NameOrder.FAMILY_FIRST),
     ("VN", "en", NameOrder.FAMILY_FIRST)],
)
def test_a_national_cohorts_teachers_write_names_as_their_country_whatever_the_language(country, language, order):
    cohort = CohortFactory(country=country, language=language)
    assert teachers.name_order(cohort) == order
    assert teachers.name_order(cohort, _province("KH-12" if country != "KH" else "TH-10")) == order


@pytest.mark.parametrize(
    ("province", "order"),
    [("TH-10", NameOrder.GIVEN_FIRST), ("KH-12", NameOrder.FAMILY_FIRST), ("VN-HN", NameOrder.FAMILY_FIRST),
     (None, NameOrder.FAMILY_FIRST)],
)
def test_in_an_english_regional_cohort_the_province_tells_the_name_order(province, order):
    cohort = _regional()
    assert teachers.name_order(cohort, _province(province) if province else None) == order


# --- phone numbers -----------------------------------------------------------------------------


def _refusal(raw, cohort, province=None):
    with pytest.raises(ValidationError) as exc:
        teachers.parse_phone(raw, cohort=cohort, province=province)
    return exc.value.code, exc.value.messages


@pytest.mark.parametrize("raw", ["012 345 678", "012345678", "+855 12 345 678", "+85512345678"])
def test_a_cambodian_number_is_read_in_local_and_international_form(raw):
    cohort = CohortFactory(country="KH")
    assert teachers.parse_phone(raw, cohort=cohort).as_e164 == "+85512345678"


@pytest.mark.parametrize("raw", ["123", "012 345", "not a number", "+855 1"])
def test_an_impossible_number_is_refused_with_an_example_of_the_cohorts_country(raw):
    cohort = CohortFactory(country="KH")
    code, messages = _refusal(raw, cohort)
    assert code == "invalid_phone"
    assert messages == [f"Enter a valid phone number, for example {teachers.phone_example('KH')}."]


def test_a_thai_number_is_refused_for_a_cambodian_cohort():
    cohort = CohortFactory(country="KH")
    assert _refusal("+66 81 234 5678", cohort) == ("phone_country", ["Enter a phone number of Cambodia."])
    # Written without the country code, it is read as Cambodian, where it is no valid number.
    assert _refusal("081 234 5678", cohort)[0] == "invalid_phone"


@pytest.mark.parametrize(
    ("province", "raw", "e164"),
    [("TH-10", "081 234 5678", "+66812345678"), ("KH-12", "012 345 678", "+85512345678"),
     ("VN-HN", "091 234 56 78", "+84912345678")],
)
def test_a_regional_cohort_reads_a_local_number_in_the_provinces_country(province, raw, e164):
    assert teachers.parse_phone(raw, cohort=_regional(), province=_province(province)).as_e164 == e164


def test_a_regional_cohort_takes_any_pilot_countrys_number_in_international_form():
    cohort = _regional()
    thai_teacher = _province("TH-10")
    assert teachers.parse_phone("+855 12 345 678", cohort=cohort, province=thai_teacher).as_e164 == "+85512345678"
    assert teachers.parse_phone("+84 91 234 56 78", cohort=cohort).as_e164 == "+84912345678"
    assert _refusal("+33 6 12 34 56 78", cohort, thai_teacher) == (
        "phone_country", ["Enter a phone number of Cambodia, Thailand, Vietnam."])


def test_a_regional_cohort_without_a_province_needs_the_country_code():
    code, messages = _refusal("081 234 5678", _regional())
    assert code == "invalid_phone"
    assert messages == [
        f"Enter a valid phone number with its country code, for example {teachers.phone_example('KH')}."]


# --- finding a teacher -------------------------------------------------------------------------


def test_find_teacher_ignores_case():
    lan = TeacherFactory(email="lan.nguyen@example.org")
    legacy = TeacherFactory(email="Dara.Sok@Example.org")  # stored before emails were case-folded
    assert teachers.find_teacher("LAN.Nguyen@EXAMPLE.org") == lan
    assert teachers.find_teacher("lan.nguyen@example.org") == lan
    assert teachers.find_teacher("dara.sok@example.org") == legacy
    assert teachers.find_teacher("someone.else@example.org") is None


def test_an_empty_email_finds_no_teacher():
    TeacherFactory(email="")
    assert teachers.find_teacher("") is None
