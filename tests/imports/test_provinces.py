"""Province names as people write them: in the registration lists, in imports, and Vietnam's 34."""

import datetime as dt

import pytest
from django.db.models import Count

from pilots.choices import CohortKind
from pilots.imports.columns import ImportKind
from pilots.imports.planning import plan_import
from pilots.imports.reading import read_table
from pilots.models import Province, Teacher
from pilots.province_names import ProvinceMatcher, current_province
from pilots.querysets import province_today
from tests.factories import CohortFactory, OpenCohortFactory, TeacherFactory
from tests.imports.test_import import csv_bytes
from tests.registration.test_pages import register_url

pytestmark = pytest.mark.django_db


@pytest.fixture
def matcher():
    return ProvinceMatcher(Province.objects.all())


@pytest.mark.parametrize(("typed", "code"), [
    ("Kampong Cham", "KH-3"), ("Kampong Chaam", "KH-3"), ("kompong cham", "KH-3"),
    ("Battambang", "KH-2"), ("Baat Dambang", "KH-2"), ("ខេត្តបាត់ដំបង", "KH-2"), ("បាត់ដំបង", "KH-2"),
    ("កំពង់ចាម", "KH-3"), ("Siem Reap", "KH-17"), ("SIEM-REAP", "KH-17"), ("Sihanoukville", "KH-18"),
    ("Phnom Penh", "KH-12"), ("ភ្នំពេញ", "KH-12"), ("KH-12", "KH-12"), ("kh-12", "KH-12"),
    ("Bangkok", "TH-10"), ("Krung Thep Maha Nakhon", "TH-10"), ("กรุงเทพมหานคร", "TH-10"),
    ("เชียงใหม่", "TH-50"), ("จังหวัดเชียงใหม่", "TH-50"), ("Chiang Mai", "TH-50"),
    ("Chonburi", "TH-20"), ("Chon Buri", "TH-20"), ("Korat", "TH-30"),
    ("Thừa Thiên Huế", "VN-26"), ("Thua Thien Hue", "VN-26"), ("Huế", "VN-26"),
    ("Hà Nội", "VN-HN"), ("Hanoi", "VN-HN"), ("Ho Chi Minh City", "VN-SG"), ("TP.HCM", "VN-SG"),
    ("Tỉnh Nghệ An", "VN-22"), ("Kiên Giang", "VN-47"), ("Đà Nẵng", "VN-DN"), ("da nang", "VN-DN"),
])
def test_every_common_spelling_matches_its_province(matcher, typed, code):
    assert matcher.match(typed).code == code


def test_an_unknown_name_gets_the_closest_matches_of_the_cohorts_country(matcher):
    assert [p.code for p in matcher.suggestions("Batambang", "KH")][:1] == ["KH-2"]


def test_pages_show_the_common_name_not_the_iso_romanisation():
    assert Province.objects.get(code="KH-2").name == "Battambang"
    assert Province.objects.get(code="KH-17").name == "Siem Reap"
    assert Province.objects.get(code="TH-10").name == "Bangkok"


def test_vietnam_has_34_current_units_and_every_old_one_points_to_its_successor():
    vietnam = Province.objects.filter(country="VN")
    assert vietnam.count() == 63  # past records keep the province given at the time
    current = vietnam.filter(valid_until__isnull=True)
    assert current.count() == 34
    assert not current.filter(successor__isnull=False).exists()
    merged = vietnam.filter(valid_until__isnull=False)
    assert merged.count() == 29 and not merged.filter(successor__isnull=True).exists()
    assert {p.name for p in Province.objects.filter(successor__code="VN-SG")} == {
        "Bà Rịa–Vũng Tàu", "Bình Dương"}
    assert Province.objects.get(code="VN-03").successor.name == "Tuyên Quang"
    assert set(current.filter(category="Municipality").values_list("name", flat=True)) == {
        "Hà Nội", "Huế", "Hải Phòng", "Đà Nẵng", "Hồ Chí Minh", "Cần Thơ"}


def test_reports_can_group_old_provinces_under_their_successors():
    ha_giang = Province.objects.get(code="VN-03")
    assert current_province(ha_giang, dt.date(2025, 6, 30)) == ha_giang
    assert current_province(ha_giang, dt.date(2026, 1, 1)).code == "VN-07"


def test_regional_form_groups_provinces_by_country_and_offers_vietnams_34(client):
    cohort = OpenCohortFactory(country="", kind=CohortKind.REGIONAL, language="en")
    page = client.get(register_url(cohort)).content.decode()
    assert page.count("<optgroup") == 3
    for label in ("Cambodia", "Thailand", "Vietnam"):
        assert f'<optgroup label="{label}">' in page
    assert "Tuyên Quang" in page and "Hà Giang" not in page  # merged into Tuyên Quang
    assert "Battambang" in page and "Baat Dambang" not in page


def test_a_national_form_is_one_flat_list(client):
    cohort = OpenCohortFactory(country="KH", language="km")
    page = client.get(register_url(cohort)).content.decode()
    assert "<optgroup" not in page and "បាត់ដំបង" in page


@pytest.mark.parametrize("typed", ["Kampong Cham", "Battambang", "កំពង់ចាម", "Siem Reap", "KH-3"])
def test_import_accepts_each_spelling(typed):
    CohortFactory(code="kh-1", country="KH")
    plan = plan_import(ImportKind.TEACHERS, *read_table(csv_bytes(
        [["kh-1", "a@example.org", "សុខ", "ខា", "S", typed, ""]])))
    assert plan.ok, plan.problems


def test_import_refuses_a_province_of_another_country_by_name():
    CohortFactory(code="kh-1", country="KH")
    plan = plan_import(ImportKind.TEACHERS, *read_table(csv_bytes(
        [["kh-1", "a@example.org", "សុខ", "ខា", "S", "Bangkok", ""]])))
    assert [p.message for p in plan.problems] == [
        "Bangkok (TH) is not in the cohort's country (Cambodia)."]


def test_import_says_did_you_mean_for_a_misspelt_province():
    CohortFactory(code="kh-1", country="KH")
    plan = plan_import(ImportKind.TEACHERS, *read_table(csv_bytes(
        [["kh-1", "a@example.org", "សុខ", "ខា", "S", "Batambang", ""]])))
    assert "Did you mean “Battambang”" in plan.problems[0].message


def test_an_imported_old_vietnamese_province_stands_for_its_successor_after_the_merger():
    CohortFactory(code="vn-2026", country="VN", language="vi", start_date=dt.date(2026, 3, 1),
                  end_date=dt.date(2026, 3, 5))
    CohortFactory(code="vn-2023", country="VN", language="vi", start_date=dt.date(2023, 3, 1),
                  end_date=dt.date(2023, 3, 5))
    plan = plan_import(ImportKind.TEACHERS, *read_table(csv_bytes([
        ["vn-2026", "a@example.org", "Nguyễn", "Văn A", "S", "Hà Giang", ""],
        ["vn-2023", "b@example.org", "Nguyễn", "Văn B", "S", "Ha Giang", ""],
    ])))
    assert plan.ok, plan.problems
    assert [t.province.code for t in plan.new_teachers] == ["VN-07", "VN-03"]


def test_a_report_groups_old_vietnamese_provinces_under_their_successors_in_one_query(
        django_assert_num_queries):
    for code in ("VN-03", "VN-07", "VN-HN"):  # Hà Giang (merged into Tuyên Quang), Tuyên Quang, Hà Nội
        TeacherFactory(province=Province.objects.get(code=code))
    with django_assert_num_queries(1):
        counts = dict(Teacher.objects.values_list(province_today("province")).annotate(n=Count("pk")))
    assert counts == {"Tuyên Quang": 2, "Hà Nội": 1}
    assert Teacher.objects.filter(province__code="VN-03").exists()  # the record keeps Hà Giang
