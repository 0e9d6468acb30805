"""Unlinked mentions: an article's prose names another concept's title without linking it.

One Aho–Corasick automaton per language holds every concept title of that language
(:func:`title_owners`, :func:`automaton`), so the whole wiki is scanned in one pass per
language, whatever the number of titles (:func:`names_in`); what a concept already links
to is then left out (:func:`unlinked`). :func:`find_unlinked_mentions` does all of it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from operator import itemgetter
from typing import Any

import ahocorasick
import networkx as nx

from kg.records import Article

Found = dict[str, dict[str, list[str]]]
"""Unlinked mentions: ``{slug: {lang: [concepts named in its prose, not linked]}}``."""

Names = tuple[str, ...]
"""The concepts a text names, sorted (a tuple takes a fifth of a frozenset's memory)."""

MIN_LABEL_LENGTH = 4
"""Titles shorter than this (``CPA``, ``IPO``) match too much ordinary text to be useful."""

_ASCII_TO_SPACE = bytes(32 if i < 128 and not chr(i).isalnum() else i for i in range(256))
_UNICODE_PUNCTUATION = (
    "\u00a0\u2013\u2014\u2018\u2019\u201c\u201d\u00ab\u00bb\u2026\u00b7\u2022\u3001\u3002"
)
_VALUE = itemgetter(1)  # automaton.iter gives (end, value): the concept named
_NONE: Names = ()
_EMPTY: dict[str, Any] = {}


def find_unlinked_mentions(G: nx.DiGraph, articles: Iterable[Article]) -> Found:
    """Return ``{slug: {lang: [targets]}}`` for titles named in prose but not linked.

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
    >>> find_unlinked_mentions(build_graph([a, b], mentions=False), [a, b])
    {'lease': {'en': ['landlord']}}
    """
    found: Found = defaultdict(dict)
    for lang, arts in by_language(articles).items():
        scanner = automaton(title_owners(titles(arts)))
        for article in arts:
            left = unlinked(G, article.slug, names_in(scanner, article.text))
            if left:
                found[article.slug][lang] = left
    return dict(found)


def by_language(articles: Iterable[Article]) -> dict[str, list[Article]]:
    """The articles per language (languages sorted), each list sorted by slug."""
    grouped: dict[str, list[Article]] = defaultdict(list)
    for article in articles:
        grouped[article.lang].append(article)
    return {lang: sorted(grouped[lang], key=_slug_of) for lang in sorted(grouped)}


def titles(articles: list[Article]) -> list[tuple[str, str]]:
    """``(concept, title)`` of each article of one language, by slug: the concepts' titles
    in that language, as the graph keeps them (an article without a title is named by its
    slug; of two articles with one slug, the later title)."""
    found: dict[str, str] = {}
    for article in articles:
        found[article.slug] = article.title or article.slug
    return list(found.items())


def title_owners(named: list[tuple[str, str]]) -> dict[str, str]:
    """Normalised title (:func:`words`) → the one concept with that title; titles shared
    by several concepts, and those shorter than :data:`MIN_LABEL_LENGTH`, are left out.

    Examples
    --------
    >>> title_owners([("lease", "Lease"), ("cpa", "CPA"), ("a", "Rent"), ("b", "rent")])
    {' lease ': 'lease'}
    """
    owners: dict[str, set[str]] = defaultdict(set)
    for node, title in named:
        if len(title) >= MIN_LABEL_LENGTH and any(c.isalpha() for c in title):
            owners[words(title)].add(node)
    return {
        key: next(iter(nodes))
        for key, nodes in sorted(owners.items())
        if len(nodes) == 1 and key.strip()
    }


def automaton(owners: dict[str, str]) -> ahocorasick.Automaton | None:
    """The Aho–Corasick automaton of :func:`title_owners`' titles (None when there are none)."""
    if not owners:
        return None
    scanner = ahocorasick.Automaton()
    for key, node in owners.items():
        scanner.add_word(key, node)
    scanner.make_automaton()
    return scanner


def names_in(scanner: ahocorasick.Automaton | None, text: str) -> Names:
    """The concepts whose titles ``text`` holds (whole words, any case), sorted.

    Examples
    --------
    >>> names_in(automaton({" lease ": "lease"}), "A Lease, signed.")
    ('lease',)
    """
    if scanner is None or not text:
        return _NONE
    return tuple(sorted(set(map(_VALUE, scanner.iter(words(text))))))


def unlinked(G: nx.DiGraph, slug: str, names: Names) -> list[str]:
    """The concepts of ``names`` that ``slug`` neither is nor links to."""
    if not names:
        return []
    skip = set(G.succ[slug]) if slug in G else _EMPTY  # a set: the view's checks cost more
    return [n for n in names if n not in skip and n != slug]


def words(text: str) -> str:
    """Lower-case text with punctuation and white space made spaces, padded with a space.

    ASCII punctuation goes through ``bytes.translate`` (C speed); the common non-ASCII
    quotes and dashes through ``str.replace``.

    Examples
    --------
    >>> words("Back-office, “CPA”!")
    ' back office   cpa   '
    """
    lowered = text.lower()
    for mark in _UNICODE_PUNCTUATION:
        if mark in lowered:
            lowered = lowered.replace(mark, " ")
    data = lowered.encode("utf-8", "surrogatepass").translate(_ASCII_TO_SPACE)
    return f" {data.decode('utf-8', 'surrogatepass')} "


def _slug_of(article: Article) -> str:
    return article.slug
