"""Forms of the staff pages: they validate and normalise, the services decide."""

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from pilots.choices import AttendanceStatus
from pilots.models import Cohort, Module, Province, Session


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


def translated(*fields: str) -> list[str]:
    """The columns of translated content (`name_en`, `name_km`, ...), as the admin edits them."""
    return [f"{field}_{code}" for field in fields for code, _name in settings.LANGUAGES]


class CohortForm(forms.ModelForm):
    """A cohort as the admin's form takes it (the model's validators, `clean` and constraints run
    in `full_clean`), for writers other than the admin page (the API). The English name is the
    fallback of every language (modeltranslation), so it is required like on the admin page."""

    province = forms.ModelChoiceField(
        label=_("province"), queryset=Province.objects.all(), to_field_name="code", required=False,
        error_messages={"invalid_choice": _("There is no province with this code.")},
    )

    class Meta:
        model = Cohort
        fields = [
            "programme", *translated("name"), "code", "year", "kind", "status", *translated("description"),
            "country", "province", "language", *translated("venue"), "is_online", "start_date", "end_date",
            "capacity", "registration_opens", "registration_closes", "requires_approval", "organiser",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["name_en"].required = True
        if self.instance.province_id:
            self.initial["province"] = self.instance.province.code

    def _post_clean(self):
        super()._post_clean()
        # New dates or another programme must still hold the cohort's sessions: each session's own
        # rule (`Session.clean`), as the admin's inline checks it when the cohort page is saved.
        if self.instance.pk and not self.errors and {"start_date", "end_date", "programme"} & set(self.changed_data):
            for session in self.instance.sessions.select_related("module"):
                session.cohort = self.instance
                try:
                    session.clean()
                except ValidationError as exc:
                    self.add_error(None, [f"{session}: {message}" for message in exc.messages])


class SessionForm(forms.ModelForm):
    """A session of a given cohort (the instance's `cohort` is set before validation, so that
    `Session.clean` checks its date against the cohort's and its module against the programme);
    the module is given by its code, among the cohort's programme's modules only, as in the
    admin's inline."""

    module = forms.ModelChoiceField(
        label=_("module"), queryset=Module.objects.none(), to_field_name="code", required=False,
        error_messages={"invalid_choice": _("The cohort's programme has no module with this code.")},
    )

    class Meta:
        model = Session
        fields = [*translated("title"), "date", "starts_at", "ends_at", "module", "mode", *translated("venue"),
                  "facilitators"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["title_en"].required = True
        self.fields["module"].queryset = Module.objects.filter(programme_id=self.instance.cohort.programme_id)
        if self.instance.module_id:
            self.initial["module"] = self.instance.module.code


def form_data(form: forms.ModelForm) -> dict:
    """The values an unbound model form starts from (the instance's, or a new row's defaults), as
    data: a partial change is these with the changed fields over them, validated whole."""
    return {name: form.initial.get(name, field.initial) for name, field in form.fields.items()}
