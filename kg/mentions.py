"""Unlinked mentions: an article's prose names another concept's title without linking it.

One Aho–Corasick automaton per language holds every concept title of that language,
so the whole wiki is scanned in one pass per language, whatever the number of titles.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Iterable
from operator import itemgetter
from typing import Any

import ahocorasick
import networkx as nx

from kg.articles import Article
from kg.forking import can_fork, fork

_ASCII_TO_SPACE = bytes(32 if i < 128 and not chr(i).isalnum() else i for i in range(256))
_UNICODE_PUNCTUATION = (
    "\u00a0\u2013\u2014\u2018\u2019\u201c\u201d\u00ab\u00bb\u2026\u00b7\u2022\u3001\u3002"
)
_EMPTY: dict[str, Any] = {}
_VALUE = itemgetter(1)  # automaton.iter gives (end, value): the concept named
_NONE: tuple[str, ...] = ()
MIN_LABEL_LENGTH = 4
"""Titles shorter than this (``CPA``, ``IPO``) match too much ordinary text to be useful."""


def find_unlinked_mentions(
    G: nx.DiGraph, articles: Iterable[Article], cache: dict[str, Any] | None = None
) -> dict[str, dict[str, list[str]]]:
    """Return ``{slug: {lang: [targets]}}`` for titles named in prose but not linked.

    A mention is a whole-word, case-insensitive occurrence of another concept's title
    (in the article's own language) in its prose, where the concept does not already
    link to that concept in any language. Titles shared by several concepts are skipped
    (the mention would be ambiguous).

    With ``cache`` (a dict kept between builds, updated in place), an article whose text
    was scanned before against the same titles is not scanned again.

    Examples
    --------
    >>> from kg.articles import parse_article
    >>> from kg.graph import build_graph
    >>> a = parse_article("---\\ntitle: lease\\n---\\nA lease is signed by a landlord.",
    ...                   slug="lease")
    >>> b = parse_article("---\\ntitle: landlord\\n---\\nOwns property.", slug="landlord")
    >>> build_graph([a, b]).nodes["lease"]["unlinked_mentions"]
    {'en': ['landlord']}
    """
    by_lang: dict[str, list[Article]] = defaultdict(list)
    for article in articles:
        if article.text:
            by_lang[article.lang].append(article)
    found: dict[str, dict[str, list[str]]] = defaultdict(dict)
    fresh: dict[str, Any] = {}
    for lang, arts in sorted(by_lang.items()):
        titles = _titles(G, lang)
        digest = _digest(titles)  # the owners below are a function of the titles
        old_digest, old = (cache or {}).get(lang, ("", {}))
        known = old if old_digest == digest else {}
        keys = [
            hashlib.blake2b(a.text.encode("utf-8", "surrogatepass"), digest_size=16).digest()
            for a in arts
        ]
        todo = {key: a.text for key, a in zip(keys, arts, strict=True) if key not in known}
        named_by_text = {key: known[key] for key in keys if key in known}
        if todo:
            scanned = _scan(_automaton(_owners(titles)), list(todo.values()))
            named_by_text.update(zip(todo, scanned, strict=True))
        for key, article in zip(keys, arts, strict=True):
            named = named_by_text[key]
            if not named:
                continue
            slug = article.slug
            skip = G._succ.get(slug, _EMPTY)
            left = [n for n in named if n not in skip and n != slug]
            if left:
                found[slug][lang] = left
        fresh[lang] = (digest, named_by_text)
    if cache is not None:
        cache.clear()
        cache.update(fresh)
    return dict(found)


PARALLEL_MIN = 2000
"""Texts to scan from which half of them go to a forked child (the other core)."""


def _scan(automaton: ahocorasick.Automaton | None, texts: list[str]) -> list[tuple[str, ...]]:
    """The concepts each text names, as a sorted tuple (a fifth of a frozenset's memory);
    half of the texts go to a forked child when there are many."""
    if automaton is None:
        return [_NONE] * len(texts)
    if len(texts) >= PARALLEL_MIN and can_fork():
        half = len(texts) // 2
        first = fork(_scan_here, automaton, texts[:half], what="unlinked-mention scan")
        rest = _scan_here(automaton, texts[half:])
        return first() + rest
    return _scan_here(automaton, texts)


def _scan_here(automaton: ahocorasick.Automaton, texts: list[str]) -> list[tuple[str, ...]]:
    return [tuple(sorted(set(map(_VALUE, automaton.iter(_words(text)))))) for text in texts]


def _words(text: str) -> str:
    """Lower-case text with punctuation and white space made spaces, padded with a space.

    ASCII punctuation goes through ``bytes.translate`` (C speed); the common non-ASCII
    quotes and dashes through ``str.replace``.
    """
    lowered = text.lower()
    for mark in _UNICODE_PUNCTUATION:
        if mark in lowered:
            lowered = lowered.replace(mark, " ")
    data = lowered.encode("utf-8", "surrogatepass").translate(_ASCII_TO_SPACE)
    return f" {data.decode('utf-8', 'surrogatepass')} "


def _titles(G: nx.DiGraph, lang: str) -> list[tuple[str, str]]:
    """``(concept, title)`` for every concept with a title in ``lang``, in graph order."""
    found = []
    for node, data in G.nodes(data=True):
        if data.get("kind") == "concept":
            title = (data.get("labels") or _EMPTY).get(lang)
            if title:
                found.append((node, title))
    return found


def _owners(titles: list[tuple[str, str]]) -> dict[str, str]:
    """Normalised title → the one concept with that title (shared titles left out)."""
    owners: dict[str, set[str]] = defaultdict(set)
    for node, title in titles:
        if len(title) >= MIN_LABEL_LENGTH and any(c.isalpha() for c in title):
            owners[_words(title)].add(node)
    return {
        key: next(iter(nodes))
        for key, nodes in sorted(owners.items())
        if len(nodes) == 1 and key.strip()
    }


def _digest(titles: list[tuple[str, str]]) -> str:
    digest = hashlib.blake2b(digest_size=16)
    for node, title in titles:
        digest.update(f"{node}\0{title}\n".encode("utf-8", "surrogatepass"))
    return digest.hexdigest()


def _automaton(owners: dict[str, str]) -> ahocorasick.Automaton | None:
    if not owners:
        return None
    automaton = ahocorasick.Automaton()
    for key, node in owners.items():
        automaton.add_word(key, node)
    automaton.make_automaton()
    return automaton
