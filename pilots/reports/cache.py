"""Computed reports, cached under the data version (`pilots.data_version`)."""

import hashlib

from django.core.cache import cache

from pilots import data_version

# Only a last resort: every write replaces the version the keys include.
TIMEOUT = 15 * 60


def cached(parts, compute):
    """The value cached under `parts` for the current data version, computed when missing."""
    digest = hashlib.sha256(repr((data_version.current(), *parts)).encode()).hexdigest()[:32]
    key = f"pilots:reports:{digest}"
    value = cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value, TIMEOUT)
    return value
