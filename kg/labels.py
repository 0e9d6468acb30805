"""Which label, description or anchor of a concept people read: one language order.

A concept carries text per language (``labels`` {lang: title}, ``descriptions`` {lang:
text}, ``alt_labels`` {lang: [anchor texts]}). What a table, a view or a page shows is
chosen in one order, the display language's: the language asked for, then English, then
the others in alphabetical order. The graph's own ``label`` attribute is that choice
with no language asked (English first), as :func:`kg.graph.build_graph` sets it.

Examples
--------
>>> data = {"label": "back office", "labels": {"sv": "back office", "fi": "taustatoimisto"}}
>>> display_label(data, "fi")
('taustatoimisto', 'fi')
>>> display_label(data, "de")  # no German title, no English: the first language
('taustatoimisto', 'fi')
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, TypeVar

T = TypeVar("T")

FALLBACK = "en"
"""The language shown when the display language has no text: English, then any."""


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
    asked = (lang or "").casefold()
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

    return sorted(set(languages), key=rank)


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
