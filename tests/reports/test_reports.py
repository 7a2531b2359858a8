"""Reports: every figure against numbers worked out by hand, scope, query counts, exports, charts.

The fixed data set (`figures`), worked by hand:

Programme: completion needs 80 % attendance (excused sessions leave the count) and the post-test.

Cohort KH-2023 (Cambodia, 2023), five sessions S1..S5 (P present, L late, A absent, E excused):
  T1 confirmed  F upper sec.  history             P P P P P  5/5 = 100 %  pre 40  post 70  -> completes
  T2 confirmed  M lower sec.  history, khmer lit. P L A E P  3/4 =  75 %  pre 50  post 80  -> too few
  T3 confirmed  F upper sec.  (none)              P P P P E  4/4 = 100 %  pre 60  no post -> no post-test
  T4 completed  F (none)      geography           P P P L A  4/5 =  80 %  pre 100 post 90 -> completes, no g
  T5 withdrawn  M                                 P A        (not a participant)  pre 30
  T6 waitlisted M
  participants 4; attended 5+3+4+4 = 16 of expected 5+4+4+5 = 18 -> 88.9 %
  pre mean (40+50+60+100)/4 = 62.5 (n 4); post mean (70+80+90)/3 = 80 (n 3, 1 missing)
  gains 30, 30, -10 -> 16.67 (n 3); g 30/60 = .5, 30/50 = .6 -> .55 (n 2, 1 left out: pre 100)
  per session among participants: S1 P4; S2 P3 L1; S3 P3 A1; S4 P2 L1 E1; S5 P2 A1 E1
Cohort TH-2024 (Thailand, 2024), no sessions:
  T7 confirmed pre 20 post 60 (gain 40, g 40/80 = .5); T8 confirmed, no tests.
  no attendance rate; completed 0 (no sessions).
Cohort VN-2024 (Vietnam, 2024): no enrolments at all.
Totals: cohorts 3, registered 8, confirmed 6, completed 2, withdrawn 1, attendance 16/18
  pre (40+50+60+100+20)/5 = 54; post (70+80+90+60)/4 = 75; gain (30+30-10+40)/4 = 22.5;
  g (.5+.6+.5)/3 = .5333 (n 3, 1 left out)
"""

import csv
import datetime as dt
import io
import re

import pytest
from django.urls import reverse
from openpyxl import load_workbook
from openpyxl.utils.escape import unescape

from pilots.access import report_cohorts
from pilots.choices import (
    AssessmentKind,
    AttendanceStatus,
    CohortKind,
    EnrolmentStatus,
    Gender,
    Language,
    NameOrder,
    SchoolLevel,
)
from pilots.models import Enrolment, Province, Subject
from pilots.reports.cohort import roster as cohort_roster
from pilots.reports.cohort import score_distribution
from pilots.reports.figures import refresh_figures
from pilots.reports.overview import programme_overview
from pilots.reports.urls import urlpatterns as report_urlpatterns
from pilots.staffing.services import record_attendance
from tests.factories import (
    AssessmentFactory,
    AttendanceFactory,
    CohortFactory,
    EnrolmentFactory,
    ProgrammeFactory,
    SessionFactory,
    TeacherFactory,
)

P, L, A, E = (AttendanceStatus.PRESENT, AttendanceStatus.LATE, AttendanceStatus.ABSENT,
              AttendanceStatus.EXCUSED)


@pytest.fixture
def figures(db):
    programme = ProgrammeFactory(completion_min_attendance=80, completion_requires_post_test=True)
    kh = CohortFactory(programme=programme, code="kh-2023", name="Cambodia 2023", year=2023, country="KH")
    th = CohortFactory(programme=programme, code="th-2024", name="Thailand 2024", year=2024, country="TH",
                       language=Language.THAI, start_date=dt.date(2024, 5, 1), end_date=dt.date(2024, 5, 3))
    vn = CohortFactory(programme=programme, code="vn-2024", name="Vietnam 2024", year=2024, country="VN",
                       language=Language.VIETNAMESE, start_date=dt.date(2024, 6, 1),
                       end_date=dt.date(2024, 6, 3))
    sessions = [
        SessionFactory(cohort=kh, title=f"S{i}", date=kh.start_date + dt.timedelta(days=i - 1))
        for i in range(1, 6)
    ]
    subjects = {s.code: s for s in Subject.objects.all()}
    kandal = Province.objects.get(code="KH-8")

    def enrol(cohort, status, gender, level="", subj=(), marks=(), pre=None, post=None, province=None):
        teacher = TeacherFactory(gender=gender, school_level=level,
                                 **({"province": province} if province else {}))
        teacher.subjects.set([subjects[c] for c in subj])
        enrolment = EnrolmentFactory(cohort=cohort, teacher=teacher, status=status)
        for session, mark in zip(sessions, marks, strict=False):
            AttendanceFactory(enrolment=enrolment, session=session, status=mark)
        if pre is not None:
            AssessmentFactory(enrolment=enrolment, kind=AssessmentKind.PRE, score=pre)
        if post is not None:
            AssessmentFactory(enrolment=enrolment, kind=AssessmentKind.POST, score=post)
        return enrolment

    C, W = EnrolmentStatus.CONFIRMED, EnrolmentStatus.WITHDRAWN
    t = {
        "T1": enrol(kh, C, Gender.FEMALE, SchoolLevel.UPPER_SECONDARY, ["history"], [P] * 5, 40, 70),
        "T2": enrol(kh, C, Gender.MALE, SchoolLevel.LOWER_SECONDARY, ["history", "khmer-literature"],
                    [P, L, A, E, P], 50, 80),
        "T3": enrol(kh, C, Gender.FEMALE, SchoolLevel.UPPER_SECONDARY, [], [P, P, P, P, E], 60, None,
                    province=kandal),
        "T4": enrol(kh, EnrolmentStatus.COMPLETED, Gender.FEMALE, "", ["geography"], [P, P, P, L, A],
                    100, 90),
        "T5": enrol(kh, W, Gender.MALE, marks=[P, A], pre=30),
        "T6": enrol(kh, EnrolmentStatus.WAITLISTED, Gender.MALE),
        "T7": enrol(th, C, Gender.FEMALE, pre=20, post=60),
        "T8": enrol(th, C, Gender.MALE),
    }
    return {"kh": kh, "th": th, "vn": vn, "sessions": sessions, "t": t, "programme": programme}


# --- completion: one definition -------------------------------------------------------------


def test_completion_follows_the_programme_rule(figures):
    completed = set(
        Enrolment.objects.with_completion().filter(is_completed=True).values_list("pk", flat=True)
    )
    assert completed == {figures["t"]["T1"].pk, figures["t"]["T4"].pk}


def test_completion_without_post_test_requirement_counts_attendance_only(figures):
    programme = figures["programme"]
    programme.completion_requires_post_test = False
    programme.save()
    completed = set(
        Enrolment.objects.with_completion().filter(is_completed=True).values_list("pk", flat=True)
    )
    t = figures["t"]
    assert completed == {t["T1"].pk, t["T3"].pk, t["T4"].pk}


def test_admin_enrolment_list_shows_and_filters_completion(figures, admin_client):
    url = reverse("admin:pilots_enrolment_changelist")
    response = admin_client.get(url, {"completed": "yes"})
    assert response.status_code == 200
    assert response.context["cl"].result_count == 2
    response = admin_client.get(url, {"completed": "no"})
    assert response.context["cl"].result_count == 6


# --- programme overview: every figure -------------------------------------------------------


def pick(row, *keys):
    return tuple(row[k] for k in keys)


def _approx(value, expected):
    return value == pytest.approx(expected, abs=0.005)


def test_programme_overview_figures_by_hand(figures, staff_user):

    data = programme_overview(report_cohorts(staff_user))
    rows = {(r["year"], r["country"]): r for r in data.rows}
    assert list(rows) == [(2023, "KH"), (2024, "TH"), (2024, "VN")]
    kh, th, vn = rows[(2023, "KH")], rows[(2024, "TH")], rows[(2024, "VN")]
    assert pick(kh, "cohorts", "registered", "confirmed", "completed", "withdrawn") == (1, 6, 4, 2, 1)
    assert _approx(kh["attendance_rate"], 16 / 18 * 100)
    assert pick(kh, "pre_mean", "pre_n", "post_mean", "post_n", "missing_post") == (62.5, 4, 80, 3, 1)
    assert _approx(kh["gain_mean"], 50 / 3) and kh["gain_n"] == 3
    assert _approx(kh["g_mean"], 0.55) and kh["g_n"] == 2 and kh["g_excluded"] == 1

    assert pick(th, "cohorts", "registered", "confirmed", "completed", "withdrawn") == (1, 2, 2, 0, 0)
    assert th["attendance_rate"] is None
    assert pick(th, "pre_mean", "pre_n", "post_mean", "post_n", "missing_post") == (20, 1, 60, 1, 1)
    assert (th["gain_mean"], th["g_mean"], th["g_n"], th["g_excluded"]) == (40, 0.5, 1, 0)

    assert (vn["cohorts"], vn["registered"], vn["confirmed"], vn["completed"]) == (1, 0, 0, 0)
    assert pick(vn, "attendance_rate", "pre_mean", "post_mean", "gain_mean", "g_mean") == (None,) * 5

    t = data.total
    assert (t["cohorts"], t["registered"], t["confirmed"], t["completed"], t["withdrawn"]) == (3, 8, 6, 2, 1)
    assert _approx(t["attendance_rate"], 16 / 18 * 100)
    assert (t["pre_mean"], t["pre_n"], t["post_mean"], t["post_n"], t["missing_post"]) == (54, 5, 75, 4, 2)
    assert (t["gain_mean"], t["gain_n"]) == (22.5, 4)
    assert _approx(t["g_mean"], 1.6 / 3) and t["g_n"] == 3 and t["g_excluded"] == 1


def test_overview_subtotals_by_year_and_by_country(figures, staff_user):

    data = programme_overview(report_cohorts(staff_user))
    years = {r["year"]: r for r in data.by_year}
    assert list(years) == [2023, 2024]
    y24 = years[2024]  # Thailand and Vietnam together
    assert pick(y24, "cohorts", "registered", "confirmed", "completed", "withdrawn") == (2, 2, 2, 0, 0)
    assert y24["attendance_rate"] is None and pick(y24, "pre_mean", "post_mean", "g_mean") == (20, 60, 0.5)
    countries = {r["country"]: r for r in data.by_country}
    assert list(countries) == ["KH", "TH", "VN"]
    assert _approx(countries["KH"]["attendance_rate"], 16 / 18 * 100)
    assert countries["VN"]["pre_mean"] is None and countries["VN"]["cohorts"] == 1


def test_overview_page_shows_figures_missing_data_and_chart(figures, staff_client):
    response = staff_client.get(reverse("reports:overview"))
    html = response.content.decode()
    assert response.status_code == 200
    kh_row = re.search(r'<tr data-year="2023" data-country="KH">(.*?)</tr>', html, re.S).group(1)
    cells = [re.sub(r"<[^>]+>", "", c).strip()
             for c in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", kh_row, re.S)]
    assert cells == ["2023", "Cambodia", "1", "6", "4", "2", "1", "88.9 %", "62.5 (4)", "80.0 (3)", "1",
                     "16.7 (3)", "0.55 (2)", "1"]
    th_row = re.search(r'<tr data-year="2024" data-country="TH">(.*?)</tr>', html, re.S).group(1)
    assert "no sessions" in th_row
    vn_row = re.search(r'<tr data-year="2024" data-country="VN">(.*?)</tr>', html, re.S).group(1)
    assert "– (0)" in vn_row  # missing, never zero
    assert "2 confirmed teachers have no post-test" in html
    assert "1 teachers scored 100 on the pre-test" in html
    # the SVG chart has a title, a description and its numbers in a table beside it
    svg = re.search(r"<svg.*?</svg>", html, re.S).group(0)
    assert '<title id="overview-chart-title">Teachers by year and country</title>' in svg
    assert "<desc id=\"overview-chart-desc\">" in svg and 'role="img"' in svg
    assert "<caption>Teachers by year and country</caption>" in html
    assert '<tr><th scope="row">2023 Cambodia</th><td class="text-end">6</td><td class="text-end">4</td>' \
        '<td class="text-end">2</td></tr>' in html
    assert 'href="/static/css/reports.css"' in html


@pytest.mark.parametrize(
    ("params", "keys"),
    [
        ({"country": "TH"}, [(2024, "TH")]),
        ({"year": "2024"}, [(2024, "TH"), (2024, "VN")]),
        ({"language": "km"}, [(2023, "KH")]),
        ({"kind": CohortKind.REGIONAL}, []),
        ({"country": "regional"}, []),
    ],
)
def test_overview_filters(figures, staff_client, params, keys):
    response = staff_client.get(reverse("reports:overview"), params)
    assert [(r["year"], r["country"]) for r in response.context["overview"].rows] == keys


def test_regional_cohorts_show_to_staff_only(figures, staff_client, make_coordinator, client):
    regional = CohortFactory(programme=figures["programme"], code="reg-2022", kind=CohortKind.REGIONAL,
                             country="", year=2022, language=Language.ENGLISH,
                             start_date=dt.date(2022, 9, 16), end_date=dt.date(2022, 9, 18))
    EnrolmentFactory(cohort=regional)
    rows = staff_client.get(reverse("reports:overview")).context["overview"].rows
    assert (rows[0]["year"], rows[0]["country"], str(rows[0]["country_label"])) == (2022, "", "Regional")
    client.force_login(make_coordinator("KH", "TH", "VN"))
    assert client.get(reverse("reports:cohort", args=[regional.code])).status_code == 404
    assert all(r["country"] for r in client.get(reverse("reports:overview")).context["overview"].rows)


def test_buddhist_era_years_on_request(figures, staff_client):
    html = staff_client.get(reverse("reports:overview"), {"era": "be"}).content.decode()
    assert '<tr data-year="2024" data-country="TH">' in html
    assert "<th scope=\"row\">2567</th>" in html
    # the choice sticks for the session
    html = staff_client.get(reverse("reports:cohort", args=["th-2024"])).content.decode()
    assert "May 1, 2567 – May 3, 2567" in html
    html = staff_client.get(reverse("reports:cohort", args=["th-2024"]), {"era": "ce"}).content.decode()
    assert "May 1, 2024 – May 3, 2024" in html


def test_numbers_and_dates_follow_the_coordinators_language(figures, staff_client):
    staff_client.cookies["django_language"] = "vi"
    html = staff_client.get(reverse("reports:cohort", args=["kh-2023"])).content.decode()
    assert "88,9 %" in html  # Vietnamese decimal comma
    assert 'lang="vi"' in html


# --- cohort report: every figure ------------------------------------------------------------


def test_cohort_report_figures_by_hand(figures, staff_client):
    response = staff_client.get(reverse("reports:cohort", args=["kh-2023"]))
    ctx = response.context
    s = ctx["summary"]
    assert (s["registered"], s["confirmed"], s["withdrawn"], s["completed"]) == (6, 4, 1, 2)
    assert _approx(s["attendance_rate"], 16 / 18 * 100)
    assert (s["pre_mean"], s["pre_n"], s["missing_pre"], s["post_mean"], s["post_n"], s["missing_post"]) == (
        62.5, 4, 0, 80, 3, 1)
    assert _approx(s["gain_mean"], 50 / 3) and s["gain_n"] == 3
    assert _approx(s["g_mean"], 0.55) and (s["g_n"], s["g_excluded"]) == (2, 1)

    assert dict((str(k), v) for k, v in ctx["funnel"]) == {
        "Status: Applied": 0, "Status: Confirmed": 3, "Status: Waiting list": 1, "Status: Withdrawn": 1,
        "Status: Rejected": 0, "Status: Completed": 1}

    def table(key):
        return {r["label"]: (r["registered"], r["participants"]) for r in ctx["breakdowns"][key][1]}

    assert table("gender") == {"Female": (3, 3), "Male": (3, 1)}
    assert table("school_level") == {"Upper secondary school": (2, 2), "Lower secondary school": (1, 1),
                                     "Not given": (3, 1)}
    assert table("subject") == {"History": (2, 2), "Khmer literature": (1, 1), "Geography": (1, 1),
                                "Not given": (3, 1)}
    assert table("province") == {"Phnom Penh": (5, 3), "Kandal": (1, 1)}

    sessions = {s.title: (s.present, s.late, s.absent, s.excused, s.unrecorded) for s in ctx["sessions"]}
    assert sessions == {"S1": (4, 0, 0, 0, 0), "S2": (3, 1, 0, 0, 0), "S3": (3, 0, 1, 0, 0),
                        "S4": (2, 1, 0, 1, 0), "S5": (2, 0, 1, 1, 0)}
    assert [round(s.rate, 1) for s in ctx["sessions"]] == [100.0, 100.0, 75.0, 100.0, 66.7]

    scores = {b["label"]: (b["pre"], b["post"]) for b in score_distribution(figures["kh"])}
    assert scores["40–49"] == (1, 0) and scores["50–59"] == (1, 0) and scores["60–69"] == (1, 0)
    assert scores["70–79"] == (0, 1) and scores["80–89"] == (0, 1) and scores["90–100"] == (1, 1)
    assert sum(p for p, _ in scores.values()) == 4 and sum(q for _, q in scores.values()) == 3
    assert {g["label"]: g["n"] for g in ctx["gains"] if g["n"]} == {"-10 – -1": 1, "30 – 39": 2}

    roster = {e.teacher_id: e for e in ctx["roster"]}
    t = figures["t"]
    r1, r2, r3, r4, r5 = (roster[t[k].teacher_id] for k in ("T1", "T2", "T3", "T4", "T5"))
    assert (r2.present, r2.late, r2.absent, r2.excused_count, r2.sessions_count) == (2, 1, 1, 1, 5)
    assert r2.attendance_rate == 75 and r2.is_completed is False and r2.gain == 30
    assert (r3.post_score, r3.gain, r3.is_completed) == (None, None, False)
    assert (r1.is_completed, r4.is_completed, r4.norm_gain, r4.gain) == (True, True, None, -10)
    assert (r5.attendance_rate, r5.is_completed) == (None, False)  # no seat: no rate
    assert len(roster) == 6


def test_cohort_page_shows_missing_as_missing(figures, staff_client):
    html = staff_client.get(reverse("reports:cohort", args=["th-2024"])).content.decode()
    assert "This cohort has no sessions: no attendance rate (–)." in html
    assert re.search(r'data-key="attendance">– \(no sessions\)', html)
    assert re.search(r'data-key="post">60.0 \(1 test, 1 missing\)', html)
    html = staff_client.get(reverse("reports:cohort", args=["kh-2023"])).content.decode()
    assert re.search(r'data-key="g">0.55 \(2 teachers; 1 left out with a pre-test of 100\)', html)
    assert '<title id="attendance-chart-title">Attendance per session</title>' in html
    assert '<title id="score-chart-title">Pre- and post-test scores</title>' in html
    assert html.count("<desc id=") == 2 and html.count("<caption>Attendance per session</caption>") == 1


def test_cohort_page_roster_and_breakdown_rows_in_the_html(figures, staff_client):
    """The roster's and the breakdowns' rows, written in Python rather than by template loops: one
    row per enrolment in name order, the teacher's name in its order with the Latin letters
    beside it, every value escaped and formatted as the template filters write them."""
    teacher = figures["t"]["T2"].teacher
    teacher.family_name, teacher.given_name = "<Sok>", 'Chan & "Tha"'
    teacher.family_name_latin, teacher.given_name_latin = "Sok", "Chantha"
    teacher.name_order = NameOrder.GIVEN_FIRST
    teacher.save()
    html = staff_client.get(reverse("reports:cohort", args=["kh-2023"])).content.decode()
    roster = html[html.index('<table class="table table-sm table-striped report-table" id="roster">'):]
    ref = figures["t"]["T2"].reference
    assert (
        f'<tr data-ref="{ref}">\n'
        '      <th scope="row" class="name">Chan &amp; &quot;Tha&quot; &lt;Sok&gt; '
        '<span class="text-body-secondary">(Chantha Sok)</span></th>\n'
        "      <td>Confirmed</td>\n"
        "      <td>History, Khmer literature</td>\n"
        '      <td class="text-end">2</td><td class="text-end">1</td>\n'
        '      <td class="text-end">1</td><td class="text-end">1</td>\n'
        '      <td class="text-end">75.0 %</td>\n'
        '      <td class="text-end">50.0</td><td class="text-end">80.0</td>\n'
        '      <td class="text-end">30.0</td>\n'
        "      <td>no</td>\n"
        "    </tr>\n"
    ) in roster
    # In the exports' order (family name, given name, as the database sorts them).
    assert re.findall(r'<tr data-ref="([^"]+)">', roster) == [e.reference for e in cohort_roster(figures["kh"])]
    t3 = figures["t"]["T3"]  # no subject, no post-test
    assert re.search(rf'<tr data-ref="{t3.reference}">\n.*\n      <td>Confirmed</td>\n      <td></td>\n'
                     r'(.*\n){3}      <td class="text-end">60.0</td><td class="text-end">–</td>\n'
                     r'      <td class="text-end">–</td>\n      <td>no</td>', roster)
    assert ('<tbody><tr><th scope="row">Phnom Penh</th><td class="text-end">5</td><td class="text-end">3</td></tr>'
            '<tr><th scope="row">Kandal</th><td class="text-end">1</td><td class="text-end">1</td></tr></tbody>'
            ) in html
    empty = staff_client.get(reverse("reports:cohort", args=["vn-2024"])).content.decode()
    assert empty.count('<tr><td colspan="3">No enrolments.</td></tr>') == 4 and "<tr data-ref=" not in empty
    staff_client.cookies["django_language"] = "vi"
    html = staff_client.get(reverse("reports:cohort", args=["kh-2023"])).content.decode()
    assert '<td class="text-end">75,0 %</td>' in html and '<td class="text-end">50,0</td>' in html


# --- access and scope -----------------------------------------------------------------------

COHORT_URLS = [
    ("reports:cohort", []),
    ("reports:cohort_roster", ["csv"]),
    ("reports:cohort_roster", ["xlsx"]),
    ("reports:cohort_summary", []),
]


@pytest.mark.parametrize(("name", "extra"), COHORT_URLS)
def test_coordinator_of_another_country_gets_404_for_every_cohort_url(
    figures, client, make_coordinator, name, extra
):
    client.force_login(make_coordinator("TH"))
    assert client.get(reverse(name, args=["kh-2023", *extra])).status_code == 404
    assert client.get(reverse(name, args=["th-2024", *extra])).status_code == 200


def test_every_report_url_is_in_the_scope_test():
    cohort_names = {f"reports:{p.name}" for p in report_urlpatterns if "<slug:code>" in str(p.pattern)}
    assert cohort_names == {name for name, _ in COHORT_URLS}


ALL_URLS = [*COHORT_URLS, ("reports:overview", []), ("reports:overview_export", ["csv"]),
            ("reports:overview_export", ["xlsx"]), ("reports:overview_shared", [])]


@pytest.mark.parametrize(("name", "extra"), ALL_URLS)
def test_reports_need_sign_in_and_the_permission(figures, client, django_user_model, name, extra):
    args = ["kh-2023", *extra] if "cohort" in name else extra
    url = reverse(name, args=args)
    response = client.get(url)
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    client.force_login(django_user_model.objects.create_user("nobody", password="x"))
    assert client.get(url).status_code == 403


def test_overview_and_its_exports_hold_only_the_coordinators_countries(figures, client, make_coordinator):
    client.force_login(make_coordinator("TH"))
    rows = client.get(reverse("reports:overview")).context["overview"].rows
    assert [(r["year"], r["country"]) for r in rows] == [(2024, "TH")]
    body = b"".join(client.get(reverse("reports:overview_export", args=["csv"])).streaming_content)
    text = body.decode("utf-8-sig")
    assert "Thailand" in text and "Cambodia" not in text and "Vietnam" not in text
    html = client.get(reverse("reports:overview")).content.decode()
    assert "kh-2023" not in html and "th-2024" in html


def test_nav_shows_reports_and_sign_out_to_coordinators(figures, client, make_coordinator):
    html = client.get(reverse("pilots:home")).content.decode()
    assert "Staff sign in" in html and "Reports" not in html
    client.force_login(make_coordinator("KH"))
    html = client.get(reverse("pilots:home")).content.decode()
    assert 'href="/reports/"' in html and "Sign out" in html


# --- exports --------------------------------------------------------------------------------


def _csv(response):
    body = b"".join(response.streaming_content)
    assert body.startswith(b"\xef\xbb\xbf")  # UTF-8 byte-order mark
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))


def test_roster_csv_has_bom_and_escapes_formulas(figures, staff_client):
    teacher = figures["t"]["T1"].teacher
    teacher.family_name = '=HYPERLINK("http://evil.example","x")'
    teacher.given_name = "+1 @home"
    teacher.save()
    response = staff_client.get(reverse("reports:cohort_roster", args=["kh-2023", "csv"]))
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    rows = _csv(response)
    assert rows[0][:3] == ["Reference", "Family name", "Given name"]
    assert len(rows) == 8 and rows[-1][0].startswith("Downloaded by staff at ")  # who, and when
    evil = next(r for r in rows if "HYPERLINK" in r[1])
    assert evil[1] == '\'=HYPERLINK("http://evil.example","x")' and evil[2] == "'+1 @home"
    assert any(r[1] == "សុខ" for r in rows)  # Khmer survives
    t2 = next(r for r in rows if r[0] == figures["t"]["T2"].reference)
    assert t2[9:20] == ["5", "2", "1", "1", "1", "75.0", "50.0", "80.0", "30.0", "0.60", "no"]


def test_roster_xlsx_opens_and_keeps_formulas_as_text(figures, staff_client):
    teacher = figures["t"]["T1"].teacher
    teacher.family_name = '=HYPERLINK("http://evil.example","x")'
    teacher.save()
    response = staff_client.get(reverse("reports:cohort_roster", args=["kh-2023", "xlsx"]))
    assert response["Content-Disposition"] == 'attachment; filename="roster-kh-2023.xlsx"'
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    rows = list(workbook.active.iter_rows(values_only=True))
    assert len(rows) == 8 and rows[0][0] == "Reference" and rows[-1][0].startswith("Downloaded by staff at ")
    evil = next(r for r in rows if r[1] and "HYPERLINK" in r[1])
    cell = next(c for c in workbook.active.iter_rows(min_col=2, max_col=2) if "HYPERLINK" in str(c[0].value))
    assert cell[0].data_type == "s" and evil[1].startswith("=HYPERLINK")
    t3 = next(r for r in rows if r[0] == figures["t"]["T3"].reference)
    assert (t3[15], t3[16], t3[19]) == (60, None, "no")


def test_overview_exports_have_every_row(figures, staff_client):
    rows = _csv(staff_client.get(reverse("reports:overview_export", args=["csv"])))
    assert [r[:7] for r in rows[1:]] == [
        ["2023", "Cambodia", "1", "6", "4", "2", "1"],
        ["2024", "Thailand", "1", "2", "2", "0", "0"],
        ["2024", "Vietnam", "1", "0", "0", "0", "0"],
        ["2023", "All countries", "1", "6", "4", "2", "1"],
        ["2024", "All countries", "2", "2", "2", "0", "0"],
        ["All years", "Cambodia", "1", "6", "4", "2", "1"],
        ["All years", "Thailand", "1", "2", "2", "0", "0"],
        ["All years", "Vietnam", "1", "0", "0", "0", "0"],
        ["Total", "", "3", "8", "6", "2", "1"],
    ]
    assert rows[2][7] == ""  # no sessions: missing, not 0
    response = staff_client.get(reverse("reports:overview_export", args=["xlsx"]))
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    values = list(sheet.iter_rows(values_only=True))
    assert values[1][:7] == (2023, "Cambodia", 1, 6, 4, 2, 1) and values[1][7] == 88.9


def test_shared_exports_hide_cells_under_five(figures, staff_client):
    rows = _csv(staff_client.get(reverse("reports:overview_shared")))
    # Cambodia's 2023 row and its all-years row: the same counts, so every hidden one hides both.
    assert rows[1][:7] == ["2023", "Cambodia", "1", "6", "x", "x", "x"]
    assert rows[1][7] == "x"  # attendance of 4 participants would disclose individuals
    assert rows[2][:7] == ["All years", "Cambodia", "1", "6", "x", "x", "x"]
    assert not any(r[0] == "Total" or r[1] == "All countries" for r in rows)  # no row across countries
    rows = _csv(staff_client.get(reverse("reports:cohort_summary", args=["kh-2023"])))
    cells = {(r[0], r[1]): r[2:] for r in rows[1:]}
    assert cells[("Enrolment status", "Status: Confirmed")] == ["x", ""]
    assert cells[("Gender", "Female")] == ["x", "x"]
    assert all(not c.isdigit() or int(c) >= 5 for r in rows[1:] for c in r[2:])


@pytest.mark.parametrize("name", ["=1+2", "+1", "-1", "@SUM(A1)", "\tx", "\rx"])
def test_every_formula_prefix_is_written_as_text(name):
    from openpyxl import Workbook

    from pilots.reports.exports import _xlsx_cell, csv_cell

    assert csv_cell(name) == "'" + name
    assert csv_cell(-1.5) == "-1.5" and csv_cell(None) == ""  # numbers stay numbers, rounded once before
    cell = _xlsx_cell(Workbook(write_only=True).create_sheet(), name)
    assert cell.data_type == "s" and unescape(cell.value) == name  # CR as OOXML's _x000D_


def test_bad_export_format_is_404(figures, staff_client):
    assert staff_client.get(reverse("reports:overview_export", args=["pdf"])).status_code == 404


# --- query counts do not grow with the data -------------------------------------------------


def _bulk_cohort(n):
    """A cohort with `n` enrolments, 3 sessions, attendance and tests, made with bulk_create."""
    from pilots.models import Assessment, Attendance, Teacher

    cohort = CohortFactory(code=f"bulk-{n}")
    sessions = [SessionFactory(cohort=cohort, title=f"B{i}") for i in range(3)]
    province = Province.objects.get(code="KH-12")
    teachers = Teacher.objects.bulk_create(
        Teacher(family_name="ស", given_name=f"T{i}", email=f"bulk{n}-{i}@example.org", province=province)
        for i in range(n)
    )
    history = Subject.objects.get(code="history")
    Teacher.subjects.through.objects.bulk_create(
        Teacher.subjects.through(teacher_id=t.pk, subject_id=history.pk) for t in teachers
    )
    enrolments = Enrolment.objects.bulk_create(
        Enrolment(cohort=cohort, teacher=t, status=EnrolmentStatus.CONFIRMED, reference=f"B{n}-{i}")
        for i, t in enumerate(teachers)
    )
    Attendance.objects.bulk_create(
        Attendance(enrolment=e, session=s, status=P) for e in enrolments for s in sessions
    )
    Assessment.objects.bulk_create(
        Assessment(enrolment=e, kind=kind, score=40 + i % 50)
        for i, e in enumerate(enrolments) for kind in (AssessmentKind.PRE, AssessmentKind.POST)
    )
    return cohort


@pytest.mark.parametrize("n", [10, 1000])
def test_report_query_counts_do_not_grow(db, staff_client, django_assert_num_queries, n,
                                         django_capture_on_commit_callbacks):
    """Exact counts, the same for 10 and 1,000 enrolments (session, user and permissions included)."""
    cohort = _bulk_cohort(n)
    # Session, user, permissions, cohort, the access record; then 6 report queries: the session count,
    # the per-enrolment figures, the roster and its subjects, attendance per session and the sessions.
    with django_assert_num_queries(12):
        response = staff_client.get(reverse("reports:cohort", args=[cohort.code]))
    assert response.context["summary"]["confirmed"] == n
    html = response.content.decode()
    assert html.count("<tr data-ref=") == n
    assert f'<th scope="row">History</th><td class="text-end">{n:,}</td><td class="text-end">{n:,}</td>' in html
    with django_assert_num_queries(10):  # no stored figures yet: the lookup, then three live queries
        response = staff_client.get(reverse("reports:overview"))
    assert response.context["overview"].total["completed"] == n
    with django_capture_on_commit_callbacks(execute=True):
        refresh_figures()  # what the scheduler keeps: the overview adds up the stored figures
    with django_assert_num_queries(7):  # the latest refresh, its figures in one query (years cached)
        response = staff_client.get(reverse("reports:overview"))
    assert response.context["overview"].total["completed"] == n
    with django_assert_num_queries(10):  # + the access record
        rows = _csv(staff_client.get(reverse("reports:cohort_roster", args=[cohort.code, "csv"])))
    assert len(rows) == n + 2  # header, rows, who downloaded it
    with django_assert_num_queries(10):  # + the access record
        response = staff_client.get(reverse("reports:cohort_roster", args=[cohort.code, "xlsx"]))
    with django_assert_num_queries(10):
        rows = _csv(staff_client.get(reverse("reports:cohort_summary", args=[cohort.code])))
    assert ["All enrolments", "All", "x", str(n)] in rows  # every status but one is 0: hidden
    with django_assert_num_queries(6):  # the latest refresh; cached overview; the cohorts' breakdowns
        rows = _csv(staff_client.get(reverse("reports:overview_shared")))
    assert len(rows) == 3
    with django_assert_num_queries(11):  # + the access record
        response = staff_client.get(reverse("admin:pilots_enrolment_changelist"), {"completed": "yes"})
    assert response.context["cl"].result_count == n


# --- cache: served again until the data changes ---------------------------------------------


def test_reports_are_cached_until_the_data_changes(figures, staff_client, django_assert_max_num_queries,
                                                  django_capture_on_commit_callbacks):
    url = reverse("reports:cohort", args=["th-2024"])
    staff_client.get(url)
    staff_client.get(reverse("reports:overview"))
    with django_assert_max_num_queries(6):  # session, user, permissions, cohort: no report query
        html = staff_client.get(url).content.decode()
    assert "This cohort has no sessions" in html
    with django_assert_max_num_queries(8):
        staff_client.get(reverse("reports:overview"))
    session = SessionFactory(cohort=figures["th"], title="First session")
    with django_capture_on_commit_callbacks(execute=True):  # the register's save counts once committed
        record_attendance(session=session, entries=[
            {"enrolment_id": figures["t"][key].pk, "status": P, "note": "", "version": ""} for key in ("T7", "T8")
        ])
    html = staff_client.get(url).content.decode()
    assert "This cohort has no sessions" not in html and "First session" in html
    rows = staff_client.get(reverse("reports:overview")).context["overview"].rows
    assert next(r for r in rows if r["country"] == "TH")["attendance_rate"] == 100.0


def test_cached_cohort_report_follows_language_and_era(figures, staff_client):
    url = reverse("reports:cohort", args=["kh-2023"])
    assert "88.9 %" in staff_client.get(url).content.decode()
    staff_client.cookies["django_language"] = "vi"
    assert "88,9 %" in staff_client.get(url).content.decode()
    assert "2566" in staff_client.get(url, {"era": "be"}).content.decode()


def test_enrolment_admin_actions_still_work_on_the_annotated_list(figures, admin_client):
    url = reverse("admin:pilots_enrolment_changelist")
    t8 = figures["t"]["T8"]
    response = admin_client.post(url, {"action": "withdraw", "_selected_action": [t8.pk]}, follow=True)
    assert response.status_code == 200
    t8.refresh_from_db()
    assert t8.status == EnrolmentStatus.WITHDRAWN
    response = admin_client.get(reverse("admin:pilots_enrolment_change", args=[figures["t"]["T1"].pk]))
    assert response.status_code == 200
    t6 = figures["t"]["T6"]
    admin_client.post(url, {"action": "delete_selected", "_selected_action": [t6.pk], "post": "yes"})
    assert not Enrolment.objects.filter(pk=t6.pk).exists()


def test_empty_cohort_and_coordinator_without_countries(figures, staff_client, client, make_coordinator):
    html = staff_client.get(reverse("reports:cohort", args=["vn-2024"])).content.decode()
    assert "No enrolments." in html and "This cohort has no sessions" in html
    assert re.search(r'data-key="pre">– \(0 tests, 0 missing\)', html)
    client.force_login(make_coordinator())
    response = client.get(reverse("reports:overview"))
    assert response.status_code == 200 and "No cohorts match these filters." in response.content.decode()
    assert client.get(reverse("reports:cohort", args=["vn-2024"])).status_code == 404
