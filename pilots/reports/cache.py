"""Computed reports, cached under the data version (`pilots.data_version`)."""

import hashlib

from django.core.cache import cache
from django.utils.translation import get_language

from pilots import data_version

# Only a last resort: every write replaces the version the keys include.
TIMEOUT = 15 * 60


def cached(parts, compute, version=None):
    """The value cached under `parts` for the current data version and language, computed when
    missing. `parts` must name everything the value depends on: the report, the reader's visible
    countries and exactly the filters applied (never those of an invalid form: do not call this
    then, compute nothing and show the errors). `version`: the tokens to key by instead of the
    global one (one cohort's report: `data_version.cohort_version`)."""
    version = data_version.current() if version is None else version
    digest = hashlib.sha256(repr((version, get_language(), *parts)).encode()).hexdigest()[:32]
    key = f"pilots:reports:{digest}"
    value = cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value, TIMEOUT)
    return value
