from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from pilots import health

admin.site.site_header = "Pilots"
admin.site.site_title = _("Pilots administration")
admin.site.index_title = _("Prevention-education pilots")

urlpatterns = [
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("accounts/", include("django.contrib.auth.urls")),
    path("", include("pilots.urls")),
    path("", include("pilots.registration.urls")),
    path("staff/", include("pilots.staffing.urls")),
    path("staff/import/", include("pilots.imports.urls")),
    path("reports/", include("pilots.reports.urls")),
    path("", include("pilots.privacy.urls")),
    path("api/v1/", include("pilots.api.urls")),
    path("", include("pilots.checkin.urls")),
    path("", include("pilots.certificates.urls")),
    path("", include("pilots.offers.urls")),
    path("", include("pilots.calendar.urls")),
    path("", include("pilots.surveys.urls")),
    # Probes for the load balancer and the supervisor (pilots/health.py).
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
]

if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

# Error pages in the visitor's language, inside the site's layout (pilots/views.py).
handler403 = "pilots.views.permission_denied"
handler404 = "pilots.views.page_not_found"
handler500 = "pilots.errors.server_error"  # a database outage: 503; else pilots.views
