from django.urls import path

from . import views

app_name = "surveys"

urlpatterns = [
    path("registration/<str:token>/surveys/<int:pk>/", views.answer, name="answer"),
    path("reports/surveys/", views.survey_list, name="reports"),
    path("reports/surveys/<int:pk>/", views.survey_report, name="report"),
    path("reports/surveys/<int:pk>/reach-shared.csv", views.reach_export, name="reach_export"),
    path("reports/surveys/<int:pk>/reach.<str:fmt>", views.reach_programme_export, name="reach_programme_export"),
]
