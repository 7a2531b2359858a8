"""The admin of teachers' data rights: notices, consents, the requests register, holidays,
retention, erasures and the read-only record of who looked (with its export)."""

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from simple_history.admin import SimpleHistoryAdmin

from pilots.admin import ReadOnlyAdmin
from pilots.models import (
    AccessRecord,
    Consent,
    DataRequest,
    Erasure,
    PrivacyNotice,
    PublicHoliday,
    RetentionPolicy,
    RetentionRun,
)
from pilots.reports import exports

from . import services
from .access_log import download_stamp, record_access
from .deadlines import due_dates


def record_access_on(*admin_classes):
    """Re-register each admin (of a model with teachers' data) so that its list, change and
    history pages write an access record."""
    for admin_class in admin_classes:
        model = next(m for m, a in admin.site._registry.items() if type(a) is admin_class)
        recorded = type(admin_class.__name__, (AccessRecordedAdmin, admin_class), {"__module__": __name__})
        admin.site.unregister(model)
        admin.site.register(model, recorded)


class AccessRecordedAdmin:
    def _label(self, page):
        return f"admin {self.model._meta.model_name} {page}"

    def changelist_view(self, request, extra_context=None):
        response = super().changelist_view(request, extra_context)
        cl = getattr(response, "context_data", {}).get("cl") if request.method == "GET" else None
        if cl is not None:
            record_access(request, self._label("list"), len(cl.result_list))
        return response

    def change_view(self, request, object_id, form_url="", extra_context=None):
        if request.method == "GET":
            record_access(request, self._label("page"), 1)
        return super().change_view(request, object_id, form_url, extra_context)

    def history_view(self, request, object_id, extra_context=None):
        record_access(request, self._label("history"), 1)
        return super().history_view(request, object_id, extra_context)


@admin.register(PrivacyNotice)
class PrivacyNoticeAdmin(admin.ModelAdmin):
    list_display = ["version", "language", "published_at"]
    list_filter = ["language", "version"]


@admin.register(Consent)
class ConsentAdmin(ReadOnlyAdmin):
    list_display = ["teacher", "purpose", "version", "language", "given_at", "withdrawn_at"]
    list_filter = ["purpose", "version", "language"]
    list_select_related = ["teacher"]


@admin.register(DataRequest)
class DataRequestAdmin(SimpleHistoryAdmin):
    list_display = ["__str__", "kind", "country", "received_at", "acknowledge_by", "due_on", "status", "handler"]
    list_filter = ["status", "kind", "country"]
    list_select_related = ["handler"]
    ordering = ["due_on", "received_at"]
    autocomplete_fields = ["teacher"]
    fields = ["kind", "teacher", "country", "received_at", "requester_email", "details", "acknowledge_by",
              "due_on", "status", "handler", "outcome", "closed_at", "reminded_at"]
    actions = ["acknowledge", "close_done", "close_refused"]

    def get_readonly_fields(self, request, obj=None):
        # Due dates follow the country's rule; the status changes through the actions below.
        fixed = ["acknowledge_by", "due_on", "status", "closed_at", "reminded_at"]
        return fixed + (["teacher", "received_at", "requester_email", "details"] if obj else [])

    def save_model(self, request, obj, form, change):
        if not change:
            # A request received by letter, phone or in person: the same due dates as the teachers' own.
            obj.acknowledge_by, obj.due_on = due_dates(country=obj.country, kind=obj.kind, received_at=obj.received_at)
        super().save_model(request, obj, form, change)

    @admin.action(description=_("Acknowledge the selected requests"), permissions=["change"])
    def acknowledge(self, request, queryset):
        for data_request in queryset:
            services.acknowledge_request(data_request=data_request, handler=request.user)
        self.message_user(request, _("Requests acknowledged."), messages.SUCCESS)

    def _close(self, request, queryset, refused):
        done = 0
        for data_request in queryset:
            try:
                services.close_request(data_request=data_request, handler=request.user, refused=refused,
                                       outcome=data_request.outcome or str(_("Done.")))
                done += 1
            except services.PrivacyError as exc:
                self.message_user(request, f"#{data_request.pk}: {exc.messages[0]}", messages.ERROR)
        if done:
            self.message_user(request, ngettext("%(n)d request closed.", "%(n)d requests closed.", done) % {"n": done},
                              messages.SUCCESS)

    @admin.action(description=_("Carry out and close the selected requests (an erasure erases the teacher)"),
                  permissions=["change"])
    def close_done(self, request, queryset):
        self._close(request, queryset, refused=False)

    @admin.action(description=_("Refuse the selected requests (say why in 'what was done')"), permissions=["change"])
    def close_refused(self, request, queryset):
        self._close(request, queryset, refused=True)


@admin.register(PublicHoliday)
class PublicHolidayAdmin(admin.ModelAdmin):
    list_display = ["date", "country", "name"]
    list_filter = ["country"]
    date_hierarchy = "date"


@admin.register(AccessRecord)
class AccessRecordAdmin(ReadOnlyAdmin):
    list_display = ["at", "user", "what", "teachers_count", "path"]
    list_filter = ["user", "what"]
    list_select_related = ["user"]
    date_hierarchy = "at"
    search_fields = ["what", "path", "user__username"]
    actions = ["export_csv"]

    @admin.action(description=_("Export the selected access records (CSV)"))
    def export_csv(self, request, queryset):
        def rows():
            yield [str(_("When")), str(_("User")), str(_("What")), str(_("Teachers")), str(_("Address"))]
            for r in queryset.select_related("user").order_by("-at").iterator():
                yield [r.at.isoformat(), r.user.get_username(), r.what, r.teachers_count, r.path]
            yield [download_stamp(request.user)]

        return exports.csv_response("access-records.csv", rows())


@admin.register(Erasure)
class ErasureAdmin(ReadOnlyAdmin):
    list_display = ["teacher", "erased_at", "reason", "data_request"]
    list_filter = ["reason"]


@admin.register(RetentionPolicy)
class RetentionPolicyAdmin(admin.ModelAdmin):
    list_display = ["programme", "months_after_last_cohort", "months_for_unplaced"]


@admin.register(RetentionRun)
class RetentionRunAdmin(ReadOnlyAdmin):
    list_display = ["ran_at", "dry_run", "erased", "__str__"]
    list_filter = ["dry_run"]
