"""Certificate pages: public verification (no personal data beyond name, cohort, dates, issuer),
the teacher's download behind the signed status link, staff issuing and coordinators' counts."""

from django.contrib import messages
from django.db.models import Count, Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_safe

from pilots.access import check_staff_cohort, permission_required, report_cohorts, reports_required
from pilots.models import Cohort, Enrolment
from pilots.status_links import read_registration_token

from . import services, tasks
from .models import Certificate


@require_safe
def verify(request, code):
    certificate = (
        Certificate.objects.select_related("enrolment__cohort__programme", "enrolment__cohort__organiser")
        .prefetch_related("enrolment__cohort__programme__lead_partners")
        .defer("pdf")
        .filter(code=code.strip().upper())
        .first()
    )
    if certificate is None:
        return render(request, "pilots/certificates/verify_unknown.html", {"code": code}, status=404)
    cohort = certificate.enrolment.cohort
    return render(
        request,
        "pilots/certificates/verify.html",
        {"certificate": certificate, "cohort": cohort, "issuer": services.issuing_partners(cohort)},
    )


def _enrolment_from_token(token) -> Enrolment:
    enrolment_id = read_registration_token(token)
    if enrolment_id is None:
        raise Http404
    return get_object_or_404(Enrolment, pk=enrolment_id)


@never_cache
@require_safe
def download(request, token):
    enrolment = _enrolment_from_token(token)
    certificate = enrolment.certificates.live().first()
    if certificate is None:
        raise Http404
    response = HttpResponse(bytes(certificate.pdf), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="certificate-{certificate.code}.pdf"'
    return response


@require_http_methods(["GET", "HEAD", "POST"])
@permission_required("pilots.add_certificate")
def cohort_certificates(request, code):
    cohort = get_object_or_404(Cohort, code=code)
    check_staff_cohort(request.user, cohort)
    if request.method == "POST":
        tasks.issue_cohort_certificates.enqueue(cohort_id=cohort.pk, user_id=request.user.pk)
        messages.success(
            request,
            _("The certificates are being issued. Teachers receive an email as soon as theirs is ready."),
        )
        return redirect("certificates:cohort", code=cohort.code)
    completed = Enrolment.objects.filter(cohort=cohort).with_completion().filter(is_completed=True)
    certificates = Certificate.objects.filter(enrolment__cohort=cohort)
    return render(
        request,
        "pilots/certificates/cohort.html",
        {
            "cohort": cohort,
            "completed": completed.count(),
            "issued": certificates.live().count(),
            "waiting": services.completed_without_certificate(cohort.pk).count(),
            "certificates": certificates.select_related("enrolment__teacher").defer("pdf"),
        },
    )


@reports_required
def issued_counts(request):
    cohorts = (
        report_cohorts(request.user)
        .annotate(
            issued=Count("enrolments__certificates", filter=Q(enrolments__certificates__revoked_at__isnull=True)),
            revoked=Count("enrolments__certificates", filter=Q(enrolments__certificates__revoked_at__isnull=False)),
        )
        .order_by("-start_date", "name")
    )
    return render(request, "pilots/certificates/counts.html", {"cohorts": cohorts})
