"""/api/v1/: the API's operations, the OpenAPI schema and its docs page, each wrapped by
`core.api_view` (language from Accept-Language, the record of token calls)."""

from django.urls import URLPattern

from .api import api
from .core import api_view

_patterns, _ninja_app_name, app_name = api.urls

urlpatterns = [
    URLPattern(p.pattern, api_view(p.callback, route=f"/api/v1/{p.pattern}"), p.default_args, p.name)
    for p in _patterns
]
