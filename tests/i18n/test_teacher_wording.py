"""What teachers read speaks to them one way and names each thing with one word, in every language.

test_translations checks that every entry is translated and not fuzzy; this checks the teacher-facing
entries (those used by the pages and emails teachers get) for what a reviewer found wrong before: an
informal "you" next to the polite one (Khmer អ្នក for លោកអ្នក, Thai คุณ for ท่าน, Vietnamese "bạn" for
"Thầy/Cô"), English left as it was, and two words for one thing ("waiting list", "certificate",
"survey", "training"; the words they replaced).
"""

import re

import pytest

from tests.i18n.test_translations import catalogue, parse_po

LANGUAGES = ["km", "th", "vi"]

# Where teachers read: their pages, their emails, the error pages and the messages of the services
# behind them. Staff pages (reports, staffing, imports, the admin) are not listed.
TEACHER_FILES = re.compile(
    r"templates/(40[34]\.html|403_csrf\.html|500\.html|base\.html|pilots/(registration|email|offers|surveys/"
    r"(?!report)|certificates/(status_block|verify)|checkin/check_in|calendar|privacy/(?!staff)|includes|home))"
    r"|pilots/(registration|offers|surveys|checkin|privacy|notifications|teachers|email_typos|enrolment)/?"
)
# Sentences on those pages addressed to staff, not to teachers.
TO_STAFF = {
    "Open the check-in to show a code that teachers type or scan on their phone. They are marked present, "
    "or late after the time you set.",
    "Response rates of the cohorts you may see",
}
INFORMAL_YOU = {
    "km": re.compile(r"(?<!លោក)អ្នក(?!សម្របសម្រួល|ផ្តល់|ទទួល|ប្រើ|គ្រប់គ្រង|ដំណើរការ|រៀបចំ|ដទៃ|ណា|ស្នើសុំ)"),
    "th": re.compile(r"(?<!ขอบ)(?<!เรียน )คุณ"),  # ขอบคุณ is "thank you"; เรียน คุณ<name> the letter's title
    "vi": re.compile(r"\b[Bb]ạn\b"),
}
# One word for one thing: an English term -> what every translation of a sentence using it must contain.
TERMS = {
    "waiting list": {"km": "បញ្ជីរង់ចាំ", "th": "รายชื่อสำรอง", "vi": "danh sách chờ"},
    "certificate": {"km": "វិញ្ញាបនបត្រ", "th": "ประกาศนียบัตร", "vi": "chứng nhận"},
    "survey": {"km": "ការស្ទង់មតិ", "th": "แบบสอบถาม", "vi": "khảo sát"},
    "training": {"km": "វគ្គបណ្តុះបណ្តាល", "th": "อบรม", "vi": "tập huấn"},
}
# Words the teacher-facing translations must not use for those things any more.
OTHER_WORDS = {
    "th": ["เกียรติบัตร", "วุฒิบัตร", "แบบสำรวจ"],
    "vi": ["khóa học", "buổi học", "ghi danh"],
    "km": ["វគ្គសិក្សាថ្ងៃនេះ"],
}


def teacher_entries(language):
    text = catalogue(language).read_text(encoding="utf-8")
    entries = parse_po(catalogue(language))[1:]
    # parse_po keeps no locations: read them from the "#:" lines above each msgid.
    blocks = text.split("\n\n")
    locations = {}
    for block in blocks:
        refs = " ".join(line[3:] for line in block.splitlines() if line.startswith("#: "))
        match = re.search(r'^msgid "(.*)"', block, re.M)
        context = re.search(r'^msgctxt "(.*)"', block, re.M)
        if match:
            msgid = "".join(re.findall(r'"(.*)"', block[match.start():].split("msgid_plural")[0].split("msgstr")[0]))
            locations[(context.group(1) if context else None, msgid.encode().decode("unicode_escape")
                       if "\\" in msgid else msgid)] = refs
    return [e for e in entries if TEACHER_FILES.search(locations.get((e.get("msgctxt"), e["msgid"]), ""))]


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_catalogue_marks_enough_teacher_facing_entries(language):
    assert len(teacher_entries(language)) > 250


@pytest.mark.parametrize("language", LANGUAGES)
def test_teachers_are_addressed_politely_everywhere(language):
    informal = [
        (e["msgid"], text)
        for e in teacher_entries(language)
        if e["msgid"] not in TO_STAFF
        for text in e["msgstr"].values()
        if INFORMAL_YOU[language].search(text)
    ]
    assert not informal, f"{language}: informal 'you' where teachers read: {informal}"


@pytest.mark.parametrize("language", LANGUAGES)
def test_no_teacher_facing_sentence_is_left_in_english(language):
    left = [e["msgid"] for e in teacher_entries(language)
            if e["msgstr"][0] == e["msgid"] and len(re.findall(r"[A-Za-z]{3,}", e["msgid"])) > 1]
    assert not left, left


@pytest.mark.parametrize("language", LANGUAGES)
def test_each_thing_has_one_name(language):
    wrong = []
    for entry in teacher_entries(language):
        english = entry["msgid"].lower()
        text = entry["msgstr"][0].lower() if language == "vi" else entry["msgstr"][0]
        for term, words in TERMS.items():
            if re.search(rf"\b{term}s?\b", english) and words[language] not in text:
                wrong.append((term, entry["msgid"], text))
        for word in OTHER_WORDS.get(language, []):
            if word in text:
                wrong.append((word, entry["msgid"], text))
    assert not wrong, f"{language}: {wrong}"
