"""The provinces and subjects a registration form checks its answers against, kept in each process
for a second (`pilots.kept`), so that a POST checks them without a query. A key not found there is
looked for once more in the database: a row just added is never refused.
"""

from dataclasses import dataclass

from pilots.kept import Kept
from pilots.models import Province, Subject


@dataclass(frozen=True)
class Reference:
    provinces: dict[int, Province]
    subjects: dict[int, Subject]


def _read() -> Reference:
    return Reference(Province.objects.in_bulk(), Subject.objects.in_bulk())


reference = Kept(_read)


def provinces(*keys: int) -> dict[int, Province]:
    """The provinces of these keys that exist."""
    return _found(keys, "provinces")


def subjects(*keys: int) -> dict[int, Subject]:
    """The subjects of these keys that exist."""
    return _found(keys, "subjects")


def _found(keys, kind: str) -> dict:
    rows = getattr(reference(), kind)
    if any(key not in rows for key in keys):
        reference.forget()
        rows = getattr(reference(), kind)
    return {key: rows[key] for key in keys if key in rows}
