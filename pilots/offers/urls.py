from django.urls import path

from . import views

app_name = "offers"

urlpatterns = [
    path("registration/<str:token>/offer/", views.offer, name="offer"),
]
