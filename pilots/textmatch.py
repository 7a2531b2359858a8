"""Matching words as people type them: one folding rule for province names, import headers and
coded values (attendance, test kind), so that "Thừa Thiên Huế", "thua thien-hue" and "THUA THIEN HUE"
are the same word.

Folding drops case, spacing, punctuation, invisible format characters and the Latin diacritics
(Vietnamese tone marks, "đ"), but never the vowel signs of Khmer and Thai: those are letters of the
word, and dropping them would make different names equal.
"""

import difflib
import unicodedata

_LATIN_MARKS = range(0x0300, 0x0370)  # Combining Diacritical Marks: what NFD splits off Latin letters


def fold(text: str) -> str:
    """The form of `text` that matching compares."""
    text = unicodedata.normalize("NFD", unicodedata.normalize("NFKC", str(text)).casefold())
    kept = []
    for char in text:
        if ord(char) in _LATIN_MARKS:
            continue
        category = unicodedata.category(char)
        if category[0] in "PZS" or category in ("Cc", "Cf"):
            continue
        kept.append("d" if char == "đ" else char)
    return unicodedata.normalize("NFC", "".join(kept))


def closest(text: str, candidates: dict, limit: int = 3) -> list:
    """Up to `limit` values of `candidates` ({folded name: value}) whose names are nearest to
    `text`, best first, without repeats."""
    found = []
    for name in difflib.get_close_matches(fold(text), list(candidates), n=limit * 3, cutoff=0.6):
        if candidates[name] not in found:
            found.append(candidates[name])
    return found[:limit]
