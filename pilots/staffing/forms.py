"""Forms of the staff pages: they validate and normalise, the services decide."""

from django import forms
from django.utils.translation import gettext_lazy as _

from pilots.choices import AttendanceStatus


class AttendanceRowForm(forms.Form):
    """One teacher's line on the register; `version` is the row's token when the page opened."""

    enrolment = forms.IntegerField(widget=forms.HiddenInput)
    version = forms.CharField(widget=forms.HiddenInput, required=False)
    status = forms.ChoiceField(
        label=_("Attendance"),
        choices=[("", _("Not recorded"))] + list(AttendanceStatus.choices),
        widget=forms.RadioSelect(attrs={"class": "btn-check"}),
        required=False,
    )
    note = forms.CharField(
        label=_("Note"), max_length=300, required=False,
        widget=forms.TextInput(attrs={"class": "form-control form-control-sm"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.initial.get("status"):
            # A recorded row can be changed, not cleared: offer the four statuses only.
            self.fields["status"].choices = list(AttendanceStatus.choices)

    def clean_note(self):
        return " ".join(self.cleaned_data["note"].split())

    def clean(self):
        cleaned = super().clean()
        if self.initial.get("status") and not cleaned.get("status"):
            self.add_error("status", _("Recorded attendance cannot be cleared here; choose a status."))
        return cleaned


AttendanceFormSet = forms.formset_factory(AttendanceRowForm, extra=0, max_num=2000, absolute_max=2000)


class DecimalCommaField(forms.DecimalField):
    """A decimal typed as staff type it: "66.5" or "66,5" (a decimal comma, as in Vietnamese and
    on many keyboards). A text input, not a number input: a browser's number input sends "" for
    "abc" (saved as "not taken") and may read "12,5" as 125; here anything else is an error."""

    def to_python(self, value):
        if isinstance(value, str):
            value = value.strip()
            if value.count(",") == 1 and "." not in value:
                value = value.replace(",", ".")
        return super().to_python(value)


class ScoreRowForm(forms.Form):
    enrolment = forms.IntegerField(widget=forms.HiddenInput)
    version = forms.CharField(widget=forms.HiddenInput, required=False)
    score = DecimalCommaField(
        label=_("Score"),
        min_value=0,
        max_value=100,
        max_digits=5,
        decimal_places=2,
        required=False,
        widget=forms.TextInput(attrs={"class": "form-control form-control-sm", "inputmode": "decimal",
                                      "autocomplete": "off", "size": "6"}),
        error_messages={
            "min_value": _("The score must be between 0 and 100."),
            "max_value": _("The score must be between 0 and 100."),
            "invalid": _("Enter a number between 0 and 100 (for example 66.5 or 66,5)."),
            "max_decimal_places": _("Give at most two decimals (for example 66.25)."),
            "max_digits": _("The score must be between 0 and 100."),
            "max_whole_digits": _("The score must be between 0 and 100."),
        },
    )

    def clean_score(self):
        score = self.cleaned_data["score"]
        if score is None and self.initial.get("score") is not None:
            raise forms.ValidationError(_("A recorded score cannot be removed here; enter a score."))
        return score


ScoreFormSet = forms.formset_factory(ScoreRowForm, extra=0, max_num=2000, absolute_max=2000)


class ScorePageForm(forms.Form):
    taken_on = forms.DateField(
        label=_("Test taken on"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date", "class": "form-control"}),
    )


class EnrolmentIdsField(forms.TypedMultipleChoiceField):
    """Enrolment ids ticked on the page. Any id is accepted here: the service only acts on the
    cohort's enrolments, and one that another reviewer changed meanwhile is reported, not lost."""

    def valid_value(self, value):
        return True


class ReviewForm(forms.Form):
    ACTIONS = [
        ("confirm", _("Confirm")),
        ("waitlist", _("Move to the waiting list")),
        ("reject", _("Reject")),
        ("promote", _("Promote from the waiting list while seats remain")),
    ]
    # No action is chosen by default: a stray press on "Apply" must not reject anyone.
    action = forms.ChoiceField(
        label=_("Action"), choices=[("", _("Choose an action"))] + ACTIONS,
        error_messages={"required": _("Choose what to do with the selected teachers.")},
    )
    enrolments = EnrolmentIdsField(
        label=_("Selected"), coerce=int, required=False, widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": _("Select the teachers from the list.")},
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("action") in ("confirm", "waitlist", "reject") and not cleaned.get("enrolments"):
            raise forms.ValidationError(_("Select at least one teacher."))
        return cleaned
