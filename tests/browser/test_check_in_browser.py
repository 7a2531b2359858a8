"""Two teachers check in on phones while the staff screen shows the rotating code."""

import datetime as dt

import pytest
from django.conf import settings as django_settings
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils import timezone

from pilots.checkin.services import open_check_in
from pilots.models import Attendance
from pilots.roles import PROGRAMME_STAFF
from pilots.status_links import make_registration_token
from tests.browser.support import assert_accessible
from tests.factories import CohortFactory, EnrolmentFactory, SessionFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"viewport": {"width": 360, "height": 740}, "is_mobile": True, "has_touch": True,
         "device_scale_factor": 2}


SUBMIT = "form[action='/check-in/'] button"


def test_two_teachers_check_in_on_phones_while_the_staff_screen_rotates_the_code(
        chromium, page, live_server, client, django_user_model, settings):
    settings.PILOTS_CHECKIN_WINDOW_SECONDS = 6  # rotate quickly; the rule is the same at 30 s
    user = django_user_model.objects.create_user("trainer", password="pw-trainer-1234", is_staff=True)
    user.groups.add(Group.objects.get(name=PROGRAMME_STAFF))
    today = timezone.localdate()
    cohort = CohortFactory(name="Phnom Penh 2026", start_date=today, end_date=today, language="km")
    cohort.team.add(user)
    started = (timezone.localtime() - dt.timedelta(minutes=5)).time().replace(second=0, microsecond=0)
    session = SessionFactory(cohort=cohort, title="Risk factors", date=today, starts_at=started,
                             ends_at=dt.time(23, 59, 59))
    by_email = EnrolmentFactory(cohort=cohort, teacher__email="sokha@example.org",
                                teacher__preferred_language="km")
    by_link = EnrolmentFactory(cohort=cohort, teacher__email="dara@example.org",
                               teacher__preferred_language="km")
    open_check_in(session=session, user=user, grace_minutes=15)
    client.force_login(user)
    page.context.add_cookies([{"name": django_settings.SESSION_COOKIE_NAME,
                               "value": client.cookies[django_settings.SESSION_COOKIE_NAME].value,
                               "url": live_server.url}])

    page.goto(reverse("staffing:check_in", args=[session.pk]))
    assert page.locator(".qr svg").is_visible()
    assert_accessible(page, "the staff check-in screen")
    first_code = page.locator("#check-in-code").inner_text()
    # The screen loads the next code by itself when the current one expires.
    page.wait_for_function(
        "code => document.querySelector('#check-in-code') && "
        "document.querySelector('#check-in-code').innerText !== code", arg=first_code, timeout=20_000)

    phones = [chromium.new_context(base_url=live_server.url, locale="km-KH", **PHONE) for _ in range(2)]
    try:
        first, second = (context.new_page() for context in phones)
        # Teacher 1 scans the QR code: its link carries the session and the code; they add their email.
        page.wait_for_selector("#check-in-code")
        code = page.locator("#check-in-code").inner_text()
        first.goto(reverse("checkin:check_in") + f"?s={session.pk}&c={code}")
        assert first.locator("html").get_attribute("lang") == "km"
        assert_accessible(first, "the teacher's check-in page on a phone")
        first.fill("input[name=email]", "sokha@example.org")
        first.locator(SUBMIT).tap()
        first.wait_for_selector("#check-in-result")

        # Teacher 2 opens "My registration" and types the code on the screen.
        second.goto(reverse("registration:my_registration", args=[make_registration_token(by_link)]))
        page.wait_for_selector("#check-in-code")
        second.fill("#check-in-code", page.locator("#check-in-code").inner_text())
        second.locator(SUBMIT).tap()
        second.wait_for_selector("#check-in-result")
        assert second.evaluate("document.documentElement.scrollWidth") <= 360

        # Checking in again changes nothing, and says so.
        second.go_back()
        page.wait_for_selector("#check-in-code")
        second.fill("#check-in-code", page.locator("#check-in-code").inner_text())
        second.locator(SUBMIT).tap()
        second.wait_for_selector("#check-in-result")
    finally:
        for context in phones:
            context.close()

    assert set(Attendance.objects.filter(session=session).values_list("enrolment_id", "status")) == {
        (by_email.pk, "present"), (by_link.pk, "present")}
    # In a page of its own: the check-in screen reloads itself every window, and a navigation away
    # from it can meet that reload and be aborted.
    register = page.context.new_page()
    register.goto(reverse("staffing:attendance", args=[session.pk]))
    assert register.locator(".self-check-in").count() == 2
