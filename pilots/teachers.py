"""Rules about a teacher's own details, shared by the registration form, the status page and imports:
normalisation, phone numbers, the country a teacher writes their name for, and finding a teacher.

Normalisation (documented for teachers' data): every text is converted to Unicode NFC (decomposed
Vietnamese is composed: "Nguyễn" typed as n-g-u-y-e-combining circumflex-combining tilde-n is
stored as the precomposed letters), invisible format characters that carry no meaning (zero-width
space, word joiner, soft hyphen, byte-order mark...) are removed, and the text is trimmed of
surrounding whitespace; emails are also case-folded; phone numbers are stored in E.164
(+85512345678). The zero-width joiner and non-joiner are kept inside a word (between letters or
marks), where scripts such as Khmer, Sinhala or Persian use them to choose a letter's form, and
removed elsewhere. Control characters (tab, newline, bell...) and direction controls (right-to-left
override and the like, which can make a name read backwards) are refused in one-line fields, and
every name field needs at least one letter.
"""

import functools
import unicodedata

import phonenumbers
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from phonenumber_field.phonenumber import PhoneNumber

from . import rows
from .choices import Country, name_order_for
from .models import Teacher

ZERO_WIDTH_JOINERS = frozenset({"\u200c", "\u200d"})  # ZWNJ, ZWJ
# Direction controls: embeddings, overrides and isolates, and the marks LRM, RLM and ALM. None of the
# programme's scripts needs them; they can reorder what a reader sees.
DIRECTION_CONTROLS = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def _in_word(character: str | None) -> bool:
    return character is not None and unicodedata.category(character)[0] in "LM"


def _drop_format_characters(value: str) -> str:
    kept = []
    for index, character in enumerate(value):
        if unicodedata.category(character) != "Cf" or character in DIRECTION_CONTROLS:
            kept.append(character)
            continue
        if character in ZERO_WIDTH_JOINERS:
            following = next((c for c in value[index + 1:] if c not in ZERO_WIDTH_JOINERS), None)
            if _in_word(kept[-1] if kept else None) and _in_word(following):
                kept.append(character)
    return "".join(kept)


def normalise_text(value: str) -> str:
    """NFC, without meaningless format characters, trimmed. Direction controls are left for
    `reject_control_characters` to refuse with a message."""
    value = unicodedata.normalize("NFC", value)
    if any(unicodedata.category(c) == "Cf" for c in value):
        value = _drop_format_characters(value)
    return value.strip()


def normalise_email(value: str) -> str:
    return normalise_text(value).casefold()


def reject_control_characters(value: str) -> None:
    if any(unicodedata.category(ch) == "Cc" for ch in value):
        raise ValidationError(
            _("Remove the invisible control characters (such as tabs or line breaks)."),
            code="control_characters",
        )
    if any(ch in DIRECTION_CONTROLS for ch in value):
        raise ValidationError(
            _("Remove the invisible characters that change the writing direction (such as a "
              "right-to-left override): type the text again without copying it."),
            code="direction_controls",
        )


def require_letter(value: str) -> None:
    """A name has at least one letter (of any script), not only dots, digits or invisible marks."""
    if value and not any(unicodedata.category(ch).startswith("L") for ch in value):
        raise ValidationError(_("A name needs at least one letter."), code="name_without_letter")


def phone_countries(cohort) -> list[str]:
    """Countries whose phone numbers a cohort accepts: its own, or any of the three if regional."""
    return [cohort.country] if cohort.country else list(Country.values)


def teacher_country(cohort, province=None) -> str:
    """The country a teacher of `cohort` comes from: the cohort's, else their province's ('' if
    neither is known)."""
    if cohort.country:
        return cohort.country
    return province.country if province else ""


def name_order(cohort, province=None) -> str:
    """The order a teacher of `cohort` (from `province`) writes their names in."""
    return name_order_for(teacher_country(cohort, province))


@functools.cache  # phonenumbers' metadata does not change while the process runs
def phone_example(country: str) -> str:
    example = phonenumbers.example_number_for_type(country, phonenumbers.PhoneNumberType.MOBILE)
    return phonenumbers.format_number(example, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


def parse_phone(raw: str, *, cohort, province=None) -> PhoneNumber:
    """A valid phone number of one of the cohort's countries (`phone_countries`), read in the
    teacher's country when it is written without a country code; else a ValidationError."""
    countries = phone_countries(cohort)
    default_country = teacher_country(cohort, province) or None
    try:
        number = PhoneNumber.from_string(raw, region=default_country)
    except phonenumbers.NumberParseException:
        number = None
    if number is None or not number.is_valid():
        if default_country:
            message = _("Enter a valid phone number, for example %(example)s.") % {
                "example": phone_example(default_country)
            }
        else:
            message = _("Enter a valid phone number with its country code, for example %(example)s.") % {
                "example": phone_example("KH")
            }
        raise ValidationError(message, code="invalid_phone")
    if phonenumbers.region_code_for_number(number) not in countries:
        raise ValidationError(
            _("Enter a phone number of %(countries)s.")
            % {"countries": ", ".join(str(Country(c).label) for c in countries)},
            code="phone_country",
        )
    return number


def find_teacher(email: str) -> Teacher | None:
    """The teacher with this email (any case), or None."""
    # Matches the functional unique index on LOWER(email); stored emails are already case-folded.
    # The `email <> ''` condition lets PostgreSQL use that partial index instead of a scan.
    # Written out once (`pilots.rows`): every registration looks its teacher up.
    return rows.select_one(Teacher, "LOWER(email) = %s AND email <> ''", [email.lower()])
