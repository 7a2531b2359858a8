"""Public pages for teachers (no login). URLs carry cohort codes and signed tokens, never personal
data."""

from django.urls import path

from . import views

app_name = "registration"

urlpatterns = [
    path("cohorts/", views.open_cohorts, name="open_cohorts"),
    path("cohorts/<slug:code>/", views.cohort_detail, name="cohort_detail"),
    path("cohorts/<slug:code>/register/", views.register, name="register"),
    # Outside /registration/<token>/, whose token segment logs redact (pilots.log_redaction).
    path("registration-link/", views.request_link, name="request_link"),
    path("registration/<str:token>/", views.my_registration, name="my_registration"),
    path("registration/<str:token>/done/", views.registration_done, name="done"),
    path("registration/<str:token>/withdraw/", views.withdraw, name="withdraw"),
]
