"""Who looked: one AccessRecord for every view of teachers' personal data by staff or coordinators
(roster pages, exports, admin pages and history). Views call `record_access` once."""

import datetime as dt

from django.db.models import Count, IntegerField, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from pilots.models import AccessRecord


def _count(queryset: QuerySet):
    # Counted inside the INSERT itself: no extra query on pages that do not count otherwise.
    counted = queryset.order_by().annotate(_one=Value(1)).values("_one").annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def record_access(request_or_user, what: str, teachers_count) -> None:
    """Record that the signed-in user viewed `what` (a page or export, no personal data in it)
    showing `teachers_count` teachers (a number, or a queryset counted in the same query)."""
    user = getattr(request_or_user, "user", request_or_user)
    if not getattr(user, "is_authenticated", False):
        return
    if isinstance(teachers_count, QuerySet):
        teachers_count = _count(teachers_count)
    AccessRecord.objects.create(
        user=user, at=timezone.now(), what=str(what)[:200],
        path=getattr(request_or_user, "path", "")[:300], teachers_count=teachers_count,
    )


def download_stamp(user, now=None) -> str:
    """The line that roster exports carry: who downloaded the file, and when (UTC)."""
    now = (now or timezone.now()).astimezone(dt.UTC)
    return _("Downloaded by %(user)s at %(when)s UTC") % {"user": user.get_username(),
                                                         "when": f"{now:%Y-%m-%d %H:%M}"}


def stamped(rows, user):
    """`rows` of an export of teachers' data, then a last row naming who downloaded it and when."""
    yield from rows
    yield [download_stamp(user)]
