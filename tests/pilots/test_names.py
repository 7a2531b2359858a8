"""Names as teachers write them: real Khmer, Thai and Vietnamese names stay byte for byte; invisible
characters that mean nothing are removed, joiners inside words kept, direction controls refused,
and every name needs a letter (pilots.teachers, used by the registration form)."""

import unicodedata

import pytest
from django.core.exceptions import ValidationError

from pilots.models import Enrolment, Teacher
from pilots.teachers import normalise_text, reject_control_characters, require_letter
from tests.factories import OpenCohortFactory
from tests.registration.helpers import registration_data

REAL_NAMES = [
    # Khmer: subscript consonants (coeng U+17D2), dependent vowels, signs
    "សុខ", "ចាន់ថា", "ស្រីនាង", "ម៉ៅ", "គឹម", "ឈឿន", "ខៀវ សំផុស", "ប៊ុនធឿន", "ញ៉ែម",
    # Thai: tone marks, SARA AM (U+0E33, which NFKC would split), MAI HAN-AKAT, thanthakhat
    "สมชาย", "ใจดี", "ณัฐวุฒิ", "ศรีสุข", "น้ำฝน", "กาญจนา", "พงษ์ศักดิ์", "ฤทธิ์",
    # Vietnamese, precomposed (NFC): stacked diacritics
    "Nguyễn", "Thị Minh Khai", "Trần Hưng Đạo", "Phạm Văn Đồng", "Lê Quý Đôn", "Huỳnh", "Ngô Bảo Châu",
    # Scripts where a joiner inside a word is meaningful: Sinhala "Sri" (ZWJ after the virama),
    # Persian "mikhaham" (ZWNJ between letters)
    "ශ්\u200dරී", "می\u200cخواهم",
]


@pytest.mark.parametrize("name", REAL_NAMES)
def test_real_names_stay_byte_identical(name):
    assert unicodedata.is_normalized("NFC", name)
    assert normalise_text(name).encode("utf-8") == name.encode("utf-8")
    reject_control_characters(name)
    require_letter(name)


def test_decomposed_vietnamese_is_stored_composed():
    typed = unicodedata.normalize("NFD", "Nguyễn Thị Ánh")
    assert typed != "Nguyễn Thị Ánh"
    assert normalise_text(typed) == "Nguyễn Thị Ánh"


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("สม\u200bชาย", "สมชาย"),  # zero-width space inside a Thai name
        ("\ufeffសុខ", "សុខ"),  # byte-order mark copied from a file
        ("Trần\u2060Hưng", "TrầnHưng"),  # word joiner
        ("ចាន់\u00adថា", "ចាន់ថា"),  # soft hyphen
        ("\u200dសុខ\u200c", "សុខ"),  # joiners with no letter on one side
        ("ស\u200c\u200cុខ", "ស\u200cុខ"),  # a doubled joiner: one kept
        ("Lê \u200d Quý", "Lê  Quý"),  # a joiner between spaces joins nothing
    ],
)
def test_format_characters_that_mean_nothing_are_removed(typed, stored):
    assert normalise_text(typed) == stored


@pytest.mark.parametrize("control", ["\u202e", "\u202d", "\u202b", "\u2067", "\u2068", "\u200f", "\u061c"])
def test_direction_controls_are_refused(control):
    with pytest.raises(ValidationError) as error:
        reject_control_characters(normalise_text(f"Sok{control}Chantha"))
    assert error.value.code == "direction_controls"


@pytest.mark.parametrize("value", ["...", "123", "\u0301\u0301", "-", "១២"])
def test_a_name_without_a_letter_is_refused(value):
    with pytest.raises(ValidationError) as error:
        require_letter(normalise_text(value))
    assert error.value.code == "name_without_letter"


# --- through the registration form -------------------------------------------------------------


def _register(client, cohort, **fields):
    if "django_language" not in client.cookies:
        client.cookies["django_language"] = "en"
    return client.post(f"/cohorts/{cohort.code}/register/", registration_data(cohort, **fields))


@pytest.mark.django_db
@pytest.mark.parametrize("family_name", ["\u200b\u200b", "\u200b\u2060\ufeff", "\u200d"])
def test_a_family_name_of_zero_width_characters_only_gets_no_seat(client, family_name):
    cohort = OpenCohortFactory()
    response = _register(client, cohort, family_name=family_name)
    assert response.status_code == 200
    assert "This field is required." in response.content.decode()
    assert not Enrolment.objects.exists()


@pytest.mark.django_db
def test_a_right_to_left_override_in_a_name_is_a_clear_field_error(client):
    cohort = OpenCohortFactory()
    response = _register(client, cohort, given_name="\u202eahtnahC")
    html = response.content.decode()
    assert "change the writing direction" in html
    assert not Teacher.objects.exists()
    client.cookies["django_language"] = "km"
    html = _register(client, cohort, given_name="\u202eahtnahC").content.decode()
    assert "change the writing direction" not in html and 'id="error_1_id_given_name"' in html


@pytest.mark.django_db
def test_a_name_of_punctuation_only_is_a_field_error(client):
    cohort = OpenCohortFactory()
    html = _register(client, cohort, given_name_latin="..").content.decode()
    assert "A name needs at least one letter." in html
    assert not Teacher.objects.exists()


@pytest.mark.django_db
def test_a_zero_width_space_in_a_thai_name_makes_no_look_alike_teacher(client):
    cohort = OpenCohortFactory(country="TH", language="th")
    _register(client, cohort, family_name="ใจดี", given_name="สมชาย", email="somchai@example.org")
    _register(client, cohort, family_name="ใจดี", given_name="สม\u200bชาย", email="somchai2@example.org")
    names = list(Teacher.objects.values_list("given_name", flat=True))
    assert names == ["สมชาย", "สมชาย"]
    assert Teacher.objects.filter(given_name="สมชาย").count() == 2  # the same name, found by one search


@pytest.mark.django_db
def test_a_khmer_name_registers_byte_identical(client):
    cohort = OpenCohortFactory()
    _register(client, cohort, family_name="ខៀវ", given_name="ស្រីនាង")
    teacher = Teacher.objects.get()
    assert (teacher.family_name, teacher.given_name) == ("ខៀវ", "ស្រីនាង")
