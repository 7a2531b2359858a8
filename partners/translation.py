"""An organisation's name in English, Khmer, Thai and Vietnamese (see pilots/translation.py)."""

from modeltranslation.translator import TranslationOptions, register

from .models import Partner


@register(Partner)
class PartnerTranslation(TranslationOptions):
    fields = ("name",)
