from django.urls import path

from . import registration_views, views

app_name = "pilots"

urlpatterns = [
    path("", views.home, name="home"),
    path("cohorts/", registration_views.open_cohorts, name="open_cohorts"),
    path("cohorts/<slug:code>/", registration_views.cohort_detail, name="cohort_detail"),
    path("cohorts/<slug:code>/register/", registration_views.register, name="register"),
    path("registration/<str:token>/", registration_views.my_registration, name="my_registration"),
    path("registration/<str:token>/done/", registration_views.registration_done, name="registration_done"),
    path("registration/<str:token>/withdraw/", registration_views.withdraw, name="withdraw"),
]
