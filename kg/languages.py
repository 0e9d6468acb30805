"""Languages: what a folder name says, as the BCP 47 tag RDF and the graph use.

A source folder holds one folder per language, named by its code (``sv/``, ``pt-BR/``)
or by its English name as investors.wiki names them (``Swedish/``). A code stands for
itself (``zh/`` is ``zh``); an English name for the tag of :data:`LANGUAGE_NAMES`, which
is the language's two-letter code except where the wiki's text says more:

==============  ===========  ==========================================================
folder          tag          why
==============  ===========  ==========================================================
``Chinese/``    ``zh-Hans``  investors.wiki's Chinese is written in Simplified characters
                             (后台, 房东, 租赁; not 後台, 房東, 租賃); ``zh-Hans`` is still
                             matched by SPARQL's ``langMatches(lang(?l), "zh")``
==============  ===========  ==========================================================

Users retag any folder kg knows with ``lang_tags`` (``kg build --lang-tag
Chinese=zh-Hant``; :func:`language_code`), and the languages kept by a ``lang`` filter
match as SPARQL's ``langMatches`` does (:func:`lang_matches`: ``zh`` keeps ``zh-Hans``).

Examples
--------
>>> language_code("Swedish"), language_code("sv"), language_code("pt_BR"), language_code("img")
('sv', 'sv', 'pt-BR', None)
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

from kg.errors import InvalidArgument

DEFAULT_LANG = "en"
"""The language of a flat folder when none is given."""

LANGUAGE_NAMES = {
    "arabic": "ar",
    "bengali": "bn",
    "bulgarian": "bg",
    "catalan": "ca",
    "chinese": "zh-Hans",
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
"""English names of languages (as investors.wiki names its folders) → tags (see the table
above for those that are more than a language code)."""

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
_TAG = re.compile(
    r"^[A-Za-z]{2,3}(?:-[A-Za-z]{4})?(?:-(?:[A-Za-z]{2}|\d{3}))?"
    r"(?:-(?:[A-Za-z\d]{5,8}|\d[A-Za-z\d]{3}))*(?:-x(?:-[A-Za-z\d]{1,8})+)?$"
)


def language_code(folder_name: str, lang_tags: Mapping[str, str] | None = None) -> str | None:
    """The language a folder stands for, or None.

    ``lang_tags`` retags folders: its keys are folder names or the tags kg would give
    them (any case), its values the tags to use (see :func:`check_lang_tags`).

    Examples
    --------
    >>> language_code("Chinese"), language_code("EN"), language_code("zh-hans")
    ('zh-Hans', 'en', 'zh-Hans')
    >>> language_code("Chinese", {"chinese": "zh-Hant"}), language_code("zh", {"zh": "zh-Hans"})
    ('zh-Hant', 'zh-Hans')
    """
    code = LANGUAGE_NAMES.get(folder_name.casefold())
    if not code:
        match = _CODE.match(folder_name)
        if not match or match.group(1).lower() not in ISO_639_1:
            return None
        base, region = match.group(1).lower(), match.group(2)
        if not region:
            code = base
        else:
            code = f"{base}-{region.upper() if len(region) == 2 else region.title()}"
    if lang_tags:
        for key in (folder_name, code):
            for name, tag in lang_tags.items():
                if name.casefold() == key.casefold():
                    return tag
    return code


def check_lang_tags(lang_tags: Mapping[str, str] | Iterable[str] | None) -> dict[str, str]:
    """``lang_tags`` as a dict ``{folder name or tag: tag}``, from a mapping or from
    ``NAME=TAG`` strings; a tag that is not a well-formed BCP 47 tag raises
    :class:`~kg.errors.InvalidArgument`.

    Examples
    --------
    >>> check_lang_tags(["Chinese=zh-Hant"]), check_lang_tags({"no": "nb"})
    ({'Chinese': 'zh-Hant'}, {'no': 'nb'})
    >>> check_lang_tags(["Chinese"])
    Traceback (most recent call last):
    ...
    kg.errors.InvalidArgument: lang_tags must be NAME=TAG (e.g. Chinese=zh-Hant), not 'Chinese'
    """
    if not lang_tags:
        return {}
    if isinstance(lang_tags, Mapping):
        pairs = list(lang_tags.items())
    else:
        pairs = []
        for item in lang_tags:
            name, equals, tag = str(item).partition("=")
            if not equals or not name.strip():
                problem = f"must be NAME=TAG (e.g. Chinese=zh-Hant), not {item!r}"
                raise InvalidArgument("lang_tags", problem)
            pairs.append((name, tag))
    checked = {}
    for name, tag in pairs:
        name, tag = str(name).strip(), str(tag).strip()
        if not _TAG.match(tag):
            problem = f"needs BCP 47 tags such as zh-Hant or pt-BR, not {tag!r} (for {name})"
            raise InvalidArgument("lang_tags", problem)
        checked[name] = tag
    return checked


def lang_matches(tag: str, ranges: Iterable[str]) -> bool:
    """Whether ``tag`` is one of the languages ``ranges`` asks for: equal, or more exact
    (RFC 4647 basic filtering, SPARQL's ``langMatches``), any case.

    Examples
    --------
    >>> lang_matches("zh-Hans", ["zh"]), lang_matches("zh", ["zh-Hans"]), lang_matches("sv", ["SV"])
    (True, False, True)
    """
    tag = tag.casefold()
    for wanted in ranges:
        wanted = wanted.casefold()
        if tag == wanted or tag.startswith(wanted + "-"):
            return True
    return False
