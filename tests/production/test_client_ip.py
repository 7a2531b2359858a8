"""Behind nginx every request comes from the proxy's address: the rate limit must count the real
client, taken from X-Forwarded-For as far as the trusted proxies vouch for it."""

import pytest
from django.test import RequestFactory

from pilots.client_ip import client_ip
from pilots.models import Enrolment
from tests.factories import OpenCohortFactory
from tests.registration.helpers import registration_data

pytestmark = pytest.mark.django_db

PROXY = "127.0.0.1"


def _post(client, cohort, email, forwarded_for=None):
    headers = {"REMOTE_ADDR": PROXY}
    if forwarded_for:
        headers["HTTP_X_FORWARDED_FOR"] = forwarded_for
    return client.post(
        f"/cohorts/{cohort.code}/register/", registration_data(cohort, email=email), **headers
    ).status_code


def test_teachers_behind_the_proxy_each_have_their_own_registration_limit(client, settings):
    settings.PILOTS_REGISTRATION_RATE = "2/h"  # an hour: no window boundary inside the test
    settings.PILOTS_PROXY_COUNT = 1
    cohort = OpenCohortFactory(capacity=50)
    first = [_post(client, cohort, f"a{i}@example.org", "203.0.113.5") for i in range(3)]
    assert first == [302, 302, 429]
    # Another teacher, through the same nginx, is not punished for the first one's attempts.
    assert _post(client, cohort, "b@example.org", "203.0.113.77") == 302
    assert Enrolment.objects.count() == 3


def test_a_forged_forwarded_for_does_not_buy_a_fresh_limit(client, settings):
    settings.PILOTS_REGISTRATION_RATE = "2/h"  # an hour: no window boundary inside the test
    settings.PILOTS_PROXY_COUNT = 1
    cohort = OpenCohortFactory(capacity=50)
    # nginx appends the real address after whatever the client sent: only that last entry counts.
    statuses = [_post(client, cohort, f"f{i}@example.org", f"198.51.100.{i}, 203.0.113.9") for i in range(3)]
    assert statuses == [302, 302, 429]


def test_without_a_proxy_the_header_is_ignored(client, settings):
    settings.PILOTS_REGISTRATION_RATE = "2/h"  # an hour: no window boundary inside the test
    settings.PILOTS_PROXY_COUNT = 0
    cohort = OpenCohortFactory(capacity=50)
    statuses = [_post(client, cohort, f"n{i}@example.org", f"198.51.100.{i}") for i in range(3)]
    assert statuses == [302, 302, 429]


@pytest.mark.parametrize(
    ("proxies", "forwarded", "expected"),
    [
        (0, "198.51.100.1", PROXY),
        (1, "198.51.100.1", "198.51.100.1"),
        (1, "10.0.0.1, 198.51.100.1", "198.51.100.1"),
        (2, "10.0.0.1, 198.51.100.1, 192.0.2.7", "198.51.100.1"),
        (1, "", PROXY),
    ],
)
def test_client_ip_takes_the_entry_the_trusted_proxies_vouch_for(settings, proxies, forwarded, expected):
    settings.PILOTS_PROXY_COUNT = proxies
    request = RequestFactory().get("/", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=forwarded)
    assert client_ip(request) == expected
