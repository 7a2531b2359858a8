from django.urls import include, path

from . import registration_views, report_views, views

app_name = "pilots"

urlpatterns = [
    path("", views.home, name="home"),
    # Public pages for teachers (no login). URLs carry cohort codes and signed tokens, never
    # personal data.
    path("cohorts/", registration_views.open_cohorts, name="open_cohorts"),
    path("cohorts/<slug:code>/", registration_views.cohort_detail, name="cohort_detail"),
    path("cohorts/<slug:code>/register/", registration_views.register, name="register"),
    path("registration/<str:token>/", registration_views.my_registration, name="my_registration"),
    path("registration/<str:token>/done/", registration_views.registration_done, name="registration_done"),
    path("registration/<str:token>/withdraw/", registration_views.withdraw, name="withdraw"),
    # Staff pages.
    path("staff/", include("pilots.staff_urls")),
    # Coordinator reports.
    path("reports/", report_views.overview, name="report_overview"),
    path("reports/overview.<str:fmt>", report_views.overview_export, name="report_overview_export"),
    path("reports/overview-shared.csv", report_views.overview_shared_export, name="report_overview_shared"),
    path("reports/cohorts/<slug:code>/", report_views.cohort_report, name="report_cohort"),
    path("reports/cohorts/<slug:code>/roster.<str:fmt>", report_views.cohort_roster_export,
         name="report_cohort_roster"),
    path("reports/cohorts/<slug:code>/summary-shared.csv", report_views.cohort_summary_export,
         name="report_cohort_summary"),
]
