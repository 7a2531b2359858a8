from django import forms
from django.utils.translation import gettext_lazy as _
from django_countries import countries


class CountryInput(forms.TextInput):
    """A text box with the country list as browser suggestions (a <datalist>, not a 250-option
    <select>): type "Rwa" or "RW" and pick Rwanda."""

    template_name = "partners/widgets/country_input.html"

    def __init__(self, attrs=None):
        super().__init__({"size": 6, "autocomplete": "off", **(attrs or {})})

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        context["widget"]["attrs"]["list"] = f"{context['widget']['attrs'].get('id', name)}-countries"
        context["widget"]["countries"] = list(countries)
        return context


class CountryCodeField(forms.CharField):
    """An ISO 3166-1 alpha-2 code, checked against django-countries' list; blank allowed."""

    default_error_messages = {"invalid_country": _("Enter a two-letter country code such as KH or RW.")}

    def __init__(self, **kwargs):
        kwargs.pop("choices", None)
        kwargs.pop("coerce", None)
        kwargs.pop("empty_value", None)
        kwargs.setdefault("widget", CountryInput)
        kwargs["max_length"] = 2
        super().__init__(**kwargs)

    def to_python(self, value):
        value = super().to_python(value).strip().upper()
        if value and value not in countries:
            raise forms.ValidationError(self.error_messages["invalid_country"], code="invalid_country")
        return value
