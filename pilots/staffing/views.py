"""Pages for programme staff: their cohorts, attendance, sign-in sheets, scores and review.

Access (`pilots.access`): login and the "Programme staff" group's permissions (coordinators get
403). "My cohorts" lists the cohorts whose team includes the user; any cohort's pages are open to
its team and to users who may see every country (superusers and programme staff, who cover for
each other).
"""

from django.contrib import messages
from django.db.models import F, OuterRef, Prefetch, Subquery
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from pilots.access import check_staff_cohort, permission_required, sees_all_countries, staff_cohorts
from pilots.checkin.models import SelfCheckIn
from pilots.choices import AssessmentKind, AttendanceStatus, EnrolmentStatus
from pilots.enrolment import EnrolmentError, promote_waitlist
from pilots.history import history_entries
from pilots.models import Assessment, Attendance, Cohort, Enrolment, Session, Teacher
from pilots.privacy.access_log import record_access

from . import services
from .forms import AttendanceFormSet, ReviewForm, ScoreFormSet, ScorePageForm


def _seated(cohort):
    return list(
        Enrolment.objects.seated()
        .filter(cohort=cohort)
        .select_related("teacher")
        .order_by("teacher__family_name", "teacher__given_name", "pk")
    )


def _initial_for_post(data, prefix, initial):
    """The rows' initial values in the order of the posted forms (matched by enrolment id), so
    that a teacher confirmed or withdrawn since the page opened cannot shift rows."""
    by_id = {row["enrolment"]: row for row in initial}
    try:
        total = min(int(data.get(f"{prefix}-TOTAL_FORMS", 0)), 2000)
    except ValueError:
        total = 0
    aligned = []
    for i in range(total):
        try:
            enrolment_id = int(data.get(f"{prefix}-{i}-enrolment", ""))
        except ValueError:
            enrolment_id = None
        aligned.append(by_id.get(enrolment_id, {"enrolment": enrolment_id}))
    return aligned


@require_safe
@permission_required("pilots.change_attendance")
def my_cohorts(request):
    today = timezone.localdate()
    show_all = request.GET.get("all") == "1" and sees_all_countries(request.user)
    next_session = Session.objects.filter(cohort=OuterRef("pk"), date__gte=today).order_by(
        "date", "starts_at"
    )
    cohorts = Cohort.objects.with_fill_stats().annotate(
        next_session=Subquery(next_session.values("date")[:1])
    )
    cohorts = staff_cohorts(request.user, cohorts, every_cohort=show_all).select_related("programme").prefetch_related(
        Prefetch("sessions", queryset=Session.objects.order_by("date", "starts_at"))
    ).order_by(F("next_session").asc(nulls_last=True), "-start_date", "name")
    return render(
        request,
        "pilots/staffing/my_cohorts.html",
        {"cohorts": cohorts, "show_all": show_all, "can_show_all": sees_all_countries(request.user),
         "today": today},
    )


@require_http_methods(["GET", "POST"])
@permission_required("pilots.change_attendance")
def attendance_register(request, pk):
    session = get_object_or_404(Session.objects.select_related("cohort", "module"), pk=pk)
    check_staff_cohort(request.user, session.cohort)
    enrolments = _seated(session.cohort)
    saved = {a.enrolment_id: a for a in Attendance.objects.filter(session=session)}
    initial = [
        {
            "enrolment": e.pk,
            "status": getattr(saved.get(e.pk), "status", ""),
            "note": getattr(saved.get(e.pk), "note", ""),
            "version": services.attendance_version(saved.get(e.pk)),
        }
        for e in enrolments
    ]
    conflicts = {}
    if request.method == "POST":
        initial = _initial_for_post(request.POST, "att", initial)
        formset = AttendanceFormSet(request.POST, initial=initial, prefix="att")
        if formset.is_valid():
            entries = [
                {key: form.cleaned_data.get(key, "") for key in ("enrolment", "status", "note", "version")}
                for form in formset
            ]
            for entry in entries:
                entry["enrolment_id"] = entry.pop("enrolment")
            saved, formset, conflicts = _save_rows(
                request, formset, lambda: services.record_attendance(
                    session=session, entries=entries, user=request.user),
                initial=initial, done=_("Attendance saved: %(created)s recorded, %(updated)s changed."),
            )
            if saved:
                return redirect("staffing:attendance", pk=session.pk)
    else:
        formset = AttendanceFormSet(initial=initial, prefix="att")
    for conflict in conflicts.values():
        conflict["status_label"] = (
            AttendanceStatus(conflict["status"]).label if conflict["status"] else _("Not recorded")
        )
    rows = _rows(formset, enrolments, conflicts)
    self_checked = set(SelfCheckIn.objects.filter(session=session).values_list("enrolment_id", flat=True))
    for row in rows:
        row["self_checked_in"] = bool(row["enrolment"]) and row["enrolment"].pk in self_checked
    record_access(request, f"attendance register session {session.pk}", len(enrolments))
    return render(
        request,
        "pilots/staffing/attendance.html",
        {"session": session, "cohort": session.cohort, "formset": formset, "rows": rows},
    )


@require_safe
@permission_required("pilots.view_attendance")
def sign_in_sheet(request, pk):
    session = get_object_or_404(Session.objects.select_related("cohort", "module"), pk=pk)
    check_staff_cohort(request.user, session.cohort)
    enrolments = _seated(session.cohort)
    record_access(request, f"sign-in sheet session {session.pk}", len(enrolments))
    return render(
        request,
        "pilots/staffing/sign_in_sheet.html",
        {"session": session, "cohort": session.cohort, "enrolments": enrolments,
         "statuses": AttendanceStatus.choices},
    )


@require_http_methods(["GET", "POST"])
@permission_required("pilots.change_assessment")
def scores(request, pk, kind):
    if kind not in AssessmentKind.values:
        raise Http404
    cohort = get_object_or_404(Cohort, pk=pk)
    check_staff_cohort(request.user, cohort)
    enrolments = _seated(cohort)
    saved = {
        a.enrolment_id: a
        for a in Assessment.objects.filter(enrolment__cohort=cohort, kind=kind)
    }
    initial = [
        {"enrolment": e.pk, "score": getattr(saved.get(e.pk), "score", None),
         "version": services.attendance_version(saved.get(e.pk))}
        for e in enrolments
    ]
    conflicts = {}
    if request.method == "POST":
        initial = _initial_for_post(request.POST, "sc", initial)
        formset = ScoreFormSet(request.POST, initial=initial, prefix="sc")
        page_form = ScorePageForm(request.POST)
        if formset.is_valid() and page_form.is_valid():
            values = {form.cleaned_data["enrolment"]: form.cleaned_data["score"] for form in formset}
            versions = {form.cleaned_data["enrolment"]: form.cleaned_data["version"] for form in formset}
            saved, formset, conflicts = _save_rows(
                request, formset, lambda: services.record_scores(
                    cohort=cohort, kind=kind, scores=values, versions=versions,
                    taken_on=page_form.cleaned_data["taken_on"], user=request.user),
                initial=initial, done=_("Scores saved: %(created)s recorded, %(updated)s changed."),
            )
            if saved:
                return redirect("staffing:scores", pk=cohort.pk, kind=kind)
        else:
            messages.error(
                request, _("Nothing was saved: correct the rows marked below and save again.")
            )
    else:
        formset = ScoreFormSet(initial=initial, prefix="sc")
        taken = [a.taken_on for a in saved.values() if a.taken_on]
        page_form = ScorePageForm(initial={"taken_on": max(taken) if taken else None})
    rows = _rows(formset, enrolments, conflicts)
    record_access(request, f"scores {kind} cohort {cohort.code}", len(enrolments))
    return render(
        request,
        "pilots/staffing/scores.html",
        {"cohort": cohort, "kind": kind, "kind_label": AssessmentKind(kind).label,
         "formset": formset, "page_form": page_form, "rows": rows},
    )


@require_http_methods(["GET", "POST"])
@permission_required("pilots.change_enrolment")
def review(request, pk):
    cohort = get_object_or_404(Cohort.objects.with_fill_stats(), pk=pk)
    check_staff_cohort(request.user, cohort)
    pending = list(
        cohort.enrolments.filter(status__in=[EnrolmentStatus.APPLIED, EnrolmentStatus.WAITLISTED])
        .select_related("teacher", "teacher__province")
        .order_by("status", "created_at", "pk")
    )
    form = ReviewForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        action = form.cleaned_data["action"]
        try:
            if action == "promote":
                done, errors = promote_waitlist(cohort=cohort), []
            else:
                done, errors = services.review_enrolments(
                    cohort=cohort, enrolment_ids=form.cleaned_data["enrolments"], action=action
                )
        except EnrolmentError as exc:
            done, errors = [], [exc]
        summary = _review_summary(action, done, errors)
        if summary:
            (messages.success if done and not errors else messages.warning)(request, summary)
        return redirect("staffing:review", pk=cohort.pk)
    record_access(request, f"review cohort {cohort.code}", len(pending))
    return render(
        request,
        "pilots/staffing/review.html",
        {"cohort": cohort, "form": form, "select": request.GET.get("select", ""),
         "applied": [e for e in pending if e.status == EnrolmentStatus.APPLIED],
         "waitlisted": [e for e in pending if e.status == EnrolmentStatus.WAITLISTED]},
    )


def _review_summary(action, done, errors) -> str:
    """One message for a review action: who changed, then who did not and why (grouped by reason)."""
    parts = []
    if done:
        parts.append(_("%(count)s enrolment(s) updated: %(names)s.")
                     % {"count": len(done), "names": ", ".join(str(e.teacher) for e in done)})
    elif action == "promote":
        parts.append(_("Nobody was promoted: no seat is free or nobody is waiting."))
    elif not errors:
        parts.append(_("Nothing changed: the selected teachers already had this status."))
    if errors:
        reasons = {}
        for error in errors:
            reasons[error.messages[0]] = reasons.get(error.messages[0], 0) + 1
        parts.append(_("%(count)s not changed: %(reasons)s")
                     % {"count": len(errors),
                        "reasons": " ".join(f"{reason} ({count})" for reason, count in reasons.items())})
    return " ".join(parts)


def _save_rows(request, formset, save, *, initial, done):
    """Run a page's batch save and say how it went. Returns (saved, formset to show, conflicts by
    enrolment id). On a conflict the formset keeps what this person entered, with each conflicting
    row's version replaced by the current one: saving again is then a deliberate choice made with
    the other person's values in view."""
    try:
        result = save()
    except services.RowConflict as exc:
        conflicts = {c["enrolment_id"]: c for c in exc.conflicts}
        data = request.POST.copy()
        for i, form in enumerate(formset):
            conflict = conflicts.get(form.cleaned_data["enrolment"])
            if conflict:
                data[f"{formset.prefix}-{i}-version"] = conflict["version"]
        messages.error(request, exc.messages[0])
        return False, type(formset)(data, initial=initial, prefix=formset.prefix), conflicts
    except services.RecordError as exc:
        messages.error(request, exc.messages[0])
        return False, formset, {}
    messages.success(request, done % result)
    return True, formset, {}


def _rows(formset, enrolments, conflicts):
    """Each form of the page with its enrolment and conflict (matched by the posted enrolment id)."""
    by_id = {e.pk: e for e in enrolments}
    rows = []
    for form in formset:
        try:
            enrolment_id = int(form["enrolment"].value())
        except (TypeError, ValueError):
            enrolment_id = None
        rows.append({"form": form, "enrolment": by_id.get(enrolment_id), "conflict": conflicts.get(enrolment_id)})
    return rows


@require_safe
@permission_required("pilots.view_enrolment")
def enrolment_history(request, pk):
    """Everything that changed for one teacher in one cohort (their details, enrolment, attendance,
    scores), newest first, field by field, with who and why; a fixed number of queries."""
    enrolment = get_object_or_404(Enrolment.objects.select_related("teacher", "cohort"), pk=pk)
    check_staff_cohort(request.user, enrolment.cohort)
    records = [
        *Teacher.history.filter(id=enrolment.teacher_id).select_related("history_user"),
        *Enrolment.history.filter(id=enrolment.pk).select_related("history_user"),
        *Attendance.history.filter(enrolment_id=enrolment.pk).select_related("history_user"),
        *Assessment.history.filter(enrolment_id=enrolment.pk).select_related("history_user"),
    ]
    sessions = {s.pk: s for s in Session.objects.filter(cohort=enrolment.cohort)}

    def label(record):
        if hasattr(record, "session_id"):
            return str(sessions.get(record.session_id, ""))
        if hasattr(record, "kind") and hasattr(record, "score"):
            return AssessmentKind(record.kind).label
        return ""

    return render(request, "pilots/staffing/enrolment_history.html",
                  {"enrolment": enrolment, "cohort": enrolment.cohort,
                   "entries": history_entries(records, label)})
