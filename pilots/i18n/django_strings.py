"""Messages from Django, its form libraries and our reference data that teachers meet on our pages.

Django's own Khmer catalogue leaves most form errors untranslated, and some Thai and Vietnamese ones are
missing or awkward. Listing the msgids here lets `makemessages` put them into our catalogues
(`locale/`), whose translations win because LOCALE_PATHS come before Django's own. Nothing imports
this module: it exists only to be read by `makemessages`.
"""

from django.utils.translation import gettext_noop, ngettext_lazy, pgettext_lazy

DJANGO_FORM_MESSAGES = [
    gettext_noop("This field is required."),
    gettext_noop("Enter a valid email address."),
    gettext_noop("Enter a valid value."),
    gettext_noop("Enter a whole number."),
    gettext_noop("Enter a number."),
    gettext_noop("Enter a valid date."),
    gettext_noop("Enter a valid date/time."),
    gettext_noop("Enter a valid time."),
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

# Names of the school subjects seeded by migration 0002; `models.subject_name` translates them at run
# time, in their own context ("History" the subject is not the admin's "History" of changes).
SUBJECT_NAMES = [
    pgettext_lazy("school subject", "History"),
    pgettext_lazy("school subject", "Khmer literature"),
    pgettext_lazy("school subject", "Thai language and literature"),
    pgettext_lazy("school subject", "Vietnamese literature"),
    pgettext_lazy("school subject", "Citizen morality and civics"),
    pgettext_lazy("school subject", "Social studies"),
    pgettext_lazy("school subject", "Geography"),
    pgettext_lazy("school subject", "English"),
    pgettext_lazy("school subject", "Other subject"),
]

# Month names (Django's date formats, "F"): Django's Khmer catalogue spells March មិនា; ours មីនា.
MONTH_NAMES = [
    gettext_noop("January"), gettext_noop("February"), gettext_noop("March"), gettext_noop("April"),
    gettext_noop("May"), gettext_noop("June"), gettext_noop("July"), gettext_noop("August"),
    gettext_noop("September"), gettext_noop("October"), gettext_noop("November"),
    gettext_noop("December"),
]

# The Django admin and django-simple-history screens staff use every day, where Django's Khmer (and
# some Thai) catalogues leave them in English and simple-history ships none of our languages.
ADMIN_MESSAGES = [
    gettext_noop("Action:"),
    gettext_noop("Run the selected action"),
    gettext_noop("Go"),
    gettext_noop("Click here to select the objects across all pages"),
    gettext_noop("Select all %(total_count)s %(module_name)s"),
    gettext_noop("Clear selection"),
    gettext_noop("0 of %(cnt)s selected"),
    ngettext_lazy("%(total_count)s selected", "All %(total_count)s selected", "total_count"),
    gettext_noop("Search"),
    ngettext_lazy("%(counter)s result", "%(counter)s results", "counter"),
    gettext_noop("None"),
    gettext_noop("No date"),
    gettext_noop("Has date"),
    gettext_noop("Administration"),
    gettext_noop("Models in the %(name)s application"),
    gettext_noop("Recent actions"),
    gettext_noop("My actions"),
    gettext_noop("Unknown content"),
    gettext_noop("View site"),
    gettext_noop("Delete?"),
    gettext_noop("Summary"),
    gettext_noop("Objects"),
    gettext_noop("No, take me back"),
    gettext_noop("Delete multiple objects"),
    gettext_noop("Delete selected %(verbose_name_plural)s"),
    gettext_noop("Successfully deleted %(count)d %(items)s."),
    gettext_noop("Add another %(verbose_name)s"),
    gettext_noop("Change selected %(model)s"),
    gettext_noop("Add another %(model)s"),
    gettext_noop("Delete selected %(model)s"),
    gettext_noop("Please correct the error below."),
    gettext_noop("Please correct the errors below."),
    gettext_noop("Hold down “Control”, or “Command” on a Mac, to select more than one."),
    gettext_noop("Currently:"),
    gettext_noop("Change:"),
    gettext_noop("Lookup"),
    gettext_noop("Remove from sorting"),
    gettext_noop("Toggle sorting"),
    gettext_noop("Sorting priority: %(priority_number)s"),
    gettext_noop("No action selected."),
    gettext_noop("Items must be selected in order to perform actions on them. No items have been changed."),
    ngettext_lazy(
        "%(count)s %(name)s was changed successfully.", "%(count)s %(name)s were changed successfully.", "count"
    ),
    gettext_noop("The {name} “{obj}” was added successfully."),
    gettext_noop("The {name} “{obj}” was changed successfully."),
    gettext_noop("The {name} “{obj}” was added successfully. You may edit it again below."),
    gettext_noop("The {name} “{obj}” was changed successfully. You may edit it again below."),
    gettext_noop("Added."),
    gettext_noop("Changed {fields}."),
    gettext_noop("Enter a username and password."),
    gettext_noop("Forgotten your password or username?"),
    # django-simple-history
    gettext_noop("History"),
    gettext_noop("Changed by"),
    gettext_noop("Changes"),
    gettext_noop("Change reason"),
    gettext_noop("Date/time"),
    gettext_noop("Object"),
    gettext_noop("Comment"),
    gettext_noop("Revert"),
    gettext_noop("Close"),
    gettext_noop("Change History"),
    gettext_noop("This object doesn't have a change history."),
    gettext_noop("Choose a date from the list below to revert to a previous version of this object."),
    gettext_noop("Press the 'Revert' button below to revert to this version of the object."),
    gettext_noop("Press the 'Change History' button below to edit the history."),
    gettext_noop("View history: %s"),
    gettext_noop("Change history: %s"),
    gettext_noop("View %s"),
    gettext_noop("Revert %s"),
    gettext_noop("You may edit it again below"),
    ngettext_lazy("entry", "entries", "counter"),
    gettext_noop("Created"),
    gettext_noop("Changed"),
    gettext_noop("Deleted"),
    # The admin's sidebar, breadcrumbs, app list and action boxes (read aloud by screen readers)
    gettext_noop("Toggle navigation"),
    gettext_noop("Sidebar"),
    gettext_noop("Start typing to filter…"),
    gettext_noop("Filter navigation items"),
    gettext_noop("Breadcrumbs"),
    gettext_noop("Model name"),
    gettext_noop("Add link"),
    gettext_noop("Change or view list link"),
    gettext_noop("View"),
    gettext_noop("Select all objects on this page for an action"),
    gettext_noop("Select this object for an action - {}"),
    # Models of django-axes (sign-in throttling) and django-tasks-db, listed on the admin index
    gettext_noop("access failure"),
    gettext_noop("access failures"),
    gettext_noop("access attempt"),
    gettext_noop("access attempts"),
    gettext_noop("access attempt expiration"),
    gettext_noop("access attempt expirations"),
    gettext_noop("access log"),
    gettext_noop("access logs"),
    gettext_noop("Task Result"),
    gettext_noop("Task Results"),
    # A staff member's password, set by an administrator
    gettext_noop("Change password: %s"),
    gettext_noop("Enter a new password for the user <strong>%(username)s</strong>."),
    gettext_noop("Password-based authentication"),
    gettext_noop("Enabled"),
    gettext_noop("Disabled"),
    gettext_noop("Set password"),
    gettext_noop("Reset password"),
    gettext_noop("No password set."),
    gettext_noop("Raw passwords are not stored, so there is no way to see the user’s password."),
    gettext_noop(
        "Designates whether this user should be treated as active. Unselect this instead of deleting accounts."
    ),
    gettext_noop("Authentication and Authorization"),
    gettext_noop("Show counts"),
    gettext_noop("Hide counts"),
]

# Signing in, and resetting or changing a password (Django's auth forms and password validators, and
# the admin's theme switch): Django's Khmer catalogue leaves nearly all of them in English, its Thai
# one the password rules.
AUTH_MESSAGES = [
    gettext_noop("Password"),
    gettext_noop("Password confirmation"),
    gettext_noop("New password"),
    gettext_noop("New password confirmation"),
    gettext_noop("Old password"),
    gettext_noop("The two password fields didn’t match."),
    gettext_noop("Enter the same password as before, for verification."),
    gettext_noop("Your old password was entered incorrectly. Please enter it again."),
    gettext_noop(
        "Please enter a correct %(username)s and password. Note that both fields may be case-sensitive."
    ),
    gettext_noop("This account is inactive."),
    # The user fields a password must not resemble (UserAttributeSimilarityValidator names them).
    gettext_noop("username"),
    gettext_noop("email address"),
    gettext_noop("first name"),
    gettext_noop("last name"),
    gettext_noop("The password is too similar to the %(verbose_name)s."),
    gettext_noop("Your password can’t be too similar to your other personal information."),
    ngettext_lazy(
        "This password is too short. It must contain at least %d character.",
        "This password is too short. It must contain at least %d characters.",
        8,
    ),
    ngettext_lazy(
        "Your password must contain at least %(min_length)d character.",
        "Your password must contain at least %(min_length)d characters.",
        "min_length",
    ),
    gettext_noop("This password is too common."),
    gettext_noop("Your password can’t be a commonly used password."),
    gettext_noop("This password is entirely numeric."),
    gettext_noop("Your password can’t be entirely numeric."),
    gettext_noop("Toggle theme (current theme: auto)"),
    gettext_noop("Toggle theme (current theme: light)"),
    gettext_noop("Toggle theme (current theme: dark)"),
]
