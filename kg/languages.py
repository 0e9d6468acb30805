"""Languages: what a folder name says, as the BCP 47 tag RDF and the graph use.

A source folder holds one folder per language, named by its code (``sv/``, ``pt-BR/``)
or by its English name as investors.wiki names them (``Swedish/``).

Examples
--------
>>> language_code("Swedish"), language_code("sv"), language_code("pt_BR"), language_code("img")
('sv', 'sv', 'pt-BR', None)
"""

from __future__ import annotations

import re

DEFAULT_LANG = "en"
"""The language of a flat folder when none is given."""

LANGUAGE_NAMES = {
    "arabic": "ar",
    "bengali": "bn",
    "bulgarian": "bg",
    "catalan": "ca",
    "chinese": "zh",
    "croatian": "hr",
    "czech": "cs",
    "danish": "da",
    "dutch": "nl",
    "english": "en",
    "estonian": "et",
    "filipino": "tl",
    "finnish": "fi",
    "french": "fr",
    "german": "de",
    "greek": "el",
    "hebrew": "he",
    "hindi": "hi",
    "hungarian": "hu",
    "icelandic": "is",
    "indonesian": "id",
    "italian": "it",
    "japanese": "ja",
    "korean": "ko",
    "latvian": "lv",
    "lithuanian": "lt",
    "malay": "ms",
    "norwegian": "no",
    "persian": "fa",
    "polish": "pl",
    "portuguese": "pt",
    "romanian": "ro",
    "russian": "ru",
    "serbian": "sr",
    "slovak": "sk",
    "slovenian": "sl",
    "spanish": "es",
    "swedish": "sv",
    "thai": "th",
    "turkish": "tr",
    "ukrainian": "uk",
    "urdu": "ur",
    "vietnamese": "vi",
}
"""English names of languages (as investors.wiki names its folders) → tags."""

ISO_639_1 = frozenset(
    " ".join(
        [
            "aa ab ae af ak am an ar as av ay az ba be bg bh bi bm bn bo",
            "br bs ca ce ch co cr cs cu cv cy da de dv dz ee el en eo es",
            "et eu fa ff fi fj fo fr fy ga gd gl gn gu gv ha he hi ho hr",
            "ht hu hy hz ia id ie ig ii ik io is it iu ja jv ka kg ki kj",
            "kk kl km kn ko kr ks ku kv kw ky la lb lg li ln lo lt lu lv",
            "mg mh mi mk ml mn mr ms mt my na nb nd ne ng nl nn no nr nv",
            "ny oc oj om or os pa pi pl ps pt qu rm rn ro ru rw sa sc sd",
            "se sg si sk sl sm sn so sq sr ss st su sv sw ta te tg th ti",
            "tk tl tn to tr ts tt tw ty ug uk ur uz ve vi vo wa wo xh yi",
            "yo za zh zu",
        ]
    ).split()
)
"""The two-letter language codes a folder may be named by."""

_CODE = re.compile(r"^([A-Za-z]{2})(?:[-_]([A-Za-z]{2}|[A-Za-z]{4}|\d{3}))?$")


def language_code(folder_name: str) -> str | None:
    """The language a folder stands for, or None.

    Examples
    --------
    >>> language_code("Chinese"), language_code("EN"), language_code("zh-hans")
    ('zh', 'en', 'zh-Hans')
    """
    named = LANGUAGE_NAMES.get(folder_name.casefold())
    if named:
        return named
    match = _CODE.match(folder_name)
    if not match or match.group(1).lower() not in ISO_639_1:
        return None
    base, region = match.group(1).lower(), match.group(2)
    if not region:
        return base
    return f"{base}-{region.upper() if len(region) == 2 else region.title()}"
