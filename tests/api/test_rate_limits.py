"""Rate limits: per token (and per address on the public endpoints), 429 with Retry-After and a
JSON error in the language asked."""

import pytest

from pilots.choices import Country
from tests.api.support import bearer, partner_token
from tests.factories import OpenCohortFactory

pytestmark = pytest.mark.django_db


def test_a_token_over_its_rate_gets_429_with_retry_after_and_others_are_not_affected(
        client, make_coordinator, settings):
    settings.PILOTS_API_TOKEN_RATE = "3/m"
    busy = partner_token(make_coordinator, Country.THAILAND, username="busy")
    calm = partner_token(make_coordinator, Country.THAILAND, username="calm")
    statuses = [client.get("/api/v1/partner/overview", **bearer(busy)).status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    limited = client.get("/api/v1/partner/overview", **bearer(busy), HTTP_ACCEPT_LANGUAGE="vi")
    assert limited.status_code == 429
    assert 1 <= int(limited["Retry-After"]) <= 60
    assert limited.json()["code"] == "rate_limited"
    assert limited.json()["message"] == "Quá nhiều yêu cầu. Vui lòng chờ rồi thử lại."
    assert client.get("/api/v1/partner/overview", **bearer(calm)).status_code == 200


def test_the_public_endpoints_are_limited_per_address(client, settings):
    settings.PILOTS_API_PUBLIC_RATE = "2/m"
    OpenCohortFactory()
    statuses = [client.get("/api/v1/public/cohorts", REMOTE_ADDR="203.0.113.9").status_code for _ in range(3)]
    assert statuses == [200, 200, 429]
    assert client.get("/api/v1/public/cohorts", REMOTE_ADDR="203.0.113.10").status_code == 200
