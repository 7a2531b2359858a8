"""Translated content (pilots/translation.py) in templates: mark what falls back to English.

`<h1{{ cohort|fallback_lang:"name" }}>{{ cohort.name }}</h1>` adds ` lang="en"` when the cohort has
no name in the page's language, so that screen readers and fonts treat the English text as English.
It reads the columns of the row already loaded: no query.
"""

from django import template
from django.conf import settings
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from modeltranslation.utils import build_localized_fieldname

register = template.Library()


def shown_language(obj, field: str) -> str:
    """The language in which `obj.<field>` is shown on the current page ('' when it is empty)."""
    current = (get_language() or settings.LANGUAGE_CODE).split("-")[0]
    fallback = settings.MODELTRANSLATION_DEFAULT_LANGUAGE
    if obj is None:
        return ""
    if getattr(obj, build_localized_fieldname(field, current), None):
        return current
    if getattr(obj, build_localized_fieldname(field, fallback), None):
        return fallback
    return ""


@register.filter
def fallback_lang(obj, field: str) -> str:
    """` lang="en"` when `obj.<field>` is shown in English on a page in another language."""
    current = (get_language() or settings.LANGUAGE_CODE).split("-")[0]
    language = shown_language(obj, field)
    if language and language != current:
        return mark_safe(f' lang="{language}"')
    return ""
