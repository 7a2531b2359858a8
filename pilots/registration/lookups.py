"""The provinces and subjects a registration form checks its answers against, kept in each process
per version of the public pages' content (`data_version.content_current`), so that a POST checks
them without a query.

Every write of provinces and subjects replaces that version: the admin's (`ReportDataMixin`), the
reference data loaded after a migration or a flush (`pilots.reference`), `seed_demo`. A process asks
for the version at most once every CHECK_SECONDS (asking is a round trip to the cache, as dear here
as the queries it saves), so it sees a change within that time. A row not found here is looked for
once more in the database: a row written where the version lags (a shell) is never refused.
"""

import time
from dataclasses import dataclass, field

from pilots import data_version
from pilots.models import Province, Subject

CHECK_SECONDS = 1.0


@dataclass
class Reference:
    version: str
    provinces: dict[int, Province]
    subjects: dict[int, Subject]
    checked: float = field(default_factory=time.monotonic)


_current: Reference | None = None


def _read(version: str) -> Reference:
    global _current
    _current = Reference(version, Province.objects.in_bulk(), Subject.objects.in_bulk())
    return _current


def reference() -> Reference:
    """Every province and subject by primary key, as of the content version (at most CHECK_SECONDS old)."""
    current = _current
    if current is not None and time.monotonic() - current.checked < CHECK_SECONDS:
        return current
    version = data_version.content_current()
    if current is not None and current.version == version:
        current.checked = time.monotonic()
        return current
    return _read(version)


def forget() -> None:
    """Drop what this process keeps: the next lookup reads the rows again."""
    global _current
    _current = None


def provinces(*keys: int) -> dict[int, Province]:
    """The provinces of these keys that exist (read again once if one is not known)."""
    return _found(keys, "provinces")


def subjects(*keys: int) -> dict[int, Subject]:
    """The subjects of these keys that exist (read again once if one is not known)."""
    return _found(keys, "subjects")


def _found(keys, kind: str) -> dict:
    current = reference()
    rows = getattr(current, kind)
    if any(key not in rows for key in keys):
        rows = getattr(_read(current.version), kind)
    return {key: rows[key] for key in keys if key in rows}
