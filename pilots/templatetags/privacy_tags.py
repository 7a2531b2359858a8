"""The privacy parts of the teacher's "My registration" page, so that the page's view need not
know them: a request to consent again when the notice changed, and the teacher's rights."""

from django import template
from django.utils.translation import get_language

from pilots.choices import Language
from pilots.privacy import services
from pilots.privacy.forms import TeacherRequestForm
from pilots.privacy.models import OPTIONAL_PURPOSES, Purpose

register = template.Library()


def _language():
    language = (get_language() or "en").split("-")[0]
    return language if language in Language.values else Language.ENGLISH


@register.inclusion_tag("pilots/privacy/_consent_again.html")
def privacy_consent_again(enrolment, token):
    language = _language()
    teacher = enrolment.teacher
    return {"needed": services.needs_consent_again(teacher, language), "token": token,
            "notice": services.current_notice(language), "version": services.current_version(language),
            "purpose": Purpose.REGISTRATION}


@register.inclusion_tag("pilots/privacy/_my_rights.html")
def privacy_rights(enrolment, token):
    consents = services.live_consents(enrolment.teacher)
    return {
        "token": token,
        "purposes": [{"value": p.value, "label": p.label, "given": p in consents} for p in OPTIONAL_PURPOSES],
        "form": TeacherRequestForm(),
    }


@register.simple_tag
def current_privacy_notice():
    """The privacy notice published in the page's language (None: the one built into the templates)."""
    return services.current_notice(_language())
