"""Unlinked mentions: an article's prose names another concept's title without linking it.

One Aho–Corasick automaton per language holds every concept title of that language,
so the whole wiki is scanned in one pass per language, whatever the number of titles.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

import ahocorasick
import networkx as nx

from kg.articles import Article

MIN_LABEL_LENGTH = 4
"""Titles shorter than this (``CPA``, ``IPO``) match too much ordinary text to be useful."""


def find_unlinked_mentions(
    G: nx.DiGraph, articles: Iterable[Article]
) -> dict[str, list[dict[str, str]]]:
    """Return ``{slug: [{target, lang, text}]}`` for titles named in prose but not linked.

    A mention is a whole-word, case-insensitive occurrence of another concept's title
    (in the article's own language) in its prose, where the concept does not already
    link to that concept in any language. Titles shared by several concepts are skipped
    (the mention would be ambiguous).

    Examples
    --------
    >>> from kg.articles import parse_article
    >>> from kg.graph import build_graph
    >>> a = parse_article("---\\ntitle: lease\\n---\\nA lease is signed by a landlord.",
    ...                   slug="lease")
    >>> b = parse_article("---\\ntitle: landlord\\n---\\nOwns property.", slug="landlord")
    >>> build_graph([a, b]).nodes["lease"]["unlinked_mentions"]
    [{'target': 'landlord', 'lang': 'en', 'text': 'landlord'}]
    """
    by_lang: dict[str, list[Article]] = defaultdict(list)
    for article in articles:
        if article.text:
            by_lang[article.lang].append(article)
    found: dict[str, list[dict[str, str]]] = defaultdict(list)
    for lang, arts in sorted(by_lang.items()):
        automaton = _automaton(G, lang)
        if automaton is None:
            continue
        for article in arts:
            linked = set(G.successors(article.slug)) if article.slug in G else set()
            for target, text in _scan(automaton, article.text):
                if target != article.slug and target not in linked:
                    linked.add(target)
                    found[article.slug].append({"target": target, "lang": lang, "text": text})
    return {slug: sorted(items, key=lambda m: (m["lang"], m["target"])) for slug, items in found.items()}


def _automaton(G: nx.DiGraph, lang: str) -> ahocorasick.Automaton | None:
    owners: dict[str, set[str]] = defaultdict(set)
    for node, data in G.nodes(data=True):
        title = (data.get("labels") or {}).get(lang) if data.get("kind") == "concept" else None
        if title and len(title) >= MIN_LABEL_LENGTH and any(c.isalpha() for c in title):
            owners[title.lower()].add(node)
    automaton = ahocorasick.Automaton()
    for key, nodes in owners.items():
        if len(nodes) == 1:
            automaton.add_word(key, (len(key), next(iter(nodes))))
    if not len(automaton):
        return None
    automaton.make_automaton()
    return automaton


def _scan(automaton: ahocorasick.Automaton, text: str) -> Iterable[tuple[str, str]]:
    """Yield ``(target, matched text)`` for whole-word matches, in text order."""
    lowered = text.lower()
    if len(lowered) != len(text):  # a case mapping that changes length: match on lowered text
        text = lowered
    for end, (length, target) in automaton.iter(lowered):
        start = end - length + 1
        before = lowered[start - 1] if start > 0 else " "
        after = lowered[end + 1] if end + 1 < len(lowered) else " "
        if not before.isalnum() and not after.isalnum():
            yield target, text[start : end + 1]
