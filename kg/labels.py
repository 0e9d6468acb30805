"""Which label, description or anchor of a concept people read: one language order.

A concept carries text per language (``labels`` {lang: title}, ``descriptions`` {lang:
text}, ``alt_labels`` {lang: [anchor texts]}). What a table, a view or a page shows is
chosen in one order, the display language's: the language asked for, then English, then
the others in alphabetical order. The graph's own ``label`` attribute is that choice
with no language asked (English first), as :func:`kg.graph.build_graph` sets it. When the
text shown is not in the language asked (English when none is), that is a fall-back,
and what people read says so: :func:`tagged` writes ``label@sv``.

Which anchor texts name a concept is decided here too (:func:`anchor_problem`,
:func:`named_anchors`): an anchor made of function words (``till``), one that reads like
a phrase (``alla de ger tillstånd till``), or one shared by many concepts is left out of
a concept's labels; it stays on the link as evidence.

Examples
--------
>>> data = {"label": "back office", "labels": {"sv": "back office", "fi": "taustatoimisto"}}
>>> display_label(data, "fi")
('taustatoimisto', 'fi')
>>> display_label(data, "de")  # no German title, no English: the first language
('taustatoimisto', 'fi')
"""

from __future__ import annotations

import json
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Mapping
from functools import cache, lru_cache
from importlib import resources
from typing import Any, TypeVar

from kg.errors import InvalidArgument
from kg.scripts import reads_as_clause

T = TypeVar("T")

FALLBACK = "en"
"""The language shown when the display language has no text: English, then any."""
DISPLAY_LANG_ENV = "KG_DISPLAY_LANG"
"""The environment variable the command line reads for its display language."""
SHARED_ANCHOR_TARGETS = 3
"""An anchor text used (in one language) for this many concepts or more names none of them."""
PHRASE_WORDS = 12
"""An anchor of this many words or more reads like a phrase, not a name."""
_LANG_TAG = re.compile(r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$")
_WORD = re.compile(r"\w+", re.UNICODE)
_NOT_LETTERS = re.compile(r"[\W_]+")
_FULL_STOPS = ("。", "！", "？", "︒")


def language_order(languages: Iterable[str], lang: str | None = None) -> list[str]:
    """``languages`` in display order: ``lang`` first, then English, then alphabetical.

    A language matches ``lang`` also by its base (``zh-Hans`` for ``zh``, and ``zh`` for
    ``zh-Hans``), after an exact match.

    Examples
    --------
    >>> language_order(["sv", "en", "fi"]), language_order(["sv", "en", "fi"], "fi")
    (['en', 'fi', 'sv'], ['fi', 'en', 'sv'])
    >>> language_order(["zh-Hans", "en"], "zh")
    ['zh-Hans', 'en']
    """
    return list(_ordered_codes(tuple(sorted(set(languages))), lang or ""))


@lru_cache(maxsize=4096)
def _ordered_codes(codes: tuple[str, ...], lang: str) -> tuple[str, ...]:
    """:func:`language_order` of sorted, distinct ``codes`` (cached: views ask it per node)."""
    asked = lang.casefold()
    base = asked.split("-")[0]

    def rank(code: str) -> tuple[int, str]:
        folded = code.casefold()
        if asked and folded == asked:
            return (0, code)
        if asked and folded.split("-")[0] == base:
            return (1, code)
        if folded == FALLBACK:
            return (2, code)
        return (3, code)

    return tuple(sorted(codes, key=rank))


def pick(values: Mapping[str, T] | None, lang: str | None = None) -> tuple[str, T] | None:
    """The ``(language, value)`` of ``values`` {lang: value} to show for ``lang``, or None.

    Empty values are passed over.

    Examples
    --------
    >>> pick({"sv": "hyra", "en": "lease"}), pick({"sv": "hyra", "en": "lease"}, "sv")
    (('en', 'lease'), ('sv', 'hyra'))
    >>> pick({}) is None
    True
    """
    if not values:
        return None
    for code in language_order(values, lang):
        value = values[code]
        if value:
            return code, value
    return None


def display_label(data: Mapping[str, Any], lang: str | None = None) -> tuple[str, str]:
    """The label of a node (its attribute dict) in the display language, and that language.

    A concept's title in ``lang`` (else English, else any); a concept without an article
    is named by its anchors in that order (the most used of the chosen language); the
    language is ``""`` when the label is the node's own ``label`` (a keyword, or a
    concept nobody names).

    Examples
    --------
    >>> display_label({"label": "hyresavtal", "alt_labels": {"sv": ["hyresavtal"]}}, "en")
    ('hyresavtal', 'sv')
    >>> display_label({"kind": "keyword", "label": "Investing"}, "sv")
    ('Investing', '')
    """
    found = pick(data.get("labels"), lang)
    if found is not None:
        return str(found[1]), found[0]
    anchors = data.get("alt_labels") or {}
    if lang and anchors:
        chosen = pick(anchors, lang)
        if chosen is not None and chosen[0] != _anchor_lang(data):
            return str(chosen[1][0]), chosen[0]
    label = str(data.get("label") or "")
    return label, _anchor_lang(data) if anchors else ""


def _anchor_lang(data: Mapping[str, Any]) -> str:
    """The language of the anchor that is a missing concept's ``label`` (first found)."""
    label = data.get("label")
    for code in language_order(data.get("alt_labels") or {}):
        if label in data["alt_labels"][code]:
            return code
    return ""


def valid_lang(lang: str | None) -> str | None:
    """``lang`` as a display language: ``None`` or ``""`` for none, else a BCP 47-like tag.

    Raises
    ------
    ValueError
        When ``lang`` is no language tag (``sv``, ``pt-BR``, ``zh-Hans``).

    Examples
    --------
    >>> valid_lang("sv"), valid_lang(" pt-BR "), valid_lang(None)
    ('sv', 'pt-BR', None)
    """
    if lang is None or not str(lang).strip():
        return None
    text = str(lang).strip()
    if not _LANG_TAG.match(text):
        raise ValueError(f"{text!r} is no language tag (e.g. sv, en, pt-BR)")
    return text


def check_display_lang(lang: str | None) -> str | None:
    """``lang`` if it is a language tag (or empty: None), else an
    :class:`~kg.errors.InvalidArgument` naming the parameter (:func:`valid_lang` says which are).

    Examples
    --------
    >>> check_display_lang("pt-BR"), check_display_lang(None)
    ('pt-BR', None)
    >>> check_display_lang("<sv>")
    Traceback (most recent call last):
    ...
    kg.errors.InvalidArgument: display_lang '<sv>' is no language tag (e.g. sv, en, pt-BR)
    """
    try:
        return valid_lang(lang)
    except ValueError as exc:
        raise InvalidArgument("display_lang", str(exc)) from None


def is_fallback(code: str, lang: str | None = None) -> bool:
    """Whether text in language ``code`` is a fall-back for display language ``lang``.

    With no display language, English is the one asked for. Text without a language (a
    keyword, a slug) is no fall-back; a language matches by its base too (``zh`` and
    ``zh-Hans``).

    Examples
    --------
    >>> is_fallback("en", "sv"), is_fallback("sv", "sv"), is_fallback("sv"), is_fallback("")
    (True, False, True, False)
    """
    if not code:
        return False
    asked = (lang or FALLBACK).casefold()
    folded = code.casefold()
    return folded != asked and folded.split("-")[0] != asked.split("-")[0]


def tagged(text: str, code: str, lang: str | None = None) -> str:
    """``text`` as a table shows it: ``text@code`` when ``code`` is a fall-back for ``lang``.

    Examples
    --------
    >>> tagged("hyresavtal", "sv", "sv"), tagged("lease", "en", "sv"), tagged("Investing", "")
    ('hyresavtal', 'lease@en', 'Investing')
    """
    return f"{text}@{code}" if is_fallback(code, lang) else text


def ordered(values: Mapping[str, T] | None, lang: str | None = None) -> dict[str, T]:
    """``values`` {lang: value} with the display language first (see :func:`language_order`).

    Examples
    --------
    >>> list(ordered({"fi": 1, "sv": 2, "en": 3}, "sv"))
    ['sv', 'en', 'fi']
    """
    values = values or {}
    return {code: values[code] for code in language_order(values, lang)}


# --- which anchor texts name a concept --------------------------------------------------------


@cache
def function_words(lang: str) -> frozenset[str]:
    """The function words of ``lang`` (its base language's; empty when kg has none).

    Examples
    --------
    >>> "till" in function_words("sv"), "lease" in function_words("en")
    (True, False)
    """
    table = json.loads(
        resources.files("kg").joinpath("function_words.json").read_text(encoding="utf-8")
    )
    base = (lang or "").casefold().split("-")[0]
    if base == "nb" or base == "nn":
        base = "no"
    return frozenset(table.get(base, "").split()) if base != "_" else frozenset()


def anchor_problem(
    anchor: str,
    lang: str,
    *,
    slug: str = "",
    titles: Iterable[str] = (),
    targets: int = 1,
) -> str | None:
    """Why ``anchor`` (a link's text, in ``lang``) is no name of the concept it points to.

    ``None`` when it is one. An anchor that spells the concept's ``slug`` or equals one of
    its ``titles`` is always a name. Otherwise it is not when it is made of function
    words only (``till``, ``kan``); when it reads like a phrase (:data:`PHRASE_WORDS`
    words or more; three or more ending with a function word; four or more of which more
    than half are function words; four or more ending with a full stop after a long word;
    six characters or more ending with a CJK full stop);
    or when it is used for ``targets`` >= :data:`SHARED_ANCHOR_TARGETS` concepts in this
    language.

    Examples
    --------
    >>> anchor_problem("till", "sv") is None, anchor_problem("hyresavtal", "sv") is None
    (False, True)
    >>> anchor_problem("alla de ger tillstånd till", "sv")
    'reads like a phrase, not a name'
    >>> anchor_problem("住居または構造物です。", "ja")
    'reads like a sentence, not a name'
    >>> anchor_problem("betala", "sv", targets=4)
    'the anchor of 4 concepts'
    >>> anchor_problem("Will", "en", slug="will") is None   # spells the slug: a name
    True
    """
    folded = " ".join(anchor.split()).casefold()
    if _is_own_name(folded, slug, titles):
        return None
    problem = _word_problem(folded, lang)
    if problem is None and targets >= SHARED_ANCHOR_TARGETS:
        return f"the anchor of {targets} concepts"
    return problem


def _is_own_name(folded: str, slug: str, titles: Iterable[str]) -> bool:
    """Whether a folded anchor spells ``slug``, equals a title, or has no letter at all."""
    letters = _letters(folded)
    if not letters or (slug and letters == _letters(slug)):
        return True
    return any(" ".join(str(t).split()).casefold() == folded for t in titles)


def _word_problem(folded: str, lang: str) -> str | None:
    """What the words of a folded anchor say against it being a name (see anchor_problem)."""
    words = _WORD.findall(folded)
    small = function_words(lang)
    if words and all(w in small for w in words):
        return "a function word" if len(words) == 1 else "function words only"
    if len(words) >= PHRASE_WORDS:
        return "reads like a phrase, not a name"
    if len(words) >= 3 and words[-1] in small:
        return "reads like a phrase, not a name"
    if len(words) >= 4 and sum(w in small for w in words) * 2 > len(words):
        return "reads like a phrase, not a name"
    if len(words) >= 4 and folded.endswith(".") and len(words[-1]) >= 5:  # not "Corp."
        return "reads like a sentence, not a name"
    if folded.endswith(_FULL_STOPS) and len(folded) >= 6:  # CJK: no spaces between words
        return "reads like a sentence, not a name"
    if reads_as_clause(folded):  # Japanese: hiragana particles and verb endings
        return "reads like a phrase, not a name"
    return None


def anchor_targets(
    anchors_to: Mapping[str, Mapping[str, Mapping[str, int]]],
) -> Counter[tuple[str, str]]:
    """How many concepts each ``(lang, folded anchor)`` points to, from ``{target: {lang:
    {anchor: count}}}``.

    Examples
    --------
    >>> anchor_targets({"a": {"sv": {"Betala": 1}}, "b": {"sv": {"betala": 2}}})
    Counter({('sv', 'betala'): 2})
    """
    found: dict[tuple[str, str], set[str]] = defaultdict(set)
    for target, per_lang in anchors_to.items():
        for lang, anchors in per_lang.items():
            for anchor in anchors:
                found[(lang, " ".join(anchor.split()).casefold())].add(target)
    return Counter({key: len(targets) for key, targets in found.items()})


def judge_anchors(
    anchors_to: Mapping[str, Mapping[str, Mapping[str, int]]],
    nodes: Mapping[str, Mapping[str, Any]],
) -> Iterator[tuple[str, str, str, int, str | None]]:
    """``(target, lang, anchor, count, problem)`` for every anchor of ``anchors_to``
    ({target: {lang: {anchor: count}}}); ``problem`` as :func:`anchor_problem` says, None
    for a name. ``nodes`` gives each target's ``labels``.

    An anchor shared by :data:`SHARED_ANCHOR_TARGETS` concepts or more stays a name of the
    one it is used for most, when that one has more than half of its uses.

    Examples
    --------
    >>> anchors = {"lease": {"sv": {"hyresavtal": 1, "till": 2}}}
    >>> [(a, p) for _, _, a, _, p in judge_anchors(anchors, {"lease": {}})]
    [('hyresavtal', None), ('till', 'a function word')]
    """
    fold: dict[str, str] = {}  # anchor → folded; the same texts recur across a wiki

    def folded(anchor: str) -> str:
        key = fold.get(anchor)
        if key is None:
            key = fold[anchor] = " ".join(anchor.split()).casefold()
        return key

    targets: dict[tuple[str, str], set[str]] = defaultdict(set)
    uses: Counter[tuple[str, str]] = Counter()
    for target, per_lang in anchors_to.items():
        for lang, anchors in per_lang.items():
            for anchor, count in anchors.items():
                key = (lang, folded(anchor))
                targets[key].add(target)
                uses[key] += count
    letters: dict[str, str] = {}
    words: dict[tuple[str, str], str | None] = {}
    for target, per_lang in anchors_to.items():
        own = _letters(target)
        titles = {
            " ".join(str(t).split()).casefold()
            for t in (nodes[target].get("labels") or {}).values()
        }
        for lang, anchors in per_lang.items():
            for anchor, count in anchors.items():
                text = folded(anchor)
                key = (lang, text)
                problem = None
                if text not in letters:
                    letters[text] = _letters(text)
                if letters[text] and letters[text] != own and text not in titles:
                    if key not in words:
                        words[key] = _word_problem(text, lang)
                    problem = words[key]
                    shared = len(targets[key])
                    if problem is None and shared >= SHARED_ANCHOR_TARGETS:
                        mine = sum(c for a, c in anchors.items() if folded(a) == text)
                        if mine * 2 <= uses[key]:
                            problem = f"the anchor of {shared} concepts"
                yield target, lang, anchor, count, problem


def named_anchors(
    anchors_to: Mapping[str, Mapping[str, Mapping[str, int]]],
    nodes: Mapping[str, Mapping[str, Any]],
) -> dict[str, dict[str, Counter[str]]]:
    """``anchors_to`` ({target: {lang: {anchor: count}}}) with only the anchors that name
    their target (:func:`judge_anchors`); a target left with no anchor is left out.

    Examples
    --------
    >>> found = named_anchors({"lease": {"sv": {"hyresavtal": 1, "till": 2}}},
    ...                       {"lease": {"labels": {}}})
    >>> dict(found["lease"]["sv"])
    {'hyresavtal': 1}
    """
    out: dict[str, dict[str, Counter[str]]] = {}
    for target, lang, anchor, count, problem in judge_anchors(anchors_to, nodes):
        if problem is None:
            out.setdefault(target, {}).setdefault(lang, Counter())[anchor] = count
    return out


def _letters(text: str) -> str:
    return _NOT_LETTERS.sub("", text.casefold())
