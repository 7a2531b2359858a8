"""Check-in pages: the staff screen with the rotating code, and the teacher's form.

The teacher's page works without JavaScript and without an account: the code is typed (or comes
in the QR code's link), and the teacher is their email or their signed status link's token, sent
in the POST body, never in the URL.
"""

import segno
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from pilots.access import check_staff_cohort, permission_required
from pilots.models import Enrolment, Session
from pilots.status_links import read_registration_token

from . import codes, services
from .forms import CheckInForm, OpenCheckInForm
from .models import SelfCheckIn, SessionCheckIn


@never_cache
@require_http_methods(["GET", "POST"])
@permission_required("pilots.change_attendance")
def screen(request, pk):
    """What staff put on a laptop or projector: the QR code and the code, both changing every
    30 seconds (staff.js loads the next one; without JavaScript a link does)."""
    session = get_object_or_404(Session.objects.select_related("cohort"), pk=pk)
    check_staff_cohort(request.user, session.cohort)
    form = OpenCheckInForm(request.POST or None)
    if request.method == "POST":
        if request.POST.get("close"):
            services.close_check_in(session=session)
            return redirect("staffing:attendance", pk=session.pk)
        if form.is_valid():
            services.open_check_in(session=session, user=request.user,
                                   grace_minutes=form.cleaned_data["grace_minutes"])
            return redirect("staffing:check_in", pk=session.pk)
    check_in = SessionCheckIn.objects.filter(session=session, closed_at__isnull=True).first()
    context = {"session": session, "cohort": session.cohort, "form": form, "check_in": check_in}
    if check_in:
        now = timezone.now()
        code = codes.code_for(check_in.secret, codes.window_of(now))
        link = request.build_absolute_uri(reverse("checkin:check_in")) + f"?s={session.pk}&c={code}"
        context.update(
            code=code, link=link, refresh=codes.seconds_left(now) + 1,
            qr=segno.make(link, error="m").svg_inline(scale=7, title=code, dark="#000", light="#fff"),
            checked_in=SelfCheckIn.objects.filter(session=session).count(),
        )
    return render(request, "pilots/checkin/screen.html", context)


def _enrolment_from(token: str):
    enrolment_id = read_registration_token(token) if token else None
    if token and enrolment_id is None:
        raise Http404
    if enrolment_id is None:
        return None
    return Enrolment.objects.select_related("teacher", "cohort").filter(pk=enrolment_id).first()


@never_cache
@require_http_methods(["GET", "POST"])
def check_in(request):
    """The teacher's page: code (and email, unless they came from "My registration")."""
    if request.method == "GET":
        session_id = request.GET.get("s", "")
        form = CheckInForm(initial={"code": request.GET.get("c", "")[:12],
                                    "session": session_id if session_id.isdigit() and len(session_id) < 12 else None})
        return render(request, "pilots/checkin/check_in.html", {"form": form})
    form = CheckInForm(request.POST)
    result = None
    if form.is_valid():
        enrolment = _enrolment_from(form.cleaned_data["token"])
        try:
            result = services.check_in_teacher(
                code=form.cleaned_data["code"], email=form.cleaned_data["email"] or "",
                enrolment=enrolment, session_id=form.cleaned_data["session"])
        except services.CheckInError as exc:
            form.add_error("code" if exc.code != "not_confirmed" else None, exc)
    return render(request, "pilots/checkin/check_in.html",
                  {"form": form, "result": result, "from_status_page": bool(form.data.get("token"))})
