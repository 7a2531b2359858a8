"""Staff pages, included under /staff/ by pilots/urls.py (names in the "pilots" namespace)."""

from django.urls import path

from . import staff_views

urlpatterns = [
    path("", staff_views.my_cohorts, name="staff_cohorts"),
    path("sessions/<int:pk>/attendance/", staff_views.attendance_register, name="staff_attendance"),
    path("sessions/<int:pk>/sign-in-sheet/", staff_views.sign_in_sheet, name="staff_sign_in"),
    path("cohorts/<int:pk>/scores/<slug:kind>/", staff_views.scores, name="staff_scores"),
    path("cohorts/<int:pk>/review/", staff_views.review, name="staff_review"),
    path("import/", staff_views.import_upload, name="staff_import"),
    path("import/confirm/", staff_views.import_confirm, name="staff_import_confirm"),
    path("import/template/<slug:kind>.<slug:fmt>", staff_views.import_template, name="staff_import_template"),
]
