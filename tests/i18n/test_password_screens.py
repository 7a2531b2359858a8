"""Staff who read Khmer, Thai or Vietnamese sign in, reset and change their password without meeting
an English word: every text of these screens (and of the reset email) that the English render shows
must be different in the staff member's language.

Django's own Khmer auth catalogue leaves most of these strings untranslated (and its Thai one the
password rules); ours carries them (pilots/i18n/django_strings.py)."""

import html
import re

import pytest
from django.contrib.auth.tokens import default_token_generator
from django.core import mail
from django.test import Client
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

pytestmark = pytest.mark.django_db

LANGUAGES = ["km", "th", "vi"]
# Names and codes that read the same in every language: the site's name, the partners' acronyms, the
# language switcher's own names of the languages, and what the staff member typed.
SAME_IN_EVERY_LANGUAGE = {"Pilots", "English", "ភាសាខ្មែរ", "ไทย", "Tiếng Việt", "staff@example.org", "*",
                          "OSAPG", "DC-Cam"}
# Words the language itself writes as English does (Vietnamese staff write "Email").
SAME_IN = {"km": set(), "th": set(), "vi": {"Email"}}


def _texts(page: str) -> set[str]:
    """The words a reader sees or hears: text nodes, and the labels and hints in attributes."""
    page = re.sub(r"(?s)<(script|style)\b.*?</\1>", " ", page)
    page = re.sub(r"(?s)<head>.*?</head>", " ", page)
    texts = set(re.findall(r'(?:placeholder|title|aria-label|alt)="([^"]+)"', page))
    for chunk in re.sub(r"<[^>]+>", "\n", page).split("\n"):
        text = " ".join(html.unescape(chunk).split())
        if text:
            texts.add(text)
    return {t for t in texts if re.search(r"[A-Za-z]{2,}", t) and t not in SAME_IN_EVERY_LANGUAGE}


def _client(language: str | None) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE=language or "en")
    if language:
        client.cookies["django_language"] = language
    return client


def _reset_link(user) -> str:
    return f"/accounts/reset/{urlsafe_base64_encode(force_bytes(user.pk))}/{default_token_generator.make_token(user)}/"


def _screens(client: Client, user) -> dict[str, str]:
    """Every page of signing in and of resetting or changing a password, as the browser shows it."""
    pages = {}

    def get(name, url, **data):
        response = client.post(url, data, follow=True) if data else client.get(url, follow=True)
        assert response.status_code == 200, (name, response.status_code)
        pages[name] = response.content.decode()

    get("login", "/accounts/login/")
    get("login refused", "/accounts/login/", username="staff", password="wrong-password")
    get("admin login", "/admin/login/")
    get("reset form", "/accounts/password_reset/")
    get("reset form refused", "/accounts/password_reset/", email="not an address")
    get("reset done", "/accounts/password_reset/", email=user.email)
    link = _reset_link(user)
    get("new password", link)  # redirects to .../set-password/
    set_password = link.rsplit("/", 2)[0] + "/set-password/"
    get("new password refused", set_password, new_password1="12345", new_password2="54321")
    get("new password too common", set_password, new_password1="password", new_password2="password")
    get("new password like the username", set_password, new_password1="staff123", new_password2="staff123")
    get("link used or broken", "/accounts/reset/MQ/not-a-token/")
    get("reset complete", "/accounts/reset/done/")
    client.force_login(user)
    get("change form", "/accounts/password_change/")
    get("change refused", "/accounts/password_change/", old_password="wrong", new_password1="1",
        new_password2="1")
    get("admin change form", "/admin/password_change/")
    get("change done", "/accounts/password_change/done/")
    return pages


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_password_screen_is_in_the_staff_members_language(staff_user, language):
    english = _screens(_client(None), staff_user)
    translated = _screens(_client(language), staff_user)
    left = {name: sorted(_texts(page) & _texts(english[name]) - SAME_IN[language])
            for name, page in translated.items()}
    left = {name: texts for name, texts in left.items() if texts}
    assert not left, f"English left on the {language} screens: {left}"
    # The comparison is meaningful: the English render has words to compare.
    assert "Old password" in " ".join(_texts(english["change form"]))
    assert "This password is too common." in " ".join(_texts(english["new password too common"]))
    assert "The password is too similar to the username." in _texts(english["new password like the username"])


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_password_reset_email_is_in_the_staff_members_language(staff_user, language):
    for client in (_client(None), _client(language)):
        client.post("/accounts/password_reset/", {"email": staff_user.email})
    english, translated = mail.outbox
    assert translated.subject != english.subject
    english_lines = {line.strip() for line in english.body.splitlines() if re.search("[A-Za-z]{3}", line)}
    same = [line.strip() for line in translated.body.splitlines()
            if line.strip() in english_lines and "://" not in line]
    assert not same, same
