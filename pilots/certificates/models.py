"""Certificates of completion: one live certificate per completed enrolment, checked by anyone
through its code on a public page."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from pilots.choices import Language
from pilots.models import Enrolment, new_reference


def new_certificate_code():
    """A random code such as 'K7QX-3M2P-WD4H': 12 characters of 31 (about 59 bits), so codes can
    be neither guessed nor enumerated; the same unambiguous alphabet as reference codes."""
    return f"{new_reference()}-{new_reference()[:4]}"


class RevocationReason(models.TextChoices):
    REISSUED = "reissued", _("Replaced by a corrected certificate")
    ERROR = "error", _("Issued in error")
    OTHER = "other", _("Other reason")


class CertificateQuerySet(models.QuerySet):
    def live(self):
        return self.filter(revoked_at__isnull=True)


class Certificate(models.Model):
    enrolment = models.ForeignKey(
        Enrolment, verbose_name=_("enrolment"), on_delete=models.PROTECT, related_name="certificates"
    )
    code = models.CharField(
        _("verification code"), max_length=14, unique=True, default=new_certificate_code, editable=False
    )
    # The name as printed: a later correction of the teacher's record needs a re-issue.
    holder_name = models.CharField(_("name on the certificate"), max_length=310)
    holder_name_latin = models.CharField(_("name in Latin letters"), max_length=310, blank=True)
    language = models.CharField(_("language"), max_length=5, choices=Language)
    pdf = models.BinaryField(_("PDF"), editable=False)
    issued_at = models.DateTimeField(_("issued at"), default=timezone.now)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("issued by"), on_delete=models.SET_NULL,
        null=True, blank=True, related_name="+",
    )
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    revoked_reason = models.CharField(
        _("reason for revocation"), max_length=20, choices=RevocationReason, blank=True
    )

    objects = CertificateQuerySet.as_manager()

    class Meta:
        ordering = ["-issued_at", "pk"]
        verbose_name = _("certificate")
        verbose_name_plural = _("certificates")
        constraints = [
            models.UniqueConstraint(
                fields=["enrolment"],
                condition=Q(revoked_at__isnull=True),
                name="certificate_one_live_per_enrolment",
                violation_error_message=_("This enrolment already has a certificate."),
            ),
            models.CheckConstraint(
                condition=Q(revoked_at__isnull=True, revoked_reason="")
                | (Q(revoked_at__isnull=False) & Q(revoked_reason__in=RevocationReason.values)),
                name="certificate_revocation_has_reason",
            ),
            models.CheckConstraint(
                condition=Q(language__in=Language.values), name="certificate_language_valid"
            ),
        ]

    def __str__(self):
        return f"{self.code} – {self.holder_name}"

    @property
    def is_revoked(self):
        return self.revoked_at is not None
