"""Pages with personal data are never stored by browsers or proxies: `Cache-Control: private,
no-store` on every page of the staff, import, report and export namespaces and of the admin, decided
here by URL namespace so that a new view in those packages is covered without a decorator."""

from django.utils.cache import patch_cache_control

# URL namespaces (app_name) whose every page may show teachers' personal data.
PRIVATE_NAMESPACES = frozenset({
    "admin", "staffing", "imports", "reports",
    # after the training and data rights: staff pages, and pages behind a teacher's link
    "privacy", "checkin", "certificates", "surveys", "offers", "calendar",
})
# The API's answers for a token (names for staff, figures for partners); its public reads are cacheable.
PRIVATE_PATH_PREFIXES = ("/api/v1/staff/", "/api/v1/partner/")
# Single public views that show one teacher's own data (the signed "My registration" link).
PRIVATE_VIEWS = frozenset({
    "registration:my_registration", "registration:done", "registration:withdraw",
})


def is_private(request) -> bool:
    match = getattr(request, "resolver_match", None)
    if match is None:
        return False
    return (
        bool(PRIVATE_NAMESPACES.intersection(match.namespaces))
        or match.view_name in PRIVATE_VIEWS
        # Any page behind a teacher's signed link shows that teacher's data.
        or "token" in match.kwargs
        or request.path.startswith(PRIVATE_PATH_PREFIXES)
    )


class PrivatePagesMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if is_private(request):
            patch_cache_control(response, private=True, no_store=True)
        return response
