"""Teachers' data rights: the teacher's pages (behind the signed status link) and the staff pages."""

from django.urls import path

from . import views

app_name = "privacy"

urlpatterns = [
    path("registration/<str:token>/my-data/", views.my_data, name="my_data"),
    path("registration/<str:token>/my-data.json", views.my_data_json, name="my_data_json"),
    path("registration/<str:token>/consent/", views.consent, name="consent"),
    path("registration/<str:token>/request/", views.data_request, name="request"),
    path("staff/privacy/requests/", views.requests_register, name="requests"),
    path("staff/privacy/record-of-processing/", views.record_of_processing, name="record_of_processing"),
    path("staff/privacy/record-of-processing.csv", views.record_of_processing_export,
         name="record_of_processing_export"),
]
