"""Text as kg keeps it: entities decoded, zero-width characters dropped, white space
collapsed (:func:`clean_text`), keywords split (:func:`split_keywords`), labels trimmed
(:func:`trim_label`), and the key text is compared by when a user looks something up
(:func:`search_key`)."""

from __future__ import annotations

import html
import re
import unicodedata
from typing import Any

_ZERO_WIDTH_RE = re.compile("[\u200b\u200c\u200d\u2060\ufeff\u00ad]")
_PAIRS = {
    "(": ")",
    "[": "]",
    "{": "}",
    "（": "）",
    "［": "］",
    "｛": "｝",
    "「": "」",
    "『": "』",
    "《": "》",
    "〈": "〉",
    "【": "】",
    "〔": "〕",
    "“": "”",
    "‘": "’",
    "«": "»",
    "‹": "›",
    "„": "“",
    '"': '"',
    "'": "'",
}
_OPENER = {close: open_ for open_, close in _PAIRS.items()}
_KEPT_AT_END = frozenset("%％‰")  # a unit, not punctuation: "5%"
_ARABIC_MARKS_RE = re.compile(
    "[\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06dc\u06df-\u06e4\u06e7\u06e8\u06ea-\u06ed\u0640]"
)


def clean_text(value: Any) -> str:
    """Decode HTML entities until stable, drop zero-width characters, collapse white space.

    Examples
    --------
    >>> clean_text("M&amp;amp;A  deal\\u200b")
    'M&A deal'
    """
    if value.__class__ is str:
        text = value
    elif value is None:
        return ""
    elif isinstance(value, (list, tuple)):
        text = ", ".join(str(v) for v in value if v is not None)
    else:
        text = str.__str__(value) if isinstance(value, str) else str(value)
    if "&" in text:
        for _ in range(4):
            decoded = html.unescape(text)
            if decoded == text:
                break
            text = decoded
            if "&" not in text:
                break
    if not text.isascii():  # the zero-width characters are not
        text = _ZERO_WIDTH_RE.sub("", text)
    # printable: no white space but " " (the others are control characters or separators)
    if text.isprintable() and "  " not in text and text.strip() == text:
        return text
    return " ".join(text.split())


def split_keywords(value: Any) -> list[str]:
    """Keywords from a comma string or a YAML list: trimmed, de-duplicated, order kept.

    Examples
    --------
    >>> split_keywords("Investing,Brokers, Stock Brokers,brokers,")
    ['Investing', 'Brokers', 'Stock Brokers']
    """
    if value is None:
        return []
    items = value if isinstance(value, (list, tuple)) else str(value).split(",")
    seen: set[str] = set()
    out: list[str] = []
    for item in items:
        for part in item if isinstance(item, (list, tuple)) else (item,):
            word = clean_text(part)
            folded = word.casefold()
            if word and folded not in seen:
                seen.add(folded)
                out.append(word)
    return out


def trim_label(text: str) -> str:
    """A label without the punctuation and white space at its ends; what is inside stays.

    Punctuation is any character of the Unicode categories P* (full-width ``，。、``,
    Arabic ``،؛؟`` and ``۔`` included), white space Z* and controls C*. A bracket or quote
    at an end stays when its partner is in the label (``Swaps (ISDA)``, ``《公平住房法》``),
    so does a ``%`` at the end and the last dot of ``U.S.``.

    Examples
    --------
    >>> trim_label("Back Office -"), trim_label("المكتب الخلفي ."), trim_label("租赁。")
    ('Back Office', 'المكتب الخلفي', '租赁')
    >>> trim_label("-Derivatemarkt,"), trim_label("M&A"), trim_label("(ISDA)")
    ('Derivatemarkt', 'M&A', '(ISDA)')
    >>> trim_label("公平住房法》"), trim_label("U.S."), trim_label("5 %"), trim_label(" , ")
    ('公平住房法', 'U.S.', '5 %', '')
    """
    if not text or (text[0].isalnum() and text[-1].isalnum()):
        return text
    start, end = 0, len(text)
    while end > start and _trimmed(text, start, end, at_end=True):
        end -= 1
    while start < end and _trimmed(text, start, end, at_end=False):
        start += 1
    return text[start:end]


def _trimmed(text: str, start: int, end: int, at_end: bool) -> bool:
    """Whether the character at the end (or the start) of ``text[start:end]`` goes."""
    char = text[end - 1] if at_end else text[start]
    if char.isalnum() or unicodedata.category(char)[0] not in "PZC":
        return False
    if at_end:
        if char in _KEPT_AT_END:
            return False
        opener = _OPENER.get(char)
        if opener is not None and opener in text[start : end - 1]:
            return False
        return not (
            char == "." and end - start >= 4 and text[end - 3] == "." and text[end - 2].isalpha()
        )
    closer = _PAIRS.get(char)
    return closer is None or closer not in text[start + 1 : end]


def search_key(text: str) -> str:
    """The form in which kg compares what a user types with titles and labels.

    The steps, in order (the HTML view's search repeats them in JavaScript):

    1. Unicode NFKC: full-width letters and digits become plain ones (``ＣＰＡ`` → ``CPA``),
       Arabic presentation forms become letters;
    2. case folding (``str.casefold``: ``Straße`` → ``strasse``);
    3. dotted and dotless i are one letter: U+0307 COMBINING DOT ABOVE is dropped (the
       fold of Turkish ``İ`` is ``i`` + U+0307) and ``ı`` becomes ``i``, so ``KİRACI``,
       ``KIRACI`` and ``kiracı`` meet (a Turkish title typed on any keyboard is found);
    4. Arabic vowel marks (harakat, U+064B–U+065F, U+0670, and the Quranic marks
       U+0610–U+061A, U+06D6–U+06ED) and the tatweel U+0640 are dropped;
    5. runs of white space become one space, and none is left at the ends.

    Examples
    --------
    >>> search_key("KİRACI") == search_key("Kiracı") == search_key("KIRACI") == "kiraci"
    True
    >>> search_key("مَكْتَـب خلفي") == search_key("مكتب خلفي")
    True
    >>> search_key("  Back\u3000 Office "), search_key("ＣＰＡ（注册）")
    ('back office', 'cpa(注册)')
    """
    if text.isascii():
        return " ".join(text.lower().split())
    folded = unicodedata.normalize("NFKC", text).casefold()
    if "\u0307" in folded:
        folded = folded.replace("\u0307", "")
    if "ı" in folded:
        folded = folded.replace("ı", "i")
    folded = _ARABIC_MARKS_RE.sub("", folded)
    return " ".join(folded.split())
