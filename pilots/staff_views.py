"""Pages for programme staff: their cohorts, attendance, sign-in sheets, scores, review, import.

Access: login and the "Programme staff" group's permissions (coordinators get 403). "My cohorts"
lists the cohorts whose team includes the user; any cohort's pages are open to its team and to
users who may see every country (superusers and programme staff, who cover for each other).
"""

import secrets
import time
from functools import wraps
from pathlib import Path

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError
from django.db.models import F, OuterRef, Prefetch, Subquery
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from . import imports, services
from .models import (
    Assessment,
    AssessmentKind,
    Attendance,
    AttendanceStatus,
    Cohort,
    Enrolment,
    EnrolmentStatus,
    Session,
)
from .staff_forms import (
    AttendanceFormSet,
    ImportUploadForm,
    ReviewForm,
    ScoreFormSet,
    ScorePageForm,
)

IMPORT_SESSION_KEY = "pilots_staff_import"


def _login_url():
    try:
        return reverse(settings.LOGIN_URL)
    except NoReverseMatch:
        return reverse("admin:login")


def staff_required(perm):
    """Login required (redirect), then `perm` (403): coordinators have none of these."""

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path(), _login_url())
            if not request.user.has_perm(perm):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


def sees_all_cohorts(user):
    return user.is_superuser or user.has_perm("pilots.view_all_countries")


def _check_cohort(user, cohort):
    if not sees_all_cohorts(user) and not cohort.team.filter(pk=user.pk).exists():
        raise Http404


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
@staff_required("pilots.change_attendance")
def my_cohorts(request):
    today = timezone.localdate()
    show_all = request.GET.get("all") == "1" and sees_all_cohorts(request.user)
    next_session = Session.objects.filter(cohort=OuterRef("pk"), date__gte=today).order_by(
        "date", "starts_at"
    )
    cohorts = Cohort.objects.with_fill_stats().annotate(
        next_session=Subquery(next_session.values("date")[:1])
    )
    if not show_all:
        cohorts = cohorts.filter(pk__in=request.user.cohorts_run.values("pk"))
    cohorts = cohorts.select_related("programme").prefetch_related(
        Prefetch("sessions", queryset=Session.objects.order_by("date", "starts_at"))
    ).order_by(F("next_session").asc(nulls_last=True), "-start_date", "name")
    return render(
        request,
        "pilots/staff/my_cohorts.html",
        {"cohorts": cohorts, "show_all": show_all, "can_show_all": sees_all_cohorts(request.user),
         "today": today},
    )


@require_http_methods(["GET", "POST"])
@staff_required("pilots.change_attendance")
def attendance_register(request, pk):
    session = get_object_or_404(Session.objects.select_related("cohort", "module"), pk=pk)
    _check_cohort(request.user, session.cohort)
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
            try:
                result = services.record_attendance(session=session, entries=entries, user=request.user)
            except services.AttendanceConflict as exc:
                conflicts = {c["enrolment_id"]: c for c in exc.conflicts}
                data = _with_conflict_versions(request.POST, formset, conflicts, prefix="att")
                formset = AttendanceFormSet(data, initial=initial, prefix="att")
                messages.error(request, exc.messages[0])
            except services.RecordError as exc:
                messages.error(request, exc.messages[0])
            else:
                messages.success(
                    request,
                    _("Attendance saved: %(created)s recorded, %(updated)s changed.") % result,
                )
                return redirect("pilots:staff_attendance", pk=session.pk)
    else:
        formset = AttendanceFormSet(initial=initial, prefix="att")
    by_id = {e.pk: e for e in enrolments}
    rows = []
    for form in formset:
        try:
            enrolment_id = int(form["enrolment"].value())
        except (TypeError, ValueError):
            enrolment_id = None
        conflict = conflicts.get(enrolment_id)
        if conflict:
            conflict["status_label"] = (
                AttendanceStatus(conflict["status"]).label if conflict["status"] else _("Not recorded")
            )
        rows.append({"form": form, "enrolment": by_id.get(enrolment_id), "conflict": conflict})
    return render(
        request,
        "pilots/staff/attendance.html",
        {"session": session, "cohort": session.cohort, "formset": formset, "rows": rows},
    )


@require_safe
@staff_required("pilots.view_attendance")
def sign_in_sheet(request, pk):
    session = get_object_or_404(Session.objects.select_related("cohort", "module"), pk=pk)
    _check_cohort(request.user, session.cohort)
    return render(
        request,
        "pilots/staff/sign_in_sheet.html",
        {"session": session, "cohort": session.cohort, "enrolments": _seated(session.cohort),
         "statuses": AttendanceStatus.choices},
    )


@require_http_methods(["GET", "POST"])
@staff_required("pilots.change_assessment")
def scores(request, pk, kind):
    if kind not in AssessmentKind.values:
        raise Http404
    cohort = get_object_or_404(Cohort, pk=pk)
    _check_cohort(request.user, cohort)
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
            try:
                result = services.record_scores(
                    cohort=cohort, kind=kind, scores=values, versions=versions,
                    taken_on=page_form.cleaned_data["taken_on"], user=request.user,
                )
            except services.ScoreConflict as exc:
                conflicts = {c["enrolment_id"]: c for c in exc.conflicts}
                data = _with_conflict_versions(request.POST, formset, conflicts, prefix="sc")
                formset = ScoreFormSet(data, initial=initial, prefix="sc")
                messages.error(request, exc.messages[0])
            except services.RecordError as exc:
                messages.error(request, exc.messages[0])
            else:
                messages.success(
                    request, _("Scores saved: %(created)s recorded, %(updated)s changed.") % result
                )
                return redirect("pilots:staff_scores", pk=cohort.pk, kind=kind)
        else:
            messages.error(
                request, _("Nothing was saved: correct the rows marked below and save again.")
            )
    else:
        formset = ScoreFormSet(initial=initial, prefix="sc")
        taken = [a.taken_on for a in saved.values() if a.taken_on]
        page_form = ScorePageForm(initial={"taken_on": max(taken) if taken else None})
    by_id = {e.pk: e for e in enrolments}
    rows = []
    for form in formset:
        try:
            enrolment_id = int(form["enrolment"].value())
        except (TypeError, ValueError):
            enrolment_id = None
        rows.append({"form": form, "enrolment": by_id.get(enrolment_id),
                     "conflict": conflicts.get(enrolment_id)})
    return render(
        request,
        "pilots/staff/scores.html",
        {"cohort": cohort, "kind": kind, "kind_label": AssessmentKind(kind).label,
         "formset": formset, "page_form": page_form, "rows": rows},
    )


@require_http_methods(["GET", "POST"])
@staff_required("pilots.change_enrolment")
def review(request, pk):
    cohort = get_object_or_404(Cohort.objects.with_fill_stats(), pk=pk)
    _check_cohort(request.user, cohort)
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
                done, errors = services.promote_waitlist(cohort=cohort), []
            else:
                done, errors = services.review_enrolments(
                    cohort=cohort, enrolment_ids=form.cleaned_data["enrolments"], action=action
                )
        except services.EnrolmentError as exc:
            done, errors = [], [exc]
        if done:
            messages.success(
                request,
                _("%(count)s enrolment(s) updated: %(names)s.")
                % {"count": len(done), "names": ", ".join(str(e.teacher) for e in done)},
            )
        elif action == "promote":
            messages.info(request, _("Nobody was promoted: no seat is free or nobody is waiting."))
        elif not errors:
            messages.info(request, _("Nothing changed: the selected teachers already had this status."))
        for error in errors:
            messages.error(request, error.messages[0])
        return redirect("pilots:staff_review", pk=cohort.pk)
    return render(
        request,
        "pilots/staff/review.html",
        {"cohort": cohort, "form": form,
         "applied": [e for e in pending if e.status == EnrolmentStatus.APPLIED],
         "waitlisted": [e for e in pending if e.status == EnrolmentStatus.WAITLISTED]},
    )


def _with_conflict_versions(post, formset, conflicts: dict, *, prefix):
    """The posted data with each conflicting row's version replaced by the current one.

    What this person entered is kept; saving again is a deliberate choice made with the other
    person's values in view."""
    data = post.copy()
    for i, form in enumerate(formset):
        conflict = conflicts.get(form.cleaned_data["enrolment"])
        if conflict:
            data[f"{prefix}-{i}-version"] = conflict["version"]
    return data


# --- spreadsheet import ----------------------------------------------------------------------


def _import_dir() -> Path:
    path = Path(settings.PILOTS_IMPORT_DIR)
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    return path


def _import_file(token: str) -> Path:
    if not token or not token.replace("-", "").replace("_", "").isalnum():
        raise Http404
    return _import_dir() / f"{token}.upload"


def _forget_old_uploads(max_age=24 * 3600):
    cutoff = time.time() - max_age
    for path in _import_dir().glob("*.upload"):
        try:
            if path.stat().st_mtime < cutoff:
                path.unlink()
        except OSError:
            pass


def _plan_file(*, kind, data, filename):
    """Read and plan a file: (plan, None), or (None, the message saying why it cannot be read)."""
    try:
        header, rows = imports.read_table(data, filename)
    except imports.ImportFileError as exc:
        return None, exc.messages[0]
    plan = imports.plan_import(kind, header, rows)
    return plan, None


def _render_import(request, form, *, plan=None, token="", filename="", file_error=None, kind=None):
    return render(
        request,
        "pilots/staff/import.html",
        {
            "form": form,
            "plan": plan,
            "token": token,
            "filename": filename,
            "file_error": file_error,
            "kind": kind,
            "kind_label": imports.KIND_LABELS.get(kind, ""),
            "problems": plan.problems[: imports.MAX_PROBLEMS_SHOWN] if plan else [],
            "changes": plan.changes[:200] if plan else [],
            "more_changes": max(len(plan.changes) - 200, 0) if plan else 0,
            "more_problems": max(len(plan.problems) - imports.MAX_PROBLEMS_SHOWN, 0) if plan else 0,
            "kinds": [
                {"kind": k, "label": label, "columns": imports.COLUMNS[k]}
                for k, label in imports.KIND_LABELS.items()
            ],
        },
    )


@require_http_methods(["GET", "POST"])
@staff_required("pilots.add_teacher")
def import_upload(request):
    if request.method == "GET":
        return _render_import(request, ImportUploadForm())
    form = ImportUploadForm(request.POST, request.FILES)
    if not form.is_valid():
        return _render_import(request, form)
    upload, kind = form.cleaned_data["file"], form.cleaned_data["kind"]
    data = upload.read(imports.MAX_BYTES + 1)
    plan, error = _plan_file(kind=kind, data=data, filename=upload.name)
    if error:
        return _render_import(request, form, file_error=error)
    token = ""
    if plan.ok:
        _forget_old_uploads()
        token = secrets.token_urlsafe(24)
        _import_file(token).write_bytes(data)
        request.session[IMPORT_SESSION_KEY] = {"token": token, "kind": kind, "filename": upload.name}
    return _render_import(request, ImportUploadForm(initial={"kind": kind}), plan=plan, token=token,
                          filename=upload.name, kind=kind)


@require_POST
@staff_required("pilots.add_teacher")
def import_confirm(request):
    pending = request.session.get(IMPORT_SESSION_KEY)
    if not pending or request.POST.get("token") != pending["token"]:
        messages.error(request, _("This import has expired or was already done. Upload the file again."))
        return redirect("pilots:staff_import")
    path = _import_file(pending["token"])
    try:
        data = path.read_bytes()
    except OSError:
        request.session.pop(IMPORT_SESSION_KEY, None)
        messages.error(request, _("This import has expired. Upload the file again."))
        return redirect("pilots:staff_import")
    kind = pending["kind"]
    plan, error = _plan_file(kind=kind, data=data, filename=pending["filename"])
    if error or not plan.ok:
        # The database changed since the preview (e.g. a cohort was renamed): show why.
        return _render_import(request, ImportUploadForm(initial={"kind": kind}), plan=plan,
                              filename=pending["filename"], file_error=error, kind=kind)
    try:
        imports.apply_import(plan, user=request.user)
    except (imports.ImportChanged, services.EnrolmentError) as exc:
        messages.error(request, exc.messages[0])
        return redirect("pilots:staff_import")
    except IntegrityError:
        messages.error(
            request,
            _("The data changed while importing (someone else added the same teacher or record). "
              "Nothing was imported; upload the file again."),
        )
        return redirect("pilots:staff_import")
    path.unlink(missing_ok=True)
    request.session.pop(IMPORT_SESSION_KEY, None)
    summary = ", ".join(f"{key}: {value}" for key, value in plan.counts.items())
    messages.success(request, _("Import done (%(summary)s).") % {"summary": summary})
    return redirect("pilots:staff_import")


@require_safe
@staff_required("pilots.add_teacher")
def import_template(request, kind, fmt):
    if kind not in imports.COLUMNS or fmt not in ("csv", "xlsx"):
        raise Http404
    if fmt == "csv":
        response = HttpResponse(imports.template_csv(kind), content_type="text/csv; charset=utf-8")
    else:
        response = HttpResponse(
            imports.template_xlsx(kind),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    response["Content-Disposition"] = f'attachment; filename="pilots-{kind}-template.{fmt}"'
    return response
