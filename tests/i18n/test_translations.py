"""Our Khmer, Thai and Vietnamese catalogues are complete, not fuzzy, and compiled.

The .po files are parsed here with plain Python (no gettext tools needed), and compared with the
committed .mo files through the standard library's gettext.GNUTranslations, so a fresh machine without
GNU gettext still runs the app with every translation. When GNU gettext is installed, a last test
re-extracts the messages from the source and checks that none is missing from the catalogues.
"""

import ast
import gettext
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LANGUAGES = ["km", "th", "vi"]
# %(name)s / %(n)d style and {name} style placeholders must survive translation.
PLACEHOLDER = re.compile(r"%\(\w+\)[sdifr]|\{\w+\}")
SCRIPTS = {
    "km": re.compile("[\u1780-\u17ff]"),
    "th": re.compile("[\u0e00-\u0e7f]"),
}


def _unquote(line: str) -> str:
    return ast.literal_eval(line)


def parse_po(path: Path) -> list[dict]:
    """Entries of a .po file: msgctxt, msgid, msgid_plural, msgstr (or msgstr[n]), flags."""
    entries, entry, field = [], None, None

    def flush():
        if entry is not None and "msgid" in entry:
            entries.append(entry)

    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line:
            flush()
            entry, field = None, None
            continue
        if line.startswith("#~"):
            continue  # obsolete entries are not used
        if entry is None:
            entry = {"flags": set(), "msgstr": {}}
        if line.startswith("#,"):
            entry["flags"].update(flag.strip() for flag in line[2:].split(","))
        elif line.startswith("#"):
            continue
        elif line.startswith("msgctxt "):
            field = "msgctxt"
            entry[field] = _unquote(line[8:])
        elif line.startswith("msgid_plural "):
            field = "msgid_plural"
            entry[field] = _unquote(line[13:])
        elif line.startswith("msgid "):
            field = "msgid"
            entry[field] = _unquote(line[6:])
        elif line.startswith("msgstr["):
            index = int(line[7 : line.index("]")])
            field = ("msgstr", index)
            entry["msgstr"][index] = _unquote(line[line.index("]") + 2 :])
        elif line.startswith("msgstr "):
            field = ("msgstr", 0)
            entry["msgstr"][0] = _unquote(line[7:])
        elif line.startswith('"'):
            if isinstance(field, tuple):
                entry["msgstr"][field[1]] += _unquote(line)
            else:
                entry[field] += _unquote(line)
    flush()
    return entries


def catalogue(language: str) -> Path:
    return ROOT / "locale" / language / "LC_MESSAGES" / "django.po"


@pytest.mark.parametrize("language", LANGUAGES)
def test_catalogue_has_no_empty_or_fuzzy_entry(language):
    entries = parse_po(catalogue(language))
    assert len(entries) > 100, "the catalogue looks truncated"
    header, messages = entries[0], entries[1:]
    assert header["msgid"] == ""
    assert "fuzzy" not in header["flags"], "the header is marked fuzzy: gettext would ignore the catalogue"
    assert f"Language: {language}" in header["msgstr"][0]
    fuzzy = [e["msgid"] for e in messages if "fuzzy" in e["flags"]]
    empty = [e["msgid"] for e in messages if not all(text.strip() for text in e["msgstr"].values())]
    assert not fuzzy, f"fuzzy entries in {language}: {fuzzy}"
    assert not empty, f"untranslated entries in {language}: {empty}"


@pytest.mark.parametrize("language", LANGUAGES)
def test_translations_keep_every_placeholder(language):
    for entry in parse_po(catalogue(language))[1:]:
        expected = set(PLACEHOLDER.findall(entry["msgid"]))
        for text in entry["msgstr"].values():
            assert set(PLACEHOLDER.findall(text)) == expected, (entry["msgid"], text)


@pytest.mark.parametrize("language", ["km", "th"])
def test_khmer_and_thai_are_written_in_their_own_script(language):
    """A sentence left in English (copied from the msgid) would pass the emptiness check."""
    in_latin = []
    for entry in parse_po(catalogue(language))[1:]:
        text = entry["msgstr"][0]
        words = re.findall(r"[A-Za-z]{4,}", re.sub(PLACEHOLDER, "", text))
        # Acronyms and names (OSAPG, DC-Cam, Pilots, ISO, CSRF...) may stay in Latin letters.
        if len(words) > 2 and not SCRIPTS[language].search(text):
            in_latin.append(text)
    assert not in_latin, in_latin


@pytest.mark.parametrize("language", LANGUAGES)
def test_committed_mo_matches_po(language):
    po = catalogue(language)
    with open(po.with_suffix(".mo"), "rb") as handle:
        mo = gettext.GNUTranslations(handle)
    assert mo.info().get("language") == language
    entries = parse_po(po)[1:]
    for entry in entries:
        msgid, forms = entry["msgid"], entry["msgstr"]
        if "msgid_plural" in entry:
            for n in (1, 2, 5):
                if "msgctxt" in entry:
                    got = mo.npgettext(entry["msgctxt"], msgid, entry["msgid_plural"], n)
                else:
                    got = mo.ngettext(msgid, entry["msgid_plural"], n)
                assert got == forms[0], f"{language}: the .mo is stale for {msgid!r}; run compilemessages"
        else:
            got = mo.pgettext(entry["msgctxt"], msgid) if "msgctxt" in entry else mo.gettext(msgid)
            assert got == forms[0], f"{language}: the .mo is stale for {msgid!r}; run compilemessages"
    # ...and the .mo holds nothing the .po does not (header aside).
    assert len(mo._catalog) - 1 == len(entries)


@pytest.mark.parametrize(
    ("language", "expected"),
    [("km", "សូមបំពេញចន្លោះនេះ។"), ("th", "กรุณากรอกข้อมูลในช่องนี้"), ("vi", "Vui lòng điền mục này.")],
)
def test_our_catalogue_wins_over_djangos_for_form_errors(language, expected):
    from django import forms
    from django.utils import translation

    class Form(forms.Form):
        name = forms.CharField()

    with translation.override(language):
        form = Form(data={})
        assert form.errors["name"] == [expected]


@pytest.mark.skipif(
    not shutil.which("xgettext"), reason="GNU gettext is not installed (apt-get install gettext)"
)
def test_every_message_in_the_source_is_in_the_catalogues(tmp_path):
    """Re-extract the messages from a copy of the source; none may be missing from the catalogues."""
    copy = tmp_path / "src"
    shutil.copytree(
        ROOT,
        copy,
        ignore=shutil.ignore_patterns(
            ".venv", ".git", "node_modules", "staticfiles", "media", "*.sqlite3*", ".*cache",
            "state",  # deploy/state: the running stack's sockets and replica data
        ),
    )
    subprocess.run(
        [sys.executable, "manage.py", "makemessages", "-l", "km", "--ignore=.venv/*", "--no-obsolete"],
        cwd=copy,
        check=True,
        capture_output=True,
        env={**os.environ, "PILOTS_TESTING": "1"},
    )
    extracted = {
        (e.get("msgctxt"), e["msgid"]) for e in parse_po(copy / "locale/km/LC_MESSAGES/django.po")[1:]
    }
    assert len(extracted) > 250, "makemessages found too few messages: is the source tree copied?"
    ours = {(e.get("msgctxt"), e["msgid"]) for e in parse_po(catalogue("km"))[1:]}
    missing = sorted(m for _c, m in extracted - ours)
    assert not missing, (
        "messages not in locale/ yet: run `manage.py makemessages -l km -l th -l vi --ignore=.venv/*` "
        f"and translate them: {missing}"
    )
