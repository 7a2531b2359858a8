import pytest
from django.conf import settings
from django.contrib.auth.models import Group
from django.urls import reverse

from pilots.choices import EnrolmentStatus
from pilots.models import Attendance
from pilots.roles import PROGRAMME_STAFF
from tests.factories import CohortFactory, EnrolmentFactory, SessionFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_staff_take_a_sessions_attendance_in_chromium(page, live_server, client, django_user_model):
    user = django_user_model.objects.create_user("trainer", password="pw-trainer-1234", is_staff=True)
    user.groups.add(Group.objects.get(name=PROGRAMME_STAFF))
    cohort = CohortFactory(name="Kampong Cham 2023")
    cohort.team.add(user)
    session = SessionFactory(cohort=cohort, title="Risk factors")
    first, second, third = (
        EnrolmentFactory(cohort=cohort, status=EnrolmentStatus.CONFIRMED, teacher__province=None,
                         teacher__family_name=family, teacher__given_name=given)
        for family, given in [("សុខ", "ចាន់ថា"), ("ហេង", "ស្រីមុំ"), ("ស៊ុន", "ធីតា")]
    )
    client.force_login(user)
    page.context.add_cookies([{"name": settings.SESSION_COOKIE_NAME,
                               "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                               "url": live_server.url}])

    page.goto(reverse("staffing:my_cohorts"))
    page.get_by_role("link", name="Staff").wait_for()
    page.get_by_role("link", name="Register").click()
    assert page.locator("h1").inner_text() == "Attendance register"

    page.get_by_role("button", name="Mark everyone not recorded as present").click()
    assert page.get_by_role("group", name="Attendance of សុខ ចាន់ថា").get_by_label("Present").is_checked()
    page.get_by_role("group", name="Attendance of ហេង ស្រីមុំ").get_by_text("Late").click()
    page.get_by_role("group", name="Attendance of ស៊ុន ធីតា").get_by_text("Excused").click()
    page.get_by_label("Note about ស៊ុន ធីតា").fill("ill")
    page.get_by_role("button", name="Save attendance").click()

    page.get_by_text("Attendance saved: 3 recorded, 0 changed.").wait_for()
    saved = {a.enrolment_id: (a.status, a.note) for a in Attendance.objects.filter(session=session)}
    assert saved == {first.pk: ("present", ""), second.pk: ("late", ""), third.pk: ("excused", "ill")}
    assert page.get_by_role("group", name="Attendance of ហេង ស្រីមុំ").get_by_label("Late").is_checked()
