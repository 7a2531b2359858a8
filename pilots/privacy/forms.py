from django import forms
from django.utils.translation import gettext_lazy as _

from pilots.privacy.models import Purpose, RequestKind

# What a teacher asks for on their status page (access is the download itself).
TEACHER_REQUESTS = [
    (RequestKind.CORRECTION, _("Correct something else about me")),
    (RequestKind.OBJECTION, _("Object to how my data is used")),
    (RequestKind.ERASURE, _("Erase my data")),
]


class TeacherRequestForm(forms.Form):
    kind = forms.ChoiceField(label=_("What do you ask?"), choices=TEACHER_REQUESTS)
    details = forms.CharField(
        label=_("Details (optional)"), required=False, max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class ConsentForm(forms.Form):
    purpose = forms.ChoiceField(choices=Purpose.choices)
    action = forms.ChoiceField(choices=[("give", "give"), ("withdraw", "withdraw")])
