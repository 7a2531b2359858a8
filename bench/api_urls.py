"""URLs of the API benchmark's server: the project's, plus a bare Django view (a JSON constant, no
database) as the baseline measured in the same run."""

from django.http import JsonResponse
from django.urls import path

from config.urls import urlpatterns as project_urlpatterns


def bare(request):
    return JsonResponse({"ok": True})


urlpatterns = [path("bench/bare/", bare), *project_urlpatterns]
