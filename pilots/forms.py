"""Public forms of teacher registration. They validate and normalise; services decide outcomes.

Normalisation (documented for teachers' data): every text is converted to Unicode NFC and trimmed
of surrounding whitespace; emails are also case-folded; phone numbers are stored in E.164
(+85512345678). Control characters (tab, newline, bell...) are refused in one-line fields.
"""

import unicodedata

import phonenumbers
from crispy_forms.helper import FormHelper
from crispy_forms.layout import Fieldset, Layout
from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.forms.models import construct_instance
from django.utils.translation import gettext_lazy as _
from phonenumber_field.phonenumber import PhoneNumber

from .models import COUNTRY_LANGUAGE, Country, Language, NameOrder, Province, Subject, Teacher
from .province_names import province_label


class TelInput(forms.TextInput):
    input_type = "tel"


def normalise_text(value: str) -> str:
    return unicodedata.normalize("NFC", value).strip()


def normalise_email(value: str) -> str:
    return normalise_text(value).casefold()


def reject_control_characters(value: str) -> None:
    if any(unicodedata.category(ch) == "Cc" for ch in value):
        raise ValidationError(
            _("Remove the invisible control characters (such as tabs or line breaks)."),
            code="control_characters",
        )


class NormalisedCharField(forms.CharField):
    default_validators = [reject_control_characters]

    def to_python(self, value):
        value = super().to_python(value)
        return normalise_text(value) if value else value


class NormalisedEmailField(forms.EmailField):
    default_validators = [*forms.EmailField.default_validators, reject_control_characters]

    def to_python(self, value):
        value = super().to_python(value)
        return normalise_email(value) if value else value


def _is_plausible_pk(value) -> bool:
    # Refuse before querying: some databases raise on integers beyond 64 bits instead of not matching.
    text = str(value).strip()
    return text.isascii() and text.isdigit() and len(text) < 19


class SafeModelChoiceField(forms.ModelChoiceField):
    def to_python(self, value):
        if value in self.empty_values:
            return None
        if not _is_plausible_pk(value):
            raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")
        return super().to_python(value)


class SafeModelMultipleChoiceField(forms.ModelMultipleChoiceField):
    def _check_values(self, value):
        for item in value:
            if not _is_plausible_pk(item):
                raise ValidationError(
                    self.error_messages["invalid_choice"], code="invalid_choice", params={"value": item}
                )
        return super()._check_values(value)


def parse_phone(raw: str, *, countries: list[str], default_country: str | None) -> PhoneNumber:
    """A valid phone number of one of `countries`, or a ValidationError for the phone field."""
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


def phone_example(country: str) -> str:
    example = phonenumbers.example_number_for_type(country, phonenumbers.PhoneNumberType.MOBILE)
    return phonenumbers.format_number(example, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


class ContactFieldsMixin:
    """Phone validation for the cohort's country (a regional cohort: any of the three)."""

    cohort = None

    def phone_countries(self) -> list[str]:
        return [self.cohort.country] if self.cohort.country else list(Country.values)

    def phone_default_country(self, province: Province | None) -> str | None:
        if self.cohort.country:
            return self.cohort.country
        return province.country if province else None


class RegistrationForm(ContactFieldsMixin, forms.ModelForm):
    """The public registration form for one cohort."""

    phone = NormalisedCharField(label=_("Mobile phone"), max_length=40, widget=TelInput)
    consent = forms.BooleanField(
        label=_("I have read the privacy notice and agree that my details are used as it says."),
        required=True,
        error_messages={"required": _("Please tick the box to agree to the privacy notice.")},
    )
    # Honeypot: hidden from people and screen readers (display: none); bots fill it in.
    website = forms.CharField(label=_("Leave this field empty"), required=False)

    class Meta:
        model = Teacher
        fields = [
            "family_name",
            "given_name",
            "family_name_latin",
            "given_name_latin",
            "nickname",
            "gender",
            "email",
            "phone",
            "school",
            "school_level",
            "subjects",
            "province",
            "years_experience",
            "preferred_language",
        ]
        field_classes = {
            "family_name": NormalisedCharField,
            "given_name": NormalisedCharField,
            "family_name_latin": NormalisedCharField,
            "given_name_latin": NormalisedCharField,
            "nickname": NormalisedCharField,
            "school": NormalisedCharField,
            "email": NormalisedEmailField,
            "province": SafeModelChoiceField,
            "subjects": SafeModelMultipleChoiceField,
        }
        labels = {
            "family_name": _("Family name"),
            "given_name": _("Given name"),
            "family_name_latin": _("Family name in Latin letters"),
            "given_name_latin": _("Given name in Latin letters"),
            "nickname": _("Nickname"),
            "email": _("Email"),
            "school": _("School or institution"),
            "school_level": _("School level"),
            "subjects": _("Subjects you teach"),
            "province": _("Province"),
            "years_experience": _("Years of teaching"),
            "preferred_language": _("Language for our emails"),
        }
        help_texts = {
            "family_name": _("As you write it, in your own script."),
            "given_name": _("As you write it, in your own script."),
            "family_name_latin": _("Optional, as in your passport."),
            "given_name_latin": _("Optional, as in your passport."),
            "nickname": _("Optional."),
            "email": _("We send your confirmation and your registration link here."),
            "years_experience": _("Optional."),
        }
        widgets = {
            "subjects": forms.CheckboxSelectMultiple,
            "gender": forms.RadioSelect,
        }

    def __init__(self, *args, cohort, **kwargs):
        super().__init__(*args, **kwargs)
        self.cohort = cohort
        for name in ("family_name", "given_name", "email", "school", "school_level", "province"):
            self.fields[name].required = True
        self.fields["gender"].choices = [c for c in self.fields["gender"].choices if c[0]]
        self.fields["gender"].initial = None
        self.fields["subjects"].queryset = Subject.objects.all()
        self.fields["subjects"].required = False
        self.fields["subjects"].help_text = _("Optional. Tick all that apply.")
        self.fields["province"].queryset = Province.objects.filter(
            country__in=self.phone_countries(), valid_until__isnull=True
        )
        self.fields["province"].empty_label = _("Choose your province")
        self.fields["province"].label_from_instance = province_label  # Khmer/Thai script first
        self.fields["years_experience"].min_value = 0
        self.fields["years_experience"].widget.attrs.update({"min": 0, "max": 60, "inputmode": "numeric"})
        self.fields["phone"].help_text = _("For example %(example)s.") % {
            "example": phone_example(cohort.country or "KH")
        }
        self.fields["phone"].widget.attrs.update({"autocomplete": "tel"})
        self.fields["email"].widget.attrs.update({"autocomplete": "email"})
        self.fields["family_name"].widget.attrs.update({"autocomplete": "family-name"})
        self.fields["given_name"].widget.attrs.update({"autocomplete": "given-name"})
        self.fields["website"].widget.attrs.update({"tabindex": "-1", "autocomplete": "off"})
        self.fields["preferred_language"].choices = Language.choices
        if not self.is_bound:
            self.initial.setdefault("preferred_language", _current_language(cohort))

        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True
        self.helper.layout = Layout(
            Fieldset(_("Your name"), "family_name", "given_name", "family_name_latin",
                     "given_name_latin", "nickname", "gender"),
            Fieldset(_("How to reach you"), "email", "phone", "preferred_language"),
            Fieldset(_("Your school"), "school", "school_level", "province", "subjects",
                     "years_experience"),
        )

    def clean(self):
        cleaned = super().clean()
        if self.cleaned_data.get("website"):
            raise ValidationError(
                _("Your registration could not be sent. Please try again."), code="honeypot"
            )
        raw_phone = cleaned.get("phone")
        if raw_phone and isinstance(raw_phone, str):
            try:
                cleaned["phone"] = parse_phone(
                    raw_phone,
                    countries=self.phone_countries(),
                    default_country=self.phone_default_country(cleaned.get("province")),
                )
            except ValidationError as exc:
                self.add_error("phone", exc)
        return cleaned

    def _post_clean(self):
        # As ModelForm._post_clean, without validate_constraints: a returning teacher registers
        # with the same email (register_teacher finds them, so the unique email is no form error),
        # and the form fields already enforce every CHECK constraint of Teacher (choices, ranges,
        # required names) that Model.validate_constraints would check with one query each. The
        # database constraints remain the backstop.
        try:
            self.instance = construct_instance(self, self.instance, self._meta.fields, self._meta.exclude)
        except ValidationError as exc:
            self._update_errors(exc)
        try:
            # province and subjects come from their choice fields' own querysets: no second lookup.
            self.instance.full_clean(
                exclude=self._get_validation_exclusions() | {"province", "subjects"},
                validate_unique=False,
                validate_constraints=False,
            )
        except ValidationError as exc:
            self._update_errors(exc)

    def teacher_details(self) -> dict:
        """Normalised Teacher fields for register_teacher (subjects apart)."""
        details = {
            name: self.cleaned_data.get(name)
            for name in self.Meta.fields
            if name != "subjects"
        }
        for name in ("family_name_latin", "given_name_latin", "nickname"):
            details[name] = details[name] or ""
        # Thai names put the given name first; Khmer and Vietnamese the family name.
        province = details.get("province")
        thai = (self.cohort.country or (province.country if province else "")) == Country.THAILAND
        details["name_order"] = NameOrder.GIVEN_FIRST if thai else NameOrder.FAMILY_FIRST
        return details


def _current_language(cohort) -> str:
    from django.utils.translation import get_language

    current = (get_language() or settings.LANGUAGE_CODE).split("-")[0]
    if current in Language.values:
        return current
    return COUNTRY_LANGUAGE.get(cohort.country, Language.ENGLISH)


class ContactDetailsForm(ContactFieldsMixin, forms.ModelForm):
    """What a teacher may correct on their "My registration" page."""

    phone = NormalisedCharField(label=_("Mobile phone"), max_length=40, widget=TelInput)

    class Meta:
        model = Teacher
        fields = ["email", "phone", "school", "preferred_language"]
        field_classes = {"email": NormalisedEmailField, "school": NormalisedCharField}
        labels = {
            "email": _("Email"),
            "school": _("School or institution"),
            "preferred_language": _("Language for our emails"),
        }

    def __init__(self, *args, cohort, **kwargs):
        super().__init__(*args, **kwargs)
        self.cohort = cohort
        self.fields["email"].required = True
        self.fields["school"].required = True
        if not self.is_bound and self.instance.phone:
            self.initial["phone"] = str(self.instance.phone)
        self.fields["phone"].widget.attrs.update({"autocomplete": "tel"})
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True

    def clean(self):
        cleaned = super().clean()
        raw_phone = cleaned.get("phone")
        if raw_phone and isinstance(raw_phone, str):
            try:
                cleaned["phone"] = parse_phone(
                    raw_phone,
                    countries=self.phone_countries(),
                    default_country=self.phone_default_country(self.instance.province),
                )
            except ValidationError as exc:
                self.add_error("phone", exc)
        return cleaned


class OpenCohortFilterForm(forms.Form):
    country = forms.ChoiceField(
        label=_("Country"),
        required=False,
        choices=[("", _("All countries")), *Country.choices, ("regional", _("Regional (all three)"))],
    )
    language = forms.ChoiceField(
        label=_("Language"), required=False, choices=[("", _("All languages")), *Language.choices]
    )

    def filter(self, queryset):
        if not self.is_valid():
            return queryset
        country = self.cleaned_data.get("country")
        if country == "regional":
            queryset = queryset.filter(country="")
        elif country:
            queryset = queryset.filter(country=country)
        if language := self.cleaned_data.get("language"):
            queryset = queryset.filter(language=language)
        return queryset
