"""Unlinked mentions: an article's prose names another concept's title without linking it.

One Aho–Corasick automaton per language holds every concept title of that language,
so the whole wiki is scanned in one pass per language, whatever the number of titles.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Callable, Iterable
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
    return scan_mentions(articles, cache)(G)


Found = dict[str, dict[str, list[str]]]
"""``{slug: {lang: [concepts named in its prose, not linked]}}``."""


def scan_mentions(
    articles: Iterable[Article], cache: dict[str, Any] | None = None
) -> Callable[[nx.DiGraph], Found]:
    """Start scanning ``articles``' prose for each other's titles; return the function that
    finishes the scan and leaves out what the graph ``G`` already links.

    The titles come from the articles themselves (a concept's title in a language is its
    article's), so the scan needs no graph: most of the texts go to a forked child at
    once and the caller builds the graph meanwhile (:func:`kg.graph.build_graph` does).
    :func:`find_unlinked_mentions` is both steps at once.

    Examples
    --------
    >>> from kg.articles import parse_article
    >>> from kg.graph import build_graph
    >>> a = parse_article("---\\ntitle: lease\\n---\\nA landlord signs it.", slug="lease")
    >>> b = parse_article("---\\ntitle: landlord\\n---\\nOwns property.", slug="landlord")
    >>> finish = scan_mentions([a, b])
    >>> finish(build_graph([a, b], mentions=False))
    {'lease': {'en': ['landlord']}}
    """
    by_lang: dict[str, list[Article]] = defaultdict(list)
    for article in articles:
        by_lang[article.lang].append(article)
    plans: list[tuple[str, list[Article], list[bytes], str, dict[bytes, Names]]] = []
    automata: dict[str, ahocorasick.Automaton | None] = {}
    todo: list[tuple[str, bytes, str]] = []
    for lang, every in sorted(by_lang.items()):
        every.sort(key=_slug_of)
        arts = [a for a in every if a.text]
        if not arts:
            continue
        titles = _titles(every)
        digest = _digest(titles)
        old_digest, old = (cache or {}).get(lang, ("", {}))
        known = old if old_digest == digest else {}
        keys = [
            hashlib.blake2b(a.text.encode("utf-8", "surrogatepass"), digest_size=16).digest()
            for a in arts
        ]
        named = {key: known[key] for key in keys if key in known}
        new = {key: a.text for key, a in zip(keys, arts, strict=True) if key not in named}
        if new:
            automata[lang] = _automaton(_owners(titles))
            todo.extend((lang, key, text) for key, text in new.items())
        plans.append((lang, arts, keys, digest, named))
    named_in = {lang: named for lang, _, _, _, named in plans}
    split = _Split(len(todo)) if len(todo) >= PARALLEL_MIN and can_fork() else None
    child = fork(split.front, automata, todo, what="unlinked-mention scan") if split else None

    def finish(G: nx.DiGraph) -> Found:
        if split is not None and child is not None:
            back = split.back(automata, todo)  # this process's share, once the graph is built
            scanned = child() + back
        else:
            scanned = _scan(automata, todo)
        for (lang, key, _), names in zip(todo, scanned, strict=True):
            named_in[lang][key] = names
        found: Found = defaultdict(dict)
        fresh: dict[str, Any] = {}
        for lang, arts, keys, digest, named in plans:
            for key, article in zip(keys, arts, strict=True):
                names = named[key]
                if not names:
                    continue
                slug = article.slug
                skip = G._succ.get(slug, _EMPTY)
                left = [n for n in names if n not in skip and n != slug]
                if left:
                    found[slug][lang] = left
            fresh[lang] = (digest, named)
        if cache is not None:
            cache.clear()
            cache.update(fresh)
        return dict(found)

    return finish


Names = tuple[str, ...]
"""The concepts a text names, sorted (a tuple takes a fifth of a frozenset's memory)."""

PARALLEL_MIN = 2000
"""Texts to scan from which a forked child shares the scan (see :class:`_Split`)."""

BATCH = 32
"""Texts taken at a time by each side of a :class:`_Split`."""


class _Split:
    """Texts scanned by two processes from both ends until they meet.

    A forked child starts from the front at once; this process starts from the back when
    it has built the graph. Whoever is free takes the next batch, so the work balances
    however long the graph takes. The two ends live in shared memory, under a lock.
    """

    def __init__(self, total: int) -> None:
        import multiprocessing

        context = multiprocessing.get_context("fork")
        self.ends = context.RawArray("q", [0, total])  # next front index, end of the back
        self.lock = context.Lock()

    def front(
        self, automata: dict[str, ahocorasick.Automaton | None], todo: list[tuple[str, bytes, str]]
    ) -> list[Names]:
        """Scan batches from the front (in the child); return their names, in order."""
        found: list[Names] = []
        ends, lock = self.ends, self.lock
        while True:
            with lock:
                start = ends[0]
                stop = min(start + BATCH, ends[1])
                ends[0] = stop
            if start >= stop:
                return found
            found += _scan(automata, todo[start:stop])

    def back(
        self, automata: dict[str, ahocorasick.Automaton | None], todo: list[tuple[str, bytes, str]]
    ) -> list[Names]:
        """Scan batches from the back (here); return their names, in order."""
        batches: list[list[Names]] = []
        ends, lock = self.ends, self.lock
        while True:
            with lock:
                stop = ends[1]
                start = max(stop - BATCH, ends[0])
                ends[1] = start
            if start >= stop:
                return [names for batch in reversed(batches) for names in batch]
            batches.append(_scan(automata, todo[start:stop]))


def _scan(
    automata: dict[str, ahocorasick.Automaton | None], todo: list[tuple[str, bytes, str]]
) -> list[Names]:
    """The concepts each ``(lang, key, text)`` names, with that language's automaton."""
    found: list[Names] = []
    for lang, _, text in todo:
        automaton = automata[lang]
        if automaton is None:
            found.append(_NONE)
        else:
            found.append(tuple(sorted(set(map(_VALUE, automaton.iter(_words(text)))))))
    return found


def _slug_of(article: Article) -> str:
    return article.slug


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


def _titles(articles: list[Article]) -> list[tuple[str, str]]:
    """``(concept, title)`` of each article of one language, by slug: the concepts' titles
    in that language, as the graph keeps them (an article without a title is named by its
    slug; of two articles with one slug, the later title)."""
    titles: dict[str, str] = {}
    for article in articles:
        titles[article.slug] = article.title or article.slug
    return list(titles.items())


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
