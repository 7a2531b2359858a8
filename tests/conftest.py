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
def _clear_cache():
    from django.core.cache import cache

    cache.clear()
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
