"""Text as kg keeps it: entities decoded, zero-width characters dropped, white space
collapsed (:func:`clean_text`), and keywords split (:func:`split_keywords`)."""

from __future__ import annotations

import html
import re
from typing import Any

_ZERO_WIDTH_RE = re.compile("[\u200b\u200c\u200d\u2060\ufeff\u00ad]")


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
