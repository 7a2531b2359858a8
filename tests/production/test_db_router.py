"""Reports read from the replica, except for a user who just wrote (pinned to the primary), and from
the primary when the replica does not answer, with a warning in /readyz.

The test replica is a mirror of the test database (settings), reached over its own connection;
"down" is a replica whose address leads nowhere, so its connection really fails.
"""

import contextlib

import pytest
from django.db import connections
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from pilots import db_router
from pilots.choices import EnrolmentStatus
from tests.factories import CohortFactory, EnrolmentFactory

pytestmark = pytest.mark.django_db(transaction=True, databases=["default", "replica"])


@pytest.fixture
def replica(settings):
    settings.PILOTS_READ_REPLICA = "replica"
    settings.PILOTS_REPLICA_CHECK_SECONDS = 0  # look at the replica on every request
    db_router.forget_replica_status()
    yield
    db_router.forget_replica_status()


@pytest.fixture
def report(staff_client):
    cohort = CohortFactory(code="kh-replica", country="KH")
    enrolment = EnrolmentFactory(cohort=cohort, status=EnrolmentStatus.CONFIRMED)
    url = reverse("reports:cohort", args=[cohort.code])
    return url, f'data-ref="{enrolment.reference}"'


@contextlib.contextmanager
def queries():
    with CaptureQueriesContext(connections["default"]) as primary, \
            CaptureQueriesContext(connections["replica"]) as replica:
        yield primary, replica


@contextlib.contextmanager
def replica_unreachable():
    settings_dict = connections["replica"].settings_dict
    saved = dict(settings_dict)
    if connections["replica"].vendor == "sqlite":
        settings_dict["NAME"] = "/nonexistent-directory/replica.sqlite3"
    else:
        settings_dict.update(HOST="127.0.0.1", PORT="1")  # nothing listens there
    # Closed after the change: Django never closes an in-memory SQLite connection.
    connections["replica"].close()
    try:
        yield
    finally:
        connections["replica"].close()
        settings_dict.clear()
        settings_dict.update(saved)


def _report_queries(primary, replica):
    """The report's reads on each database (the record of who looked is a write: the primary's)."""
    tables = ("pilots_enrolment", "pilots_cohort")
    on = lambda captured: [q["sql"] for q in captured  # noqa: E731
                           if q["sql"].startswith("SELECT") and any(t in q["sql"] for t in tables)]
    return on(primary), on(replica)


def test_a_report_reads_from_the_replica(replica, staff_client, report):
    report, row = report
    with queries() as (primary, mirror):
        response = staff_client.get(report)
    assert response.status_code == 200 and row in response.content.decode()
    on_primary, on_replica = _report_queries(primary, mirror)
    assert on_replica and not on_primary


def test_without_a_replica_configured_reports_read_from_the_primary(staff_client, report):
    report, _row = report
    with queries() as (primary, mirror):
        assert staff_client.get(report).status_code == 200
    on_primary, on_replica = _report_queries(primary, mirror)
    assert on_primary and not on_replica


def test_a_user_who_just_wrote_reads_the_primary_then_the_replica_again(replica, staff_client, report, settings):
    report, _row = report
    response = staff_client.post("/i18n/setlang/", {"language": "en"})
    assert response.status_code == 302 and db_router.PIN_COOKIE in response.cookies
    pin = response.cookies[db_router.PIN_COOKIE]
    assert pin["httponly"] and int(pin["max-age"]) == settings.PILOTS_PRIMARY_PIN_SECONDS
    with queries() as (primary, mirror):
        staff_client.get(report + "?era=be")  # another cache entry: the report is read again
    on_primary, on_replica = _report_queries(primary, mirror)
    assert on_primary and not on_replica
    # Once the pin has expired (the browser drops the cookie), reads go back to the replica.
    del staff_client.cookies[db_router.PIN_COOKIE]
    with queries() as (primary, mirror):
        staff_client.get(report + "?era=ce")
    on_primary, on_replica = _report_queries(primary, mirror)
    assert on_replica and not on_primary


def test_a_forged_pin_cookie_is_ignored(replica, staff_client, report):
    report, _row = report
    staff_client.cookies[db_router.PIN_COOKIE] = "1700000000"  # unsigned
    with queries() as (primary, mirror):
        staff_client.get(report)
    assert _report_queries(primary, mirror)[1]


def test_pages_outside_reports_never_read_from_the_replica(replica, staff_client, report):
    with queries() as (primary, mirror):
        assert staff_client.get("/cohorts/").status_code == 200
    assert not mirror.captured_queries


def test_replica_down_reports_answer_from_the_primary_and_readyz_warns(replica, staff_client, report, client):
    report, row = report
    with replica_unreachable():
        with CaptureQueriesContext(connections["default"]) as primary:
            response = staff_client.get(report)
        assert response.status_code == 200 and row in response.content.decode()
        assert _report_queries(primary, [])[0]
        ready = client.get("/readyz")
        body = ready.json()
    assert ready.status_code == 200 and body["status"] == "degraded"
    assert body["checks"]["replica"] == {"configured": True, "ok": False, "lag_seconds": None, "reads_from": "primary"}
    assert any("reports read from the primary" in warning for warning in body["warnings"])
    # The replica is back: the next check finds it.
    assert client.get("/readyz").json()["checks"]["replica"]["reads_from"] == "replica"


def test_a_replica_lost_between_two_health_checks_still_gives_the_report(replica, staff_client, report, settings):
    report, row = report
    settings.PILOTS_REPLICA_CHECK_SECONDS = 3600  # the last check said "healthy" and is not repeated
    assert staff_client.get(report).status_code == 200
    assert db_router.replica_status()["ok"]
    with replica_unreachable():
        with CaptureQueriesContext(connections["default"]) as primary:
            response = staff_client.get(report + "?era=be")  # not cached yet: the report is read
        assert response.status_code == 200 and row in response.content.decode()
        assert _report_queries(primary, [])[0]
        # The failure was noticed: the next requests go straight to the primary.
        assert not db_router.replica_status()["ok"]
