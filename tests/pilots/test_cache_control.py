"""Pages with personal data are never stored by a browser or a proxy: every page of the staff, import,
report and export namespaces and of the admin answers `Cache-Control: private, no-store` (the
status page too), found by walking the URL configuration, so a new page cannot be missed."""

import re

import pytest
from django.contrib import admin
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils.cache import get_max_age

from pilots.cache_control import PRIVATE_NAMESPACES
from pilots.status_links import make_registration_token
from tests.factories import AssessmentFactory, AttendanceFactory, EnrolmentFactory, SessionFactory

pytestmark = pytest.mark.django_db


def _routes(patterns, namespaces=(), prefix=""):
    for pattern in patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            inner = (*namespaces, pattern.namespace) if pattern.namespace else namespaces
            yield from _routes(pattern.url_patterns, inner, route)
        elif isinstance(pattern, URLPattern):
            yield namespaces, route


def private_routes():
    return [(ns, route) for ns, route in _routes(get_resolver().url_patterns)
            if PRIVATE_NAMESPACES.intersection(ns)]


@pytest.fixture
def data():
    enrolment = EnrolmentFactory()
    session = SessionFactory(cohort=enrolment.cohort)
    AttendanceFactory(enrolment=enrolment, session=session)
    AssessmentFactory(enrolment=enrolment)
    return {"enrolment": enrolment, "session": session, "cohort": enrolment.cohort}


def _fill(route, data):
    """A URL for `route` with real values for its parameters."""
    model = None
    match = re.match(r"^admin/(\w+)/(\w+)/", route)
    if match:
        model = next((m for m in admin.site._registry if (m._meta.app_label, m._meta.model_name) == match.groups()),
                     None)
    obj = model._default_manager.first() if model is not None else None
    values = {
        "pk": str(data["session"].pk if route.startswith("staff/sessions/") else data["cohort"].pk),
        "code": data["cohort"].code,
        "kind": "pre" if "scores" in route else "teachers",
        "fmt": "csv",
        "object_id": str(obj.pk) if obj is not None else "999999",
        "version_id": str(obj.history.first().history_id) if obj is not None and hasattr(obj, "history") else "1",
        "id": str(obj.pk) if obj is not None else "999999",
        "content_type_id": "1",
        "token": make_registration_token(data["enrolment"]),
    }
    # The admin's regex routes (an app's index, the catch-all): a plain URL each.
    url = re.sub(r"\^\(\?P<app_label>[\w|]+\)/\$", "pilots/", route)
    url = url.replace("(?P<url>.*)$", "no-such-page/")
    url = re.sub(r"<(?:\w+:)?(\w+)>", lambda m: values[m.group(1)], url)
    return "/" + url


def test_every_staff_report_export_and_admin_page_is_private_no_store(admin_client, data):
    routes = private_routes()
    namespaces = {ns for names, _ in routes for ns in names}
    assert namespaces >= {"admin", "staffing", "imports", "reports"}
    assert len(routes) > 60  # the admin's pages of every model are walked, not a sample
    for _, route in routes:
        url = _fill(route, data)
        if "(?P" in url or "<" in url:
            pytest.fail(f"route not filled: {route} -> {url}")
        response = admin_client.get(url)
        assert response.status_code < 500, url
        cache_control = response.get("Cache-Control", "")
        assert "private" in cache_control and "no-store" in cache_control, (url, response.status_code, cache_control)
        assert not get_max_age(response), url


def test_a_signed_out_visitor_sent_to_sign_in_from_a_staff_page_is_not_cached_either(client):
    for url in ("/staff/", "/reports/", "/reports/overview.csv", "/admin/pilots/teacher/", "/staff/import/"):
        response = client.get(url)
        assert response.status_code == 302
        assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]


def test_the_status_page_keeps_no_store_and_public_pages_stay_cacheable(client, data):
    token = make_registration_token(data["enrolment"])
    for name in ("my_registration", "done"):
        response = client.get(reverse(f"registration:{name}", args=[token]))
        assert response.status_code == 200
        assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]
    assert "no-store" not in client.get(reverse("registration:open_cohorts")).get("Cache-Control", "")
