from django.contrib import admin

from pilots.admin import ReportDataMixin

from .models import Question, Survey


class QuestionInline(admin.StackedInline):
    model = Question
    extra = 0
    fields = ["order", "kind", "required", "measure", "text_en", "text_km", "text_th", "text_vi", "options",
              "low_label", "high_label"]


@admin.register(Survey)
class SurveyAdmin(ReportDataMixin, admin.ModelAdmin):
    """A survey that has answers keeps its questions: make a new version to change them."""

    list_display = ["text_en", "programme", "kind", "months_after", "version", "open_days", "is_active"]
    list_filter = ["programme", "kind", "is_active"]
    inlines = [QuestionInline]
