"""Who sees which countries and cohorts: the one visibility rule, used by every page, export and the
admin.

- Superusers and holders of `pilots.view_all_countries` (programme staff) see every country and
  every cohort, regional ones included.
- Coordinators see the cohorts of the countries assigned to them (`CountryAssignment`); regional
  cohorts hold teachers of every country, so they see none of those.
- On the staff pages a cohort is also open to the members of its team (`Cohort.team`).

Views are wrapped in `staff_required(perm)` or `reports_required`; anonymous visitors go to sign-in,
signed-in users without the permission get 403, and a cohort outside a user's scope is a 404 (its
existence is not disclosed).
"""

from django.contrib.auth.decorators import login_required
from django.contrib.auth.decorators import permission_required as django_permission_required
from django.http import Http404
from django.views.decorators.http import require_safe

from .models import Cohort, CountryAssignment

ALL = "all"


def sees_all_countries(user) -> bool:
    return user.is_superuser or user.has_perm("pilots.view_all_countries")


def visible_countries(user):
    """ALL, or the sorted tuple of the user's countries. Also a cache key part."""
    if sees_all_countries(user):
        return ALL
    return tuple(sorted(CountryAssignment.objects.filter(user=user).values_list("country", flat=True)))


def report_cohorts(user, queryset=None):
    """The cohorts whose reports `user` may read."""
    queryset = Cohort.objects.all() if queryset is None else queryset
    if sees_all_countries(user):
        return queryset
    return queryset.filter(country__in=CountryAssignment.objects.filter(user=user).values("country"))


def staff_cohorts(user, queryset=None, *, every_cohort=False):
    """The cohorts on a staff member's "My cohorts": those whose team they are on, or with
    `every_cohort` (and the right to see every country) all of them."""
    queryset = Cohort.objects.all() if queryset is None else queryset
    if every_cohort and sees_all_countries(user):
        return queryset
    return queryset.filter(pk__in=user.cohorts_run.values("pk"))


def check_staff_cohort(user, cohort) -> None:
    """404 unless `user` may work on `cohort`'s staff pages (its team, or every country)."""
    if not sees_all_countries(user) and not cohort.team.filter(pk=user.pk).exists():
        raise Http404


def permission_required(perm):
    """Sign-in first (a redirect), then `perm` (403). Django's permission_required alone would
    answer an anonymous visitor with 403 once raise_exception is on."""

    def decorator(view):
        return login_required(django_permission_required(perm, raise_exception=True)(view))

    return decorator


def reports_required(view):
    """A coordinator's read-only report page or export: GET/HEAD, `pilots.view_reports`."""
    return require_safe(permission_required("pilots.view_reports")(view))
