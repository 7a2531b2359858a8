"""The teacher's check-in form and the staff's opening form."""

from django import forms
from django.utils.translation import gettext_lazy as _

from pilots.registration.forms import NormalisedEmailField


class CheckInForm(forms.Form):
    """Email + code (no account); from "My registration" the signed token replaces the email."""

    code = forms.CharField(
        label=_("Code shown on the screen"), max_length=12,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code",
                                      "class": "form-control form-control-lg", "size": "8"}),
        error_messages={"required": _("Type the six digits shown on the screen.")},
    )
    email = NormalisedEmailField(
        label=_("Email address you registered with"), required=False,
        widget=forms.EmailInput(attrs={"class": "form-control", "autocomplete": "email"}),
    )
    session = forms.IntegerField(widget=forms.HiddenInput, required=False)
    token = forms.CharField(widget=forms.HiddenInput, required=False, max_length=200)

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("token") and not cleaned.get("email") and "email" not in self.errors:
            self.add_error("email", _("Give the email address you registered with."))
        return cleaned


class OpenCheckInForm(forms.Form):
    grace_minutes = forms.IntegerField(
        label=_("Late after (minutes from the start)"), min_value=0, max_value=240, initial=15,
        widget=forms.NumberInput(attrs={"class": "form-control", "inputmode": "numeric"}),
    )
