"""Login throttling on the staff sign-in and the admin's (django-axes), and the one client-address
rule (pilots.client_ip) that it and the rate limits share."""

import datetime as dt
import os
import time

import pytest
from django.test import RequestFactory
from django.urls import reverse

from pilots.client_ip import client_ip
from tests.factories import OpenCohortFactory

pytestmark = pytest.mark.django_db

LOGIN_URLS = ["/accounts/login/", "/admin/login/"]
HOME = {"REMOTE_ADDR": "198.51.100.7"}
ELSEWHERE = {"REMOTE_ADDR": "203.0.113.50"}


def _sign_in(client, url, username, password, **meta):
    return client.post(url, {"username": username, "password": password, "next": "/"}, **meta)


def _signed_in(response, url):
    # The staff sign-in goes to `next`; the admin's goes to the admin index.
    return response.status_code == 302 and response["Location"] in ("/", "/admin/")


@pytest.fixture
def accounts(django_user_model):
    django_user_model.objects.create_user("dara", password="right-Passw0rd", is_staff=True)
    django_user_model.objects.create_user("somchai", password="other-Passw0rd", is_staff=True)


@pytest.mark.parametrize("url", LOGIN_URLS)
def test_thirty_wrong_passwords_then_the_right_one_is_refused_with_the_lockout_page(client, accounts, url):
    for _ in range(30):
        response = _sign_in(client, url, "dara", "wrong", **HOME)
        assert response.status_code in (200, 429)
    response = _sign_in(client, url, "dara", "right-Passw0rd", **HOME)
    assert response.status_code == 429
    html = response.content.decode()
    assert "<h1>Sign-in paused</h1>" in html
    assert "paused for 15 minutes" in html and "Please try again after" in html
    assert 'href="/static/bootstrap/css/bootstrap.min.css"' in html  # the site's layout
    assert "_auth_user_id" not in client.session


@pytest.mark.parametrize("url", LOGIN_URLS)
def test_the_fifth_wrong_password_locks_and_four_do_not(client, accounts, url):
    for _ in range(4):
        assert _sign_in(client, url, "dara", "wrong", **HOME).status_code == 200
    assert _signed_in(_sign_in(client, url, "dara", "right-Passw0rd", **HOME), url)
    client.logout()
    # A success resets the count: four more failures still do not lock.
    for _ in range(4):
        assert _sign_in(client, url, "dara", "wrong", **HOME).status_code == 200
    assert _sign_in(client, url, "dara", "wrong", **HOME).status_code == 429
    assert _sign_in(client, url, "dara", "right-Passw0rd", **HOME).status_code == 429


def test_a_locked_account_is_locked_from_every_address_and_a_locked_address_for_every_account(
    client, accounts
):
    url = LOGIN_URLS[0]
    for _ in range(5):
        _sign_in(client, url, "dara", "wrong", **HOME)
    # The same account from another address: still paused (guessing from many addresses fails too).
    assert _sign_in(client, url, "dara", "right-Passw0rd", **ELSEWHERE).status_code == 429
    # Another account from the same address: paused too (one address trying many accounts).
    assert _sign_in(client, url, "somchai", "other-Passw0rd", **HOME).status_code == 429
    # Another account from another address is not affected.
    assert _signed_in(_sign_in(client, url, "somchai", "other-Passw0rd", **ELSEWHERE), url)


def test_the_lockout_page_is_translated(client, accounts):
    for _ in range(5):
        _sign_in(client, LOGIN_URLS[0], "dara", "wrong", **HOME)
    pages = {}
    for language in ("km", "th", "vi"):
        client.cookies["django_language"] = language
        response = _sign_in(client, LOGIN_URLS[0], "dara", "right-Passw0rd", **HOME)
        assert response.status_code == 429
        pages[language] = response.content.decode()
        assert f'<html lang="{language}">' in pages[language]
        assert "Sign-in paused" not in pages[language] and "15" in pages[language]
    assert len(set(pages.values())) == 3


def test_after_the_cool_off_the_right_password_works_again(client, accounts, settings):
    settings.AXES_COOLOFF_TIME = dt.timedelta(seconds=1)
    for _ in range(5):
        _sign_in(client, LOGIN_URLS[0], "dara", "wrong", **HOME)
    assert _sign_in(client, LOGIN_URLS[0], "dara", "right-Passw0rd", **HOME).status_code == 429
    time.sleep(1.2)
    assert _signed_in(_sign_in(client, LOGIN_URLS[0], "dara", "right-Passw0rd", **HOME), LOGIN_URLS[0])


def test_failures_are_counted_per_client_address_behind_the_proxy(client, accounts, settings):
    settings.PILOTS_PROXY_COUNT = 1
    proxy = {"REMOTE_ADDR": "10.0.0.2"}
    for _ in range(5):
        _sign_in(client, LOGIN_URLS[0], "dara", "wrong", HTTP_X_FORWARDED_FOR="198.51.100.7", **proxy)
    # Another teacher's address through the same proxy is not the locked one.
    response = _sign_in(
        client, LOGIN_URLS[0], "somchai", "other-Passw0rd", HTTP_X_FORWARDED_FOR="203.0.113.50", **proxy
    )
    assert _signed_in(response, LOGIN_URLS[0])
    # A forged header in front of the real one does not change the address that is counted.
    response = _sign_in(
        client, LOGIN_URLS[0], "somchai", "other-Passw0rd",
        HTTP_X_FORWARDED_FOR="203.0.113.99, 198.51.100.7", **proxy,
    )
    assert response.status_code == 429


# --- the client address ---------------------------------------------------------------------------


def _request(remote="192.0.2.1", forwarded=None):
    meta = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        meta["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **meta)


def test_without_a_proxy_the_address_is_remote_addr_and_a_forwarded_header_is_ignored(settings):
    settings.PILOTS_PROXY_COUNT = 0
    assert client_ip(_request("192.0.2.1", "203.0.113.9")) == "192.0.2.1"


@pytest.mark.parametrize(
    ("proxies", "forwarded", "expected"),
    [
        (1, "203.0.113.9", "203.0.113.9"),
        (1, "6.6.6.6, 203.0.113.9", "203.0.113.9"),  # the client wrote 6.6.6.6 itself
        (2, "6.6.6.6, 203.0.113.9, 10.0.0.1", "203.0.113.9"),
        (2, "203.0.113.9", "203.0.113.9"),  # entered after the outer proxy
        (1, "2001:db8::1", "2001:db8::1"),
        (1, "not-an-address", "192.0.2.1"),
        (1, "", "192.0.2.1"),
    ],
)
def test_behind_proxies_the_address_is_the_one_the_outermost_trusted_proxy_saw(
    settings, proxies, forwarded, expected
):
    settings.PILOTS_PROXY_COUNT = proxies
    assert client_ip(_request("192.0.2.1", forwarded)) == expected


def test_the_registration_rate_limit_counts_the_client_behind_the_proxy(client, settings):
    settings.PILOTS_PROXY_COUNT = 1
    settings.PILOTS_REGISTRATION_RATE = "2/h"
    cohort = OpenCohortFactory()
    url = reverse("registration:register", args=[cohort.code])
    for _ in range(3):
        response = client.post(url, {}, REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="198.51.100.7")
    assert response.status_code == 429
    # Another teacher behind the same proxy is not limited.
    response = client.post(url, {}, REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="203.0.113.50")
    assert response.status_code == 200


# --- production: counted in Redis ---------------------------------------------------------------


@pytest.fixture
def redis_counting(settings):
    """The production set-up: Redis as the default cache and axes' cache handler (REDIS_URL set)."""
    import redis
    from axes.handlers.proxy import AxesProxyHandler

    url = os.environ.get("PILOTS_TEST_REDIS_URL", "redis://127.0.0.1:6379/2")
    try:
        redis.Redis.from_url(url, socket_connect_timeout=1).ping()
    except redis.exceptions.RedisError:
        pytest.skip(f"no Redis at {url}")
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": url,
                                   "KEY_PREFIX": "pilots-test-axes"}}
    settings.AXES_HANDLER = "axes.handlers.cache.AxesCacheHandler"
    from django.core.cache import cache

    cache.clear()
    AxesProxyHandler.get_implementation(force=True)
    yield
    cache.clear()
    settings.AXES_HANDLER = "axes.handlers.database.AxesDatabaseHandler"
    AxesProxyHandler.get_implementation(force=True)


def test_with_redis_failures_are_counted_in_the_cache_not_the_database(client, accounts, redis_counting):
    from axes.models import AccessAttempt

    url = LOGIN_URLS[1]
    for _ in range(30):
        _sign_in(client, url, "dara", "wrong", **HOME)
    assert _sign_in(client, url, "dara", "right-Passw0rd", **HOME).status_code == 429
    assert _sign_in(client, url, "dara", "right-Passw0rd", **ELSEWHERE).status_code == 429
    assert _signed_in(_sign_in(client, url, "somchai", "other-Passw0rd", **ELSEWHERE), url)
    assert not AccessAttempt.objects.exists()
