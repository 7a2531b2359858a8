"""Place names as teachers read them: a province in its country's own script for readers of that
language, in the ISO romanisation for everyone else."""

from django import template
from django.utils.translation import get_language

from pilots.choices import COUNTRY_LANGUAGE
from pilots.province_names import native_province_name

register = template.Library()


@register.filter
def province_name(province) -> str:
    """The Khmer name on a Khmer page ("កំពង់ចាម"), "Kampong Chaam" on others; empty for none."""
    if not province:
        return ""
    if (get_language() or "").split("-")[0] == COUNTRY_LANGUAGE.get(province.country):
        return native_province_name(province)
    return province.name
