"""Content that staff write in English, Khmer, Thai and Vietnamese (django-modeltranslation).

Each field below gets one column per language on the same row (`title_en`, `title_km`, ...), so a
page reads every language without another query. Reading `module.title` gives the reader's language
and falls back to English (MODELTRANSLATION_FALLBACK_LANGUAGES); the `content_language` template
filters mark such a fallback with `lang="en"`.
"""

from modeltranslation.translator import TranslationOptions, register

from .models import Cohort, Module, Programme, Session


@register(Programme)
class ProgrammeTranslation(TranslationOptions):
    fields = ("name", "description")


@register(Module)
class ModuleTranslation(TranslationOptions):
    fields = ("title", "summary")


@register(Cohort)
class CohortTranslation(TranslationOptions):
    fields = ("name", "description", "venue")


@register(Session)
class SessionTranslation(TranslationOptions):
    fields = ("title", "venue")
