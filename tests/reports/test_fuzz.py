"""Whatever query string reaches a report or an export, as programme staff or as a coordinator, the
answer is a page, a file, a 400 with the filters' errors or a 404: never a 500.

Hypothesis builds the query strings: the real filter names and others, repeated keys, values in
Khmer, Thai and Vietnamese, control characters (NUL included), very long values, numbers in other
digits, and percent-escapes that decode to invalid UTF-8. Every URL of pilots/reports/urls.py is
tried; exports are read to the end, since a streamed file can fail after its first line.
"""

from urllib.parse import quote

import pytest
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pilots.choices import AssessmentKind, EnrolmentStatus
from pilots.reports.urls import urlpatterns
from tests.factories import AssessmentFactory, CohortFactory, EnrolmentFactory, SessionFactory, TeacherFactory

pytestmark = pytest.mark.django_db

KEYS = ["country", "year", "kind", "language", "era", "page", "o", "format", "q"]
TEXT = st.text(
    st.one_of(
        st.characters(codec="utf-8", exclude_categories=["Cs"]),
        st.characters(min_codepoint=0x1780, max_codepoint=0x17FF),
        st.characters(min_codepoint=0x0E01, max_codepoint=0x0E5B),
        st.sampled_from(list("ăâđêôơưệ\x00\r\n\t%&=?#+;") + ["\u200b", "\u202e", "😀"]),
    ),
    max_size=30,
)
VALUE = st.one_of(
    TEXT,
    st.sampled_from(["KH", "TH", "VN", "XX", "regional", "2022", "2026", "២០២៤", "๒๕๖๗", "be", "ce", "km",
                     "national_inservice", "-1", "99999999999999999999", "1e3", "NaN", "", " "]),
    st.integers(-(10**12), 10**12).map(str),
    st.builds(lambda c, n: c * n, st.sampled_from(["a", "ក", "9"]), st.sampled_from([1000, 5000])),
)
PAIRS = st.lists(st.tuples(st.one_of(st.sampled_from(KEYS), TEXT), VALUE), max_size=6)
# Raw escapes too: bytes that are not UTF-8 once decoded.
RAW = st.sampled_from(["", "&country=%FF", "&year=%C0%AF", "&%00=%00", "&era=%E2%82", "&country"])


def _targets(cohort_code):
    names = {p.name for p in urlpatterns}
    fmt = st.sampled_from(["csv", "xlsx", "pdf", "CSV", "x" * 300, "ក"])
    code = st.sampled_from([cohort_code, "th-fuzz", "nope", "a" * 200, "kh-fuzz-"])
    options = {
        "overview": st.just(()),
        "overview_export": st.tuples(fmt),
        "overview_shared": st.just(()),
        "cohort": st.tuples(code),
        "cohort_roster": st.tuples(code, fmt),
        "cohort_summary": st.tuples(code),
    }
    assert set(options) == names  # every report URL is fuzzed
    return st.one_of(*(args.map(lambda a, n=name: (n, a)) for name, args in options.items()))


@pytest.fixture
def data(db):
    kh = CohortFactory(code="kh-fuzz", country="KH", year=2024)
    th = CohortFactory(code="th-fuzz", country="TH", year=2026)
    session = SessionFactory(cohort=kh)
    for i, status in enumerate([EnrolmentStatus.CONFIRMED] * 6 + [EnrolmentStatus.WITHDRAWN]):
        teacher = TeacherFactory(family_name=["=1+1", "ស\rខ", "bell\x07", "ok"][i % 4])
        enrolment = EnrolmentFactory(cohort=kh, teacher=teacher, status=status)
        AssessmentFactory(enrolment=enrolment, kind=AssessmentKind.PRE, score=10 * i)
        if i % 2:
            AssessmentFactory(enrolment=enrolment, kind=AssessmentKind.POST, score=90)
    EnrolmentFactory(cohort=th)
    return kh, session


def _read(response):
    if response.streaming:
        b"".join(response.streaming_content)
    return response


@pytest.mark.parametrize("who", ["staff", "coordinator"])
def test_generated_query_strings_never_give_a_500(data, client, staff_user, make_coordinator, who):
    client.force_login(staff_user if who == "staff" else make_coordinator("KH"))
    seen = {}

    # Each generated query string goes to every real report and export, and to one generated URL.
    every_url = [("overview", ()), ("overview_export", ("csv",)), ("overview_export", ("xlsx",)),
                 ("overview_shared", ()), ("cohort", ("kh-fuzz",)), ("cohort_roster", ("kh-fuzz", "csv")),
                 ("cohort_roster", ("kh-fuzz", "xlsx")), ("cohort_summary", ("kh-fuzz",))]

    @settings(max_examples=50, deadline=None, database=None, suppress_health_check=list(HealthCheck))
    @given(target=_targets("kh-fuzz"), pairs=PAIRS, raw=RAW)
    def get(target, pairs, raw):
        query = "&".join(f"{quote(k, safe='')}={quote(v, safe='')}" for k, v in pairs) + raw
        for name, args in [*every_url, target]:
            try:
                url = reverse(f"reports:{name}", args=args)
            except Exception:  # noqa: BLE001 - a format the URL pattern cannot hold is no request
                continue
            response = _read(client.get(f"{url}?{query.lstrip('&')}"))  # the client raises on a server error
            assert response.status_code in (200, 400, 404), (url, query, response.status_code)
            seen.setdefault(name, set()).add(response.status_code)

    get()
    assert set(seen) == {p.name for p in urlpatterns}, seen
    assert 200 in seen["overview"] and 200 in seen["cohort"], seen
