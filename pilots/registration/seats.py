"""Seats left on the cached public pages, filled in fresh on every request.

The cached fragments of the open-cohorts list and of a cohort page hold a placeholder where a
cohort's seats go (`placeholder`): they are cached under the content version, which registrations
do not replace (`pilots.data_version.seats_changed`). `fill_seats` reads the seats of every cohort
on the page in one query and writes them in, so seats left are always those of the database, as
the seat decision counts them (`pilots.enrolment.seats_left`).
"""

import functools
import re

from django.template.loader import get_template
from django.utils.translation import get_language

from pilots.enrolment import seats_left

_PLACEHOLDER = re.compile(rb"<!--pilots-seats:(\d{1,18})-->")


def placeholder(cohort_id: int) -> str:
    return f"<!--pilots-seats:{int(cohort_id)}-->"


@functools.lru_cache(maxsize=2048)
def _markup(language: str, requires_approval: bool, seats_left: int) -> bytes:
    # Drawn once per language and seat count in a process (the template uses the active language).
    cohort = {"requires_approval": requires_approval, "seats_left": seats_left}
    return get_template("pilots/includes/seats.html").render({"cohort": cohort}).encode()


def fill_seats(response):
    """Replace the seat placeholders of a rendered page with each cohort's seats now."""
    content = response.content
    ids = {int(pk) for pk in _PLACEHOLDER.findall(content)}
    if not ids:
        return response
    language = get_language() or ""
    markup = {pk: _markup(language, approval, seats) for pk, (approval, seats) in seats_left(ids).items()}
    response.content = _PLACEHOLDER.sub(lambda match: markup.get(int(match[1]), b""), content)
    return response
