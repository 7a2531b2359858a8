import re
from decimal import Decimal

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from pilots.choices import AssessmentKind, AttendanceStatus, EnrolmentStatus
from pilots.models import Assessment, Attendance, Enrolment
from pilots.roles import PROGRAMME_STAFF
from tests.factories import AssessmentFactory, AttendanceFactory, CohortFactory, EnrolmentFactory
from tests.staffing.support import cohort_with_teachers, formset_post, text

pytestmark = pytest.mark.django_db


# --- access ----------------------------------------------------------------------------------


def _staff_urls(cohort, session):
    return [
        reverse("staffing:my_cohorts"),
        reverse("staffing:attendance", args=[session.pk]),
        reverse("staffing:sign_in_sheet", args=[session.pk]),
        reverse("staffing:scores", args=[cohort.pk, "pre"]),
        reverse("staffing:review", args=[cohort.pk]),
        reverse("imports:upload"),
        reverse("imports:template", args=["teachers", "csv"]),
    ]


def test_anonymous_visitors_are_sent_to_the_login_page(client):
    cohort, session, _ = cohort_with_teachers(1)
    for url in _staff_urls(cohort, session):
        response = client.get(url)
        assert response.status_code == 302, url
        assert "login" in response["Location"] and "next=" in response["Location"]


def test_coordinators_are_forbidden(client, make_coordinator):
    cohort, session, _ = cohort_with_teachers(1)
    client.force_login(make_coordinator("KH"))
    for url in _staff_urls(cohort, session):
        assert client.get(url).status_code == 403, url


def test_staff_without_view_all_countries_only_reach_cohorts_they_run(client, django_user_model):
    from django.contrib.auth.models import Permission

    user = django_user_model.objects.create_user("limited", password="x")
    user.user_permissions.add(
        *Permission.objects.filter(codename__in=["change_attendance", "view_attendance"])
    )
    client.force_login(user)
    mine, my_session, _ = cohort_with_teachers(1, team=[user])
    other, other_session, _ = cohort_with_teachers(1)
    assert client.get(reverse("staffing:attendance", args=[my_session.pk])).status_code == 200
    assert client.get(reverse("staffing:attendance", args=[other_session.pk])).status_code == 404
    page = text(client.get(reverse("staffing:my_cohorts") + "?all=1"))
    assert mine.name in page and other.name not in page


def test_nav_shows_staff_link_to_programme_staff_only(staff_client, client, make_coordinator):
    assert reverse("staffing:my_cohorts") in staff_client.get("/").content.decode()
    client.force_login(make_coordinator("KH"))
    assert reverse("staffing:my_cohorts") not in client.get("/").content.decode()


# --- my cohorts ------------------------------------------------------------------------------


def test_my_cohorts_lists_cohorts_run_with_counts_upcoming_first(staff_client, staff_user):
    import datetime as dt

    from django.utils import timezone

    from tests.factories import SessionFactory

    today = timezone.localdate()
    past = CohortFactory(name="Past cohort", capacity=10)
    past.team.add(staff_user)
    SessionFactory(cohort=past)
    future = CohortFactory(name="Future cohort", start_date=today, end_date=today + dt.timedelta(days=5),
                           year=today.year, capacity=4)
    future.team.add(staff_user)
    SessionFactory(cohort=future, date=today + dt.timedelta(days=1), title="Risk factors")
    EnrolmentFactory.create_batch(3, cohort=future, status=EnrolmentStatus.CONFIRMED)
    EnrolmentFactory(cohort=future, status=EnrolmentStatus.WAITLISTED)
    CohortFactory(name="Somebody else's cohort")

    page = text(staff_client.get(reverse("staffing:my_cohorts")))

    assert page.index("Future cohort") < page.index("Past cohort")
    assert "Somebody else" not in page
    assert "3 / 4" in page and "Risk factors" in page
    assert "Somebody else" in text(staff_client.get(reverse("staffing:my_cohorts") + "?all=1"))


@pytest.mark.parametrize("n", [2, 20])
def test_my_cohorts_uses_a_fixed_number_of_queries(staff_client, staff_user, n,
                                                   django_assert_max_num_queries):
    for _ in range(n):
        cohort_with_teachers(3, team=[staff_user])
    staff_client.get(reverse("staffing:my_cohorts"))  # warm the permission cache path
    with django_assert_max_num_queries(6):
        response = staff_client.get(reverse("staffing:my_cohorts"))
    assert len(response.context["cohorts"]) == n


# --- attendance register ---------------------------------------------------------------------


def test_register_saves_exactly_what_was_ticked_and_shows_it_again(staff_client, staff_user):
    cohort, session, (a, b, c) = cohort_with_teachers(3)
    EnrolmentFactory(cohort=cohort, status=EnrolmentStatus.WAITLISTED)  # not on the register
    url = reverse("staffing:attendance", args=[session.pk])
    response = staff_client.get(url)
    assert len(response.context["rows"]) == 3
    data = formset_post(response, "att", {
        a.pk: {"status": "present"}, b.pk: {"status": "late", "note": "  traffic   jam "},
    })

    response = staff_client.post(url, data, follow=True)

    saved = {x.enrolment_id: (x.status, x.note) for x in Attendance.objects.filter(session=session)}
    assert saved == {a.pk: ("present", ""), b.pk: ("late", "traffic jam")}
    assert "Attendance saved: 2 recorded, 0 changed." in text(response)
    reopened = staff_client.get(url)
    statuses = {int(r["form"]["enrolment"].value()): r["form"]["status"].value()
                for r in reopened.context["rows"]}
    assert statuses == {a.pk: "present", b.pk: "late", c.pk: ""}
    assert re.search(r'<input type="radio"[^>]*value="late"[^>]*checked', reopened.content.decode())
    # Attendance rows remember who made the change.
    record = Attendance.history.get(enrolment_id=a.pk)
    assert record.history_user == staff_user


def test_register_changes_a_saved_row_and_records_history(staff_client, staff_user):
    cohort, session, (a,) = cohort_with_teachers(1)
    AttendanceFactory(enrolment=a, session=session, status=AttendanceStatus.ABSENT)
    url = reverse("staffing:attendance", args=[session.pk])
    data = formset_post(staff_client.get(url), "att", {a.pk: {"status": "excused", "note": "sick"}})
    staff_client.post(url, data)
    row = Attendance.objects.get(enrolment=a, session=session)
    assert (row.status, row.note) == ("excused", "sick")
    assert row.history.latest().history_user == staff_user
    assert row.history.latest().history_type == "~"


def test_concurrent_register_saves_are_detected_and_nothing_is_saved(
    staff_client, client, django_user_model
):
    cohort, session, (a, b) = cohort_with_teachers(2)
    url = reverse("staffing:attendance", args=[session.pk])
    colleague = django_user_model.objects.create_user("colleague", password="x")
    colleague.groups.add(Group.objects.get(name=PROGRAMME_STAFF))
    client.force_login(colleague)
    mine = formset_post(staff_client.get(url), "att", {a.pk: {"status": "present"},
                                                       b.pk: {"status": "present"}})
    theirs = formset_post(client.get(url), "att", {a.pk: {"status": "absent"}})
    client.post(url, theirs)
    rows_before = list(Attendance.objects.values_list("pk", "enrolment_id", "status", "note", "updated_at"))
    history_before = Attendance.history.count()

    response = staff_client.post(url, mine)

    assert response.status_code == 200
    page = text(response)
    assert "Someone else saved this register" in page
    assert "colleague saved “Absent”" in page
    # Nothing of my save went through: not a's change, not b's new row, no history.
    assert list(Attendance.objects.values_list("pk", "enrolment_id", "status", "note", "updated_at")) == rows_before
    assert {x.enrolment_id: x.status for x in Attendance.objects.all()} == {a.pk: "absent"}
    assert Attendance.history.count() == history_before
    # The page now carries the new version: saving again is deliberate and goes through.
    again = formset_post(response, "att", {})
    staff_client.post(url, again)
    assert {x.enrolment_id: x.status for x in Attendance.objects.all()} == {a.pk: "present",
                                                                            b.pk: "present"}


def test_same_value_saved_by_two_people_is_not_a_conflict(staff_client):
    cohort, session, (a,) = cohort_with_teachers(1)
    url = reverse("staffing:attendance", args=[session.pk])
    first = formset_post(staff_client.get(url), "att", {a.pk: {"status": "present"}})
    second = dict(first)
    staff_client.post(url, first)
    response = staff_client.post(url, second, follow=True)
    assert "Someone else" not in text(response)


def test_register_refuses_rows_of_teachers_not_confirmed(staff_client):
    cohort, session, (a,) = cohort_with_teachers(1)
    url = reverse("staffing:attendance", args=[session.pk])
    data = formset_post(staff_client.get(url), "att", {a.pk: {"status": "present"}})
    Enrolment.objects.filter(pk=a.pk).update(status=EnrolmentStatus.WITHDRAWN)
    response = staff_client.post(url, data)
    assert "no longer confirmed" in text(response)
    assert not Attendance.objects.exists()


@pytest.mark.parametrize("n", [5, 100])
def test_register_uses_a_fixed_number_of_queries(staff_client, n, django_assert_num_queries):
    cohort, session, enrolments = cohort_with_teachers(n)
    AttendanceFactory(enrolment=enrolments[0], session=session, status=AttendanceStatus.ABSENT)
    url = reverse("staffing:attendance", args=[session.pk])
    staff_client.get(url)
    with django_assert_num_queries(9):  # 7 + who checked in themselves + the access record
        response = staff_client.get(url)
    data = formset_post(response, "att", {e.pk: {"status": "present"} for e in enrolments})
    with django_assert_num_queries(16):
        staff_client.post(url, data)
    assert Attendance.objects.filter(session=session, status="present").count() == n


# --- sign-in sheet ---------------------------------------------------------------------------


def test_sign_in_sheet_lists_confirmed_teachers_in_their_own_script(staff_client):
    cohort, session, (a, b) = cohort_with_teachers(2)
    a.teacher.family_name, a.teacher.given_name = "Nguyễn", "Thị Hồng"
    a.teacher.name_order = "family_first"
    a.teacher.save()
    withdrawn = EnrolmentFactory(cohort=cohort, status=EnrolmentStatus.WITHDRAWN)
    response = staff_client.get(reverse("staffing:sign_in_sheet", args=[session.pk]))
    page = response.content.decode()
    assert "Nguyễn Thị Hồng" in page and b.teacher.full_name in page
    assert withdrawn.teacher.full_name not in page
    assert "css/staff-print.css" in page and "Signature" in page
    assert "<script>" not in page and "style=" not in page


@pytest.mark.parametrize("n", [5, 100])
def test_sign_in_sheet_uses_a_fixed_number_of_queries(staff_client, n, django_assert_num_queries):
    cohort, session, enrolments = cohort_with_teachers(n)
    url = reverse("staffing:sign_in_sheet", args=[session.pk])
    staff_client.get(url)
    with django_assert_num_queries(7):  # + the access record
        response = staff_client.get(url)
    assert len(response.context["enrolments"]) == n


# --- scores ----------------------------------------------------------------------------------


def test_scores_are_saved_for_the_whole_page(staff_client, staff_user):
    cohort, session, (a, b, c) = cohort_with_teachers(3)
    url = reverse("staffing:scores", args=[cohort.pk, "pre"])
    data = formset_post(staff_client.get(url), "sc", {a.pk: {"score": "48.5"}, b.pk: {"score": "100"}})
    data["taken_on"] = "2023-03-01"
    response = staff_client.post(url, data, follow=True)
    assert "Scores saved: 2 recorded" in text(response)
    saved = {x.enrolment_id: x.score for x in Assessment.objects.filter(kind=AssessmentKind.PRE)}
    assert saved == {a.pk: Decimal("48.50"), b.pk: Decimal("100.00")}
    assert Assessment.history.filter(history_user=staff_user).count() == 2


def test_one_invalid_score_blocks_the_whole_page_with_the_error_on_its_row(staff_client):
    cohort, session, (a, b, c) = cohort_with_teachers(3)
    AssessmentFactory(enrolment=c, kind=AssessmentKind.POST, score=70)
    url = reverse("staffing:scores", args=[cohort.pk, "post"])
    data = formset_post(staff_client.get(url), "sc", {a.pk: {"score": "80"}, b.pk: {"score": "101"},
                                                      c.pk: {"score": "75"}})
    response = staff_client.post(url, data)
    assert response.status_code == 200
    rows = {int(r["form"]["enrolment"].value()): r["form"] for r in response.context["rows"]}
    assert rows[b.pk].errors["score"] == ["The score must be between 0 and 100."]
    assert not rows[a.pk].errors
    assert "Nothing was saved" in text(response)
    assert {x.enrolment_id: x.score for x in Assessment.objects.all()} == {c.pk: Decimal("70.00")}


def test_a_recorded_score_cannot_be_blanked_out(staff_client):
    cohort, session, (a,) = cohort_with_teachers(1)
    AssessmentFactory(enrolment=a, kind=AssessmentKind.PRE, score=40)
    url = reverse("staffing:scores", args=[cohort.pk, "pre"])
    data = formset_post(staff_client.get(url), "sc", {a.pk: {"score": ""}})
    response = staff_client.post(url, data)
    assert "cannot be removed" in text(response)
    assert Assessment.objects.get().score == 40


def test_unknown_test_kind_is_404(staff_client):
    cohort, session, _ = cohort_with_teachers(1)
    assert staff_client.get(reverse("staffing:scores", args=[cohort.pk, "mid"])).status_code == 404


@pytest.mark.parametrize("n", [5, 100])
def test_scores_page_uses_a_fixed_number_of_queries(staff_client, n, django_assert_num_queries):
    cohort, session, enrolments = cohort_with_teachers(n)
    AssessmentFactory(enrolment=enrolments[0], kind=AssessmentKind.PRE, score=10)
    url = reverse("staffing:scores", args=[cohort.pk, "pre"])
    staff_client.get(url)
    with django_assert_num_queries(8):  # + the access record
        response = staff_client.get(url)
    data = formset_post(response, "sc", {e.pk: {"score": "55"} for e in enrolments})
    with django_assert_num_queries(15):
        staff_client.post(url, data)
    assert Assessment.objects.filter(score=55).count() == n


# --- enrolment review ------------------------------------------------------------------------


def test_review_confirms_in_bulk_until_the_cohort_is_full(staff_client, staff_user, mailoutbox,
                                                          django_capture_on_commit_callbacks):
    cohort = CohortFactory(capacity=2)
    EnrolmentFactory(cohort=cohort, status=EnrolmentStatus.CONFIRMED)
    applicants = EnrolmentFactory.create_batch(3, cohort=cohort, status=EnrolmentStatus.APPLIED)
    url = reverse("staffing:review", args=[cohort.pk])
    page = text(staff_client.get(url))
    assert all(e.teacher.full_name in page for e in applicants)
    assert "1 of 2 seats taken" in page

    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(
            url, {"action": "confirm", "enrolments": [e.pk for e in applicants]}, follow=True
        )

    statuses = [Enrolment.objects.get(pk=e.pk).status for e in applicants]
    assert statuses == ["confirmed", "applied", "applied"]
    assert cohort.enrolments.seated().count() == 2
    page = text(response)
    assert "1 enrolment(s) updated" in page and "The cohort is full" in page
    assert Enrolment.history.filter(id=applicants[0].pk).latest().history_user == staff_user
    assert [m.to[0] for m in mailoutbox] == [applicants[0].teacher.email]


def test_review_rejects_waitlists_and_promotes(staff_client):
    cohort = CohortFactory(capacity=1)
    applied = EnrolmentFactory(cohort=cohort, status=EnrolmentStatus.APPLIED)
    waiting = EnrolmentFactory(cohort=cohort, status=EnrolmentStatus.WAITLISTED)
    url = reverse("staffing:review", args=[cohort.pk])
    staff_client.post(url, {"action": "reject", "enrolments": [applied.pk]})
    staff_client.post(url, {"action": "promote"})
    applied.refresh_from_db()
    waiting.refresh_from_db()
    assert (applied.status, waiting.status) == ("rejected", "confirmed")
    response = staff_client.post(url, {"action": "confirm"})
    assert "Select at least one teacher" in text(response)


@pytest.mark.parametrize("n", [5, 50])
def test_review_page_uses_a_fixed_number_of_queries(staff_client, n, django_assert_num_queries):
    cohort = CohortFactory(capacity=5)
    EnrolmentFactory.create_batch(n, cohort=cohort, status=EnrolmentStatus.APPLIED)
    EnrolmentFactory.create_batch(n, cohort=cohort, status=EnrolmentStatus.WAITLISTED)
    url = reverse("staffing:review", args=[cohort.pk])
    staff_client.get(url)
    with django_assert_num_queries(7):  # + the access record
        response = staff_client.get(url)
    assert len(response.context["applied"]) == n


def test_a_teacher_confirmed_while_the_register_was_open_does_not_shift_rows(staff_client):
    cohort, session, (a, b) = cohort_with_teachers(2)
    a.teacher.family_name, b.teacher.family_name = "ស", "ហ"
    a.teacher.save()
    b.teacher.save()
    AttendanceFactory(enrolment=a, session=session, status=AttendanceStatus.ABSENT)
    url = reverse("staffing:attendance", args=[session.pk])
    data = formset_post(staff_client.get(url), "att", {a.pk: {"status": "present"}})
    EnrolmentFactory(cohort=cohort, status=EnrolmentStatus.CONFIRMED, teacher__family_name="ក")
    response = staff_client.post(url, data, follow=True)
    assert "Attendance saved: 0 recorded, 1 changed." in text(response)
    assert len(response.context["rows"]) == 3
    assert Attendance.objects.get().status == "present"


def test_recorded_attendance_is_offered_no_blank_and_cannot_be_cleared(staff_client):
    cohort, session, (a,) = cohort_with_teachers(1)
    AttendanceFactory(enrolment=a, session=session, status=AttendanceStatus.LATE)
    url = reverse("staffing:attendance", args=[session.pk])
    response = staff_client.get(url)
    assert "Not recorded" not in text(response)
    response = staff_client.post(url, formset_post(response, "att", {a.pk: {"status": ""}}))
    assert "cannot be cleared" in text(response)
    assert Attendance.objects.get().status == "late"


def test_concurrent_score_saves_are_detected_and_nothing_is_saved(staff_client, client, django_user_model):
    cohort, session, (a, b) = cohort_with_teachers(2)
    url = reverse("staffing:scores", args=[cohort.pk, "post"])
    colleague = django_user_model.objects.create_user("colleague", password="x")
    colleague.groups.add(Group.objects.get(name=PROGRAMME_STAFF))
    client.force_login(colleague)
    mine = formset_post(staff_client.get(url), "sc", {a.pk: {"score": "60"}, b.pk: {"score": "70"}})
    theirs = formset_post(client.get(url), "sc", {a.pk: {"score": "65"}})
    client.post(url, theirs)
    rows_before = list(Assessment.objects.values_list("pk", "enrolment_id", "kind", "score", "updated_at"))
    history_before = Assessment.history.count()

    response = staff_client.post(url, mine)

    assert "Someone saved 65.00 after you opened this page" in text(response)
    # Nothing of my page went through: not a's 60, not b's new 70, no history.
    assert list(Assessment.objects.values_list("pk", "enrolment_id", "kind", "score", "updated_at")) == rows_before
    assert {x.enrolment_id: x.score for x in Assessment.objects.all()} == {a.pk: Decimal("65.00")}
    assert Assessment.history.count() == history_before
    staff_client.post(url, formset_post(response, "sc", {}))
    assert {x.enrolment_id: x.score for x in Assessment.objects.all()} == {
        a.pk: Decimal("60.00"), b.pk: Decimal("70.00")}


# --- scores typed as staff type them ----------------------------------------------------------


def test_scores_page_uses_a_decimal_text_input_not_a_number_input(staff_client):
    cohort, _session, _enrolments = cohort_with_teachers(1)
    page = text(staff_client.get(reverse("staffing:scores", args=[cohort.pk, "pre"])))
    assert 'inputmode="decimal"' in page and 'type="number"' not in page


@pytest.mark.parametrize(("typed", "saved"), [("12,5", Decimal("12.50")), ("1,5", Decimal("1.50")),
                                              (" 66.5 ", Decimal("66.50")), ("54", Decimal("54.00"))])
def test_a_decimal_comma_is_read_right(staff_client, typed, saved):
    cohort, _session, (a,) = cohort_with_teachers(1)
    url = reverse("staffing:scores", args=[cohort.pk, "pre"])
    staff_client.post(url, formset_post(staff_client.get(url), "sc", {a.pk: {"score": typed}}))
    assert Assessment.objects.get().score == saved


@pytest.mark.parametrize("typed", ["abc", "12,5,0", "1.2.3", "12.555", "-3", "NaN", "12.5abc"])
def test_text_that_is_not_a_score_is_refused_on_its_row_and_nothing_saved(staff_client, typed):
    cohort, _session, (a, b) = cohort_with_teachers(2)
    url = reverse("staffing:scores", args=[cohort.pk, "pre"])
    response = staff_client.post(url, formset_post(staff_client.get(url), "sc", {
        a.pk: {"score": "50"}, b.pk: {"score": typed}}))
    rows = {int(r["form"]["enrolment"].value()): r["form"] for r in response.context["rows"]}
    assert rows[b.pk].errors["score"] and not rows[a.pk].errors
    assert not Assessment.objects.exists()


# --- review: select all, one summary, no default action ----------------------------------------


def test_review_offers_select_all_and_no_default_action(staff_client):
    cohort = CohortFactory(capacity=5)
    EnrolmentFactory.create_batch(2, cohort=cohort, status=EnrolmentStatus.APPLIED)
    url = reverse("staffing:review", args=[cohort.pk])
    page = text(staff_client.get(url))
    assert 'data-select-all="applied"' in page
    assert re.search(r'<option value="" selected>', page)
    assert "?select=applied" in page  # without JavaScript: a link that ticks every row
    ticked = text(staff_client.get(url + "?select=applied"))
    assert ticked.count("checked") >= 2
    response = staff_client.post(url, {"enrolments": [e.pk for e in cohort.enrolments.all()]})
    assert "Choose what to do" in text(response)
    assert cohort.enrolments.filter(status=EnrolmentStatus.APPLIED).count() == 2


def test_review_reports_one_summary_not_one_alert_per_teacher(staff_client):
    cohort = CohortFactory(capacity=1)
    applicants = EnrolmentFactory.create_batch(4, cohort=cohort, status=EnrolmentStatus.APPLIED)
    url = reverse("staffing:review", args=[cohort.pk])
    response = staff_client.post(url, {"action": "confirm", "enrolments": [e.pk for e in applicants]},
                                 follow=True)
    page = response.content.decode()
    assert page.count('class="alert') == 1
    assert "1 enrolment(s) updated" in text(response) and "3 not changed" in text(response)


def test_my_cohorts_links_each_cohort_to_its_certificates_for_staff_who_issue_them(staff_client, staff_user):
    cohort = CohortFactory(name="Issuing cohort")
    cohort.team.add(staff_user)
    page = staff_client.get(reverse("staffing:my_cohorts")).content.decode()
    assert reverse("certificates:cohort", args=[cohort.code]) in page
