"""The SVG chart helper and the report formatting filters."""

import datetime as dt

from django.utils import translation

from pilots.reports.charts import Chart
from pilots.templatetags.reports_tags import era_date, era_year, num, pct


def test_chart_svg_is_accessible_and_escapes_labels():
    chart = Chart(
        slug="c1", title="Attendance <b>", description="People & sessions",
        categories=["<script>alert(1)</script>", "S2"], series=[("Present", [3, None]), ("Late", [1, 2])],
    )
    svg = str(chart.svg())
    assert svg.startswith("<svg") and 'role="img"' in svg and 'aria-labelledby="c1-title c1-desc"' in svg
    assert '<title id="c1-title">Attendance &lt;b&gt;</title>' in svg
    assert '<desc id="c1-desc">People &amp; sessions</desc>' in svg
    assert "<script>" not in svg and "&lt;script&gt;" in svg
    assert "style=" not in svg  # CSP: no inline styles
    assert svg.count("<rect") == 3 + 2  # three bars (the missing value draws none) and two legend keys
    rows = str(chart.table_rows())
    assert '<th scope="row">S2</th><td class="text-end">–</td><td class="text-end">2</td>' in rows


def test_stacked_chart_labels_totals():
    chart = Chart(slug="c2", title="t", description="d", categories=["S1"],
                  series=[("Present", [3]), ("Late", [1])], stacked=True)
    assert '<text x="' in str(chart.svg()) and ">4</text>" in str(chart.svg())


def test_buddhist_era_years_and_dates():
    assert era_year(2024, "be") == "2567" and era_year(2024, "ce") == "2024" and era_year(None) == "–"
    with translation.override("th"):
        assert era_date(dt.date(2024, 5, 1), "be").endswith("2567")
        assert "2024" not in era_date(dt.date(2024, 5, 1), "be")
    with translation.override("en"):
        assert era_date(dt.date(2024, 5, 1), "be") == "May 1, 2567"
        assert era_date(dt.date(2024, 5, 1)) == "May 1, 2024"


def test_numbers_are_localised_and_missing_is_a_dash():
    with translation.override("vi"):
        assert pct(88.888) == "88,9 %" and num(2.5) == "2,5"
    with translation.override("en"):
        assert num(12345) == "12,345"
        assert pct(None) == "–" and num(None) == "–" and num(0) == "0" and num(2.0 / 3, 2) == "0.67"
