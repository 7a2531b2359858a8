from django.urls import path

from . import views

app_name = "calendar"

urlpatterns = [
    path("registration/<str:token>/calendar.ics", views.calendar_file, name="ics"),
]
