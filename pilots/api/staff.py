"""Programme staff's tokens: cohorts, sessions, enrolment status changes and attendance.

Reads and writes go through what the staff pages use: `pilots.access.staff_cohorts` for the
cohorts a staff member works on (their team's, or every cohort with the right to see every
country), the status services of `pilots.enrolment` (the cohort lock, so capacity and the waiting
list hold) and `pilots.staffing.services.record_attendance`. Cohorts and sessions are validated
by `pilots.staffing.forms` (the model's rules and constraints, as on the admin's pages) and saved
by `save_cohort` / `save_session`, which write the admin's log. Writes need a token that may write
and the owner's add or change permission.
"""

import datetime as dt

from django.contrib.admin.utils import construct_change_message
from django.db.models import Prefetch
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from ninja import Query, Router, Status

from pilots.access import ALL, staff_cohorts, visible_countries
from pilots.choices import EnrolmentStatus
from pilots.enrolment import (
    confirm_enrolment,
    reject_enrolment,
    waitlist_enrolment,
    withdraw_enrolment,
)
from pilots.models import Attendance, Cohort, Enrolment, Session
from pilots.staffing.forms import CohortForm, SessionForm, form_data, translated
from pilots.staffing.services import (
    AttendanceConflict,
    attendance_version,
    record_attendance,
    save_cohort,
    save_session,
)

from .core import count_teachers, local_time, paginate, require_perm
from .errors import ApiError
from .schemas import (
    AttendanceIn,
    AttendanceOut,
    AttendanceSavedOut,
    CohortIn,
    EnrolmentOut,
    EnrolmentPage,
    ErrorOut,
    SessionIn,
    StaffCohortDetailOut,
    StaffCohortPage,
    StaffSessionDetailOut,
    StatusChangeIn,
)

router = Router(tags=["staff"])

TOKEN_ERRORS = {frozenset({400, 401, 403, 422, 429}): ErrorOut}
WRITE_ERRORS = {frozenset({400, 401, 403, 404, 409, 422, 429, 503}): ErrorOut}

STATUS_SERVICES = {
    "confirm": confirm_enrolment,
    "waitlist": waitlist_enrolment,
    "reject": reject_enrolment,
    "withdraw": withdraw_enrolment,
}


def my_cohorts(request, queryset=None):
    return staff_cohorts(request.auth.owner, queryset, every_cohort=True)


def _cohort(request, code, queryset=None):
    cohort = my_cohorts(request, queryset).filter(code=code).first()
    if cohort is None:
        raise Http404
    return cohort


def _session(request, session_id):
    session = Session.objects.select_related("module", "cohort__programme").filter(pk=session_id).first()
    if session is None or not my_cohorts(request).filter(pk=session.cohort_id).exists():
        raise Http404
    return session


def session_out(s):
    return {"id": s.pk, "title": s.title, "date": s.date, "starts_at": local_time(s.date, s.starts_at),
            "ends_at": local_time(s.date, s.ends_at), "mode": s.mode, "module": s.module.code if s.module else None}


def cohort_out(c):
    return {"code": c.code, "name": c.name, "year": c.year, "country": c.country, "status": c.status,
            "start_date": c.start_date, "end_date": c.end_date, "capacity": c.capacity,
            "confirmed": c.confirmed_count, "waitlisted": c.waitlisted_count, "applied": c.applied_count,
            "seats_left": c.seats_left}


def enrolment_out(e):
    return {"reference": e.reference, "status": e.status, "status_label": str(EnrolmentStatus(e.status).label),
            "family_name": e.teacher.family_name, "given_name": e.teacher.given_name,
            "registered_at": e.created_at, "status_changed_at": e.status_changed_at}


@router.get("/cohorts", response={200: StaffCohortPage, **TOKEN_ERRORS}, operation_id="staff_cohorts",
            summary="Cohorts this staff member works on")
def cohorts(request, cursor: str | None = Query(None, max_length=500), limit: int = Query(50, ge=1, le=200)):
    require_perm(request, "pilots.view_cohort")
    items, next_cursor = paginate(my_cohorts(request, Cohort.objects.with_fill_stats()), cursor=cursor, limit=limit,
                                  field="start_date")
    return {"results": [cohort_out(c) for c in items], "next": next_cursor}


def _text(obj, fields):
    return {name: getattr(obj, name) or "" for name in translated(*fields)}


def cohort_detail(request, code):
    c = _cohort(request, code, Cohort.objects.with_fill_stats().select_related("province").prefetch_related(
        Prefetch("sessions", queryset=Session.objects.select_related("module"))))
    return {**cohort_out(c), **_text(c, ("name", "description", "venue")), "programme": c.programme_id,
            "kind": c.kind, "language": c.language, "province": c.province.code if c.province else None,
            "is_online": c.is_online, "requires_approval": c.requires_approval,
            "registration_opens": c.registration_opens, "registration_closes": c.registration_closes,
            "organiser": c.organiser_id, "sessions": [session_out(s) for s in c.sessions.all()]}


def session_detail_out(s):
    return {**session_out(s), **_text(s, ("title", "venue")), "cohort": s.cohort.code, "facilitators": s.facilitators}


@router.get("/cohorts/{code}", response={200: StaffCohortDetailOut, 404: ErrorOut, **TOKEN_ERRORS},
            operation_id="staff_cohort", summary="One cohort with its sessions")
def cohort(request, code: str):
    require_perm(request, "pilots.view_cohort")
    return cohort_detail(request, code)


# --- writing cohorts and sessions ----------------------------------------------------------------

OUTSIDE_COUNTRIES = _("You can only place cohorts in the countries assigned to you.")


def invalid(form) -> ApiError:
    """A 422 listing each field's messages (in the language of the request), the form's own; `loc`
    as ninja gives it for a field the schema refuses (body, the body's name, the field)."""
    details = [
        {"loc": ["body", "body"] if field == "__all__" else ["body", "body", field], "type": error.code or "invalid",
         "message": str(message)}
        for field, errors in form.errors.as_data().items() for error in errors for message in error.messages
    ]
    return ApiError("invalid_request", 422, details=details)


def bound(form_class, instance, body):
    """The form over the instance's values (or a new row's defaults) with the sent fields over them:
    a change keeps what it does not name, and the whole record is validated by the usual rules."""
    return form_class({**form_data(form_class(instance=instance)), **body}, instance=instance)


def _write_cohort(request, instance: Cohort, body: CohortIn) -> Cohort:
    created = instance.pk is None
    form = bound(CohortForm, instance, body.model_dump(exclude_unset=True))
    countries = visible_countries(request.auth.owner)
    if form.is_valid() and countries != ALL and form.cleaned_data["country"] not in countries:
        form.add_error("country", OUTSIDE_COUNTRIES)
    if form.errors:
        raise invalid(form)
    return save_cohort(cohort=form.save(commit=False), user=request.auth.owner,
                       change_message=construct_change_message(form, [], created))


@router.post("/cohorts", response={201: StaffCohortDetailOut, **WRITE_ERRORS}, operation_id="create_cohort",
             summary="Create a cohort")
def create_cohort(request, body: CohortIn):
    """Validated as the admin's cohort page validates (required fields, the year of the start date,
    dates and registration window in order, a province of the cohort's country, a unique code...);
    a staff member who does not see every country creates cohorts in their countries only, and
    joins the new cohort's team."""
    require_perm(request, "pilots.add_cohort", write=True)
    cohort = _write_cohort(request, Cohort(), body)
    return Status(201, cohort_detail(request, cohort.code))


@router.patch("/cohorts/{code}", response={200: StaffCohortDetailOut, **WRITE_ERRORS}, operation_id="change_cohort",
              summary="Change a cohort")
def change_cohort(request, code: str, body: CohortIn):
    """Only the fields sent change; the cohort is validated whole, its sessions must still fall
    within its dates, and its capacity cannot drop below the seats taken (409
    `capacity_below_seats`, checked under the cohort's lock)."""
    require_perm(request, "pilots.change_cohort", write=True)
    cohort = _write_cohort(request, _cohort(request, code, Cohort.objects.select_related("province")), body)
    return cohort_detail(request, cohort.code)


def local_clock(day: dt.date | None, value: dt.time | None) -> dt.time | None:
    """A time sent with a UTC offset, as the site's wall-clock time on that day (how sessions are kept)."""
    if value is None or value.tzinfo is None:
        return value
    return timezone.localtime(dt.datetime.combine(day or timezone.localdate(), value)).time()


def _write_session(request, instance: Session, body: SessionIn) -> Session:
    created = instance.pk is None
    data = body.model_dump(exclude_unset=True)
    day = data.get("date") or instance.date
    for name in ("starts_at", "ends_at"):
        if name in data:
            data[name] = local_clock(day, data[name])
    form = bound(SessionForm, instance, data)
    if not form.is_valid():
        raise invalid(form)
    return save_session(session=form.save(commit=False), user=request.auth.owner,
                        change_message=construct_change_message(form, [], created))


@router.post("/cohorts/{code}/sessions", response={201: StaffSessionDetailOut, **WRITE_ERRORS},
             operation_id="create_session", summary="Add a session to a cohort")
def create_session(request, code: str, body: SessionIn):
    """Validated as the admin validates a session: within the cohort's dates, ending after it starts,
    a module of the cohort's programme."""
    require_perm(request, "pilots.add_session", write=True)
    cohort = _cohort(request, code, Cohort.objects.select_related("programme"))
    session = _write_session(request, Session(cohort=cohort), body)
    return Status(201, session_detail_out(session))


@router.get("/sessions/{session_id}", response={200: StaffSessionDetailOut, 404: ErrorOut, **TOKEN_ERRORS},
            operation_id="staff_session", summary="One session, with its content in every language")
def session(request, session_id: int):
    require_perm(request, "pilots.view_session")
    return session_detail_out(_session(request, session_id))


@router.patch("/sessions/{session_id}", response={200: StaffSessionDetailOut, **WRITE_ERRORS},
              operation_id="change_session", summary="Change a session")
def change_session(request, session_id: int, body: SessionIn):
    """Only the fields sent change; the session is validated whole. Teachers' calendar entries are
    updated by the scheduler's next run when the date, times or venue changed."""
    require_perm(request, "pilots.change_session", write=True)
    session = _write_session(request, _session(request, session_id), body)
    return session_detail_out(session)


@router.get("/cohorts/{code}/enrolments", response={200: EnrolmentPage, 404: ErrorOut, **TOKEN_ERRORS},
            operation_id="staff_enrolments", summary="A cohort's enrolments (names, never email or phone)")
def enrolments(request, code: str, status: EnrolmentStatus | None = None,
               cursor: str | None = Query(None, max_length=500), limit: int = Query(50, ge=1, le=200)):
    require_perm(request, "pilots.view_enrolment")
    c = _cohort(request, code)
    queryset = Enrolment.objects.filter(cohort=c).select_related("teacher")
    if status:
        queryset = queryset.filter(status=status)
    items, next_cursor = paginate(queryset, cursor=cursor, limit=limit, field="created_at")
    count_teachers(request, len(items))
    return {"results": [enrolment_out(e) for e in items], "next": next_cursor}


@router.post("/enrolments/{reference}/status", response={200: EnrolmentOut, **WRITE_ERRORS},
             operation_id="change_enrolment_status", summary="Confirm, waitlist, reject or withdraw an enrolment")
def change_status(request, reference: str, change: StatusChangeIn):
    """Through the same services as the staff pages and the admin, under the cohort's lock: a
    confirmation when the cohort is full is refused (409 `cohort_full`), a withdrawal gives the
    seat to the first teacher on the waiting list."""
    require_perm(request, "pilots.change_enrolment", write=True)
    enrolment = (
        Enrolment.objects.select_related("teacher")
        .filter(reference=reference, cohort__in=my_cohorts(request).values("pk")).first()
    )
    if enrolment is None:
        raise Http404
    enrolment = STATUS_SERVICES[change.action](enrolment=enrolment)
    count_teachers(request, 1)
    return enrolment_out(enrolment)


@router.get("/sessions/{session_id}/attendance", response={200: AttendanceOut, 404: ErrorOut, **TOKEN_ERRORS},
            operation_id="session_attendance", summary="A session's register")
def attendance(request, session_id: int):
    require_perm(request, "pilots.view_attendance")
    session = _session(request, session_id)
    saved = {a.enrolment_id: a for a in Attendance.objects.filter(session=session)}
    seated = Enrolment.objects.seated().filter(cohort_id=session.cohort_id).order_by("created_at", "pk")
    rows = [
        {"reference": e.reference, "status": getattr(saved.get(e.pk), "status", ""),
         "note": getattr(saved.get(e.pk), "note", ""), "version": attendance_version(saved.get(e.pk))}
        for e in seated.only("pk", "reference")
    ]
    count_teachers(request, len(rows))
    return {"session": session_out(session), "rows": rows}


@router.put("/sessions/{session_id}/attendance", response={200: AttendanceSavedOut, **WRITE_ERRORS},
            operation_id="record_attendance", summary="Record a session's attendance")
def save_attendance(request, session_id: int, body: AttendanceIn):
    """All rows or none, as the staff page saves a register: pass each row's `version` as read; a
    row someone changed since is a 409 `conflict` (nothing saved) listing the rows."""
    require_perm(request, "pilots.change_attendance", write=True)
    session = _session(request, session_id)
    references = {entry.reference for entry in body.entries}
    ids = dict(Enrolment.objects.filter(cohort_id=session.cohort_id, reference__in=references)
               .values_list("reference", "pk"))
    if set(ids) != references:
        raise ApiError("unknown_enrolment", 400, details=[{"reference": r} for r in sorted(references - set(ids))])
    entries = [{"enrolment_id": ids[e.reference], "status": e.status, "note": e.note, "version": e.version}
               for e in body.entries]
    try:
        result = record_attendance(session=session, entries=entries, user=request.auth.owner)
    except AttendanceConflict as exc:
        reference_of = {pk: reference for reference, pk in ids.items()}
        details = [{"reference": reference_of[c["enrolment_id"]], "status": c["status"], "note": c["note"],
                    "version": c["version"]} for c in exc.conflicts]
        raise ApiError("conflict", 409, exc.messages[0], details=details) from exc
    count_teachers(request, len(entries))
    return result


