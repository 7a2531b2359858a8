"""Certificates in the admin: read-only records, re-issued or revoked through the services."""

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from pilots.admin import ReportDataMixin

from . import services
from .models import Certificate


@admin.register(Certificate)
class CertificateAdmin(ReportDataMixin, admin.ModelAdmin):
    list_display = ["code", "holder_name", "enrolment__cohort", "issued_at", "revoked_at", "revoked_reason"]
    list_filter = ["enrolment__cohort", "revoked_reason"]
    search_fields = ["code", "holder_name", "holder_name_latin"]
    list_select_related = ["enrolment__cohort"]
    readonly_fields = [
        "enrolment", "code", "holder_name", "holder_name_latin", "language", "issued_at", "issued_by",
        "revoked_at", "revoked_reason",
    ]
    fields = readonly_fields
    actions = ["reissue", "revoke"]

    def get_queryset(self, request):
        return super().get_queryset(request).defer("pdf")

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description=_("Re-issue with the teacher's current name"), permissions=["change"])
    def reissue(self, request, queryset):
        done = 0
        for certificate in queryset.live():
            services.reissue_certificate(certificate=certificate, user=request.user)
            done += 1
        self.message_user(
            request, ngettext("%(n)d certificate re-issued.", "%(n)d certificates re-issued.", done) % {"n": done},
            messages.SUCCESS,
        )

    @admin.action(description=_("Revoke (issued in error)"), permissions=["change"])
    def revoke(self, request, queryset):
        done = 0
        for certificate in queryset.live():
            services.revoke_certificate(certificate=certificate)
            done += 1
        self.message_user(
            request, ngettext("%(n)d certificate revoked.", "%(n)d certificates revoked.", done) % {"n": done},
            messages.SUCCESS,
        )
