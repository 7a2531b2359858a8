"""The OpenAPI schema and its docs page: Swagger UI from our own static files, under the CSP."""

import pytest
from django.contrib.staticfiles import finders

from tests.factories import OpenCohortFactory


@pytest.mark.django_db
def test_the_schema_is_published_with_every_operation(client):
    schema = client.get("/api/v1/openapi.json").json()
    assert schema["openapi"].startswith("3.")
    assert {"/api/v1/public/cohorts", "/api/v1/partner/overview", "/api/v1/staff/sessions/{session_id}/attendance",
            "/api/v1/staff/enrolments/{reference}/status"} <= set(schema["paths"])
    assert schema["components"]["securitySchemes"]["TokenAuth"]["scheme"] == "bearer"


@pytest.mark.django_db
def test_the_schema_has_the_cohort_and_session_writes_and_the_survey_figures(client):
    schema = client.get("/api/v1/openapi.json").json()
    operations = {(path, method): op["operationId"] for path, item in schema["paths"].items()
                  for method, op in item.items()}
    assert {
        ("/api/v1/staff/cohorts", "post"): "create_cohort",
        ("/api/v1/staff/cohorts/{code}", "patch"): "change_cohort",
        ("/api/v1/staff/cohorts/{code}/sessions", "post"): "create_session",
        ("/api/v1/staff/sessions/{session_id}", "get"): "staff_session",
        ("/api/v1/staff/sessions/{session_id}", "patch"): "change_session",
    }.items() <= operations.items()
    create = schema["paths"]["/api/v1/staff/cohorts"]["post"]
    assert {"201", "403", "404", "409", "422"} <= set(create["responses"])
    assert create["security"] == [{"TokenAuth": []}]
    components = schema["components"]["schemas"]
    assert {"name_km", "capacity", "province"} <= set(components["CohortIn"]["properties"])
    assert {"starts_at", "module"} <= set(components["SessionIn"]["properties"])
    assert "surveys" in components["OverviewOut"]["properties"]
    assert "surveys" in components["CohortSummaryOut"]["properties"]
    assert {"response_rate", "answered"} <= set(components["CohortSurveyOut"]["properties"])


@pytest.mark.django_db
def test_the_docs_page_loads_swagger_ui_from_our_static_files_not_a_cdn(client):
    html = client.get("/api/v1/docs").content.decode()
    assert "/static/ninja/swagger-ui-bundle.js" in html
    assert "/static/ninja/swagger-ui.css" in html
    assert "cdn" not in html.lower()
    assert "https://" not in html
    assert finders.find("ninja/swagger-ui-bundle.js")


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_docs_page_works_in_chromium_under_the_content_security_policy(page, live_server):
    OpenCohortFactory()
    refused, requested = [], []
    page.on("console", lambda m: refused.append(m.text) if "Content Security Policy" in m.text else None)
    page.on("request", lambda r: requested.append(r.url))
    page.goto("/api/v1/docs")
    page.wait_for_selector(".opblock-summary-path", timeout=15_000)
    paths = [p.replace("\u200b", "") for p in page.locator(".opblock-summary-path").all_inner_texts()]
    assert "/api/v1/public/cohorts" in paths
    assert not refused, refused
    assert [url for url in requested if not url.startswith((live_server.url, "data:", "blob:"))] == []
