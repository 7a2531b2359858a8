"""No figure wrong: the cache key is the filters applied, each figure is rounded once, the XLSX keeps
what was stored, small cells cannot be worked out from the shared files, one meaning per word."""

import csv
import datetime as dt
import io
import pickle
import random
import re
import zipfile
from fractions import Fraction

import pytest
from django.urls import reverse
from openpyxl import load_workbook
from openpyxl.utils.escape import unescape

from pilots.choices import AssessmentKind, AttendanceStatus, EnrolmentStatus, Gender, SchoolLevel
from pilots.reports.overview import Overview
from tests.factories import (
    AssessmentFactory,
    AttendanceFactory,
    CohortFactory,
    EnrolmentFactory,
    ProgrammeFactory,
    SessionFactory,
    TeacherFactory,
)

pytestmark = pytest.mark.django_db

P, L, A, E = (AttendanceStatus.PRESENT, AttendanceStatus.LATE, AttendanceStatus.ABSENT,
              AttendanceStatus.EXCUSED)


def _csv(response):
    body = b"".join(response.streaming_content)
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))


def _xlsx(response):
    data = b"".join(response.streaming_content)
    return list(load_workbook(io.BytesIO(data)).active.iter_rows(values_only=True)), data


def _cells(html, row_pattern):
    row = re.search(row_pattern + r"(.*?)</tr>", html, re.S).group(1)
    return [re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)]


# --- report cache: the key is exactly the filters applied ----------------------------------------


@pytest.fixture
def two_years(db):
    programme = ProgrammeFactory()
    for year, n in ((2022, 2), (2026, 3)):
        cohort = CohortFactory(programme=programme, year=year, country="KH", code=f"kh-{year}",
                               start_date=dt.date(year, 3, 1), end_date=dt.date(year, 3, 5))
        for _i in range(n):
            EnrolmentFactory(cohort=cohort)
    return programme


def test_an_invalid_filter_does_not_poison_the_unfiltered_report_or_its_export(two_years, staff_client):
    response = staff_client.get(reverse("reports:overview"), {"year": "2022", "country": "XX"})
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()  # the error is shown
    assert staff_client.get(reverse("reports:overview")).context["overview"].total["registered"] == 5
    rows = _csv(staff_client.get(reverse("reports:overview_export", args=["csv"])))
    assert rows[-1][:4] == ["Total", "", "2", "5"]


def test_an_invalid_filter_caches_nothing_and_shows_no_figures_of_other_filters(two_years, staff_client, settings):
    from django.core.cache import cache

    # The local-memory cache, whose entries the test can list (CI runs the suite with Redis).
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    before = set(cache._cache)
    response = staff_client.get(reverse("reports:overview"), {"year": "2022", "country": "XX"})
    new = [pickle.loads(cache._cache[k]) for k in set(cache._cache) - before]
    assert not [v for v in new if isinstance(v, Overview)]  # only the year choices, the same for all
    assert response.context["overview"] is None and "chart" not in response.context


@pytest.mark.parametrize("name", ["overview_export", "overview_export_xlsx"])
def test_exports_with_an_invalid_filter_answer_with_a_clear_message(two_years, staff_client, name):
    staff_client.get(reverse("reports:overview"), {"year": "2022"})  # cached figures of another filter
    fmt = "xlsx" if name.endswith("xlsx") else "csv"
    response = staff_client.get(reverse("reports:overview_export", args=[fmt]), {"year": "2022", "country": "XX"})
    assert response.status_code == 400
    text = response.content.decode()
    assert "Country" in text and "Select a valid choice" in text


def test_the_year_filter_offers_the_years_of_the_data(two_years, staff_client, make_coordinator, client):
    form = staff_client.get(reverse("reports:overview")).context["filter"].form
    assert [c[0] for c in form.fields["year"].choices if c[0]] == [2026, 2022]
    assert staff_client.get(reverse("reports:overview"), {"year": "2026"}).context["overview"].total[
        "registered"] == 3
    CohortFactory(programme=two_years, year=2027, country="TH", code="th-2027")
    client.force_login(make_coordinator("TH"))
    form = client.get(reverse("reports:overview")).context["filter"].form
    assert [c[0] for c in form.fields["year"].choices if c[0]] == [2027]


# --- rounding once ----------------------------------------------------------------------------


@pytest.fixture
def one_g(db):
    """One teacher with pre 0, post 39.45: g = 0.3945 exactly."""
    cohort = CohortFactory(code="kh-g", year=2023, country="KH")
    enrolment = EnrolmentFactory(cohort=cohort)
    AssessmentFactory(enrolment=enrolment, kind=AssessmentKind.PRE, score=0)
    AssessmentFactory(enrolment=enrolment, kind=AssessmentKind.POST, score="39.45")
    return cohort, enrolment


def test_a_g_of_0_3945_shows_the_same_in_html_csv_and_xlsx(one_g, staff_client):
    cohort, enrolment = one_g
    html = staff_client.get(reverse("reports:overview")).content.decode()
    page = _cells(html, r'<tr data-year="2023" data-country="KH">')[12]
    assert page == "0.39 (1)"
    header, *rows = _csv(staff_client.get(reverse("reports:overview_export", args=["csv"])))
    g = header.index("Mean normalised gain")
    assert rows[0][g] == "0.39"
    sheet, _data = _xlsx(staff_client.get(reverse("reports:overview_export", args=["xlsx"])))
    assert sheet[1][g] == 0.39

    html = staff_client.get(reverse("reports:cohort", args=[cohort.code])).content.decode()
    assert re.search(r'data-key="g">0.39 \(', html)
    header, *rows = _csv(staff_client.get(reverse("reports:cohort_roster", args=[cohort.code, "csv"])))
    assert rows[0][header.index("Normalised gain")] == "0.39"
    sheet, _data = _xlsx(staff_client.get(reverse("reports:cohort_roster", args=[cohort.code, "xlsx"])))
    assert sheet[1][list(sheet[0]).index("Normalised gain")] == 0.39


def test_every_float_figure_is_rounded_in_one_place():
    from pilots.reports.rounding import rounded

    assert str(rounded(0.3945, "g")) == "0.39" and str(rounded(0.395, "g")) == "0.40"
    assert str(rounded(88.88888, "rate")) == "88.9" and rounded(None, "rate") is None
    assert rounded(7, "count") == 7


# --- the XLSX keeps what was stored ---------------------------------------------------------


def test_a_carriage_return_inside_a_name_comes_back_as_a_carriage_return(db, staff_client):
    cohort = CohortFactory(code="kh-cr")
    names = ["ស\rខ", "a\r\nb", "x_x000D_y", "bell\x07"]
    for name in names:
        EnrolmentFactory(cohort=cohort, teacher=TeacherFactory(family_name=name))
    response = staff_client.get(reverse("reports:cohort_roster", args=[cohort.code, "xlsx"]))
    assert response.status_code == 200
    _sheet, data = _xlsx(response)
    xml = zipfile.ZipFile(io.BytesIO(data)).read("xl/worksheets/sheet1.xml").decode()
    assert "\r" not in xml  # an XML reader turns a raw CR into LF
    workbook = load_workbook(io.BytesIO(data))
    rows = list(workbook.active.iter_rows(min_row=2, values_only=True))[:-1]  # last: who downloaded it
    stored = {unescape(r[1]) for r in rows}
    assert stored == set(names)  # OOXML's _xHHHH_ escapes, as Excel reads them


# --- one meaning per word -------------------------------------------------------------------


@pytest.fixture
def partly_recorded(db):
    programme = ProgrammeFactory(completion_min_attendance=50, completion_requires_post_test=False)
    cohort = CohortFactory(programme=programme, code="kh-rec", year=2023, country="KH")
    sessions = [SessionFactory(cohort=cohort, title=f"S{i}") for i in range(1, 5)]
    seated = EnrolmentFactory(cohort=cohort, status=EnrolmentStatus.CONFIRMED)
    AttendanceFactory(enrolment=seated, session=sessions[0], status=P)  # S2-S4 not recorded yet
    done = EnrolmentFactory(cohort=cohort, status=EnrolmentStatus.COMPLETED)
    for s in sessions:
        AttendanceFactory(enrolment=done, session=s, status=A)  # status completed, rule not met
    waiting = EnrolmentFactory(cohort=cohort, status=EnrolmentStatus.WAITLISTED)
    return cohort, seated, done, waiting


def test_a_session_without_attendance_recorded_is_not_counted_as_missed(partly_recorded, staff_client):
    cohort, seated, _done, _waiting = partly_recorded
    html = staff_client.get(reverse("reports:cohort", args=[cohort.code])).content.decode()
    row = _cells(html, rf'<tr data-ref="{seated.reference}">')
    assert row[3:8] == ["1", "0", "0", "0", "100.0 %"]
    assert "sessions recorded" in html  # the definition is on the page
    header, *rows = _csv(staff_client.get(reverse("reports:cohort_roster", args=[cohort.code, "csv"])))
    csv_row = next(r for r in rows if r[0] == seated.reference)
    assert csv_row[header.index("Attendance (%)")] == "100.0"


def test_teachers_without_a_seat_show_a_dash_for_attendance(partly_recorded, staff_client, admin_client):
    cohort, _seated, _done, waiting = partly_recorded
    html = staff_client.get(reverse("reports:cohort", args=[cohort.code])).content.decode()
    assert _cells(html, rf'<tr data-ref="{waiting.reference}">')[7] == "–"
    header, *rows = _csv(staff_client.get(reverse("reports:cohort_roster", args=[cohort.code, "csv"])))
    assert next(r for r in rows if r[0] == waiting.reference)[header.index("Attendance (%)")] == ""
    html = admin_client.get(reverse("admin:pilots_enrolment_changelist")).content.decode()
    row = next(r for r in re.findall(r"<tr[^>]*>.*?</tr>", html, re.S) if waiting.reference in r)
    assert 'class="field-attendance">–<' in row


def test_the_funnel_status_and_the_completion_rule_have_distinct_labels(partly_recorded, staff_client,
                                                                        admin_client):
    cohort, seated, done, _waiting = partly_recorded
    html = staff_client.get(reverse("reports:cohort", args=[cohort.code])).content.decode()
    funnel = re.search(r'<table[^>]*id="funnel">(.*?)</table>', html, re.S).group(1)
    summary = re.search(r'<dl[^>]*id="cohort-summary">(.*?)</dl>', html, re.S).group(1)
    funnel_labels = set(re.findall(r'<th scope="row">(.*?)</th>', funnel))
    summary_labels = set(re.findall(r"<dt[^>]*>(.*?)</dt>", summary))
    assert not funnel_labels & summary_labels
    assert "Status: Completed" in funnel_labels and "Met the completion rule" in summary_labels
    # 1 has the status, 1 meets the rule (the seated teacher: 1 of 1 recorded... but 1 of 4 sessions)
    header, *rows = _csv(staff_client.get(reverse("reports:overview_export", args=["csv"])))
    assert "Met the completion rule" in header and "Completed" not in header
    header = _csv(staff_client.get(reverse("reports:cohort_roster", args=[cohort.code, "csv"])))[0]
    assert "Met the completion rule" in header
    html = admin_client.get(reverse("admin:pilots_enrolment_changelist")).content.decode()
    assert "Met the completion rule" in html


def test_completion_counts_unrecorded_sessions_against_the_rule(partly_recorded, staff_client):
    """Completion needs the attended share of all sessions not excused: 1 of 4 is not 50 %."""
    cohort, _seated, _done, _waiting = partly_recorded
    summary = staff_client.get(reverse("reports:cohort", args=[cohort.code])).context["summary"]
    assert summary["completed"] == 0 and summary["attendance_rate"] == pytest.approx(20.0)


# --- small cells stay hidden in the shared files ----------------------------------------------


def _solve(equations, known):
    """The hidden cells an outsider can work out: each equation is {cell: coefficient} summing to
    0; `known` maps published cells to their values. Gaussian elimination over the unknowns, plus
    equations whose unknowns are all non-negative with the same sign and sum to 0 (all zero)."""
    rows = []
    found = {}
    for eq in equations:
        const = -sum(Fraction(c) * known[k] for k, c in eq.items() if k in known)
        unknown = {k: Fraction(c) for k, c in eq.items() if k not in known}
        if not unknown:
            continue
        if const == 0 and len({c > 0 for c in unknown.values()}) == 1:
            found.update(dict.fromkeys(unknown, 0))
        rows.append((unknown, const))
    pivots = []  # (variable, row)
    for unknown, const in rows:
        unknown = dict(unknown)
        for var, (prow, pconst) in pivots:
            if var in unknown:
                f = unknown[var]
                for k, c in prow.items():
                    unknown[k] = unknown.get(k, 0) - f * c
                const -= f * pconst
                unknown = {k: c for k, c in unknown.items() if c}
        if not unknown:
            continue
        var = next(iter(unknown))
        f = unknown[var]
        unknown = {k: c / f for k, c in unknown.items()}
        const /= f
        for i, (v, (prow, pconst)) in enumerate(pivots):
            if var in prow:
                g = prow[var]
                new = dict(prow)
                for k, c in unknown.items():
                    new[k] = new.get(k, 0) - g * c
                pivots[i] = (v, ({k: c for k, c in new.items() if c}, pconst - g * const))
        pivots.append((var, (unknown, const)))
    for var, (prow, pconst) in pivots:
        if len(prow) == 1:
            found[var] = pconst
    return found


def _small(found, hidden):
    """The hidden cells worked out whose count is under 5: a cell hidden only to protect another
    (5 or more) may be worked out, a small one never."""
    return {c: v for c, v in found.items() if c in hidden and v < 5}


def _number(cell):
    return int(cell) if re.fullmatch(r"\d+", cell) else None


OVERVIEW_COUNTS = ["Registered", "Confirmed (taking part)", "Confirmed", "Withdrawn", "Pre-tests", "Post-tests",
                   "Post-tests missing", "Teachers with both tests", "Teachers in normalised gain",
                   "Left out of normalised gain (pre-test 100)"]


def _overview_attack(rows, system=False):
    """Every relation an outsider sees in the shared overview: subtotals and totals are sums of
    the rows they cover, and within a row: confirmed = post-tests + missing, both tests = in g +
    left out of g. Returns the hidden cells worked out, with their values."""
    header, *body = rows
    col = {name: header.index(name) for name in OVERVIEW_COUNTS if name in header}
    cells = {}
    known, equations = {}, []
    for r in body:
        key = (r[0], r[1])
        for name, i in col.items():
            cells[(key, name)] = r[i]
            value = _number(r[i])
            if value is not None:
                known[(key, name)] = value
            # every count is a non-negative unknown when hidden
    every_country, every_year = "All countries", "All years"
    keys = [(r[0], r[1]) for r in body]
    plain = [k for k in keys if k[0] not in (every_year, "Total") and k[1] not in (every_country, "")]
    for name in col:
        def parts_of(select):
            return [k for k in plain if select(k)]

        for k in keys:
            year, country = k
            if year == "Total":
                parts = plain
            elif year == every_year:
                parts = parts_of(lambda p, c=country: p[1] == c)
            elif country == every_country:
                parts = parts_of(lambda p, y=year: p[0] == y)
            else:
                continue
            if parts:
                eq = {(k, name): 1}
                for p in parts:
                    eq[(p, name)] = eq.get((p, name), 0) - 1
                equations.append(eq)
    confirmed = "Confirmed (taking part)" if "Confirmed (taking part)" in col else "Confirmed"
    for k in keys:
        if {confirmed, "Post-tests", "Post-tests missing"} <= set(col):
            equations.append({(k, confirmed): 1, (k, "Post-tests"): -1, (k, "Post-tests missing"): -1})
        if {"Teachers with both tests", "Teachers in normalised gain"} <= set(col) and \
                "Left out of normalised gain (pre-test 100)" in col:
            equations.append({(k, "Teachers with both tests"): 1, (k, "Teachers in normalised gain"): -1,
                              (k, "Left out of normalised gain (pre-test 100)"): -1})
    hidden = {c for c, v in cells.items() if _number(v) is None and v != ""}
    if system:
        return equations, known, hidden
    return _small(_solve(equations, known), hidden)


def _summary_attack(rows, system=False, prefix=()):
    """The shared cohort summary: every status, gender, level and province table adds up to the
    same registered teachers; participants (confirmed + completed statuses) likewise."""
    _header, *body = rows
    known, equations, hidden = {}, [], set()
    tables = {}
    for i, (table, _category, registered, confirmed) in enumerate(body):
        for col, value in (("r", registered), ("p", confirmed)):
            if value == "":
                continue
            cell = (i, col)
            tables.setdefault((table, col), []).append(cell)
            if _number(value) is None:
                hidden.add(cell)
            else:
                known[cell] = _number(value)
    totals = {"r": ("total", "r"), "p": ("total", "p")}
    for (table, col), cells in tables.items():
        if table in ("Subject", "Completion"):
            continue  # a teacher may teach several subjects; completion is one cell
        if table == "Enrolment status":
            participants = [c for c in cells if body[c[0]][1] in ("Confirmed", "Completed", "Status: Confirmed",
                                                                "Status: Completed")]
            equations.append({totals["r"]: 1, **{c: -1 for c in cells}})
            equations.append({totals["p"]: 1, **{c: -1 for c in participants}})
        elif table == "All enrolments":
            equations.append({totals[col]: 1, **{c: -1 for c in cells}})
        else:
            equations.append({totals[col]: 1, **{c: -1 for c in cells}})
    if system:
        def named(cell):
            return (*prefix, *cell)
        return ([{named(k): c for k, c in eq.items()} for eq in equations],
                {named(k): v for k, v in known.items()}, {named(c) for c in hidden},
                {named(c): body[c[0]][:2] for c in [*known, *hidden] if isinstance(c[0], int)})
    return _small(_solve(equations, known), hidden)


@pytest.fixture
def many_small_cells(db):
    """One to three cohorts of 1 to 12 teachers for most years and countries, with random
    statuses, genders, levels and tests: most cells are small."""
    rnd = random.Random(9)
    programme = ProgrammeFactory()
    statuses = [EnrolmentStatus.CONFIRMED] * 4 + [EnrolmentStatus.WITHDRAWN, EnrolmentStatus.WAITLISTED,
                                                  EnrolmentStatus.COMPLETED, EnrolmentStatus.APPLIED]
    cohorts = []
    for year in range(2022, 2027):
        for country in ("KH", "TH", "VN"):
            if rnd.random() < 0.2:
                continue
            for k in range(rnd.choice([1, 2, 2, 3])):  # a year's row may add up several cohorts
                cohort = CohortFactory(programme=programme, year=year, country=country,
                                       code=f"{country.lower()}-{year}-{k}", capacity=100,
                                       start_date=dt.date(year, 3, 1), end_date=dt.date(year, 3, 5))
                cohorts.append(cohort)
                _enrol_some(rnd, cohort, statuses)
    return cohorts


def _enrol_some(rnd, cohort, statuses):
    for _i in range(rnd.randint(1, 12)):
        teacher = TeacherFactory(gender=rnd.choice(list(Gender.values)),
                                 school_level=rnd.choice(["", *SchoolLevel.values[:3]]))
        enrolment = EnrolmentFactory(cohort=cohort, teacher=teacher, status=rnd.choice(statuses))
        if rnd.random() < 0.8:
            AssessmentFactory(enrolment=enrolment, kind=AssessmentKind.PRE, score=rnd.choice([20, 50, 100]))
            if rnd.random() < 0.7:
                AssessmentFactory(enrolment=enrolment, kind=AssessmentKind.POST, score=rnd.randint(30, 100))


def test_no_hidden_cell_of_the_shared_overview_can_be_worked_out(many_small_cells, staff_client, client,
                                                                 make_coordinator):
    url = reverse("reports:overview_shared")
    files = {"staff": _csv(staff_client.get(url))}
    hidden = sum(1 for r in files["staff"][1:] for c in r[2:] if c and _number(c) is None)
    assert hidden > 30  # the data really has many small cells
    assert _overview_attack(files["staff"]) == {}
    # Fixed granularity: filters change nothing, and a country's rows are the same in every file.
    assert _csv(staff_client.get(url, {"country": "TH"})) == files["staff"]
    assert _csv(staff_client.get(url, {"year": "2024"})) == files["staff"]
    for countries in (("TH",), ("KH", "TH"), ("KH", "TH", "VN")):
        client.force_login(make_coordinator(*countries, username="c-" + "-".join(countries)))
        rows = _csv(client.get(url))
        assert _overview_attack(rows) == {}
        for row in rows[1:]:
            assert row in files["staff"], row  # the same rows whoever downloads
        files[countries] = rows
    # Two files of different scopes together give no more than each alone.
    combined = [files["staff"][0], *{tuple(r): r for f in files.values() for r in f[1:]}.values()]
    assert _overview_attack(combined) == {}


def test_no_hidden_cell_of_a_shared_cohort_summary_can_be_worked_out(many_small_cells, staff_client):
    checked = 0
    for cohort in many_small_cells:
        rows = _csv(staff_client.get(reverse("reports:cohort_summary", args=[cohort.code])))
        assert _summary_attack(rows) == {}, cohort.code
        assert all(not c.isdigit() or int(c) >= 5 for r in rows[1:] for c in r[2:])
        checked += 1
    assert checked >= 10


def test_the_shared_overview_offers_no_filters(many_small_cells, staff_client):
    html = staff_client.get(reverse("reports:overview"), {"country": "TH"}).content.decode()
    link = re.search(r'href="(/reports/overview-shared\.csv[^"]*)"', html).group(1)
    assert link == "/reports/overview-shared.csv"


def test_the_shared_overview_and_the_shared_cohort_summaries_together_disclose_nothing(
    many_small_cells, staff_client
):
    """A year's row of a country adds up that year's cohorts: the registered and confirmed
    teachers, the withdrawn and those who met the completion rule. An outsider holding the
    overview and every cohort's summary still works out no hidden cell."""
    overview = _csv(staff_client.get(reverse("reports:overview_shared")))
    equations, known, hidden = _overview_attack(overview, system=True)
    linked = {"Registered": (("All enrolments", "All"), "r"),
              "Withdrawn": (("Enrolment status", "Status: Withdrawn"), "r"),
              "Confirmed (taking part)": (("All enrolments", "All"), "p"),
              "Met the completion rule": (("Completion", "Met the completion rule"), "p")}
    links = {}
    country_label = {"KH": "Cambodia", "TH": "Thailand", "VN": "Vietnam"}
    for cohort in many_small_cells:
        rows = _csv(staff_client.get(reverse("reports:cohort_summary", args=[cohort.code])))
        eqs, kn, hid, label_of = _summary_attack(rows, system=True, prefix=(cohort.code,))
        equations += eqs
        known |= kn
        hidden |= hid
        # the total cells of the summary equations
        for column, (category, col) in linked.items():
            cell = next(c for c, lab in label_of.items() if tuple(lab) == category and c[-1] == col)
            key = ((str(cohort.year), country_label[cohort.country]), column)
            links.setdefault(key, []).append(cell)
    for total, parts in links.items():
        equations.append({total: 1, **dict.fromkeys(parts, -1)})
    assert _small(_solve(equations, known), hidden) == {}
