"""The home page. Each feature's pages come from its own package's urls (see config/urls.py)."""

from django.urls import path

from . import views

app_name = "pilots"

urlpatterns = [
    path("", views.home, name="home"),
]
