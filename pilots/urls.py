from django.urls import include, path

from . import views

app_name = "pilots"

urlpatterns = [
    path("", views.home, name="home"),
    path("staff/", include("pilots.staff_urls")),
]

# Reports (issue 4): cohort URLs carry the cohort code only, never personal data.
from . import report_views  # noqa: E402

urlpatterns += [
    path("reports/", report_views.overview, name="report_overview"),
    path("reports/overview.<str:fmt>", report_views.overview_export, name="report_overview_export"),
    path("reports/overview-shared.csv", report_views.overview_shared_export,
         name="report_overview_shared"),
    path("reports/cohorts/<slug:code>/", report_views.cohort_report, name="report_cohort"),
    path("reports/cohorts/<slug:code>/roster.<str:fmt>", report_views.cohort_roster_export,
         name="report_cohort_roster"),
    path("reports/cohorts/<slug:code>/summary-shared.csv", report_views.cohort_summary_export,
         name="report_cohort_summary"),
]
