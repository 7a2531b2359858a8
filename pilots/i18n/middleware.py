"""Which language a visitor reads on a cohort's public pages.

Django's LocaleMiddleware already honours an explicit choice (the switcher's cookie, which then sticks
for a year) and the browser (Accept-Language). This middleware runs after it and adds the context
that only the page knows:

1. An explicit choice (the language cookie) always wins: nothing is changed.
2. A browser that asks for Khmer, Thai or Vietnamese gets it.
3. Otherwise, on a cohort's pages (`code` in the URL) the cohort's language of instruction applies,
   and on a teacher's own pages (`token` in the URL) the language they registered in; so a teacher
   whose phone is set to English still reads the Khmer cohort, its form and the Khmer confirmation.
4. Otherwise the browser's choice (or English) stands.

It costs one small query on those pages only, and only for visitors who never chose a language.
"""

from django.conf import settings
from django.utils import translation
from django.utils.translation.trans_real import parse_accept_lang_header

from pilots.models import Cohort, Enrolment
from pilots.status_links import LinkExpired, read_registration_token

# Registration pages whose URL names a cohort or carries a registration token.
NAMESPACE = "registration"
COHORT_VIEWS = {"cohort_detail", "register"}
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
    """The cohort's language of instruction, or the language a teacher registered in, or None."""
    match = request.resolver_match
    if match is None:
        return None
    privacy_page = match.namespace == "privacy" and match.url_name in PRIVACY_TOKEN_VIEWS
    if match.namespace != NAMESPACE and not privacy_page:
        return None
    if match.url_name in COHORT_VIEWS and view_kwargs.get("code"):
        return _supported(
            Cohort.objects.filter(code=view_kwargs["code"]).values_list("language", flat=True).first()
        )
    if (match.url_name in TOKEN_VIEWS or privacy_page) and view_kwargs.get("token"):
        try:
            enrolment_id = read_registration_token(view_kwargs["token"])
        except LinkExpired as expired:
            enrolment_id = expired.enrolment_id  # the expired page speaks the teacher's language too
        if enrolment_id is None:
            return None
        return _supported(
            Enrolment.objects.filter(pk=enrolment_id).values_list("language", flat=True).first()
        )
    return None


class PageLanguageMiddleware:
    """Apply the cohort's (or the registration's) language when the visitor has not chosen one."""

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
