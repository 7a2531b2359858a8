"""Spreadsheet import, under /staff/import/."""

from django.urls import path

from . import views

app_name = "imports"

urlpatterns = [
    path("", views.import_upload, name="upload"),
    path("confirm/", views.import_confirm, name="confirm"),
    path("template/<slug:kind>.<slug:fmt>", views.import_template, name="template"),
]
