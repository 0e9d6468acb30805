"""Alphabetical order and the letters of an A–Z index, per language.

Python has no locale-independent collation, and PyICU is a heavy dependency for a list of
titles. The rules here are the few that readers notice: case and accents do not count
(``Émission`` sorts with ``E``), except the letters a language treats as letters of their
own, which come after ``z`` in that language's order (Swedish and Finnish ``å ä ö``,
Danish and Norwegian ``æ ø å``); leading punctuation and quotes are passed over. Other
scripts keep code point order, which is their dictionary order for most alphabets; Han
characters share one letter, and Hangul syllables go under their first consonant.

Examples
--------
>>> sorted(["ört", "Zon", "ål", "apa", "Émission"], key=lambda t: sort_key(t, "sv"))
['apa', 'Émission', 'Zon', 'ål', 'ört']
>>> [letter(t, "sv") for t in ["ål", "Émission", "'quoted'", "401(k)", "?"]]
['Å', 'E', 'Q', '0–9', '#']
"""

from __future__ import annotations

import unicodedata

OWN_LETTERS = {
    "sv": "åäö",
    "fi": "åäö",
    "da": "æøå",
    "no": "æøå",
    "nb": "æøå",
    "nn": "æøå",
    "is": "æö",
    "et": "õäöü",
}
"""Letters that a language sorts as letters of their own, after ``z``, in this order."""

DIGITS = "0–9"
OTHER = "#"
HAN = "漢"


def _own(lang: str | None) -> str:
    return OWN_LETTERS.get((lang or "").split("-")[0].casefold(), "")


def sort_key(text: str, lang: str | None = None) -> tuple[str, str]:
    """The key that puts ``text`` in ``lang``'s alphabetical order (ties: the text itself)."""
    own = _own(lang)
    folded = unicodedata.normalize("NFC", text).casefold()
    start = next((i for i, ch in enumerate(folded) if ch.isalnum()), 0)
    out = []
    for ch in folded[start:]:
        at = own.find(ch) if own else -1
        if at >= 0:
            out.append(chr(0x7B + at))  # just after "z"
        else:
            out.extend(c for c in unicodedata.normalize("NFKD", ch) if not unicodedata.combining(c))
    return "".join(out), text


def letter(text: str, lang: str | None = None) -> str:
    """The letter of the A–Z index that ``text`` is listed under.

    A letter (upper case, accents removed unless the language's own), :data:`DIGITS` for a
    digit, :data:`OTHER` for anything else.
    """
    own = _own(lang)
    folded = unicodedata.normalize("NFC", text).casefold()
    first = next((ch for ch in folded if ch.isalnum()), "")
    if not first:
        return OTHER
    if own and first in own:
        return first.upper()
    if first.isdigit():
        return DIGITS
    code = ord(first)
    if 0x3400 <= code <= 0x9FFF or 0xF900 <= code <= 0xFAFF or 0x20000 <= code <= 0x2FFFF:
        return HAN
    base = unicodedata.normalize("NFD", first)[0]  # a Hangul syllable: its first consonant
    base = next(
        (c for c in unicodedata.normalize("NFKD", base) if not unicodedata.combining(c)), base
    )
    return base.upper() if base.isalpha() else OTHER


def letter_order(letters: set[str], lang: str | None = None) -> list[str]:
    """``letters`` in the order the index shows them: digits, letters, then the rest.

    Examples
    --------
    >>> letter_order({"Ö", "A", "#", "0–9", "Å"}, "sv")
    ['0–9', 'A', 'Å', 'Ö', '#']
    """

    def rank(item: str) -> tuple[int, tuple[str, str]]:
        if item == DIGITS:
            return (0, ("", ""))
        if item == OTHER:
            return (2, ("", ""))
        return (1, sort_key(item, lang))

    return sorted(letters, key=rank)


def letter_file(item: str) -> str:
    """The file name (without extension) of a letter's page: ASCII, one-to-one.

    Examples
    --------
    >>> [letter_file(x) for x in ["A", "Ö", "0–9", "#", HAN]]
    ['a', 'u00f6', '0-9', 'other', 'u6f22']
    """
    if item == DIGITS:
        return "0-9"
    if item == OTHER:
        return "other"
    lowered = item.lower()
    if lowered.isascii() and lowered.isalpha():
        return lowered
    return "".join(f"u{ord(c):04x}" for c in lowered)
