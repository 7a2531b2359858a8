"""Public forms of teacher registration. They validate and normalise (`pilots.teachers`); services
decide outcomes."""

import functools

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Field, Fieldset, Layout
from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.forms.models import construct_instance
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from pilots.choices import (
    COUNTRY_LANGUAGE,
    COUNTRY_TITLES,
    NICKNAME_COUNTRIES,
    PUBLIC_TITLES,
    REGIONAL,
    Country,
    Language,
    NameOrder,
)
from pilots.choices import name_order_for as name_order_for_country
from pilots.email_typos import suggest_email
from pilots.models import Province, Subject, Teacher
from pilots.province_names import province_choices, province_label
from pilots.registration import lookups
from pilots.teachers import (
    name_order,
    normalise_email,
    normalise_text,
    parse_phone,
    phone_countries,
    phone_example,
    reject_control_characters,
    require_letter,
)


class TelInput(forms.TextInput):
    input_type = "tel"

    def __init__(self, attrs=None):
        super().__init__({"inputmode": "tel", **(attrs or {})})


class ProvinceSelect(forms.Select):
    """A province select whose options say their country (`data-country`), so that the regional
    form's script (static/js/registration.js) can follow the teacher's country without a request."""

    countries: dict = {}

    def optgroups(self, name, value, attrs=None):
        # The choices are built when drawn (a valid POST never reads the list): read them once here,
        # for the options and for their countries alike.
        self.choices = list(self.choices)
        self.countries = _province_countries(self.choices)
        return super().optgroups(name, value, attrs)

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        if country := self.countries.get(str(value)):
            option["attrs"]["data-country"] = country
        return option


class NormalisedCharField(forms.CharField):
    default_validators = [reject_control_characters]

    def to_python(self, value):
        value = super().to_python(value)
        return normalise_text(value) if value else value


class NameField(NormalisedCharField):
    default_validators = [reject_control_characters, require_letter]


class NormalisedEmailField(forms.EmailField):
    default_validators = [*forms.EmailField.default_validators, reject_control_characters]

    def to_python(self, value):
        value = super().to_python(value)
        return normalise_email(value) if value else value


def _is_plausible_pk(value) -> bool:
    # Refuse before querying: some databases raise on integers beyond 64 bits instead of not matching.
    text = str(value).strip()
    return text.isascii() and text.isdigit() and len(text) < 19


class ProvinceField(forms.ModelChoiceField):
    """The teacher's province: a current province of the cohort's countries (`for_countries`). A
    POST checks it against the provinces a process keeps a second (`lookups`); the list is read
    only when the form is drawn."""

    countries: tuple = ()

    def for_countries(self, countries):
        self.countries = tuple(countries)
        self._queryset = None  # built when first read (`queryset`)

    @property
    def queryset(self):
        if self._queryset is None and self.countries:
            self._queryset = Province.objects.filter(country__in=self.countries, valid_until__isnull=True)
        return self._queryset

    @queryset.setter
    def queryset(self, queryset):
        forms.ModelChoiceField.queryset.fset(self, queryset)

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if not _is_plausible_pk(value):
            raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")
        # The queryset's condition (for_countries), checked on the rows kept.
        key = int(value)
        province = lookups.provinces(key).get(key)
        if province is None or province.valid_until is not None or province.country not in self.countries:
            raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")
        return province


class SubjectsField(forms.ModelMultipleChoiceField):
    """Subjects a teacher ticks (any of them): a POST checks them against the subjects a process
    keeps a second (`lookups`)."""

    def _check_values(self, value):
        for item in value:
            if not _is_plausible_pk(item):
                raise ValidationError(
                    self.error_messages["invalid_choice"], code="invalid_choice", params={"value": item}
                )
        keys = sorted({int(item) for item in value})
        found = lookups.subjects(*keys)
        for key in keys:
            if key not in found:
                raise ValidationError(
                    self.error_messages["invalid_choice"], code="invalid_choice", params={"value": str(key)}
                )
        return [found[key] for key in keys]


class RegistrationForm(forms.ModelForm):
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
            "title",
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
            "family_name": NameField,
            "given_name": NameField,
            "family_name_latin": NameField,
            "given_name_latin": NameField,
            "nickname": NameField,
            "school": NormalisedCharField,
            "email": NormalisedEmailField,
            "province": ProvinceField,
            "subjects": SubjectsField,
        }
        labels = {
            "family_name": _("Family name"),
            "given_name": _("Given name"),
            "family_name_latin": _("Family name in Latin letters"),
            "given_name_latin": _("Given name in Latin letters"),
            "nickname": _("Nickname"),
            "title": _("Title (optional)"),
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
            "title": _("For letters and certificates."),
            "email": _("We send your confirmation and your registration link here."),
            "years_experience": _("Optional."),
        }
        widgets = {
            "subjects": forms.CheckboxSelectMultiple,
            "gender": forms.RadioSelect,
            "province": ProvinceSelect,
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
        self.fields["province"].for_countries(phone_countries(cohort))
        self.fields["province"].empty_label = _("Choose your province")
        self.fields["school_level"].choices = [
            ("", _("Choose your school level")), *[c for c in self.fields["school_level"].choices if c[0]]
        ]
        self.email_suggestion = None
        # The country whose conventions the form follows: the cohort's, else the chosen province's.
        self.teacher_country = self._teacher_country()
        self._arrange_names()
        self.fields["province"].label_from_instance = province_label  # Khmer/Thai script first
        # Built when the form is drawn: a valid POST never reads the list (validation reads the rows kept).
        self.fields["province"].choices = functools.partial(province_choices, self.fields["province"])
        self.fields["years_experience"].min_value = 0
        self.fields["years_experience"].widget.attrs.update({"min": 0, "max": 60, "inputmode": "numeric"})
        self.fields["phone"].help_text = self._phone_hint(self.teacher_country)
        if self.teacher_country:
            self.fields["phone"].widget.attrs["placeholder"] = phone_example(self.teacher_country)
        self.fields["phone"].widget.attrs.update({"autocomplete": "tel"})
        self.fields["email"].widget.attrs.update({"autocomplete": "email", "inputmode": "email"})
        self.fields["family_name"].widget.attrs.update({"autocomplete": "family-name"})
        self.fields["given_name"].widget.attrs.update({"autocomplete": "given-name"})
        self.fields["website"].widget.attrs.update({"tabindex": "-1", "autocomplete": "off"})
        self.fields["preferred_language"].choices = Language.choices
        if not self.is_bound:
            self.initial.setdefault("preferred_language", _current_language(cohort))

        if self.is_regional:
            self.fields["province"].help_text = _(
                "The form then asks your name and phone number the way your country writes them."
            )

    @functools.cached_property
    def helper(self) -> FormHelper:
        # Built when the form is drawn: a valid POST never draws it.
        helper = FormHelper()
        helper.form_tag = False
        helper.disable_csrf = True
        school = ["school", "school_level", "province", "subjects", "years_experience"]
        where = []
        if self.is_regional:
            # Asked first: the names and the phone then follow the conventions of that country.
            school.remove("province")
            where = [Fieldset(_("Where you teach"), "province")]
        names = [Field(name, wrapper_class="d-none") if name == "nickname" and not
                 self._offers_nickname(self.teacher_country) else name for name in self.name_fields]
        helper.layout = Layout(
            *where,
            Fieldset(_("Your name"), *names, "gender"),
            Fieldset(_("How to reach you"), "email", "phone", "preferred_language"),
            Fieldset(_("Your school"), *school),
        )
        return helper

    @property
    def is_regional(self) -> bool:
        return not self.cohort.country

    def _teacher_country(self) -> str:
        """The country whose conventions apply: the cohort's, else (regional) the chosen province's."""
        if self.cohort.country:
            return self.cohort.country
        province_id = self.data.get(self.add_prefix("province")) if self.is_bound else None
        if province_id and _is_plausible_pk(province_id):
            province = lookups.provinces(int(province_id)).get(int(province_id))  # kept a second
            return province.country if province else ""
        return ""

    @staticmethod
    def _phone_hint(country: str) -> str:
        if country:
            return _("For example %(example)s.") % {"example": phone_example(country)}
        # A regional cohort before a province is chosen: one example per country.
        return _("With your country code, for example %(examples)s.") % {"examples": ", ".join(
            f"{phone_example(code)} ({label})" for code, label in Country.choices
        )}

    @staticmethod
    def _given_name_labels(country: str) -> tuple:
        """The labels of the given name and its Latin spelling for a teacher of `country`."""
        language = (get_language() or "").split("-")[0]
        if country == Country.VIETNAM or language == Language.VIETNAMESE:
            # Vietnamese "tên" alone would leave out the middle name (Văn, Thị...).
            return _("Middle and given name"), _("Middle and given name in Latin letters")
        return _("Given name"), _("Given name in Latin letters")

    @staticmethod
    def _offers_nickname(country: str) -> bool:
        # Unknown country (a regional form before a province is chosen): offered, as it is optional.
        return not country or country in NICKNAME_COUNTRIES

    def _arrange_names(self):
        """Names in the order the teacher's country writes them, with its titles and its labels."""
        country = self.teacher_country
        titles = COUNTRY_TITLES.get(country, PUBLIC_TITLES)
        self.fields["title"].choices = [("", _("No title")), *[(t.value, t.label) for t in titles]]
        self.fields["title"].required = False
        self.fields["given_name"].label, self.fields["given_name_latin"].label = self._given_name_labels(country)
        if not self._offers_nickname(country) and not self.is_regional:
            del self.fields["nickname"]  # a regional form only hides it: the province may change
        order = ["family_name", "given_name"]
        latin = ["family_name_latin", "given_name_latin"]
        if country and name_order_for_country(country) == NameOrder.GIVEN_FIRST:
            order.reverse()
            latin.reverse()
        self.name_fields = ["title", *order, *latin, *(["nickname"] if "nickname" in self.fields else [])]
        self.order_fields([*self.name_fields])

    def conventions(self) -> dict:
        """What the regional form's script changes when the teacher picks a province, per country
        ('' before one is chosen): the same rules the server applies when the form comes back."""
        result = {}
        for country in ["", *Country.values]:
            given, given_latin = self._given_name_labels(country)
            result[country] = {
                "givenFirst": bool(country) and name_order_for_country(country) == NameOrder.GIVEN_FIRST,
                "phoneHint": str(self._phone_hint(country)),
                "phonePlaceholder": phone_example(country) if country else "",
                "givenLabel": str(given),
                "givenLatinLabel": str(given_latin),
                "nickname": self._offers_nickname(country),
            }
        return result

    def clean_email(self):
        email = self.cleaned_data.get("email")
        if not email:
            return email
        suggestion = suggest_email(email)
        # The teacher's answer to "did you mean ...?" (a submit button of the error summary).
        answer = self.data.get(self.add_prefix("email_suggestion"))
        if suggestion and answer == "accept":
            return suggestion
        if suggestion and answer != "ignore":
            self.email_suggestion = suggestion
            raise ValidationError(
                _("Did you mean %(suggestion)s? Check the address: we send your registration link there.")
                % {"suggestion": suggestion},
                code="email_typo",
            )
        return email

    def clean(self):
        cleaned = super().clean()
        if self.cleaned_data.get("website"):
            raise ValidationError(
                _("Your registration could not be sent. Please try again."), code="honeypot"
            )
        raw_phone = cleaned.get("phone")
        if raw_phone and isinstance(raw_phone, str):
            try:
                cleaned["phone"] = parse_phone(raw_phone, cohort=self.cohort, province=cleaned.get("province"))
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
        for name in ("family_name_latin", "given_name_latin", "nickname", "title"):
            details[name] = details.get(name) or ""
        if not self._offers_nickname(self.teacher_country):
            details["nickname"] = ""  # hidden on a regional form once a non-Thai province is chosen
        details["name_order"] = name_order(self.cohort, details.get("province"))
        return details


def _uncopied(choices):
    # A function: copying a form's fields leaves it as it is (a list of lazy labels is copied one by one).
    choices = list(choices)
    return lambda: choices


# Django copies every field of a form for each new form, choices included. RegistrationForm.__init__
# gives these fields their choices on each form: the class's are only read there.
for _name in ("title", "gender", "school_level", "preferred_language"):
    RegistrationForm.base_fields[_name].choices = _uncopied(RegistrationForm.base_fields[_name].choices)


def _province_countries(choices) -> dict:
    """Province pk -> country code, read from the country groups of `province_choices` (no query)."""
    by_label = {str(label): code for code, label in Country.choices}
    return {
        str(pk): by_label[str(group)]
        for group, options in choices
        if isinstance(options, list | tuple) and str(group) in by_label
        for pk, _label in options
    }


def _current_language(cohort) -> str:
    current = (get_language() or settings.LANGUAGE_CODE).split("-")[0]
    if current in Language.values:
        return current
    return COUNTRY_LANGUAGE.get(cohort.country, Language.ENGLISH)


class ContactDetailsForm(forms.ModelForm):
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
                cleaned["phone"] = parse_phone(raw_phone, cohort=self.cohort, province=self.instance.province)
            except ValidationError as exc:
                self.add_error("phone", exc)
        return cleaned


class OpenCohortFilterForm(forms.Form):
    country = forms.ChoiceField(
        label=_("Country"),
        required=False,
        choices=[("", _("All countries")), *Country.choices, (REGIONAL, _("Regional (all three)"))],
    )
    language = forms.ChoiceField(
        label=_("Language"), required=False, choices=[("", _("All languages")), *Language.choices]
    )

    def filter(self, queryset):
        if not self.is_valid():
            return queryset
        country = self.cleaned_data.get("country")
        if country == REGIONAL:
            queryset = queryset.filter(country="")
        elif country:
            queryset = queryset.filter(country=country)
        if language := self.cleaned_data.get("language"):
            queryset = queryset.filter(language=language)
        return queryset


class LinkRequestForm(forms.Form):
    """The email a teacher registered with, to receive fresh "My registration" links."""

    email = NormalisedEmailField(
        label=_("Email"), max_length=254,
        help_text=_("The address you registered with. We send a new link for each of your registrations."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["email"].widget.attrs.update({"autocomplete": "email"})
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True
