"""Each language named in its own script, for the language switcher and the cohort pages.

Django's LANG_INFO gives Khmer's "local" name in English ("Khmer"); a Khmer reader looks for ខ្មែរ.
These names are never translated: a visitor finds their own language whatever the page's language.
"""

from django.utils.translation import get_language_info

NATIVE_NAMES = {"en": "English", "km": "ភាសាខ្មែរ", "th": "ภาษาไทย", "vi": "Tiếng Việt"}


def native_language_name(code: str) -> str:
    return NATIVE_NAMES.get(code) or get_language_info(code)["name_local"]
