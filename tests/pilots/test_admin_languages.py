"""The admin and its history screens in Khmer, Thai and Vietnamese, with our fonts."""

import re
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders
from django.urls import reverse

from pilots.i18n import django_strings
from tests.factories import CohortFactory, EnrolmentFactory, TeacherFactory
from tests.i18n.test_translations import catalogue, parse_po

pytestmark = pytest.mark.django_db

ADMIN_ENGLISH = ["Action:", "Run the selected action", "selected", "Changed by", "Changes", "Date/time",
                 "Recent actions", "Search", "History"]


def _get(client, url, language):
    client.cookies["django_language"] = language
    return client.get(url).content.decode()


def _visible(html):
    html = re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"<[^>]+>", " ", html)


@pytest.mark.parametrize(("language", "action"), [("km", "សកម្មភាព៖"), ("th", "คำสั่ง:"), ("vi", "Thao tác:")])
def test_the_enrolment_list_and_a_teachers_history_are_in_the_staff_language(admin_client, language, action):
    enrolment = EnrolmentFactory()
    changelist = _get(admin_client, reverse("admin:pilots_enrolment_changelist"), language)
    assert action in changelist
    admin_client.post(reverse("admin:pilots_teacher_change", args=[enrolment.teacher.pk]), {})  # no-op
    history = _get(admin_client, reverse("admin:pilots_teacher_history", args=[enrolment.teacher.pk]), language)
    for page in (changelist, history):
        text = _visible(page)
        left = [word for word in ADMIN_ENGLISH if re.search(rf"(?<![\w-]){re.escape(word)}(?![\w-])", text)]
        assert not left, (language, left)


def test_the_admin_loads_our_khmer_and_thai_fonts(admin_client):
    TeacherFactory(family_name="សុខ", given_name="ចាន់ថា")
    html = _get(admin_client, reverse("admin:pilots_teacher_changelist"), "km")
    assert "css/admin-fonts.css" in html
    body = Path(finders.find("css/admin-fonts.css")).read_text()
    assert "NotoSansKhmer-Regular.subset.woff2" in body and "NotoSansThai-Regular.subset.woff2" in body


def test_the_admin_calendar_spells_march_mina_in_khmer(admin_client):
    js = _get(admin_client, "/admin/jsi18n/", "km")
    assert "\\u1798\\u17b8\\u1793\\u17b6" in js or "មីនា" in js  # មីនា
    assert "\\u1798\\u17b7\\u1793\\u17b6" not in js and "មិនា" not in js


@pytest.mark.parametrize("language", ["km", "th", "vi"])
def test_every_admin_message_we_carry_is_translated(language):
    entries = {(e.get("msgctxt"), e["msgid"]): e for e in parse_po(catalogue(language))[1:]}
    for msgid in django_strings.ADMIN_MESSAGES + django_strings.MONTH_NAMES + django_strings.AUTH_MESSAGES:
        if not isinstance(msgid, str):
            continue  # plural messages: checked with every other entry by test_translations
        entry = entries.get((None, msgid))
        assert entry and all(t.strip() for t in entry["msgstr"].values()), (language, msgid)


def test_the_khmer_admin_finds_a_cohort_by_its_english_or_khmer_name(admin_client):
    CohortFactory(name="Takeo in-service", name_km="វគ្គតាកែវ")
    url = reverse("admin:pilots_cohort_changelist")
    for term in ("Takeo", "តាកែវ"):
        assert "វគ្គតាកែវ</a>" in _get(admin_client, f"{url}?q={term}", "km"), term
    assert "វគ្គតាកែវ</a>" not in _get(admin_client, f"{url}?q=Kampot", "km")


ADMIN_CHROME = ["Toggle navigation", "Sidebar", "Start typing to filter…", "Filter navigation items", "Breadcrumbs",
                "Model name", "Add link", "Change or view list link", "Access attempts", "Access failures",
                "Task Results", "Authentication and Authorization", "Select all objects on this page for an action",
                "Select this object for an action", "Toggle theme", "Show counts", "Change password:",
                "Password-based authentication"]


@pytest.mark.parametrize("language", ["km", "th", "vi"])
def test_the_admins_sidebar_lists_and_password_pages_are_in_the_staff_language(admin_client, language):
    """What every admin page repeats (sidebar, breadcrumbs, app list, action boxes, read aloud by
    screen readers) and an administrator's password page, not only the visible headings."""
    enrolment = EnrolmentFactory()
    admin = django_user_model_pk(admin_client)
    pages = [reverse("admin:index"), reverse("admin:pilots_enrolment_changelist"),
             reverse("admin:pilots_teacher_change", args=[enrolment.teacher.pk]),
             reverse("admin:auth_user_password_change", args=[admin])]
    for url in pages:
        english = _get(admin_client, url, "en")
        assert any(word in english for word in ADMIN_CHROME), url  # the English page has them
        html = _get(admin_client, url, language)
        left = [word for word in ADMIN_CHROME if word in html]
        assert not left, (language, url, left)


def django_user_model_pk(client) -> int:
    from django.contrib.auth import get_user_model

    return get_user_model().objects.get(username="admin").pk
