"""How a literal of the graph is shown: its language tag, its direction, its language's name.

Every title, definition, anchor and sentence of the site keeps the language it was written
in: the element that holds it carries ``lang`` (and ``dir="rtl"`` for right-to-left
scripts). The display language of the site (``--display-lang``) decides which label a
concept is shown by, in :func:`kg.labels.language_order`'s order: the language asked, then
English, then any.

Examples
--------
>>> str(lang_attrs("ar")), str(lang_attrs("sv")), str(lang_attrs(""))
(' lang="ar" dir="rtl"', ' lang="sv"', '')
>>> language_name("fi"), language_name("xx")
('suomi', 'xx')
"""

from __future__ import annotations

from markupsafe import Markup, escape

RTL = frozenset({"ar", "arc", "ckb", "dv", "fa", "he", "ps", "sd", "ug", "ur", "yi"})
"""Base language codes written right to left."""

NAMES = {
    "ar": "العربية",
    "bg": "български",
    "cs": "čeština",
    "da": "dansk",
    "de": "Deutsch",
    "el": "Ελληνικά",
    "en": "English",
    "es": "español",
    "et": "eesti",
    "fa": "فارسی",
    "fi": "suomi",
    "fr": "français",
    "he": "עברית",
    "hi": "हिन्दी",
    "hu": "magyar",
    "id": "Bahasa Indonesia",
    "it": "italiano",
    "ja": "日本語",
    "ko": "한국어",
    "nb": "norsk bokmål",
    "nl": "Nederlands",
    "no": "norsk",
    "pl": "polski",
    "pt": "português",
    "pt-BR": "português (Brasil)",
    "ro": "română",
    "ru": "русский",
    "sv": "svenska",
    "th": "ไทย",
    "tr": "Türkçe",
    "uk": "українська",
    "ur": "اردو",
    "vi": "Tiếng Việt",
    "zh": "中文",
}
"""Each language's own name, for the language switcher (unknown codes show as the code)."""


def is_rtl(lang: str) -> bool:
    """Whether text in ``lang`` is written right to left (by its base language).

    Examples
    --------
    >>> is_rtl("fa-IR"), is_rtl("fi")
    (True, False)
    """
    return lang.split("-")[0].casefold() in RTL


def lang_attrs(lang: str | None) -> Markup:
    """The ``lang`` (and ``dir``) attributes of an element holding text in ``lang``.

    Nothing for an empty language (a keyword, a slug): the element inherits the page's.
    """
    if not lang:
        return Markup("")
    attrs = f' lang="{escape(lang)}"'
    if is_rtl(lang):
        attrs += ' dir="rtl"'
    return Markup(attrs)


def language_name(lang: str) -> str:
    """The language's own name (``svenska``), or the code when kg does not know it."""
    return NAMES.get(lang) or NAMES.get(lang.split("-")[0]) or lang
