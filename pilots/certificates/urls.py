"""Certificates: the public verification page, the teacher's download behind the status link,
the staff page that issues a cohort's certificates and the coordinators' counts."""

from django.urls import path

from . import views

app_name = "certificates"

urlpatterns = [
    path("certificates/<str:code>/", views.verify, name="verify"),
    path("registration/<str:token>/certificate/", views.download, name="download"),
    path("staff/certificates/cohorts/<slug:code>/", views.cohort_certificates, name="cohort"),
    path("reports/certificates/", views.issued_counts, name="counts"),
]
