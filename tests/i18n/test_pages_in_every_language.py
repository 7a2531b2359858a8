"""Every page and email a teacher meets reads wholly in Khmer, Thai or Vietnamese: no English left.

Each page is fetched as a visitor who chose the language, its visible text (and the attributes a
screen reader speaks) is extracted, and English words are looked for. The data shown (cohort names,
venues, teachers' names) is written in the language under test, so any English found is ours.
"""

import re
from html import unescape
from html.parser import HTMLParser

import pytest
from django.conf import settings
from django.urls import reverse

from pilots import notifications
from pilots.choices import CohortStatus
from pilots.models import Enrolment
from tests.factories import EnrolmentFactory, OpenCohortFactory, TeacherFactory
from tests.registration.helpers import registration_data

pytestmark = pytest.mark.django_db

# Common words of our English messages; words that are also Vietnamese words are left out.
ENGLISH = set(
    """the and your you this that please register registration training trainings field enter with
    seat seats left name school province phone privacy notice status withdraw withdrawn confirmed
    waiting list cohort our will have has been from here again try full optional teaching years
    language country when where who what online correct details sent received application staff
    approval place free keep link personal forward see open closed choose tick box agree read valid
    number example family given letters passport nickname subjects teach save sessions covers runs
    main content skip change prevention education programme reference code thank attempts many
    connection wait while help announced regional show filter countries languages all other""".split()
)
SPOKEN_ATTRIBUTES = {"aria-label", "title", "placeholder", "alt", "value"}


class VisibleText(HTMLParser):
    def __init__(self):
        super().__init__()
        self.parts, self.skip = [], 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self.skip += 1
        for name, value in attrs:
            # Values of inputs are the teacher's own data, except on buttons.
            if name in SPOKEN_ATTRIBUTES and value and (name != "value" or tag == "button"):
                self.parts.append(value)

    def handle_endtag(self, tag):
        if tag in ("script", "style"):
            self.skip -= 1

    def handle_data(self, data):
        if not self.skip:
            self.parts.append(data)


def english_words(text: str) -> list[str]:
    text = re.sub(r"https?://\S+", " ", unescape(text))  # links are not read as words
    words = re.findall(r"[A-Za-z]+", text)
    # "English" names itself in the switcher; capitalised codes (references) are not words.
    return sorted({w for w in words if w.lower() in ENGLISH and not w.isupper()})


def english_on_page(response) -> list[str]:
    parser = VisibleText()
    parser.feed(response.content.decode())
    return english_words(" ".join(parser.parts))


DATA = {
    "km": {"country": "KH", "name": "វគ្គបណ្តុះបណ្តាលគ្រូ កំពត", "venue": "វិទ្យាល័យកំពត"},
    "th": {"country": "TH", "name": "การอบรมครู เชียงใหม่", "venue": "มหาวิทยาลัยเชียงใหม่"},
    "vi": {"country": "VN", "name": "Khóa tập huấn giáo viên Huế", "venue": "Trường Đại học Sư phạm Huế"},
}


@pytest.fixture(params=["km", "th", "vi"])
def language(request, client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = request.param
    return request.param


def make_cohort(language, **kwargs):
    data = DATA[language]
    return OpenCohortFactory(
        country=data["country"], language=language, name=data["name"], venue=data["venue"], **kwargs
    )


def native_registration(cohort, **overrides):
    return registration_data(cohort, **{"school": DATA[cohort.language]["venue"], **overrides})


def test_public_pages_have_no_english_left(client, language):
    cohort = make_cohort(language, capacity=1)
    closed = make_cohort(language, code=f"closed-{language}", status=CohortStatus.CLOSED)
    pages = {
        "home": reverse("pilots:home"),
        "open cohorts": reverse("registration:open_cohorts"),
        "no cohort matches": reverse("registration:open_cohorts") + "?country=regional",
        "cohort": reverse("registration:cohort_detail", args=[cohort.code]),
        "form": reverse("registration:register", args=[cohort.code]),
        "closed cohort": reverse("registration:cohort_detail", args=[closed.code]),
        "closed form": reverse("registration:register", args=[closed.code]),
    }
    for what, url in pages.items():
        response = client.get(url)
        assert response.status_code == 200, what
        assert not english_on_page(response), (language, what, english_on_page(response))


def test_form_errors_have_no_english_left(client, language):
    cohort = make_cohort(language)
    url = reverse("registration:register", args=[cohort.code])
    submissions = {
        "empty": {},
        "bad values": native_registration(
            cohort,
            email="no-at-sign",
            phone="12",
            years_experience="many",
            family_name="a\tb",
            province="999999",
            subjects=["999999"],
            consent=None,
        ),
        "too long": native_registration(cohort, school="ក" * 5000),
        "foreign phone": native_registration(cohort, phone="+1 202 555 0143"),
        "honeypot": native_registration(cohort, website="http://spam.example"),
    }
    for what, data in submissions.items():
        response = client.post(url, data)
        assert response.status_code == 200, what
        assert 'aria-invalid="true"' in response.content.decode() or what == "honeypot", what
        assert not english_on_page(response), (language, what, english_on_page(response))
    assert not Enrolment.objects.exists()


def test_confirmation_status_and_withdrawal_pages_have_no_english_left(client, language, settings):
    cohort = make_cohort(language, capacity=1)
    EnrolmentFactory(cohort=cohort, teacher=TeacherFactory(email="seated@example.org"))
    url = reverse("registration:register", args=[cohort.code])
    response = client.post(url, native_registration(cohort), follow=True)
    assert 'id="reference"' in response.content.decode()  # the confirmation (waiting list)
    assert not english_on_page(response), (language, "confirmation", english_on_page(response))

    again = client.post(url, native_registration(cohort))
    assert not english_on_page(again), (language, "already registered", english_on_page(again))

    status = client.get(response.redirect_chain[-1][0].replace("/done/", "/"))
    assert status.status_code == 200
    assert not english_on_page(status), (language, "status page", english_on_page(status))

    confirm = client.get(status.request["PATH_INFO"] + "withdraw/")
    assert not english_on_page(confirm), (language, "withdraw?", english_on_page(confirm))
    withdrawn = client.post(status.request["PATH_INFO"] + "withdraw/", {"confirm": "yes"}, follow=True)
    assert not english_on_page(withdrawn), (language, "after withdrawing", english_on_page(withdrawn))

    settings.PILOTS_REGISTRATION_RATE = "1/h"
    client.post(url, native_registration(cohort, email="one@example.org"))
    limited = client.post(url, native_registration(cohort, email="two@example.org"))
    assert limited.status_code == 429
    assert not english_on_page(limited), (language, "429", english_on_page(limited))


def test_the_busy_page_has_no_english_left(rf, language):
    from django.contrib.auth.models import AnonymousUser
    from django.http import HttpResponse
    from django.template.loader import render_to_string
    from django.utils import translation

    cohort = make_cohort(language)
    request = rf.get("/")
    request.user = AnonymousUser()
    with translation.override(language):
        response = HttpResponse(render_to_string("pilots/registration/busy.html", {"cohort": cohort}, request=request))
    assert not english_on_page(response), (language, english_on_page(response))


@pytest.mark.parametrize("kind", list(notifications.EMAILS))
@pytest.mark.parametrize("language", ["km", "th", "vi"])
def test_emails_have_no_english_left(language, kind):
    teacher = TeacherFactory(family_name="ស៊ុន", given_name="សុភា")
    enrolment = EnrolmentFactory(cohort=make_cohort(language), teacher=teacher, language=language)
    message = notifications.render_enrolment_email(enrolment, kind)
    html = message.alternatives[0][0] if hasattr(message.alternatives[0], "__getitem__") else ""
    for part in (message.subject, message.body, html):
        parser = VisibleText()
        parser.feed(part)
        assert not english_words(" ".join(parser.parts)), (language, kind, english_words(part))
