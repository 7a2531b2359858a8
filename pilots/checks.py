"""System checks of teacher registration."""

from django.conf import settings
from django.core import checks


@checks.register(checks.Tags.caches, deploy=True)
def check_rate_limit_cache(app_configs, **kwargs):
    """Production needs a cache that all server processes share for the registration rate limit."""
    backend = settings.CACHES["default"]["BACKEND"]
    if backend.endswith(("LocMemCache", "DummyCache")):
        return [
            checks.Warning(
                "The registration rate limit is counted in a per-process cache.",
                hint="Set REDIS_URL so that every server process counts in the same Redis.",
                id="pilots.W001",
            )
        ]
    return []
