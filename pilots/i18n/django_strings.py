"""Messages from Django, its form libraries and our reference data that teachers meet on our pages.

Django's own Khmer catalogue leaves most form errors untranslated, and some Thai and Vietnamese ones are
missing or awkward. Listing the msgids here lets `makemessages` put them into our catalogues
(`locale/`), whose translations win because LOCALE_PATHS come before Django's own. Nothing imports
this module: it exists only to be read by `makemessages`.
"""

from django.utils.translation import gettext_noop, ngettext_lazy

DJANGO_FORM_MESSAGES = [
    gettext_noop("This field is required."),
    gettext_noop("Enter a valid email address."),
    gettext_noop("Enter a valid value."),
    gettext_noop("Enter a whole number."),
    gettext_noop("Enter a number."),
    gettext_noop("Enter a valid date."),
    gettext_noop("Enter a list of values."),
    gettext_noop("Null characters are not allowed."),
    gettext_noop("Select a valid choice. %(value)s is not one of the available choices."),
    gettext_noop("Select a valid choice. That choice is not one of the available choices."),
    gettext_noop("“%(pk)s” is not a valid value."),
    gettext_noop("Ensure this value is less than or equal to %(limit_value)s."),
    gettext_noop("Ensure this value is greater than or equal to %(limit_value)s."),
    ngettext_lazy(
        "Ensure this value has at most %(limit_value)d character (it has %(show_value)d).",
        "Ensure this value has at most %(limit_value)d characters (it has %(show_value)d).",
        "limit_value",
    ),
    # django-phonenumber-field
    gettext_noop("Enter a valid phone number (e.g. {example_number})."),
    gettext_noop("Enter a valid phone number."),
    gettext_noop("The phone number entered is not valid."),
    # Django's CSRF failure page (a form left open for hours, or cookies blocked)
    gettext_noop("Forbidden"),
    gettext_noop("CSRF verification failed. Request aborted."),
]

# Names of the school subjects seeded by migration 0002; Subject.__str__ translates them at run time.
SUBJECT_NAMES = [
    gettext_noop("History"),
    gettext_noop("Khmer literature"),
    gettext_noop("Thai language and literature"),
    gettext_noop("Vietnamese literature"),
    gettext_noop("Citizen morality and civics"),
    gettext_noop("Social studies"),
    gettext_noop("Geography"),
    gettext_noop("English"),
    gettext_noop("Other subject"),
]
