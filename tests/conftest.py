import pytest
from django.db import connection

from pilots.roles import COORDINATORS, PROGRAMME_STAFF


def pytest_collection_modifyitems(config, items):
    """Skip PostgreSQL-only tests on SQLite, saying why."""
    if connection.vendor == "postgresql":
        return
    skip = pytest.mark.skip(
        reason="needs PostgreSQL (row locks and lock_timeout); run with DATABASE_URL=postgres://..."
    )
    for item in items:
        if "postgres" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _english_unless_a_test_says_otherwise():
    """A request in another language leaves it active in the thread; start each test in English."""
    from django.utils import translation

    translation.activate("en")
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _clear_cache():
    from django.core.cache import cache

    from pilots import kept

    cache.clear()
    kept.forget_all()  # what the process keeps of the last test's rows (cohorts, provinces...)
    yield


@pytest.fixture
def staff_user(db, django_user_model):
    from django.contrib.auth.models import Group

    user = django_user_model.objects.create_user(
        "staff", "staff@example.org", "pw-staff-1234", is_staff=True
    )
    user.groups.add(Group.objects.get(name=PROGRAMME_STAFF))
    return user


@pytest.fixture
def staff_client(client, staff_user):
    client.force_login(staff_user)
    return client


@pytest.fixture
def make_coordinator(db, django_user_model):
    from django.contrib.auth.models import Group

    from pilots.models import CountryAssignment

    def make(*countries, username=None):
        user = django_user_model.objects.create_user(
            username or f"coord-{'-'.join(countries).lower() or 'none'}", password="pw-coord-1234"
        )
        user.groups.add(Group.objects.get(name=COORDINATORS))
        for country in countries:
            CountryAssignment.objects.create(user=user, country=country)
        return user

    return make


CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="session")
def chromium():
    """Debian's Chromium driven by Playwright; skipped with a reason where it is not installed."""
    import os
    import shutil

    if not os.path.exists(CHROMIUM) and not shutil.which("chromium"):
        pytest.skip("Debian's chromium is not installed (apt-get install chromium); browser tests skipped")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM if os.path.exists(CHROMIUM) else shutil.which("chromium"),
            args=CHROMIUM_ARGS,
        )
        yield browser
        browser.close()


@pytest.fixture
def page(chromium, live_server):
    """A fresh browser page (own cookies) whose `base_url` is the live server."""
    context = chromium.new_context(base_url=live_server.url, locale="en-GB")
    context.set_default_timeout(15_000)
    page = context.new_page()
    yield page
    context.close()

