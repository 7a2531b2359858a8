"""The provinces and subjects a registration form checks its answers against, kept in each process
for a second (`pilots.kept`), so that a POST checks them without a query. A key not found there is
looked for in the database (that key alone, not kept): a row just added is never refused, and an
unknown key costs one indexed query, as it did before, not a reload of every row.
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
    return _found(keys, reference().provinces, Province)


def subjects(*keys: int) -> dict[int, Subject]:
    """The subjects of these keys that exist."""
    return _found(keys, reference().subjects, Subject)


def _found(keys, kept: dict, model) -> dict:
    found = {key: kept[key] for key in keys if key in kept}
    missing = [key for key in keys if key not in found]
    return {**found, **model.objects.in_bulk(missing)} if missing else found
