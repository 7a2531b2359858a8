"""The SVG chart helper and the report formatting filters."""

import datetime as dt
import xml.etree.ElementTree as ET

import pytest
from django.template.loader import render_to_string
from django.utils import translation

from pilots.reports.charts import BAR_AREA, LABEL_WIDTH, Chart
from pilots.templatetags.reports_tags import era_date, era_year, num, pct

SVG = "{http://www.w3.org/2000/svg}"


def _svg(chart):
    return ET.fromstring(str(chart.svg()))


def _overlaps(top, height, y):
    return top <= y <= top + height


def bars(chart):
    """{(category, series): bar} read from the SVG's geometry: a bar belongs to the category whose
    label is level with it, and its series and value come from its own <title>. A bar is a dict:
    value (title text), x, width, and label (the value printed at its end, grouped charts only)."""
    root = _svg(chart)
    texts = list(root.iter(f"{SVG}text"))
    labels = [(float(t.get("y")), t.text) for t in texts if t.get("class") == "chart-label"]
    values = [(float(t.get("x")), float(t.get("y")), t.text) for t in texts if t.get("class") == "chart-value"]
    found = {}
    for rect in root.iter(f"{SVG}rect"):
        title = rect.find(f"{SVG}title")
        if title is None:
            continue  # a legend key
        series, value = title.text.rsplit(": ", 1)
        x, top, width, height = (float(rect.get(a)) for a in ("x", "y", "width", "height"))
        category = min(labels, key=lambda label: abs(label[0] - (top + height / 2)))[1]
        assert (category, series) not in found, f"two bars for {category}/{series}"
        printed = [(vx, text) for vx, vy, text in values if _overlaps(top, height, vy)]
        found[(category, series)] = {"value": value, "x": x, "width": width, "top": top, "height": height,
                                     "label": printed}
    return found


def table(chart):
    """{(category, series): cell text} of the data table printed beside the chart: the row headed by
    the category, the column headed by the series."""
    figure = ET.fromstring(render_to_string("pilots/reports/_chart.html", {"chart": chart}))
    header = ["".join(th.itertext()) for th in figure.find(".//table/thead/tr")]
    cells = {}
    for row in figure.find(".//table/tbody"):
        category = row.find("th").text
        for series, cell in zip(header[1:], row.findall("td"), strict=True):
            cells[(category, series)] = cell.text
    return cells


def _width_of(value, largest):
    return value * BAR_AREA / largest


def test_chart_svg_is_accessible_and_escapes_labels():
    chart = Chart(
        slug="c1", title="Attendance <b>", description="People & sessions",
        categories=["<script>alert(1)</script>", "S2"], series=[("Present", [3, None]), ("Late", [1, 2])],
    )
    raw = str(chart.svg())
    root = _svg(chart)
    assert root.tag == f"{SVG}svg" and root.get("role") == "img"
    assert root.get("aria-labelledby") == "c1-title c1-desc"
    title, desc = root[0], root[1]
    assert (title.tag, title.get("id"), title.text) == (f"{SVG}title", "c1-title", "Attendance <b>")
    assert (desc.tag, desc.get("id"), desc.text) == (f"{SVG}desc", "c1-desc", "People & sessions")
    # The label is text, never markup: escaped in the source, literal once parsed.
    assert "<script>" not in raw and not list(root.iter(f"{SVG}script")) and not list(root.iter("script"))
    assert [t.text for t in root.iter(f"{SVG}text") if t.get("class") == "chart-label"] == [
        "<script>alert(1)</script>", "S2"]
    assert not [e.tag for e in root.iter() if "style" in e.attrib]  # CSP: no inline styles
    found = bars(chart)
    # Three bars (the missing value draws none) and two legend keys.
    assert set(found) == {("<script>alert(1)</script>", "Present"), ("<script>alert(1)</script>", "Late"),
                          ("S2", "Late")}
    legend = [rect for rect in root.iter(f"{SVG}rect") if rect.find(f"{SVG}title") is None]
    assert len(legend) == 2
    cells = table(chart)
    assert cells[("S2", "Present")] == "–" and cells[("S2", "Late")] == "2"
    assert cells[("<script>alert(1)</script>", "Present")] == "3"


def test_each_bar_sits_in_its_row_with_its_value_and_a_width_in_proportion():
    series = [("Present", [8, 4, None]), ("Late", [2, 6, 1])]
    chart = Chart(slug="c3", title="t", description="d", categories=["Session 1", "Session 2", "Session 3"],
                  series=series)
    found = bars(chart)
    expected = {(category, name): values[i] for name, values in series
                for i, category in enumerate(chart.categories) if values[i] is not None}
    assert set(found) == set(expected)
    for key, value in expected.items():
        bar = found[key]
        assert bar["value"] == str(value), key
        assert bar["x"] == LABEL_WIDTH, key
        assert bar["width"] == pytest.approx(_width_of(value, 8), abs=0.05), key
        # The number printed at the end of the bar is the bar's own.
        assert [text for _x, text in bar["label"]] == [str(value)], key
        assert bar["label"][0][0] == pytest.approx(LABEL_WIDTH + bar["width"] + 4, abs=0.1), key
    assert found[("Session 1", "Present")]["width"] == pytest.approx(BAR_AREA)  # the largest fills the area
    # Within a row, each series has its own lane, in series order.
    assert found[("Session 2", "Present")]["top"] < found[("Session 2", "Late")]["top"]
    cells = table(chart)
    assert cells == {(category, name): "–" if values[i] is None else str(values[i])
                     for name, values in series for i, category in enumerate(chart.categories)}


def test_stacked_chart_puts_segments_end_to_end_and_labels_each_row_with_its_total():
    series = [("Present", [3, 5]), ("Late", [1, 0]), ("Absent", [2, None])]
    chart = Chart(slug="c2", title="t", description="d", categories=["S1", "S2"], series=series, stacked=True)
    found = bars(chart)
    largest = 6  # S1: 3 + 1 + 2
    totals = {"S1": "6", "S2": "5"}
    for category, names in (("S1", ["Present", "Late", "Absent"]), ("S2", ["Present", "Late"])):
        x = LABEL_WIDTH
        for name in names:
            bar = found[(category, name)]
            value = dict(series)[name][chart.categories.index(category)]
            assert bar["value"] == str(value)
            assert bar["x"] == pytest.approx(x, abs=0.1), (category, name)  # starts where the last ended
            assert bar["width"] == pytest.approx(_width_of(value, largest), abs=0.05)
            x += bar["width"]
        # One total per row, printed level with the row, just after its last segment.
        printed = [(float(t.get("x")), t.text) for t in _svg(chart).iter(f"{SVG}text")
                   if t.get("class") == "chart-value" and _overlaps(bar["top"], bar["height"], float(t.get("y")))]
        assert printed == [(pytest.approx(x + 4, abs=0.1), totals[category])]
    assert ("S2", "Absent") not in found
    assert found[("S1", "Absent")]["x"] + found[("S1", "Absent")]["width"] == pytest.approx(
        LABEL_WIDTH + BAR_AREA, abs=0.1)
    assert table(chart) == {("S1", "Present"): "3", ("S1", "Late"): "1", ("S1", "Absent"): "2",
                            ("S2", "Present"): "5", ("S2", "Late"): "0", ("S2", "Absent"): "–"}


def test_chart_numbers_are_localised_in_the_bar_and_the_table():
    chart = Chart(slug="c4", title="t", description="d", categories=["Pre"],
                  series=[("Mean", [66.666]), ("Median", [70])])
    with translation.override("vi"):
        found, cells = bars(chart), table(chart)
    assert found[("Pre", "Mean")]["value"] == "66,7" and cells[("Pre", "Mean")] == "66,7"
    assert found[("Pre", "Median")]["value"] == "70" and cells[("Pre", "Median")] == "70"
    assert found[("Pre", "Mean")]["width"] == pytest.approx(_width_of(66.666, 70), abs=0.05)


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
        assert pct(None) == "–" and num(None) == "–" and num(0) == "0" and num(2.0 / 3, "g") == "0.67"
