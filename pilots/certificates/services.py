"""Issuing, re-issuing and revoking certificates of completion.

Only enrolments that complete (`EnrolmentQuerySet.with_completion`, the one rule) get one; at most
one live certificate per enrolment (a partial unique constraint). Each certificate is written in its
own short transaction so that a cohort of a thousand teachers never holds one long transaction, and
issuing twice issues nothing twice. The teacher's email with the link is queued after commit.
"""

import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Prefetch
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format, number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from pilots import notifications
from pilots.choices import Language
from pilots.models import Cohort, Enrolment, Session

from .models import Certificate, RevocationReason
from .pdf import Block, CertificateContent, render_certificate


class CertificateError(ValidationError):
    """A certificate rule was broken; `code` says which."""


def verify_url(code: str) -> str:
    return f"{settings.PILOTS_SITE_URL}{reverse('certificates:verify', args=[code])}"


def _cohort_for_certificates(cohort_id: int) -> Cohort:
    return (
        Cohort.objects.select_related("programme", "organiser")
        .prefetch_related(
            "programme__lead_partners",
            "programme__modules",
            Prefetch("sessions", queryset=Session.objects.select_related("module")),
        )
        .get(pk=cohort_id)
    )


def _hours(cohort: Cohort) -> float:
    seconds = 0
    for session in cohort.sessions.all():
        start = dt.datetime.combine(session.date, session.starts_at)
        end = dt.datetime.combine(session.date, session.ends_at)
        seconds += max((end - start).total_seconds(), 0)
    return round(seconds / 3600, 1)


def _modules(cohort: Cohort) -> list[str]:
    taught = {s.module_id: s.module for s in cohort.sessions.all() if s.module_id}
    modules = sorted(taught.values(), key=lambda m: (m.order, m.pk)) or list(cohort.programme.modules.all())
    return [module.title for module in modules]


def issuing_partners(cohort: Cohort) -> str:
    partners = list(cohort.programme.lead_partners.all())
    if cohort.organiser and cohort.organiser not in partners:
        partners.append(cohort.organiser)
    return " · ".join(p.name for p in partners)


def _block(cohort: Cohort, language: str) -> Block:
    with translation.override(language):
        hours = _hours(cohort)
        hours_text = number_format(hours, decimal_pos=0 if hours == int(hours) else 1)
        return Block(
            title=_("Certificate of completion"),
            certifies=_("This certifies that"),
            completed=_("has completed the training"),
            cohort=cohort.name,
            dates=_("%(start)s to %(end)s") % {
                "start": date_format(cohort.start_date, "DATE_FORMAT"),
                "end": date_format(cohort.end_date, "DATE_FORMAT"),
            },
            hours=ngettext("%(hours)s hour of training", "%(hours)s hours of training", max(int(hours), 1))
            % {"hours": hours_text},
            modules=_("Modules: %(modules)s") % {"modules": "; ".join(_modules(cohort))},
            issued_by=_("Issued by the programme's partners on %(date)s")
            % {"date": date_format(timezone.localdate(), "DATE_FORMAT")},
        )


def certificate_language(enrolment: Enrolment) -> str:
    """The teacher's language for documents: the one they chose for emails, else the one they
    registered in."""
    return enrolment.teacher.preferred_language or enrolment.language or Language.ENGLISH


def build_pdf(*, cohort: Cohort, name: str, name_latin: str, language: str, code: str) -> bytes:
    languages = [language] if language == Language.ENGLISH else [language, Language.ENGLISH]
    with translation.override(language):
        verify_label = _("Check this certificate with its code:")
    if language != Language.ENGLISH:
        with translation.override(Language.ENGLISH):
            verify_label = f"{verify_label} / {_('Check this certificate with its code:')}"
    content = CertificateContent(
        name=name,
        name_latin=name_latin if name_latin != name else "",
        blocks=[_block(cohort, lang) for lang in languages],
        partners=issuing_partners(cohort),
        code=code,
        verify_label=verify_label,
        verify_url=verify_url(code),
    )
    return render_certificate(content)


def _new_certificate(enrolment: Enrolment, cohort: Cohort, user) -> Certificate:
    teacher = enrolment.teacher
    certificate = Certificate(
        enrolment=enrolment,
        holder_name=teacher.full_name,
        holder_name_latin=teacher.latin_name,
        language=certificate_language(enrolment),
        issued_by=user if user and user.is_authenticated else None,
    )
    certificate.pdf = build_pdf(
        cohort=cohort, name=certificate.holder_name, name_latin=certificate.holder_name_latin,
        language=certificate.language, code=certificate.code,
    )
    return certificate


def _announce(certificate: Certificate) -> None:
    # In the certificate's transaction: the certificate and its email are saved together.
    notifications.certificate_issued(enrolment_id=certificate.enrolment_id)


# Enrolments read at a time when a cohort's certificates are issued (memory stays flat).
ISSUE_CHUNK = 100


def completed_without_certificate(cohort_id: int):
    completed = Enrolment.objects.filter(cohort_id=cohort_id).with_completion().filter(is_completed=True)
    return (
        Enrolment.objects.filter(pk__in=completed.values("pk"))
        .exclude(pk__in=Certificate.objects.live().values("enrolment_id"))
        .select_related("teacher")
        .order_by("pk")
    )


def issue_certificates(*, cohort_id: int, user=None) -> int:
    """Issue a certificate to every teacher of the cohort who completed and has none yet; returns
    how many were issued. Safe to run twice or concurrently: the unique constraint on live
    certificates is the backstop, and a loser of that race skips the teacher."""
    cohort = _cohort_for_certificates(cohort_id)
    pending = list(completed_without_certificate(cohort_id).values_list("pk", flat=True))
    issued = 0
    # Read a chunk, then write it: no cursor stays open across the writes. On SQLite (WAL) a
    # connection still reading an old snapshot cannot start writing once another connection has
    # written (the worker's heartbeat does, every few seconds): "database is locked" at once.
    for start in range(0, len(pending), ISSUE_CHUNK):
        chunk = list(
            Enrolment.objects.filter(pk__in=pending[start:start + ISSUE_CHUNK]).select_related("teacher").order_by("pk")
        )
        for enrolment in chunk:
            certificate = _new_certificate(enrolment, cohort, user)  # the PDF is built outside the transaction
            try:
                with transaction.atomic():
                    certificate.save()
                    _announce(certificate)
            except IntegrityError:
                continue
            issued += 1
    return issued


def issue_certificate(*, enrolment: Enrolment, user=None) -> Certificate:
    """Issue one enrolment's certificate; refuses if it did not complete or already has one."""
    completed = Enrolment.objects.filter(pk=enrolment.pk).with_completion().filter(is_completed=True)
    if not completed.exists():
        raise CertificateError(
            gettext_lazy("Only teachers who completed the training get a certificate."), code="not_completed"
        )
    enrolment = Enrolment.objects.select_related("teacher").get(pk=enrolment.pk)
    certificate = _new_certificate(enrolment, _cohort_for_certificates(enrolment.cohort_id), user)
    try:
        with transaction.atomic():
            certificate.save()
            _announce(certificate)
    except IntegrityError as exc:
        raise CertificateError(
            gettext_lazy("This enrolment already has a certificate."), code="already_issued"
        ) from exc
    return certificate


def revoke_certificate(*, certificate: Certificate, reason: str = RevocationReason.ERROR) -> Certificate:
    """Revoke a live certificate: its public page then says it is revoked. Revoking twice does
    nothing."""
    with transaction.atomic():
        certificate = Certificate.objects.select_for_update().get(pk=certificate.pk)
        if certificate.is_revoked:
            return certificate
        certificate.revoked_at = timezone.now()
        certificate.revoked_reason = reason
        certificate.save(update_fields=["revoked_at", "revoked_reason"])
    return certificate


def reissue_certificate(*, certificate: Certificate, user=None) -> Certificate:
    """Replace a certificate after a correction (of the name, say): the old code says "replaced",
    a new certificate with a new code carries the teacher's current record."""
    enrolment = Enrolment.objects.select_related("teacher").get(pk=certificate.enrolment_id)
    replacement = _new_certificate(enrolment, _cohort_for_certificates(enrolment.cohort_id), user)
    with transaction.atomic():
        old = Certificate.objects.select_for_update().get(pk=certificate.pk)
        if old.is_revoked:
            raise CertificateError(
                gettext_lazy("A revoked certificate cannot be re-issued."), code="revoked"
            )
        old.revoked_at = timezone.now()
        old.revoked_reason = RevocationReason.REISSUED
        old.save(update_fields=["revoked_at", "revoked_reason"])
        replacement.save()
        _announce(replacement)
    return replacement
