"""Unlinked mentions: an article's prose names another concept's title without linking it.

One Aho–Corasick automaton per language holds every concept title of that language
(:func:`title_owners`, :func:`automaton`), so the whole wiki is scanned in one pass per
language, whatever the number of titles (:func:`names_in`); what a concept already links
to is then left out (:func:`unlinked`). :func:`find_unlinked_mentions` does all of it.

How a title is found follows its script (:func:`kg.scripts.match_rule`): as whole words
where words are separated by spaces (punctuation of any script, full-width ``，。、``
included, separates them too); anywhere in Chinese and Japanese, where nothing separates
words, with two guards against false hits: the longest title found at a place wins (a
title inside a longer known title is not reported), and a Katakana title is not found
inside a longer Katakana word; in Korean at the start of a word, whatever particle
follows. Titles shorter than :func:`kg.scripts.min_length` are not looked for.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from operator import itemgetter
from typing import Any

import ahocorasick
import networkx as nx

from kg.records import Article
from kg.scripts import (
    HANGUL,
    UNSPACED,
    UNSPACED_CLASS,
    WORDS,
    has_marked_script,
    is_katakana,
    is_mark,
    match_rule,
    min_length,
    non_ascii_separators,
)

Found = dict[str, dict[str, list[str]]]
"""Unlinked mentions: ``{slug: {lang: [concepts named in its prose, not linked]}}``."""

Names = tuple[str, ...]
"""The concepts a text names, sorted (a tuple takes a fifth of a frozenset's memory)."""

_ASCII_TO_SPACE = bytes(32 if i < 128 and not chr(i).isalnum() else i for i in range(256))
_SEPARATORS_RE = re.compile(f"[{non_ascii_separators()}]")
_UNSPACED_RUN_RE = re.compile(f"[{UNSPACED_CLASS}]+")
_VALUE = itemgetter(1)  # automaton.iter gives (end, value): the concept named
_NONE: Names = ()
_EMPTY: dict[str, Any] = {}


@dataclass(frozen=True, slots=True)
class Scanner:
    """One language's automaton; ``guarded`` when some of its titles are written without
    spaces (or in Hangul), whose matches :func:`names_in` checks one by one."""

    automaton: ahocorasick.Automaton
    guarded: bool


def find_unlinked_mentions(G: nx.DiGraph, articles: Iterable[Article]) -> Found:
    """Return ``{slug: {lang: [targets]}}`` for titles named in prose but not linked.

    A mention is a case-insensitive occurrence of another concept's title (in the
    article's own language) in its prose, found as its script asks (whole words, or
    anywhere in Chinese and Japanese: see the module's summary), where the concept does
    not already link to that concept in any language. Titles shared by several concepts
    are skipped (the mention would be ambiguous).

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
    """Normalised title (:func:`words`) → the one concept with that title.

    Titles shorter than :func:`kg.scripts.min_length` are left out, and so are titles
    shared by several concepts, except in Chinese, Japanese and Korean, where such a
    title stays, owned by no one (``""``), to keep the shorter titles inside it from
    being reported. The key of a title written with spaces is padded with a space at
    both ends (whole words); one written without spaces has none (anywhere); one in
    Hangul has a space before it only (the start of a word).

    Examples
    --------
    >>> title_owners([("lease", "Lease"), ("cpa", "CPA"), ("a", "Rent"), ("b", "rent")])
    {' lease ': 'lease'}
    >>> title_owners([("middleoffice", "中台"), ("home", "家"), ("cpa", "注册会计师（CPA）")])
    {'中台': 'middleoffice', '注册会计师  cpa': 'cpa'}
    """
    kept = [
        (node, title, match_rule(title))
        for node, title in named
        if len(title) >= min_length(title) and any(c.isalpha() for c in title)
    ]
    guarded = any(rule != WORDS for _, _, rule in kept)
    owners: dict[str, set[str]] = defaultdict(set)
    for node, title, rule in kept:
        key = words(title, guarded)
        if rule == UNSPACED:
            key = key.strip()
        elif rule == HANGUL:
            key = " " + key.strip()
        owners[key].add(node)
    return {
        key: next(iter(nodes)) if len(nodes) == 1 else ""
        for key, nodes in sorted(owners.items())
        if key.strip() and (len(nodes) == 1 or key[-1] != " ")
    }


def automaton(owners: dict[str, str]) -> Scanner | None:
    """The automaton of :func:`title_owners`' titles (None when there are none): a title
    found as whole words answers its concept; one that needs checking (``guarded``)
    answers ``(concept or "", length, edges)`` where ``edges`` says which of its ends to
    check (:func:`_edges`)."""
    if not owners:
        return None
    guarded = any(key[-1] != " " for key in owners)
    scanner = ahocorasick.Automaton()
    for key, node in owners.items():
        if key[-1] != " ":
            scanner.add_word(key, (node, len(key), _edges(key)))
        elif node:
            scanner.add_word(key, node)
    scanner.make_automaton()
    return Scanner(scanner, guarded)


_KATAKANA_START, _KATAKANA_END, _MARKS = 1, 2, 4


def _edges(key: str) -> int:
    """Which ends of a guarded title's matches :func:`names_in` checks: a Katakana start
    or end (not inside a longer Katakana word), and for a script with combining marks
    (Thai …) both ends (not cut next to a mark)."""
    edges = 0
    if is_katakana(key[0]):
        edges |= _KATAKANA_START
    if is_katakana(key[-1]):
        edges |= _KATAKANA_END
    if any(is_mark(c) for c in key) or has_marked_script(key):
        edges |= _MARKS
    return edges


def names_in(scanner: Scanner | None, text: str) -> Names:
    """The concepts whose titles ``text`` holds (as their scripts ask, any case), sorted.

    Examples
    --------
    >>> names_in(automaton({" lease ": "lease"}), "A Lease, signed.")
    ('lease',)
    >>> owners = title_owners([("backoffice", "后台办公室"), ("b", "后台"), ("m", "中台")])
    >>> names_in(automaton(owners), "前台、中台和后台办公室。")
    ('backoffice', 'm')
    """
    if scanner is None or not text:
        return _NONE
    if not scanner.guarded:
        return tuple(sorted(set(map(_VALUE, scanner.automaton.iter(words(text))))))
    return _guarded_names(scanner.automaton, words(text, True))


def _guarded_names(automaton: ahocorasick.Automaton, text: str) -> Names:
    """The concepts named in ``text`` (normalised) by an automaton with guarded titles:
    whole-word titles as they come; the others unless cut at an edge (a Katakana title
    inside a Katakana word, a Thai one next to a combining mark) or inside a longer
    guarded title found at the same place."""
    found: set[str] = set()
    spans: list[tuple[int, int, str]] = []
    add = spans.append
    for end, value in automaton.iter(text):
        if value.__class__ is str:
            found.add(value)
            continue
        node, length, edges = value
        start = end - length + 1
        if edges and _cut(text, start, end, edges):
            continue
        add((start, -end, node))
    spans.sort()
    reach = -1
    for _, end, node in spans:
        if -end > reach:  # not inside a longer title that starts here or before
            reach = -end
            if node:
                found.add(node)
    return tuple(sorted(found))


def _cut(text: str, start: int, end: int, edges: int) -> bool:
    """Whether the match ``text[start:end + 1]`` cuts a word at an edge of ``edges``
    (the text is padded with spaces, so both neighbours exist)."""
    if edges & _KATAKANA_START and is_katakana(text[start - 1]):
        return True
    if edges & _KATAKANA_END and is_katakana(text[end + 1]):
        return True
    return bool(edges & _MARKS) and (is_mark(text[start]) or is_mark(text[end + 1]))


def unlinked(G: nx.DiGraph, slug: str, names: Names) -> list[str]:
    """The concepts of ``names`` that ``slug`` neither is nor links to."""
    if not names:
        return []
    skip = set(G.succ[slug]) if slug in G else _EMPTY  # a set: the view's checks cost more
    return [n for n in names if n not in skip and n != slug]


def words(text: str, unspaced_apart: bool = False) -> str:
    """Lower-case text with punctuation and white space made spaces, padded with a space.

    ASCII punctuation goes through ``bytes.translate`` (C speed), other punctuation,
    separators and symbols (Unicode categories P*, Z*, S*) through one regular
    expression. Dotted and dotless i are one letter (``İ``, ``I``, ``ı`` → ``i``, as in
    :func:`kg.text.search_key`). With ``unspaced_apart``, runs of a script written
    without spaces get a space on each side, so that a title written with spaces is a
    whole word next to them (``ISDA`` in ``ISDAは``).

    Examples
    --------
    >>> words("Back-office, “CPA”!")
    ' back office   cpa   '
    >>> words("İnsan Kaynakları，中台"), words("ISDAは", True)
    (' insan kaynaklari 中台 ', ' isda は  ')
    """
    lowered = text.lower()
    if not lowered.isascii():
        if "\u0307" in lowered:
            lowered = lowered.replace("i\u0307", "i")
        if "ı" in lowered:
            lowered = lowered.replace("ı", "i")
        lowered = _SEPARATORS_RE.sub(" ", lowered)
        if unspaced_apart:
            lowered = _UNSPACED_RUN_RE.sub(r" \g<0> ", lowered)
    data = lowered.encode("utf-8", "surrogatepass").translate(_ASCII_TO_SPACE)
    return f" {data.decode('utf-8', 'surrogatepass')} "


def _slug_of(article: Article) -> str:
    return article.slug
