"""Programme staff's tokens: cohorts, sessions, enrolment status changes and attendance.

Reads and writes go through what the staff pages use: `pilots.access.staff_cohorts` for the
cohorts a staff member works on (their team's, or every cohort with the right to see every
country), the status services of `pilots.enrolment` (the cohort lock, so capacity and the waiting
list hold) and `pilots.staffing.services.record_attendance`. Writes need a token that may write.
"""

from django.db.models import Prefetch
from django.http import Http404
from ninja import Query, Router

from pilots.access import staff_cohorts
from pilots.choices import EnrolmentStatus
from pilots.enrolment import (
    confirm_enrolment,
    reject_enrolment,
    waitlist_enrolment,
    withdraw_enrolment,
)
from pilots.models import Attendance, Cohort, Enrolment, Session
from pilots.staffing.services import AttendanceConflict, attendance_version, record_attendance

from .core import count_teachers, local_time, paginate, require_perm
from .errors import ApiError
from .schemas import (
    AttendanceIn,
    AttendanceOut,
    AttendanceSavedOut,
    EnrolmentOut,
    EnrolmentPage,
    ErrorOut,
    StaffCohortDetailOut,
    StaffCohortPage,
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
    session = Session.objects.select_related("module", "cohort").filter(pk=session_id).first()
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


@router.get("/cohorts/{code}", response={200: StaffCohortDetailOut, 404: ErrorOut, **TOKEN_ERRORS},
            operation_id="staff_cohort", summary="One cohort with its sessions")
def cohort(request, code: str):
    require_perm(request, "pilots.view_cohort")
    c = _cohort(request, code, Cohort.objects.with_fill_stats().prefetch_related(
        Prefetch("sessions", queryset=Session.objects.select_related("module"))))
    return {**cohort_out(c), "sessions": [session_out(s) for s in c.sessions.all()]}


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


