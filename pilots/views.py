import logging

from django.http import HttpResponseServerError
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.views.decorators.csrf import requires_csrf_token
from django.views.decorators.http import require_safe
from django.views.defaults import server_error as django_server_error

logger = logging.getLogger(__name__)


@require_safe
def home(request):
    return render(request, "pilots/home.html")


def ways_on() -> dict:
    """Where a teacher can go from an error page: the open trainings and, where the site has it,
    the page that emails their registration link again."""
    try:
        request_link = reverse("registration:request_link")
    except NoReverseMatch:
        request_link = None
    return {"open_cohorts_url": reverse("registration:open_cohorts"), "request_link_url": request_link}


# Error pages in the visitor's language (LocaleMiddleware has already chosen it), inside the site's
# layout, each with a way on. They need the request for the layout (language switcher, CSRF token).


@requires_csrf_token
def page_not_found(request, exception=None):
    return render(request, "404.html", ways_on(), status=404)


@requires_csrf_token
def permission_denied(request, exception=None):
    return render(request, "403.html", ways_on(), status=403)


@requires_csrf_token
def csrf_failure(request, reason=""):
    """CSRF_FAILURE_VIEW: a form sent after its page was open for hours, or with cookies blocked."""
    return render(request, "403_csrf.html", {**ways_on(), "back_url": _same_site_referer(request)},
                  status=403)


@requires_csrf_token
def server_error(request):
    try:
        return render(request, "500.html", ways_on(), status=500)
    except Exception:  # the layout itself failed (database down...): Django's plain page
        logger.exception("The 500 page could not be rendered with the site layout")
        try:
            return django_server_error(request)
        except Exception:
            return HttpResponseServerError("<h1>Server Error (500)</h1>")


def _same_site_referer(request) -> str | None:
    referer = request.headers.get("Referer", "")
    host = request.get_host()
    for scheme in ("https://", "http://"):
        prefix = f"{scheme}{host}/"
        if referer.startswith(prefix):
            return referer[len(prefix) - 1:]
    return None
