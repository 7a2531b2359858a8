"""The survey form, built from the survey's questions in the reader's language (radio buttons and
check boxes: no JavaScript)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import QuestionKind

MAX_NUMBER = 100_000


class SurveyForm(forms.Form):
    def __init__(self, *args, survey, **kwargs):
        super().__init__(*args, **kwargs)
        self.questions = list(survey.questions.all())
        for question in self.questions:
            self.fields[f"q{question.pk}"] = self._field(question)

    def _field(self, question):
        common = {"label": question.text, "required": question.required}
        if question.kind == QuestionKind.LIKERT:
            low, high = question.end_label("low"), question.end_label("high")
            choices = [(n, f"{n} – {low}" if n == 1 and low else f"{n} – {high}" if n == 5 and high else str(n))
                       for n in range(1, 6)]
            return forms.TypedChoiceField(choices=choices, coerce=int, widget=forms.RadioSelect, **common)
        if question.kind == QuestionKind.CHOICE:
            return forms.ChoiceField(choices=self._options(question), widget=forms.RadioSelect, **common)
        if question.kind == QuestionKind.MULTIPLE:
            return forms.MultipleChoiceField(choices=self._options(question), widget=forms.CheckboxSelectMultiple,
                                             **common)
        if question.kind == QuestionKind.NUMBER:
            return forms.IntegerField(min_value=0, max_value=MAX_NUMBER, widget=forms.NumberInput(
                attrs={"inputmode": "numeric"}), **common)
        return forms.CharField(max_length=2000, widget=forms.Textarea(attrs={"rows": 3}), **common)

    @staticmethod
    def _options(question):
        return [(o["value"], question.option_label(o["value"])) for o in question.options]

    def answers(self) -> dict:
        return {q.pk: self.cleaned_data.get(f"q{q.pk}") for q in self.questions}


SURVEY_FORM_ERROR = _("Please correct the answers marked below.")
