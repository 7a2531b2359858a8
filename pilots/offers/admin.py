from django.contrib import admin

from pilots.admin import ReadOnlyAdmin, ReportDataMixin

from .models import SeatOffer, WaitlistPolicy


@admin.register(WaitlistPolicy)
class WaitlistPolicyAdmin(ReportDataMixin, admin.ModelAdmin):
    list_display = ["programme", "mode", "offer_hours", "short_offer_hours", "short_within_days"]


@admin.register(SeatOffer)
class SeatOfferAdmin(ReadOnlyAdmin):
    """Read-only: offers are made, accepted and expired by the offers service and the scheduler."""

    list_display = ["enrolment", "cohort", "status", "offered_at", "expires_at", "closed_at"]
    list_filter = ["status", "cohort"]
    list_select_related = ["enrolment__teacher", "enrolment__cohort", "cohort"]
    readonly_fields = ["enrolment", "cohort", "status", "offered_at", "expires_at", "closed_at"]
