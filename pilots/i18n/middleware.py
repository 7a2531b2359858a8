"""Which language a visitor reads on a cohort's public pages.

Django's LocaleMiddleware already honours an explicit choice (the switcher's cookie, which then sticks
for a year) and the browser (Accept-Language). This middleware runs after it and adds the context
that only the page knows:

1. An explicit choice (the language cookie) always wins: nothing is changed.
2. A browser that asks for Khmer, Thai or Vietnamese gets it.
3. Otherwise, on a teacher's own pages (`token` in the URL) the language they registered in: a
   teacher who registered in Khmer reads their status page in Khmer, whatever the phone says.
4. Otherwise the browser's choice (or English) stands. A cohort's pages keep the visitor's language
   (the language must not change between the list and the form); they offer the cohort's language
   of instruction with a button (`cohort_language_switch.html`), a choice that then sticks.

It costs one small query on those pages only, and only for visitors who never chose a language.
"""

from django.conf import settings
from django.utils import translation
from django.utils.translation.trans_real import parse_accept_lang_header

from pilots.models import Enrolment
from pilots.status_links import signed_enrolment_id

# Registration pages whose URL names a cohort or carries a registration token.
NAMESPACE = "registration"
TOKEN_VIEWS = {"my_registration", "done", "withdraw"}
# The teacher's data-rights pages behind the same token (pilots.privacy).
PRIVACY_TOKEN_VIEWS = {"my_data", "my_data_json", "consent", "request"}


def _supported(code: str | None) -> str | None:
    if not code:
        return None
    code = code.split("-")[0].lower()
    return code if code in dict(settings.LANGUAGES) else None


def browser_language(request) -> str | None:
    """The first language of Accept-Language that we support, or None."""
    for code, _quality in parse_accept_lang_header(request.headers.get("Accept-Language", "")):
        if code == "*":
            continue
        if supported := _supported(code):
            return supported
    return None


def page_language(request, view_kwargs) -> str | None:
    """The language a teacher registered in (on their own pages), or None."""
    match = request.resolver_match
    if match is None:
        return None
    privacy_page = match.namespace == "privacy" and match.url_name in PRIVACY_TOKEN_VIEWS
    if match.namespace != NAMESPACE and not privacy_page:
        return None
    if (match.url_name in TOKEN_VIEWS or privacy_page) and view_kwargs.get("token"):
        # The signature only (no query): an expired link's page speaks the teacher's language too.
        enrolment_id = signed_enrolment_id(view_kwargs["token"])
        if enrolment_id is None:
            return None
        return _supported(
            Enrolment.objects.filter(pk=enrolment_id).values_list("language", flat=True).first()
        )
    return None


class PageLanguageMiddleware:
    """Apply the registration's language when the visitor has not chosen one."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if _supported(request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)):
            return None
        browser = browser_language(request)
        if browser and browser != settings.LANGUAGE_CODE:
            return None
        language = page_language(request, view_kwargs)
        if language:
            translation.activate(language)
            request.LANGUAGE_CODE = language
        return None
