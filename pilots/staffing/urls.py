"""Staff pages, under /staff/."""

from django.urls import path

from pilots.checkin import views as checkin_views

from . import views

app_name = "staffing"

urlpatterns = [
    path("", views.my_cohorts, name="my_cohorts"),
    path("sessions/<int:pk>/attendance/", views.attendance_register, name="attendance"),
    path("sessions/<int:pk>/sign-in-sheet/", views.sign_in_sheet, name="sign_in_sheet"),
    path("cohorts/<int:pk>/scores/<slug:kind>/", views.scores, name="scores"),
    path("cohorts/<int:pk>/review/", views.review, name="review"),
    path("sessions/<int:pk>/check-in/", checkin_views.screen, name="check_in"),
    path("enrolments/<int:pk>/history/", views.enrolment_history, name="enrolment_history"),
]
