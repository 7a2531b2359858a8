from django.urls import include, path

from . import views

app_name = "pilots"

urlpatterns = [
    path("", views.home, name="home"),
    path("staff/", include("pilots.staff_urls")),
]
