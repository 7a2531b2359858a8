"""Who sees which countries and cohorts (`pilots.access`): the one visibility rule."""

import pytest
from django.http import Http404

from pilots.access import (
    ALL,
    check_staff_cohort,
    report_cohorts,
    sees_all_countries,
    staff_cohorts,
    visible_countries,
)
from pilots.models import Cohort
from tests.factories import CohortFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def superuser(django_user_model):
    return django_user_model.objects.create_superuser("root", "root@example.org", "pw-root-1234")


@pytest.fixture
def cohorts(db):
    """One national cohort per country and one regional cohort."""
    return {
        "KH": CohortFactory(country="KH", language="km"),
        "TH": CohortFactory(country="TH", language="th"),
        "VN": CohortFactory(country="VN", language="vi"),
        "regional": CohortFactory(kind="regional_tot", country="", language="en"),
    }


def _codes(queryset):
    return set(queryset.values_list("code", flat=True))


def _codes_of(cohorts, *keys):
    return {cohorts[key].code for key in keys}


def test_staff_and_superusers_see_all_countries_and_coordinators_do_not(staff_user, superuser, make_coordinator):
    assert sees_all_countries(staff_user) is True
    assert sees_all_countries(superuser) is True
    assert sees_all_countries(make_coordinator("KH", "TH", "VN")) is False  # every country is not ALL


def test_visible_countries(staff_user, superuser, make_coordinator, django_assert_num_queries):
    assert visible_countries(staff_user) == ALL
    assert visible_countries(superuser) == ALL
    coordinator = make_coordinator("VN", "KH")
    sees_all_countries(coordinator)  # loads the user's permissions, cached on the user
    with django_assert_num_queries(1):
        assert visible_countries(coordinator) == ("KH", "VN")  # sorted: the same cache key
    assert visible_countries(make_coordinator()) == ()


def test_a_coordinator_reads_reports_of_their_countries_only_never_regional(cohorts, make_coordinator):
    assert _codes(report_cohorts(make_coordinator("TH"))) == _codes_of(cohorts, "TH")
    assert _codes(report_cohorts(make_coordinator("KH", "VN"))) == _codes_of(cohorts, "KH", "VN")
    assert _codes(report_cohorts(make_coordinator())) == set()


def test_staff_and_superusers_read_every_report_regional_included(cohorts, staff_user, superuser):
    every = _codes_of(cohorts, "KH", "TH", "VN", "regional")
    assert _codes(report_cohorts(staff_user)) == every
    assert _codes(report_cohorts(superuser)) == every


def test_report_cohorts_narrows_the_queryset_it_is_given(cohorts, make_coordinator):
    coordinator = make_coordinator("TH", "KH")
    narrowed = report_cohorts(coordinator, Cohort.objects.filter(country__in=["TH", "VN"]))
    assert _codes(narrowed) == _codes_of(cohorts, "TH")


def test_my_cohorts_are_the_cohorts_of_my_team(cohorts, staff_user):
    cohorts["TH"].team.add(staff_user)
    cohorts["regional"].team.add(staff_user)
    assert _codes(staff_cohorts(staff_user)) == _codes_of(cohorts, "TH", "regional")


def test_every_cohort_widens_only_for_users_who_see_every_country(cohorts, staff_user, make_coordinator):
    cohorts["KH"].team.add(staff_user)
    assert _codes(staff_cohorts(staff_user, every_cohort=True)) == _codes_of(cohorts, "KH", "TH", "VN", "regional")
    coordinator = make_coordinator("TH", "VN")
    cohorts["KH"].team.add(coordinator)
    # Not all the coordinator's countries, not every cohort: still only their team's.
    assert _codes(staff_cohorts(coordinator, every_cohort=True)) == _codes_of(cohorts, "KH")
    assert _codes(staff_cohorts(make_coordinator("KH", username="off-team"), every_cohort=True)) == set()


def test_staff_cohorts_narrows_the_queryset_it_is_given(cohorts, staff_user):
    cohorts["KH"].team.add(staff_user)
    cohorts["TH"].team.add(staff_user)
    assert _codes(staff_cohorts(staff_user, Cohort.objects.filter(country="TH"))) == _codes_of(cohorts, "TH")


def test_a_cohort_outside_the_team_is_404_unless_the_user_sees_every_country(cohorts, staff_user, superuser,
                                                                              make_coordinator):
    teammate = make_coordinator("TH")
    cohorts["KH"].team.add(teammate)
    assert check_staff_cohort(teammate, cohorts["KH"]) is None  # on the team, even outside their countries
    for cohort in (cohorts["TH"], cohorts["regional"]):
        with pytest.raises(Http404):
            check_staff_cohort(teammate, cohort)  # their country, but not their team
    for user in (staff_user, superuser):
        for cohort in cohorts.values():
            assert check_staff_cohort(user, cohort) is None
