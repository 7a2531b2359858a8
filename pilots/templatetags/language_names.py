"""Each language named in its own script (`pilots.i18n.languages`), for templates."""

from django import template

from pilots.i18n.languages import native_language_name

register = template.Library()
register.filter("native_language_name", native_language_name)
