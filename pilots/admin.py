from django.conf import settings
from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.db import transaction
from django.db.models import Q
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from modeltranslation.admin import TranslationAdmin, TranslationTabularInline
from simple_history.admin import SimpleHistoryAdmin

from . import data_version
from .access import ALL, visible_countries
from .enrolment import (
    EnrolmentError,
    confirm_enrolment,
    lock_cohort,
    place_enrolment,
    promote_waitlist,
    reject_enrolment,
    waitlist_enrolment,
    withdraw_enrolment,
)
from .history import field_changes, reason_label
from .models import (
    Assessment,
    Attendance,
    Cohort,
    CountryAssignment,
    Enrolment,
    Module,
    OutboundEmail,
    Programme,
    Province,
    Session,
    Subject,
    Teacher,
    WorkerHeartbeat,
)
from .templatetags.reports_tags import pct

User = get_user_model()


def every_language(*fields: str) -> list[str]:
    """Search translated fields in every language: modeltranslation would search only the admin
    user's own language, so an English name would not be found from the Khmer admin."""
    return [f"{field}_{code}" for field in fields for code, _name in settings.LANGUAGES]


class ReadOnlyAdmin(admin.ModelAdmin):
    """Records that no one edits by hand (what was sent, who looked, what ran)."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReportDataMixin:
    """Every POST that reaches this admin (add, change, inlines, actions, delete) may change what
    reports read: mark report data changed once it has committed (`data_version`)."""

    def _changed(self, request, response):
        if request.method == "POST":
            data_version.data_changed()
        return response

    def changeform_view(self, request, *args, **kwargs):
        return self._changed(request, super().changeform_view(request, *args, **kwargs))

    def changelist_view(self, request, *args, **kwargs):
        return self._changed(request, super().changelist_view(request, *args, **kwargs))

    def delete_view(self, request, *args, **kwargs):
        return self._changed(request, super().delete_view(request, *args, **kwargs))


class ReportDataHistoryAdmin(ReportDataMixin, SimpleHistoryAdmin):
    """The same for models with history, whose history page can revert a row."""

    def history_form_view(self, request, *args, **kwargs):
        return self._changed(request, super().history_form_view(request, *args, **kwargs))

    def set_history_delta_changes(self, request, historical_records, foreign_keys_are_objs=True):
        """simple-history's old -> new per field, plus the oldest record of the page (its values at
        creation, or "not recorded" for rows created without history), and the change reason in
        the reader's language."""
        super().set_history_delta_changes(request, historical_records, foreign_keys_are_objs)
        records = list(historical_records)
        last_page = not getattr(historical_records, "has_next", lambda: False)()
        if records and last_page and not getattr(records[-1], "history_delta_changes", None):
            records[-1].history_delta_changes = field_changes(records[-1])
        for record in records:
            if record.history_change_reason:
                record.history_change_reason = reason_label(record.history_change_reason)


class CountryScopeMixin:
    """Staff without "view all countries" see only the rows of their countries, in the changelist,
    the change, delete and history pages, the autocomplete and the choices of a foreign key: the
    visibility rule of the staff pages (`access.visible_countries`). A row is in scope when any of
    `country_lookups` (paths to a country code) is one of the user's countries; regional cohorts
    (no country) are for those who see every country."""

    country_lookups: tuple[str, ...] = ()

    def scope_queryset(self, request, queryset):
        if not hasattr(request, "_pilots_countries"):
            request._pilots_countries = visible_countries(request.user)
        countries = request._pilots_countries
        if countries == ALL:
            return queryset
        condition = Q(pk__in=[])
        for lookup in self.country_lookups:
            condition |= Q(**{f"{lookup}__in": countries})
        if len(self.country_lookups) > 1:
            # A row may match through several of its relations: no duplicate rows.
            return queryset.filter(pk__in=queryset.model._default_manager.filter(condition).values("pk"))
        return queryset.filter(condition)

    def get_queryset(self, request):
        return self.scope_queryset(request, super().get_queryset(request))

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        related = self.admin_site._registry.get(db_field.remote_field.model)
        if isinstance(related, CountryScopeMixin) and "queryset" not in kwargs:
            kwargs["queryset"] = related.scope_queryset(request, db_field.remote_field.model._default_manager.all())
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def _check_in_scope(self, request, object_id):
        # The history pages read historical rows directly, not get_queryset.
        if not self.get_queryset(request).filter(pk=object_id).exists():
            raise Http404

    def history_view(self, request, object_id, *args, **kwargs):
        self._check_in_scope(request, object_id)
        return super().history_view(request, object_id, *args, **kwargs)

    def history_form_view(self, request, object_id, *args, **kwargs):
        self._check_in_scope(request, object_id)
        return super().history_form_view(request, object_id, *args, **kwargs)


# --- reference data -------------------------------------------------------------------------


@admin.register(Province)
class ProvinceAdmin(ReportDataMixin, admin.ModelAdmin):
    list_display = ["name", "code", "country", "category", "valid_until", "successor"]
    list_filter = ["country", "category"]
    list_select_related = ["successor"]
    search_fields = ["name", "local_name", "code"]
    autocomplete_fields = ["successor"]


@admin.register(Subject)
class SubjectAdmin(ReportDataMixin, admin.ModelAdmin):
    list_display = ["name", "code", "order"]
    search_fields = ["name", "code"]


# --- programme ------------------------------------------------------------------------------


class ModuleInline(TranslationTabularInline):
    model = Module
    extra = 0
    fields = ["order", "code", "title", "planned_hours"]


@admin.register(Programme)
class ProgrammeAdmin(ReportDataMixin, TranslationAdmin):
    list_display = ["name", "start_date", "end_date", "agreement", "completion_min_attendance"]
    list_select_related = ["agreement"]
    search_fields = every_language("name", "description")
    date_hierarchy = "start_date"
    autocomplete_fields = ["lead_partners", "agreement"]
    inlines = [ModuleInline]


@admin.register(Module)
class ModuleAdmin(ReportDataMixin, TranslationAdmin):
    list_display = ["code", "title", "programme", "planned_hours", "order"]
    list_filter = ["programme"]
    list_select_related = ["programme"]
    search_fields = ["code", *every_language("title", "summary"), "case_studies", "risk_factors"]
    autocomplete_fields = ["programme"]


# --- cohorts and sessions -------------------------------------------------------------------


class SessionInline(TranslationTabularInline):
    model = Session
    extra = 0
    fields = ["date", "starts_at", "ends_at", "title", "module", "mode", "venue"]
    show_change_link = True

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        module_field = formset.form.base_fields.get("module")
        if module_field is not None:
            # Only the modules of this cohort's programme: a short list, never every module.
            module_field.queryset = (
                Module.objects.filter(programme_id=obj.programme_id) if obj else Module.objects.none()
            )
        return formset


class EnrolmentInline(CountryScopeMixin, admin.TabularInline):
    """Read-only: enrolment statuses change through the actions on the enrolment list. Shows the
    enrolment's other side: the teacher on a cohort's page, the cohort on a teacher's."""

    model = Enrolment
    other = "teacher"
    country_lookups = ("cohort__country",)
    extra = 0
    show_change_link = True
    can_delete = False

    def get_fields(self, request, obj=None):
        return [self.other, "status", "reference", "created_at"]

    def get_readonly_fields(self, request, obj=None):
        return self.get_fields(request, obj)

    def has_add_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related(self.other)


@admin.register(Cohort)
class CohortAdmin(CountryScopeMixin, ReportDataMixin, TranslationAdmin):
    country_lookups = ("country",)
    list_display = [
        "name",
        "year",
        "country",
        "start_date",
        "status",
        "capacity",
        "confirmed",
        "waitlisted",
        "seats_left",
    ]
    list_filter = ["country", "year", "status", "kind", "language", "requires_approval"]
    list_select_related = ["programme"]
    search_fields = ["code", *every_language("name", "venue", "description")]
    date_hierarchy = "start_date"
    autocomplete_fields = ["programme", "province", "organiser", "team"]
    prepopulated_fields = {"code": ["name"]}
    inlines = [SessionInline, EnrolmentInline]
    actions = ["promote_waitlist"]
    fieldsets = [
        (None, {"fields": ["programme", "name", "code", "year", "kind", "status", "description"]}),
        (_("Place and language"), {"fields": ["country", "province", "language", "venue", "is_online"]}),
        (_("Dates and seats"), {"fields": [
            "start_date", "end_date", "capacity", "registration_opens", "registration_closes",
            "requires_approval",
        ]}),
        (_("People"), {"fields": ["organiser", "team"]}),
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).with_fill_stats()

    @admin.display(description=_("confirmed"), ordering="confirmed_count")
    def confirmed(self, obj):
        return obj.confirmed_count

    @admin.display(description=_("waiting list"), ordering="waitlisted_count")
    def waitlisted(self, obj):
        return obj.waitlisted_count

    @admin.display(description=_("seats left"), ordering="seats_left")
    def seats_left(self, obj):
        return obj.seats_left

    @admin.action(description=_("Promote waitlisted teachers into free seats"))
    def promote_waitlist(self, request, queryset):
        promoted = 0
        for cohort in queryset:
            promoted += len(promote_waitlist(cohort=cohort))
        self.message_user(
            request,
            ngettext("%(n)d teacher promoted.", "%(n)d teachers promoted.", promoted) % {"n": promoted},
            messages.SUCCESS,
        )


@admin.register(Session)
class SessionAdmin(CountryScopeMixin, ReportDataMixin, TranslationAdmin):
    country_lookups = ("cohort__country",)
    list_display = ["title", "cohort", "date", "starts_at", "ends_at", "mode", "module"]
    list_filter = ["mode", "cohort__country", "cohort__year"]
    list_select_related = ["cohort", "module"]
    search_fields = [*every_language("title", "venue"), "facilitators", "cohort__name_en"]
    date_hierarchy = "date"
    autocomplete_fields = ["cohort", "module"]


# --- teachers and enrolments ----------------------------------------------------------------


class TeacherEnrolmentInline(EnrolmentInline):
    fk_name = "teacher"
    other = "cohort"


@admin.register(Teacher)
class TeacherAdmin(CountryScopeMixin, ReportDataHistoryAdmin):
    # A teacher belongs to the country of their province and of every cohort they enrolled in.
    country_lookups = ("province__country", "enrolments__cohort__country")
    list_display = [
        "family_name",
        "given_name",
        "latin_name",
        "gender",
        "email",
        "school",
        "school_level",
        "province",
        "preferred_language",
    ]
    list_filter = ["province__country", "gender", "school_level", "preferred_language", "subjects"]
    list_select_related = ["province"]
    search_fields = [
        "family_name",
        "given_name",
        "family_name_latin",
        "given_name_latin",
        "nickname",
        "email",
        "school",
    ]
    autocomplete_fields = ["province"]
    filter_horizontal = ["subjects"]
    readonly_fields = ["consent_at", "consent_version", "consent_language", "created_at", "updated_at"]
    inlines = [TeacherEnrolmentInline]
    fieldsets = [
        (_("Name"), {"fields": [
            "title", ("family_name", "given_name"), ("family_name_latin", "given_name_latin"), "nickname",
            "name_order",
        ]}),
        (_("Contact"), {"fields": ["email", "phone", "preferred_language"]}),
        (_("School"), {"fields": [
            "school", "school_level", "subjects", "province", "years_experience", "gender",
        ]}),
        (_("Consent"), {"fields": [
            "consent_at", "consent_version", "consent_language", "created_at", "updated_at",
        ]}),
    ]

    @admin.display(description=_("name in Latin letters"))
    def latin_name(self, obj):
        return obj.latin_name


class AttendanceInline(admin.TabularInline):
    model = Attendance
    extra = 0
    fields = ["session", "status", "note"]

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        # Only the sessions of the enrolment's own cohort.
        formset.form.base_fields["session"].queryset = (
            Session.objects.filter(cohort_id=obj.cohort_id) if obj else Session.objects.none()
        )
        return formset

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("session")


class AssessmentInline(admin.TabularInline):
    model = Assessment
    extra = 0
    max_num = 2
    fields = ["kind", "score", "taken_on"]


class CompletedFilter(admin.SimpleListFilter):
    # The completion rule, as the reports name it: not the enrolment status "Completed".
    title = _("met the completion rule")
    parameter_name = "completed"

    def lookups(self, request, model_admin):
        return [("yes", _("Yes")), ("no", _("No"))]

    def queryset(self, request, queryset):
        if self.value() in ("yes", "no"):
            return queryset.filter(is_completed=self.value() == "yes")
        return queryset


@admin.register(Enrolment)
class EnrolmentAdmin(CountryScopeMixin, ReportDataHistoryAdmin):
    country_lookups = ("cohort__country",)
    list_display = ["teacher", "cohort", "status", "completed", "attendance", "reference", "language", "created_at"]
    list_filter = ["status", CompletedFilter, "cohort__country", "cohort__year", "cohort__kind", "language"]
    list_select_related = ["teacher", "cohort"]
    search_fields = [
        "reference",
        "teacher__family_name",
        "teacher__given_name",
        "teacher__family_name_latin",
        "teacher__given_name_latin",
        "teacher__email",
        "teacher__school",
        "cohort__name_en",
    ]
    date_hierarchy = "created_at"
    autocomplete_fields = ["teacher", "cohort"]
    inlines = [AttendanceInline, AssessmentInline]
    actions = ["confirm", "waitlist", "reject", "withdraw"]

    def get_queryset(self, request):
        # Completion is the programme's one definition (EnrolmentQuerySet.with_completion).
        return super().get_queryset(request).with_completion()

    @admin.display(description=_("Met the completion rule"), boolean=True, ordering="is_completed")
    def completed(self, obj):
        return obj.is_completed

    @admin.display(description=_("Attendance (of sessions recorded)"), ordering="attendance_rate")
    def attendance(self, obj):
        # The reports' definition and rounding (with_attendance, reports_tags.pct): "–" without a seat.
        return pct(obj.attendance_rate)

    def get_readonly_fields(self, request, obj=None):
        # The status follows the rules of pilots.enrolment: set on creation, changed by actions.
        fixed = ["status", "reference", "created_at", "status_changed_at", "consent_version", "consented_at"]
        return fixed + (["teacher", "cohort"] if obj else [])

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
            return
        with transaction.atomic():
            cohort = lock_cohort(obj.cohort_id)
            place_enrolment(enrolment=obj, cohort=cohort)

    def _apply(self, request, queryset, service, done_message):
        changed = 0
        for enrolment in queryset.select_related("teacher"):
            try:
                service(enrolment=enrolment)
                changed += 1
            except EnrolmentError as exc:
                self.message_user(request, f"{enrolment.teacher}: {exc.message}", messages.ERROR)
        if changed:
            self.message_user(request, done_message % {"n": changed}, messages.SUCCESS)

    @admin.action(description=_("Confirm selected enrolments (while seats remain)"))
    def confirm(self, request, queryset):
        self._apply(request, queryset, confirm_enrolment, _("%(n)d enrolment(s) confirmed."))

    @admin.action(description=_("Move selected enrolments to the waiting list"))
    def waitlist(self, request, queryset):
        self._apply(request, queryset, waitlist_enrolment, _("%(n)d enrolment(s) waitlisted."))

    @admin.action(description=_("Reject selected applications"))
    def reject(self, request, queryset):
        self._apply(request, queryset, reject_enrolment, _("%(n)d enrolment(s) rejected."))

    @admin.action(description=_("Withdraw selected enrolments (promotes the waiting list)"))
    def withdraw(self, request, queryset):
        self._apply(request, queryset, withdraw_enrolment, _("%(n)d enrolment(s) withdrawn."))


class EnrolmentRecordAdmin(ReportDataHistoryAdmin):
    """The lists of attendance and of scores: each row belongs to one teacher's enrolment."""

    search_fields = [
        "enrolment__teacher__family_name",
        "enrolment__teacher__given_name",
        "enrolment__teacher__email",
        "enrolment__reference",
    ]

    @admin.display(description=_("teacher"), ordering="enrolment__teacher__family_name")
    def teacher(self, obj):
        return obj.enrolment.teacher


@admin.register(Attendance)
class AttendanceAdmin(CountryScopeMixin, EnrolmentRecordAdmin):
    country_lookups = ("enrolment__cohort__country",)
    list_display = ["teacher", "session", "cohort", "status", "updated_at"]
    list_filter = ["status", "session__cohort__country", "session__cohort__year"]
    list_select_related = ["enrolment__teacher", "session__cohort"]
    search_fields = [*EnrolmentRecordAdmin.search_fields, "session__title"]
    date_hierarchy = "session__date"
    autocomplete_fields = ["enrolment", "session"]

    @admin.display(description=_("cohort"))
    def cohort(self, obj):
        return obj.session.cohort


@admin.register(Assessment)
class AssessmentAdmin(CountryScopeMixin, EnrolmentRecordAdmin):
    country_lookups = ("enrolment__cohort__country",)
    list_display = ["teacher", "cohort", "kind", "score", "taken_on"]
    list_filter = ["kind", "enrolment__cohort__country", "enrolment__cohort__year"]
    list_select_related = ["enrolment__teacher", "enrolment__cohort"]
    date_hierarchy = "taken_on"
    autocomplete_fields = ["enrolment"]

    @admin.display(description=_("cohort"))
    def cohort(self, obj):
        return obj.enrolment.cohort


# --- coordinators: countries on the user page -----------------------------------------------


class CountryAssignmentInline(admin.TabularInline):
    model = CountryAssignment
    extra = 0
    verbose_name_plural = _("countries whose reports this coordinator reads")


@admin.register(CountryAssignment)
class CountryAssignmentAdmin(ReportDataMixin, admin.ModelAdmin):
    list_display = ["user", "country"]
    list_filter = ["country"]
    list_select_related = ["user"]
    search_fields = ["user__username", "user__email", "user__first_name", "user__last_name"]
    autocomplete_fields = ["user"]


admin.site.unregister(User)


@admin.register(User)
class PilotsUserAdmin(UserAdmin):
    inlines = [*UserAdmin.inlines, CountryAssignmentInline]


# --- emails to teachers and task workers: read-only, for staff to see what was sent -----------



@admin.register(OutboundEmail)
class OutboundEmailAdmin(CountryScopeMixin, ReadOnlyAdmin):
    country_lookups = ("enrolment__cohort__country",)
    list_display = ["queued_at", "kind", "enrolment", "sent_at", "attempts", "last_error"]
    list_filter = ["kind", ("sent_at", admin.EmptyFieldListFilter), "queued_at"]
    list_select_related = ["enrolment__teacher", "enrolment__cohort"]
    date_hierarchy = "queued_at"
    search_fields = ["enrolment__reference", "enrolment__teacher__email"]


@admin.register(WorkerHeartbeat)
class WorkerHeartbeatAdmin(ReadOnlyAdmin):
    list_display = ["worker_id", "hostname", "pid", "started_at", "seen_at"]


# --- teachers' data rights (pilots.privacy) ---------------------------------------------------
# Appended, and the teacher admins re-registered with access records, so that the classes above
# stay as they are.
from .privacy import admin as privacy_admin  # noqa: E402

privacy_admin.record_access_on(TeacherAdmin, EnrolmentAdmin, AttendanceAdmin, AssessmentAdmin)


# --- JSON API tokens (pilots.api) -------------------------------------------------------------

from .api.models import ApiCall, ApiToken  # noqa: E402
from .api.tokens import revoke_tokens, set_new_secret  # noqa: E402


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Staff issue tokens here. The secret is shown once, in the message after saving a new token;
    only its SHA-256 is kept. A token acts with its owner's rights (countries, permissions)."""

    list_display = ["name", "owner", "prefix", "can_write", "created_at", "last_used_at", "revoked_at"]
    list_filter = ["can_write", ("revoked_at", admin.EmptyFieldListFilter)]
    list_select_related = ["owner"]
    search_fields = ["name", "prefix", "owner__username"]
    autocomplete_fields = ["owner"]
    fields = ["owner", "name", "can_write", "prefix", "created_at", "last_used_at", "revoked_at"]
    readonly_fields = ["prefix", "created_at", "last_used_at", "revoked_at"]
    actions = ["revoke"]

    def get_readonly_fields(self, request, obj=None):
        # The owner of an issued token never changes: issue a new one instead.
        return [*self.readonly_fields, "owner"] if obj else self.readonly_fields

    def save_model(self, request, obj, form, change):
        secret = None if change else set_new_secret(obj)
        super().save_model(request, obj, form, change)
        if secret:
            messages.warning(
                request,
                _("The token's secret is %(secret)s. Copy it now: it is not stored and will not be shown "
                  "again.") % {"secret": secret},
            )

    @admin.action(description=_("Revoke the selected tokens"))
    def revoke(self, request, queryset):
        n = revoke_tokens(queryset)
        self.message_user(request, ngettext("%(n)d token revoked.", "%(n)d tokens revoked.", n) % {"n": n})


@admin.register(ApiCall)
class ApiCallAdmin(admin.ModelAdmin):
    """The record of calls made with tokens: read-only."""

    list_display = ["at", "token", "method", "endpoint", "status_code", "teachers"]
    list_filter = ["method", "status_code"]
    list_select_related = ["token"]
    search_fields = ["endpoint", "token__name", "token__prefix"]
    date_hierarchy = "at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


# Features that keep their admin in their own package.
from .certificates import admin as certificates_admin  # noqa: E402, F401
from .offers import admin as offers_admin  # noqa: E402, F401
from .scheduler import admin as scheduler_admin  # noqa: E402, F401
from .surveys import admin as surveys_admin  # noqa: E402, F401
