"""Public reads, no token: the trainings teachers can register for, and one cohort with its modules
and sessions. The same querysets and filter as the teachers' pages (`pilots.registration`)."""

from typing import Literal

from django.conf import settings
from django.db.models import Prefetch
from django.http import Http404
from django.urls import reverse
from ninja import Query, Router
from ninja.decorators import decorate_view

from pilots.choices import CohortStatus
from pilots.models import Cohort, Session
from pilots.registration.forms import OpenCohortFilterForm
from pilots.reports.overview import country_label

from .core import check_rate, local_time, paginate, public_cached, public_get
from .schemas import ErrorOut, PublicCohortDetailOut, PublicCohortPage

router = Router(tags=["public"])

PUBLIC_ERRORS = {frozenset({400, 422, 429}): ErrorOut, 304: None}


def public_cohorts():
    """Cohorts as the teachers' pages read them: fill figures (seats left) and what they show."""
    return Cohort.objects.with_fill_stats().select_related("province", "organiser", "programme")


def visible_to_public(cohort) -> bool:
    """A planned cohort is not shown to the public yet (the rule of the teachers' cohort page)."""
    return cohort.status != CohortStatus.PLANNED


def _no_address(_group, _request):
    return "no-address"


def _limit_public(request):
    """Per IP address (django-ratelimit's "ip" key, which honours RATELIMIT_IP_META_KEY); a server
    that gives no address at all (some WSGI test clients) counts as one client."""
    has_address = request.META.get("REMOTE_ADDR") or getattr(settings, "RATELIMIT_IP_META_KEY", None)
    check_rate(request, group="pilots.api.public", key="ip" if has_address else _no_address,
               rate=settings.PILOTS_API_PUBLIC_RATE)


def cohort_out(request, cohort) -> dict:
    return {
        "code": cohort.code, "name": cohort.name, "year": cohort.year, "kind": cohort.kind,
        "kind_label": str(cohort.get_kind_display()), "country": cohort.country,
        "country_label": str(country_label(cohort.country)),
        "province": cohort.province.name if cohort.province else None,
        "language": cohort.language, "language_label": str(cohort.get_language_display()),
        "venue": cohort.venue, "is_online": cohort.is_online,
        "organiser": cohort.organiser.name if cohort.organiser else None,
        "start_date": cohort.start_date, "end_date": cohort.end_date, "capacity": cohort.capacity,
        "seats_left": cohort.seats_left, "requires_approval": cohort.requires_approval,
        "registration_opens": cohort.registration_opens, "registration_closes": cohort.registration_closes,
        "is_open_for_registration": cohort.is_open_for_registration(),
        "register_url": request.build_absolute_uri(reverse("registration:register", args=[cohort.code])),
    }




@router.get("/cohorts", response={200: PublicCohortPage, **PUBLIC_ERRORS}, auth=None, operation_id="public_cohorts",
            summary="Trainings open for registration")
@decorate_view(public_get)
def open_cohorts(
    request,
    country: Literal["KH", "TH", "VN", "regional"] | None = None,
    language: Literal["en", "km", "th", "vi"] | None = None,
    cursor: str | None = Query(None, max_length=500),
    limit: int = Query(20, ge=1, le=100),
):
    """The cohorts whose registration is open now, soonest first, with seats left (0: new
    registrations join the waiting list) and the registration window. `country=regional` gives the
    regional cohorts."""
    _limit_public(request)

    def compute():
        form = OpenCohortFilterForm({"country": country or "", "language": language or ""})
        cohorts = form.filter(public_cohorts().open_for_registration())
        items, next_cursor = paginate(cohorts, cursor=cursor, limit=limit, field="start_date")
        return {"results": [cohort_out(request, c) for c in items], "next": next_cursor}

    return public_cached(request, (country, language, cursor, limit), compute)


@router.get("/cohorts/{code}", response={200: PublicCohortDetailOut, 404: ErrorOut, **PUBLIC_ERRORS}, auth=None,
            operation_id="public_cohort", summary="One cohort with its modules and sessions")
@decorate_view(public_get)
def cohort_detail(request, code: str):
    _limit_public(request)
    found = public_cached(request, (), lambda: _cohort_detail(request, code))
    if found is None:
        raise Http404
    return found


def _cohort_detail(request, code):
    cohort = (
        public_cohorts()
        .prefetch_related("programme__modules", Prefetch("sessions", queryset=Session.objects.select_related("module")))
        .filter(code=code).first()
    )
    if cohort is None or not visible_to_public(cohort):
        return None
    return {
        **cohort_out(request, cohort),
        "description": cohort.description,
        "modules": [
            {"code": m.code, "title": m.title, "summary": m.summary, "planned_hours": m.planned_hours,
             "order": m.order} for m in cohort.programme.modules.all()
        ],
        "sessions": [
            {"title": s.title, "date": s.date, "starts_at": local_time(s.date, s.starts_at),
             "ends_at": local_time(s.date, s.ends_at), "mode": s.mode,
             "mode_label": str(s.get_mode_display()), "venue": s.venue,
             "module": s.module.code if s.module else None} for s in cohort.sessions.all()
        ],
    }


