"""Coordinator reports and their exports, under /reports/."""

from django.urls import path

from . import views

app_name = "reports"

urlpatterns = [
    path("", views.overview, name="overview"),
    path("overview.<str:fmt>", views.overview_export, name="overview_export"),
    path("overview-shared.csv", views.overview_shared_export, name="overview_shared"),
    path("cohorts/<slug:code>/", views.cohort_report, name="cohort"),
    path("cohorts/<slug:code>/roster.<str:fmt>", views.cohort_roster_export, name="cohort_roster"),
    path("cohorts/<slug:code>/summary-shared.csv", views.cohort_summary_export, name="cohort_summary"),
]
