"""Property-based test of the whole API against its own OpenAPI schema (schemathesis, through
the WSGI application, so the generated requests reach the real views and the test database):
whatever the input, no 5xx, and every answer's status, content type and body match the schema."""

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from config.wsgi import application
from pilots.choices import EnrolmentStatus
from tests.api.support import staff_token
from tests.factories import EnrolmentFactory, ModuleFactory, OpenCohortFactory, SessionFactory

schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


@pytest.fixture(autouse=True)
def _keep_the_test_connection():
    """Django's WSGI handler closes the database connection after each request (as in production);
    the test's transaction lives on that connection, so keep it, as Django's own test client does."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def api_data(db, django_user_model, settings):
    settings.PILOTS_API_TOKEN_RATE = "100000/m"
    settings.PILOTS_API_PUBLIC_RATE = "100000/m"
    cohort = OpenCohortFactory(code="kh-open", capacity=3)
    module = ModuleFactory(programme=cohort.programme)
    SessionFactory(cohort=cohort, module=module)
    for status in (EnrolmentStatus.CONFIRMED, EnrolmentStatus.WAITLISTED, EnrolmentStatus.APPLIED):
        EnrolmentFactory(cohort=cohort, status=status)
    token, secret = staff_token(django_user_model)
    token.owner.is_superuser = True
    token.owner.save()
    return {"Authorization": f"Bearer {secret}"}


@schema.parametrize()
@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
def test_every_answer_matches_the_schema_and_none_is_a_server_error(case, api_data):
    case.call_and_validate(headers=api_data, checks=CHECKS)


@schema.parametrize()
@settings(max_examples=10, deadline=None, suppress_health_check=list(HealthCheck))
def test_without_a_token_every_answer_matches_the_schema_too(case, db, settings):
    settings.PILOTS_API_PUBLIC_RATE = "100000/m"
    case.call_and_validate(checks=CHECKS)
