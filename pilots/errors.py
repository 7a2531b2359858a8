"""The 500 handler: a database that is briefly unreachable gets a "try again in a moment" page
(503, Retry-After), not an error page; anything else is the site's translated 500 page."""

import logging
import sys

from django.db import InterfaceError, OperationalError, connection
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.views.decorators.csrf import requires_csrf_token

from pilots.views import server_error as error_page

logger = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 5


def is_database_unavailable(exception: BaseException | None) -> bool:
    """True if the database connection failed anywhere in the exception's chain: Django's
    wrapped errors, or the driver's own when they escape unwrapped (closing a cursor, say)."""
    driver = connection.Database
    kinds = (OperationalError, InterfaceError, driver.OperationalError, driver.InterfaceError)
    seen = set()
    while exception is not None and id(exception) not in seen:
        if isinstance(exception, kinds):
            return True
        seen.add(id(exception))
        exception = exception.__cause__ or exception.__context__
    return False


@requires_csrf_token
def server_error(request):
    # Django calls the handler inside its `except` block: the exception is the one being handled.
    exception = sys.exc_info()[1]
    if not is_database_unavailable(exception):
        return error_page(request)
    # The path is not logged: a status link carries a token.
    logger.warning("Database unavailable during a %s request: %s", request.method, type(exception).__name__)
    # Rendered without the request: its context processors would query the database again.
    response = HttpResponse(render_to_string("pilots/unavailable.html"), status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response
