"""Spreadsheet import pages: upload and preview, confirm, and the template files.

Nothing is written until staff confirm a preview without problems; the file is kept between the two
steps as a `PendingImport` (pilots.imports.pending), named by a random token held in the session.
"""

from django.contrib import messages
from django.db import IntegrityError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from pilots.access import permission_required
from pilots.enrolment import EnrolmentError

from .columns import COLUMNS, KIND_LABELS, MAX_BYTES, MAX_PROBLEMS_SHOWN, template_csv, template_xlsx
from .forms import ImportUploadForm
from .pending import PendingImportError, discard_upload, keep_upload, read_upload
from .planning import plan_import
from .reading import ImportFileError, read_table
from .services import ImportChanged, apply_import

IMPORT_SESSION_KEY = "pilots_staff_import"


def _plan_file(*, kind, data, filename):
    """Read and plan a file: (plan, None), or (None, the message saying why it cannot be read)."""
    try:
        header, rows = read_table(data, filename)
    except ImportFileError as exc:
        return None, exc.messages[0]
    plan = plan_import(kind, header, rows)
    return plan, None


def _render_import(request, form, *, plan=None, token="", filename="", file_error=None, kind=None):
    return render(
        request,
        "pilots/imports/upload.html",
        {
            "form": form,
            "plan": plan,
            "token": token,
            "filename": filename,
            "file_error": file_error,
            "kind": kind,
            "kind_label": KIND_LABELS.get(kind, ""),
            "problems": plan.problems[: MAX_PROBLEMS_SHOWN] if plan else [],
            "changes": plan.changes[:200] if plan else [],
            "more_changes": max(len(plan.changes) - 200, 0) if plan else 0,
            "more_problems": max(len(plan.problems) - MAX_PROBLEMS_SHOWN, 0) if plan else 0,
            "kinds": [
                {"kind": k, "label": label, "columns": COLUMNS[k]}
                for k, label in KIND_LABELS.items()
            ],
        },
    )


@require_http_methods(["GET", "POST"])
@permission_required("pilots.add_teacher")
def import_upload(request):
    if request.method == "GET":
        return _render_import(request, ImportUploadForm())
    form = ImportUploadForm(request.POST, request.FILES)
    if not form.is_valid():
        return _render_import(request, form)
    upload, kind = form.cleaned_data["file"], form.cleaned_data["kind"]
    data = upload.read(MAX_BYTES + 1)
    plan, error = _plan_file(kind=kind, data=data, filename=upload.name)
    if error:
        return _render_import(request, form, file_error=error)
    token = ""
    if plan.ok:
        token = keep_upload(user=request.user, kind=kind, filename=upload.name, data=data).token
        request.session[IMPORT_SESSION_KEY] = {"token": token, "kind": kind, "filename": upload.name}
    return _render_import(request, ImportUploadForm(initial={"kind": kind}), plan=plan, token=token,
                          filename=upload.name, kind=kind)


@require_POST
@permission_required("pilots.add_teacher")
def import_confirm(request):
    pending = request.session.get(IMPORT_SESSION_KEY)
    if not pending or request.POST.get("token") != pending["token"]:
        messages.error(request, _("This import has expired or was already done. Upload the file again."))
        return redirect("imports:upload")
    try:
        kept, data = read_upload(token=pending["token"], user=request.user)
    except PendingImportError as exc:
        request.session.pop(IMPORT_SESSION_KEY, None)
        messages.error(request, exc.messages[0])
        return redirect("imports:upload")
    kind = kept.kind
    plan, error = _plan_file(kind=kind, data=data, filename=kept.filename)
    if error or not plan.ok:
        # The database changed since the preview (e.g. a cohort was renamed): show why.
        return _render_import(request, ImportUploadForm(initial={"kind": kind}), plan=plan,
                              filename=pending["filename"], file_error=error, kind=kind)
    try:
        apply_import(plan, user=request.user)
    except (ImportChanged, EnrolmentError) as exc:
        messages.error(request, exc.messages[0])
        return redirect("imports:upload")
    except IntegrityError:
        messages.error(
            request,
            _("The data changed while importing (someone else added the same teacher or record). "
              "Nothing was imported; upload the file again."),
        )
        return redirect("imports:upload")
    discard_upload(kept)
    request.session.pop(IMPORT_SESSION_KEY, None)
    summary = ", ".join(f"{key}: {value}" for key, value in plan.counts.items())
    messages.success(request, _("Import done (%(summary)s).") % {"summary": summary})
    return redirect("imports:upload")


@require_safe
@permission_required("pilots.add_teacher")
def import_template(request, kind, fmt):
    if kind not in COLUMNS or fmt not in ("csv", "xlsx"):
        raise Http404
    if fmt == "csv":
        response = HttpResponse(template_csv(kind), content_type="text/csv; charset=utf-8")
    else:
        response = HttpResponse(
            template_xlsx(kind),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    response["Content-Disposition"] = f'attachment; filename="pilots-{kind}-template.{fmt}"'
    return response
