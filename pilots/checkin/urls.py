"""The teacher's check-in page (no login). The staff screen lives under staffing's URLs."""

from django.urls import path

from . import views

app_name = "checkin"

urlpatterns = [
    path("check-in/", views.check_in, name="check_in"),
]
