"""Surveys after a training: a reaction survey at the end of the cohort and follow-ups months
later, per programme, with questions in the four languages and a version; answered through the
teacher's status link."""

from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from pilots.choices import Language
from pilots.models import Enrolment, Programme


class SurveyKind(models.TextChoices):
    REACTION = "reaction", _("Reaction (end of the training)")
    FOLLOW_UP = "follow_up", _("Follow-up")


class QuestionKind(models.TextChoices):
    LIKERT = "likert", _("Scale of 1 to 5")
    CHOICE = "choice", _("One choice")
    MULTIPLE = "multiple", _("Several choices")
    NUMBER = "number", _("Number")
    TEXT = "text", _("Open text")


class Measure(models.TextChoices):
    """What a question measures for the reports beyond its own distribution."""

    NONE = "", _("Nothing else")
    STUDENTS_REACHED = "students_reached", _("Students reached (cascade)")


class Translated(models.Model):
    """Text in the four languages; `text` gives the active language's, else English."""

    text_en = models.CharField(_("text (English)"), max_length=300)
    text_km = models.CharField(_("text (Khmer)"), max_length=300, blank=True)
    text_th = models.CharField(_("text (Thai)"), max_length=300, blank=True)
    text_vi = models.CharField(_("text (Vietnamese)"), max_length=300, blank=True)

    class Meta:
        abstract = True

    @property
    def text(self):
        language = (get_language() or "en").split("-")[0]
        return getattr(self, f"text_{language}", "") or self.text_en


class Survey(Translated):
    programme = models.ForeignKey(
        Programme, verbose_name=_("programme"), on_delete=models.PROTECT, related_name="surveys"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=SurveyKind)
    months_after = models.PositiveSmallIntegerField(
        _("months after the end of the training"), default=0,
        help_text=_("0 for the reaction survey; the follow-ups default to 3 and 12."),
    )
    version = models.PositiveSmallIntegerField(_("version"), default=1, validators=[MinValueValidator(1)])
    open_days = models.PositiveSmallIntegerField(_("days open"), default=30, validators=[MinValueValidator(1)])
    reminder_days_before_close = models.PositiveSmallIntegerField(_("reminder days before closing"), default=5)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["programme", "months_after", "-version"]
        verbose_name = _("survey")
        verbose_name_plural = _("surveys")
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "kind", "months_after", "version"], name="survey_one_per_version"
            ),
            models.CheckConstraint(condition=Q(kind__in=SurveyKind.values), name="survey_kind_valid"),
            models.CheckConstraint(
                condition=Q(kind=SurveyKind.REACTION, months_after=0)
                | Q(kind=SurveyKind.FOLLOW_UP, months_after__gt=0),
                name="survey_timing_matches_kind",
            ),
        ]

    def __str__(self):
        return f"{self.text_en} (v{self.version})"


class Question(Translated):
    survey = models.ForeignKey(Survey, verbose_name=_("survey"), on_delete=models.CASCADE, related_name="questions")
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    kind = models.CharField(_("kind"), max_length=20, choices=QuestionKind)
    # [{"value": "yes", "en": "Yes", "km": "បាទ/ចាស", "th": "ใช่", "vi": "Có"}, ...] for choices.
    options = models.JSONField(_("options"), default=list, blank=True)
    required = models.BooleanField(_("required"), default=False)
    measure = models.CharField(_("measures"), max_length=30, choices=Measure, blank=True, default="")
    # Likert ends, in the four languages like the question ("not at all useful" ... "very useful").
    low_label = models.JSONField(_("label of 1"), default=dict, blank=True)
    high_label = models.JSONField(_("label of 5"), default=dict, blank=True)

    class Meta:
        ordering = ["survey", "order", "pk"]
        verbose_name = _("question")
        verbose_name_plural = _("questions")
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=QuestionKind.values), name="question_kind_valid"),
            models.CheckConstraint(
                condition=~Q(measure=Measure.STUDENTS_REACHED) | Q(kind=QuestionKind.NUMBER),
                name="question_students_reached_is_a_number",
            ),
        ]

    def __str__(self):
        return self.text_en

    def option_label(self, value, language=None):
        language = language or (get_language() or "en").split("-")[0]
        for option in self.options:
            if option.get("value") == value:
                return option.get(language) or option.get("en") or value
        return value

    def end_label(self, which):
        labels = self.low_label if which == "low" else self.high_label
        language = (get_language() or "en").split("-")[0]
        return labels.get(language) or labels.get("en", "")


class Response(models.Model):
    survey = models.ForeignKey(Survey, verbose_name=_("survey"), on_delete=models.PROTECT, related_name="responses")
    enrolment = models.ForeignKey(
        Enrolment, verbose_name=_("enrolment"), on_delete=models.PROTECT, related_name="survey_responses"
    )
    language = models.CharField(_("language"), max_length=5, choices=Language)
    submitted_at = models.DateTimeField(_("submitted at"), default=timezone.now)

    class Meta:
        ordering = ["-submitted_at", "pk"]
        verbose_name = _("survey response")
        verbose_name_plural = _("survey responses")
        constraints = [
            models.UniqueConstraint(
                fields=["survey", "enrolment"], name="response_one_per_teacher_and_survey",
                violation_error_message=_("You have already answered this survey."),
            ),
        ]

    def __str__(self):
        return f"{self.survey} – {self.enrolment_id}"


class Answer(models.Model):
    response = models.ForeignKey(Response, verbose_name=_("response"), on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(Question, verbose_name=_("question"), on_delete=models.PROTECT, related_name="answers")
    number = models.IntegerField(_("number"), null=True, blank=True)
    choices = models.JSONField(_("choices"), default=list, blank=True)
    text = models.TextField(_("text"), blank=True)

    class Meta:
        ordering = ["response", "question"]
        verbose_name = _("answer")
        verbose_name_plural = _("answers")
        constraints = [
            models.UniqueConstraint(fields=["response", "question"], name="answer_one_per_question"),
            models.CheckConstraint(
                condition=Q(number__isnull=True) | Q(number__gte=0), name="answer_number_not_negative"
            ),
        ]

    def __str__(self):
        return f"{self.question_id}: {self.number or self.choices or self.text[:20]}"
