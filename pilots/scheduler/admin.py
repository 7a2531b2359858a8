from django.contrib import admin

from pilots.admin import ReadOnlyAdmin

from .models import JobRun, Notice


@admin.register(JobRun)
class JobRunAdmin(ReadOnlyAdmin):
    list_display = ["job", "started_at", "finished_at", "outcome", "done"]
    list_filter = ["job", "outcome"]


@admin.register(Notice)
class NoticeAdmin(ReadOnlyAdmin):
    list_display = ["kind", "key", "enrolment", "created_at"]
    list_filter = ["kind"]
    list_select_related = ["enrolment__teacher", "enrolment__cohort"]
