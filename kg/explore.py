"""Questions an analyst asks of the concept graph: what, around, how connected, what next.

Plain functions over the ``networkx.DiGraph`` that :func:`kg.graph.build_graph` makes
(or :func:`kg.formats.nodelink.read_graph` reads back). Each takes a concept as its slug or as
any of its titles or anchor texts, in any language (:func:`find`), and returns plain
data (dicts and lists) that prints as JSON or turns into a ``pandas.DataFrame``.

Only link edges count as neighbourhood (keywords are attributes for this purpose),
and every answer is deterministic: ties are broken by concept id.

Every function that answers with labels takes ``lang``, the display language: each
``label`` is then the concept's title in that language, else in English, else in any
(:mod:`kg.labels`), and ``label_lang`` says which language it is in (``""`` for a keyword
or a slug); per-language values and evidence are listed with the display language first.
"""

from __future__ import annotations

import difflib
import math
from collections import Counter, defaultdict, deque
from collections.abc import Iterable
from typing import Any

import networkx as nx

from kg.centrality import pagerank
from kg.communities import link_communities
from kg.errors import AmbiguousConcept, ConceptNotFound, InvalidArgument
from kg.graph import concepts, is_link, keyword_id, link_edges, linked, links_in, links_out
from kg.labels import display_label, language_order, ordered
from kg.quality import unlinked_mentions
from kg.report import counts, coverage
from kg.scripts import has_unspaced
from kg.text import search_key

DIRECTIONS = ("out", "in", "both")
"""Which links :func:`neighbors` follows: to the concepts a concept links to, from, or both."""

_MAX_CANDIDATES = 10


# --- finding a concept ----------------------------------------------------------------------


def find(G: nx.DiGraph, text: str) -> list[str]:
    """Concept ids that ``text`` names: a slug, a title or an anchor text, in any language.

    The first rule that matches decides: the exact slug; else a title in any language;
    else an anchor text that points to the concept (``alt_labels``); else a slug; else,
    for text in a script written without spaces (Chinese, Japanese), the titles and
    anchor texts that hold it (``中台`` finds ``中台``, ``台办公`` finds ``后台办公室``).
    Texts are compared by :func:`kg.text.search_key`: any case (Turkish ``KİRACI`` and
    ``KIRACI`` find ``Kiracı``), any runs of white space, full-width letters as plain
    ones, Arabic with or without vowel marks and tatweel.

    Parameters
    ----------
    G : networkx.DiGraph
        The concept graph.
    text : str
        What the user typed.

    Returns
    -------
    list of str
        Matching concept ids, sorted; empty when nothing matches.

    Examples
    --------
    >>> from kg.articles import parse_article
    >>> from kg.graph import build_graph
    >>> a = parse_article("---\\ntitle: back office\\n---\\nSee [hyresavtal](/lease).",
    ...                   slug="backoffice", lang="sv")
    >>> G = build_graph([a])
    >>> find(G, "backoffice"), find(G, "Back  Office"), find(G, "hyresavtal")
    (['backoffice'], ['backoffice'], ['lease'])
    >>> find(G, "nothing")
    []
    >>> G = build_graph([parse_article("---\\ntitle: 后台办公室\\n---\\n", slug="backoffice")])
    >>> find(G, "台办公")
    ['backoffice']
    """
    if text in G and G.nodes[text].get("kind") == "concept":
        return [text]
    key = search_key(str(text))
    if not key:
        return []
    titles: set[str] = set()
    anchors: set[str] = set()
    slugs: set[str] = set()
    parts: set[str] = set()
    inside = has_unspaced(key)
    for node, data in G.nodes(data=True):
        if data.get("kind") != "concept":
            continue
        own = [search_key(t) for t in (data.get("labels") or {}).values()]
        if key in own:
            titles.add(node)
        elif not titles:
            named = [search_key(a) for lst in (data.get("alt_labels") or {}).values() for a in lst]
            if key in named:
                anchors.add(node)
            if search_key(node) == key:
                slugs.add(node)
            if inside and any(key in n for n in (*own, *named)):
                parts.add(node)
    return sorted(titles or anchors or slugs or parts)


def resolve(G: nx.DiGraph, text: str) -> str:
    """The one concept id ``text`` names (see :func:`find`).

    Raises
    ------
    ConceptNotFound
        When nothing matches (the message suggests close matches).
    AmbiguousConcept
        When several concepts match (the message lists them with their labels).

    Examples
    --------
    >>> from kg.articles import parse_article
    >>> from kg.graph import build_graph
    >>> G = build_graph([parse_article("---\\ntitle: lease\\n---\\nRent.", slug="lease")])
    >>> resolve(G, "Lease")
    'lease'
    >>> resolve(G, "leas")
    Traceback (most recent call last):
    ...
    kg.errors.ConceptNotFound: no concept 'leas'; did you mean: lease?
    """
    found = find(G, text)
    if len(found) == 1:
        return found[0]
    if found:
        shown = ", ".join(f"{n} ({_label(G, n)})" for n in found[:_MAX_CANDIDATES])
        more = f" and {len(found) - _MAX_CANDIDATES} more" if len(found) > _MAX_CANDIDATES else ""
        raise AmbiguousConcept(text, found, shown + more)
    raise ConceptNotFound(text, _close_matches(G, text))


# --- the concept card -----------------------------------------------------------------------


def show(G: nx.DiGraph, slug: str, lang: str | None = None) -> dict[str, Any]:
    """The concept card: labels, descriptions, keywords, links out and in, paths.

    Parameters
    ----------
    G : networkx.DiGraph
        The concept graph.
    slug : str
        A slug, or any title or anchor text (see :func:`find`).
    lang : str, optional
        The display language (see the module's docstring).

    Returns
    -------
    dict
        ``id``, ``label`` and ``label_lang``, ``exists``, ``labels`` {lang: title},
        ``descriptions`` {lang: text}, ``keywords``, ``paths`` {lang: path},
        ``alt_labels`` {lang: [anchor texts]} (the display language first), ``external_links``,
        ``links_out`` and ``links_in`` (sorted ids), ``anchors_out`` and ``anchors_in`` (one
        ``{id, label, label_lang, exists, weight, anchors, langs, evidence}`` per link,
        ``evidence`` its ``{lang, anchor, section, sentence, path, line}``, the display
        language first), ``unlinked_mentions`` ({lang: [ids of concepts the article names
        without linking them]}).

    Raises
    ------
    ConceptNotFound, AmbiguousConcept
        When ``slug`` names no concept, or several.

    Examples
    --------
    >>> from kg.articles import parse_article
    >>> from kg.graph import build_graph
    >>> a = parse_article("---\\ntitle: back office\\n---\\nSee [hyresavtal](/lease).",
    ...                   slug="backoffice", lang="sv")
    >>> card = show(build_graph([a]), "back office")
    >>> card["id"], card["links_out"], card["anchors_out"][0]["anchors"]
    ('backoffice', ['lease'], ['hyresavtal'])
    """
    node = resolve(G, slug)
    data = G.nodes[node]
    out = links_out(G, node)
    inn = links_in(G, node)
    label, label_lang = label_of(G, node, lang)
    return {
        "id": node,
        "label": label,
        "label_lang": label_lang,
        "exists": bool(data.get("exists")),
        "labels": ordered(data.get("labels"), lang),
        "descriptions": ordered(data.get("descriptions"), lang),
        "keywords": list(data.get("keywords") or []),
        "paths": ordered(data.get("paths"), lang),
        "alt_labels": ordered(data.get("alt_labels"), lang),
        "external_links": list(data.get("external_links") or []),
        "links_out": [v for v, _ in out],
        "links_in": [u for u, _ in inn],
        "anchors_out": [_link_row(G, v, d, lang) for v, d in out],
        "anchors_in": [_link_row(G, u, d, lang) for u, d in inn],
        "unlinked_mentions": unlinked_mentions(G, node),
    }


# --- neighbourhood ----------------------------------------------------------------------------


def neighbors(
    G: nx.DiGraph, slug: str, depth: int = 1, direction: str = "both", lang: str | None = None
) -> list[dict[str, Any]]:
    """Concepts within ``depth`` links of ``slug``, with their distance.

    Parameters
    ----------
    G : networkx.DiGraph
        The concept graph.
    slug : str
        A slug, or any title or anchor text (see :func:`find`).
    depth : int
        How many links away to look (1 = direct neighbours).
    direction : {"both", "out", "in"}
        Follow links out of each concept, into it, or both ways.
    lang : str, optional
        The display language of the labels.

    Returns
    -------
    list of dict
        ``{id, label, label_lang, distance, exists}`` for each concept reached (not
        ``slug`` itself), sorted by distance, then id.

    Raises
    ------
    ConceptNotFound, AmbiguousConcept, InvalidArgument
        For an unknown concept, a bad direction or a negative depth.

    Examples
    --------
    >>> from kg.articles import parse_article
    >>> from kg.graph import build_graph
    >>> G = build_graph([
    ...     parse_article("[b](/b)", slug="a"), parse_article("[c](/c)", slug="b")])
    >>> [(n["id"], n["distance"]) for n in neighbors(G, "a", depth=2, direction="out")]
    [('b', 1), ('c', 2)]
    >>> [n["id"] for n in neighbors(G, "c", direction="in")]
    ['b']
    """
    if direction not in DIRECTIONS:
        raise InvalidArgument(
            "direction", f"must be one of {', '.join(DIRECTIONS)}, not {direction!r}"
        )
    if depth < 0:
        raise InvalidArgument("depth", f"must be 0 or more, not {depth}")
    node = resolve(G, slug)
    distance = link_distances(G, node, depth, direction)
    del distance[node]
    return [
        {
            **_named(G, n, lang),
            "distance": d,
            "exists": bool(G.nodes[n].get("exists")),
        }
        for n, d in distance.items()
    ]


def link_distances(G: nx.DiGraph, node: str, depth: int, direction: str = "both") -> dict[str, int]:
    """``{concept: links away}`` for ``node`` (0) and the concepts within ``depth`` links of
    it, following links in ``direction``; sorted by distance, then id.

    Examples
    --------
    >>> G = nx.DiGraph([("a", "b"), ("c", "b")])
    >>> nx.set_edge_attributes(G, "link", "kind")
    >>> link_distances(G, "a", 2), link_distances(G, "a", 2, "out")
    ({'a': 0, 'b': 1, 'c': 2}, {'a': 0, 'b': 1})
    """
    step = _stepper(G, direction)
    distance = {node: 0}
    queue = deque([node])
    while queue:
        current = queue.popleft()
        if distance[current] >= depth:
            continue
        for nxt in step(current):
            if nxt not in distance:
                distance[nxt] = distance[current] + 1
                queue.append(nxt)
    return dict(sorted(distance.items(), key=lambda kv: (kv[1], kv[0])))


def path(
    G: nx.DiGraph, a: str, b: str, directed: bool = False, lang: str | None = None
) -> dict[str, Any]:
    """A shortest chain of links from ``a`` to ``b``, each hop with its evidence.

    Links are followed either way by default (a hop against the link's direction is
    shown with ``direction="backward"`` and the evidence of the link ``target → source``);
    ``directed=True`` follows links only forwards. Among shortest chains the one that
    is first in order of concept ids is given, so the answer is stable.

    Parameters
    ----------
    G : networkx.DiGraph
        The concept graph.
    a, b : str
        Start and end: slugs, or titles or anchor texts (see :func:`find`).
    directed : bool
        Follow links only in their direction.
    lang : str, optional
        The display language: of the labels, and which evidence comes first.

    Returns
    -------
    dict
        ``path`` (the ids, ``a`` first; empty when there is no chain), ``labels`` (one
        ``{id, label, label_lang}`` per id of ``path``) and ``hops``: one ``{source,
        target, direction, anchors, evidence, sections, contexts}`` per step, where
        ``evidence`` holds the sentences in which the link stands and ``sections`` their
        section headings (both de-duplicated, the display language's first).

    Examples
    --------
    >>> from kg.articles import parse_article
    >>> from kg.graph import build_graph
    >>> G = build_graph([
    ...     parse_article("# A\\nA needs [b](/b).", slug="a"),
    ...     parse_article("# C\\nC uses [b](/b).", slug="c")])
    >>> result = path(G, "a", "c")
    >>> result["path"], [h["direction"] for h in result["hops"]]
    (['a', 'b', 'c'], ['forward', 'backward'])
    >>> result["hops"][1]["evidence"]
    ['C uses b.']
    >>> path(G, "a", "c", directed=True)["path"]
    []
    """
    start, end = resolve(G, a), resolve(G, b)
    step = _stepper(G, "out" if directed else "both")
    parent: dict[str, str | None] = {start: None}
    queue = deque([start])
    while queue and end not in parent:
        current = queue.popleft()
        for nxt in step(current):
            if nxt not in parent:
                parent[nxt] = current
                queue.append(nxt)
    if end not in parent:
        return {"path": [], "labels": [], "hops": []}
    chain = [end]
    while (prev := parent[chain[-1]]) is not None:
        chain.append(prev)
    chain.reverse()
    hops = [_hop(G, u, v, lang) for u, v in zip(chain, chain[1:], strict=False)]
    return {"path": chain, "labels": [_named(G, n, lang) for n in chain], "hops": hops}


# --- suggestions ------------------------------------------------------------------------------


def related(
    G: nx.DiGraph, slug: str, top: int | None = 10, lang: str | None = None
) -> list[dict[str, Any]]:
    """Articles worth reading next: not linked to or from ``slug``, but close to it.

    The score adds two Adamic–Adar sums: over the concepts both link with (either
    direction), each counting ``1 / log(degree)`` so that a hub shared by everything
    counts little; and over the keywords both carry, each counting
    ``1 / log(number of concepts with the keyword)`` so that rare keywords count more.
    Only concepts with an article are suggested.

    Parameters
    ----------
    G : networkx.DiGraph
        The concept graph.
    slug : str
        A slug, or any title or anchor text (see :func:`find`).
    top : int or None
        How many suggestions to return (``None`` for all).
    lang : str, optional
        The display language of the labels.

    Returns
    -------
    list of dict
        ``{id, label, label_lang, score, shared_neighbors, shared_keywords}``, by score
        (highest first), then id. When it is empty, :func:`why_no_related` says why.

    Examples
    --------
    >>> from kg.articles import parse_article
    >>> from kg.graph import build_graph
    >>> G = build_graph([
    ...     parse_article("---\\nkeywords: Tax\\n---\\n[hub](/hub)", slug="a"),
    ...     parse_article("---\\nkeywords: Tax\\n---\\n[hub](/hub)", slug="b"),
    ...     parse_article("[hub](/hub)", slug="c")])
    >>> [(r["id"], r["shared_keywords"]) for r in related(G, "a")]
    [('b', ['Tax']), ('c', [])]
    """
    if top is not None and top < 0:
        raise InvalidArgument("top", f"must be 0 or more, not {top}")
    node = resolve(G, slug)
    own = _linked_with(G, node)
    exclude = own | {node}
    neighbour_score: dict[str, float] = defaultdict(float)
    shared_n: dict[str, list[str]] = defaultdict(list)
    for w in sorted(own):
        around = _linked_with(G, w)
        weight = 1.0 / math.log(len(around)) if len(around) > 1 else 0.0
        for cand in around:
            if cand not in exclude:
                neighbour_score[cand] += weight
                shared_n[cand].append(w)
    keyword_score: dict[str, float] = defaultdict(float)
    shared_k: dict[str, list[str]] = defaultdict(list)
    for keyword in G.nodes[node].get("keywords") or []:
        holders = [u for u in G.pred.get(keyword_id(keyword), {}) if _is_concept(G, u)]
        if len(holders) < 2:
            continue
        weight = 1.0 / math.log(len(holders))
        for cand in holders:
            if cand not in exclude:
                keyword_score[cand] += weight
                shared_k[cand].append(keyword)
    rows = []
    for cand in set(neighbour_score) | set(keyword_score):
        if not G.nodes[cand].get("exists"):
            continue
        score = neighbour_score.get(cand, 0.0) + keyword_score.get(cand, 0.0)
        rows.append(
            {
                **_named(G, cand, lang),
                "score": round(score, 6),
                "shared_neighbors": shared_n.get(cand, []),
                "shared_keywords": sorted(shared_k.get(cand, [])),
            }
        )
    rows.sort(key=lambda r: (-r["score"], r["id"]))
    return rows if top is None else rows[:top]


def why_no_related(G: nx.DiGraph, slug: str, top: int | None = 10) -> str:
    """Why :func:`related` suggests nothing for ``slug``: one sentence ("" when it does).

    Examples
    --------
    >>> from kg.articles import parse_article
    >>> from kg.graph import build_graph
    >>> G = build_graph([parse_article("Alone.", slug="a"), parse_article("[c](/c)", slug="b")])
    >>> why_no_related(G, "a")
    'a has no links and no keywords: no concept shares a link or keyword with it'
    >>> why_no_related(G, "b")
    'no concept with an article shares a link or keyword with b (its 1 link is to c)'
    """
    node = resolve(G, slug)
    if top == 0:
        return "top is 0: no suggestion was asked for"
    if related(G, node, top=1):
        return ""
    own = _linked_with(G, node)
    keywords = list(G.nodes[node].get("keywords") or [])
    if not own and not keywords:
        return f"{node} has no links and no keywords: no concept shares a link or keyword with it"
    around = set().union(*(_linked_with(G, w) for w in own)) if own else set()
    holders = {u for k in keywords for u in G.pred.get(keyword_id(k), {}) if _is_concept(G, u)}
    close = (around | holders) - {node}
    if close and close <= own:
        return f"every concept that shares a link or keyword with {node} is linked with it already"
    if close:
        return (
            f"the concepts that share a link or keyword with {node} have no article yet: "
            + ", ".join(sorted(close - own)[:10])
        )
    links = (
        f"its {len(own)} link{'s' * (len(own) != 1)} {'is' if len(own) == 1 else 'are'} to "
        + ", ".join(sorted(own)[:10])
        if own
        else "it has no links"
    )
    return f"no concept with an article shares a link or keyword with {node} ({links})"


# --- the whole graph --------------------------------------------------------------------------


def stats(
    G: nx.DiGraph,
    top: int = 10,
    seed: int = 0,
    communities: bool = True,
    lang: str | None = None,
) -> dict[str, Any]:
    """Counts, coverage per language, degrees, central concepts and communities.

    Parameters
    ----------
    G : networkx.DiGraph
        The concept graph.
    top : int
        How many concepts to list by PageRank and by in-links, and how many
        communities to describe.
    seed : int
        Seed of the Louvain community detection (fixed, so answers repeat).
    communities : bool
        Detect communities (Louvain; the slowest part: seconds on 15,000 concepts).
    lang : str, optional
        The display language of the labels.

    Returns
    -------
    dict
        ``articles`` (files read), ``concepts`` (concepts with an article),
        ``missing_concepts`` (linked to, no article), ``keywords``, ``links`` (concept →
        concept edges), ``mentions`` (sum of their weights), ``languages`` (list),
        ``articles_per_language`` {lang: n}, ``coverage`` {lang: n / largest language's n},
        ``degree`` ({in, out}: {mean, median, max}), ``degree_distribution``
        ([{degree, in, out}]: how many concepts have that many distinct links in and
        out), ``top_pagerank`` ([{id, label, label_lang, score}]), ``top_in_links``
        ([{id, label, label_lang, in_links}]), ``community_count`` and ``communities``
        ([{community, size, examples}], largest first; examples are the members with most in-links;
        ``None`` and ``[]`` when ``communities=False``),
        ``warnings`` and ``errors`` (counts).

    Examples
    --------
    >>> from kg.articles import parse_article
    >>> from kg.graph import build_graph
    >>> G = build_graph([parse_article("[b](/b)", slug="a", lang="sv"),
    ...                  parse_article("[a](/a)", slug="a", lang="en")])
    >>> s = stats(G)
    >>> s["concepts"], s["missing_concepts"], s["links"], s["coverage"]
    (1, 1, 2, {'en': 1.0, 'sv': 1.0})
    """
    concept_ids = concepts(G)
    found = counts(G)
    edges = link_edges(G)
    per_lang = found["languages"]
    shares = coverage(per_lang)
    languages = list(G.graph.get("languages") or per_lang)
    in_deg: Counter[str] = Counter()
    out_deg: Counter[str] = Counter()
    for u, v, _ in edges:
        out_deg[u] += 1
        in_deg[v] += 1
    ranks = pagerank(G)
    by_rank = sorted(concept_ids, key=lambda n: (-ranks.get(n, 0.0), n))[:top]
    by_in = sorted(concept_ids, key=lambda n: (-in_deg[n], n))[:top]
    groups = link_communities(G, concept_ids, seed) if communities else []
    return {
        **{key: int(value) for key, value in found.items() if key != "languages"},
        "languages": languages,
        "articles_per_language": {lang: per_lang.get(lang, 0) for lang in languages},
        "coverage": {lang: shares.get(lang, 0.0) for lang in languages},
        "degree": {
            "in": _summary([in_deg[n] for n in concept_ids]),
            "out": _summary([out_deg[n] for n in concept_ids]),
        },
        "degree_distribution": _distribution(concept_ids, in_deg, out_deg),
        "top_pagerank": [
            {**_named(G, n, lang), "score": round(ranks.get(n, 0.0), 6)} for n in by_rank
        ],
        "top_in_links": [{**_named(G, n, lang), "in_links": in_deg[n]} for n in by_in],
        "community_count": len(groups) if communities else None,
        "communities": [
            {
                "community": i,
                "size": len(members),
                "examples": sorted(members, key=lambda n: (-in_deg[n], n))[:5],
            }
            for i, members in enumerate(groups[:top])
        ],
        "warnings": len(G.graph.get("warnings") or []),
        "errors": len(G.graph.get("errors") or []),
    }


# --- helpers ------------------------------------------------------------------------------------


def _label(G: nx.DiGraph, node: str) -> str:
    return str(G.nodes[node].get("label") or node)


def label_of(G: nx.DiGraph, node: str, lang: str | None = None) -> tuple[str, str]:
    """The label of ``node`` in display language ``lang`` and the language it is in
    (:func:`kg.labels.display_label`; the slug, language ``""``, when it has none).

    Examples
    --------
    >>> from kg.articles import parse_article
    >>> from kg.graph import build_graph
    >>> G = build_graph([parse_article("# hyresavtal\\nHyra.", slug="lease", lang="sv"),
    ...                  parse_article("# lease\\nRent.", slug="lease", lang="en")])
    >>> label_of(G, "lease"), label_of(G, "lease", "sv"), label_of(G, "lease", "fi")
    (('lease', 'en'), ('hyresavtal', 'sv'), ('lease', 'en'))
    """
    label, code = display_label(G.nodes[node], lang)
    return (label, code) if label else (node, "")


def _named(G: nx.DiGraph, node: str, lang: str | None) -> dict[str, str]:
    label, code = label_of(G, node, lang)
    return {"id": node, "label": label, "label_lang": code}


def _is_concept(G: nx.DiGraph, node: str) -> bool:
    return G.nodes[node].get("kind") == "concept"


def _close_matches(G: nx.DiGraph, text: str) -> list[str]:
    """Concept ids whose slug or a title is close to ``text`` (difflib)."""
    names: dict[str, set[str]] = defaultdict(set)
    for node, data in G.nodes(data=True):
        if data.get("kind") != "concept":
            continue
        names[search_key(node)].add(node)
        for title in (data.get("labels") or {}).values():
            names[search_key(title)].add(node)
    hits = difflib.get_close_matches(
        search_key(str(text)), list(names), n=_MAX_CANDIDATES, cutoff=0.6
    )
    out: list[str] = []
    for hit in hits:
        for node in sorted(names[hit]):
            if node not in out:
                out.append(node)
    return out[:_MAX_CANDIDATES]


def _link_row(G: nx.DiGraph, other: str, data: dict[str, Any], lang: str | None) -> dict[str, Any]:
    return {
        **_named(G, other, lang),
        "exists": bool(G.nodes[other].get("exists")),
        "weight": int(data.get("weight", 1)),
        "anchors": list(data.get("anchors") or []),
        "langs": list(data.get("langs") or []),
        "evidence": evidence(data, lang),
    }


def evidence(data: dict[str, Any], lang: str | None = None) -> list[dict[str, Any]]:
    """A link's evidence: ``{lang, anchor, section, sentence, path, line}`` per sentence it
    stands in, the display language's first (then English, then any; in order within one
    language). ``anchor`` is the link's anchor text found in the sentence (else its first).

    Examples
    --------
    >>> link = {"anchors": ["hyresavtal", "lease"], "contexts": [
    ...     {"lang": "en", "section": "", "sentence": "A lease.", "line": 3, "path": "en/a.md"},
    ...     {"lang": "sv", "section": "", "sentence": "Ett hyresavtal.", "line": 3,
    ...      "path": "sv/a.md"}]}
    >>> [(e["lang"], e["anchor"]) for e in evidence(link, "sv")]
    [('sv', 'hyresavtal'), ('en', 'lease')]
    """
    contexts = list(data.get("contexts") or [])
    anchors = [str(a) for a in data.get("anchors") or []]
    rank = {
        code: i
        for i, code in enumerate(language_order({c.get("lang", "") for c in contexts}, lang))
    }
    rows = []
    for c in sorted(contexts, key=lambda c: rank[c.get("lang", "")]):
        sentence = str(c.get("sentence", ""))
        folded = sentence.casefold()
        found = [a for a in anchors if a.casefold() in folded]
        rows.append(
            {
                "lang": c.get("lang", ""),
                "anchor": max(found, key=len) if found else (anchors[0] if anchors else ""),
                "section": c.get("section", ""),
                "sentence": sentence,
                "path": c.get("path", ""),
                "line": c.get("line", 0),
            }
        )
    return rows


def _stepper(G: nx.DiGraph, direction: str):
    """A function giving a concept's link neighbours in ``direction``, sorted."""

    return lambda node: linked(G, node, direction)


def _hop(G: nx.DiGraph, u: str, v: str, lang: str | None = None) -> dict[str, Any]:
    forward = G.has_edge(u, v) and is_link(G.edges[u, v])
    data = G.edges[u, v] if forward else G.edges[v, u]
    contexts = list(data.get("contexts") or [])
    rank = {
        code: i
        for i, code in enumerate(language_order({c.get("lang", "") for c in contexts}, lang))
    }
    contexts = [dict(c) for c in sorted(contexts, key=lambda c: rank[c.get("lang", "")])]
    return {
        "source": u,
        "target": v,
        "direction": "forward" if forward else "backward",
        "anchors": list(data.get("anchors") or []),
        "evidence": _unique(c.get("sentence", "") for c in contexts),
        "sections": _unique(c.get("section", "") for c in contexts),
        "contexts": contexts,
    }


def _unique(values: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(v for v in values if v))


def _linked_with(G: nx.DiGraph, node: str) -> set[str]:
    """The concepts ``node`` links to or from (either direction), without itself."""
    return set(linked(G, node)) - {node}


def _summary(values: list[int]) -> dict[str, float]:
    if not values:
        return {"mean": 0.0, "median": 0.0, "max": 0}
    ordered = sorted(values)
    mid = len(ordered) // 2
    median = ordered[mid] if len(ordered) % 2 else (ordered[mid - 1] + ordered[mid]) / 2
    return {
        "mean": round(sum(ordered) / len(ordered), 4),
        "median": float(median),
        "max": ordered[-1],
    }


def _distribution(
    nodes: list[str], in_deg: Counter[str], out_deg: Counter[str]
) -> list[dict[str, int]]:
    ins = Counter(in_deg[n] for n in nodes)
    outs = Counter(out_deg[n] for n in nodes)
    return [
        {"degree": k, "in": ins.get(k, 0), "out": outs.get(k, 0)}
        for k in sorted(set(ins) | set(outs))
    ]
