"""Article records → the knowledge graph (a ``networkx.DiGraph``), and the questions every
view asks of it: which nodes are concepts, which edges are links.

Nodes
    concept with an article (id = slug): ``kind="concept"``, ``exists=True``, ``label``,
    ``labels`` {lang: title}, ``descriptions`` {lang: text}, ``keywords`` [str],
    ``paths`` {lang: relative path}, ``alt_labels`` {lang: [anchor texts]},
    ``external_links`` [url], ``unlinked_mentions`` {lang: [concepts named, not linked]};
    concept linked to but without an article: the same keys, ``exists=False`` and
    ``label`` the anchor text that spells the slug, else the most used one that is not a
    sentence (else the slug);
    keyword (id = ``keyword:<Keyword>``): ``kind="keyword"``, ``label``.
Edges
    concept → concept: ``kind="link"``, ``weight`` (mentions), ``anchors`` [str],
    ``langs`` [str], ``contexts`` [{lang, section, sentence, line, path}];
    concept → keyword: ``kind="keyword"``.
Graph
    ``languages``, ``articles``, ``warnings`` and ``errors`` ([{path, line, message}]),
    ``site_url``, ``kg_version``.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

import networkx as nx

from kg.labels import language_order, named_anchors
from kg.records import KEYWORD_PREFIX, Article, Corpus, Link, Problem
from kg.scripts import label_words, reads_as_clause
from kg.text import search_key

if TYPE_CHECKING:  # pragma: no cover
    from kg.mentions import Found

LINK = "link"
"""The ``kind`` of a concept → concept edge (the other edges are ``"keyword"``)."""


def keyword_id(keyword: str) -> str:
    """Node id of a keyword: :data:`~kg.records.KEYWORD_PREFIX` and the keyword.

    No concept id begins so: a file or link name that would (``/keyword:Investing``) is
    the concept ``keyword%3AInvesting`` (:func:`kg.articles.concept_slug`), so keyword and
    concept nodes never share an id, nor their IRIs (``keyword/…`` and ``concept/…``).

    Examples
    --------
    >>> keyword_id("Stock Brokers")
    'keyword:Stock Brokers'
    """
    return KEYWORD_PREFIX + keyword


def build_graph(
    articles: Iterable[Article] | Corpus,
    *,
    errors: Iterable[Problem] = (),
    warnings: Iterable[Problem] = (),
    site_url: str | None = None,
    mentions: bool = True,
) -> nx.DiGraph:
    """Build the concept graph from parsed articles.

    Parameters
    ----------
    articles : iterable of Article, or Corpus
        One record per (language, slug); the same slug in several languages is one
        concept. A :class:`~kg.records.Corpus` (what :func:`kg.read_corpus` gives) brings
        its reading problems too.
    errors, warnings : iterable of Problem
        Problems met while reading files (not parsing them); kept in ``G.graph``.
    site_url : str, optional
        Recorded in ``G.graph`` for the exports.
    mentions : bool
        Look for unlinked mentions (``unlinked_mentions`` on each node,
        :func:`kg.mentions.find_unlinked_mentions`).

    Examples
    --------
    >>> from kg.articles import parse_article
    >>> a = parse_article("# back office\\nSee [front office](/frontoffice).", slug="backoffice",
    ...                   lang="sv")
    >>> G = build_graph([a])
    >>> G.nodes["frontoffice"]["exists"], G.edges["backoffice", "frontoffice"]["anchors"]
    (False, ['front office'])
    """
    if isinstance(articles, Corpus):
        errors, warnings = [*articles.errors, *errors], [*articles.warnings, *warnings]
        articles = articles.articles
    arts = sorted(articles, key=lambda a: (a.slug, a.lang))
    G = nx.DiGraph()
    languages = sorted({a.lang for a in arts})
    for article in arts:
        _add_article(G, article)
    resolve = _resolver(G)
    edges: dict[tuple[str, str], dict[str, Any]] = {}
    anchors_to: dict[str, dict[str, Counter[str]]] = defaultdict(lambda: defaultdict(Counter))
    split: list[_Split] = []  # links whose pieces may be one word: decided once all are read
    for article in arts:
        for link in article.links:
            target = resolve(link.target)
            data = edges.get((article.slug, target))
            if data is None:
                data = edges[(article.slug, target)] = {
                    "kind": LINK,
                    "weight": 0,
                    "anchors": {},
                    "langs": set(),
                    "contexts": {},
                }
            data["weight"] += 1
            data["langs"].add(article.lang)
            if link.is_label:
                if link.glued:
                    data["anchors"][(len(split),)] = None  # its place, until it is decided
                    split.append((data, target, article.lang, link))
                else:
                    data["anchors"][link.anchor] = None
                    anchors_to[target][article.lang][link.anchor] += 1
            key = (article.lang, link.section, link.sentence)
            if key not in data["contexts"]:
                data["contexts"][key] = {
                    "lang": article.lang,
                    "section": link.section,
                    "sentence": link.sentence,
                    "line": link.line,
                    "path": article.path,
                }
    if split:
        _decide_split_anchors(G, split, anchors_to)
    missing = sorted({target for _, target in edges} - set(G))
    G.add_nodes_from((slug, _concept(False, slug)) for slug in missing)
    _, succ, pred = adjacency(G)
    for (source, target), data in edges.items():  # as networkx's add_edge, without a copy
        succ[source][target] = pred[target][source] = {
            "kind": LINK,
            "weight": data["weight"],
            "anchors": list(data["anchors"]),
            "langs": sorted(data["langs"]),
            "contexts": list(data["contexts"].values()),
        }
    _set_alt_labels(G, anchors_to)
    _set_labels(G, languages)
    _add_keywords(G, arts)
    if mentions:
        from kg.mentions import find_unlinked_mentions

        set_unlinked_mentions(G, find_unlinked_mentions(G, arts))
    all_warnings = [*warnings, *(w for a in arts for w in a.warnings)]
    G.graph.update(
        languages=languages,
        articles=len(arts),
        warnings=_problem_dicts(all_warnings),
        errors=_problem_dicts(errors),
        site_url=site_url or "",
        kg_version=_version(),
    )
    return G


def set_unlinked_mentions(G: nx.DiGraph, found: Found) -> None:
    """Record unlinked mentions ``{slug: {lang: [ids]}}`` on the concepts of ``G``."""
    for node, per_lang in found.items():
        G.nodes[node]["unlinked_mentions"] = per_lang


def adjacency(
    G: nx.DiGraph,
) -> tuple[dict[str, dict], dict[str, dict[str, dict]], dict[str, dict[str, dict]]]:
    """The dicts networkx keeps a graph in: node → data, node → {successor: edge data},
    node → {predecessor: edge data} (``G._node``, ``G._succ``, ``G._pred``).

    The one place kg reaches into networkx's storage: walking these dicts skips the
    read-only views of ``G.nodes``, ``G.succ`` and ``G.pred`` (several times faster over
    every node of a wiki), and :func:`build_graph` sets edges through them without the
    copy ``add_edge`` makes. Read them; only the graph's builder writes them.

    Examples
    --------
    >>> G = nx.DiGraph([("a", "b")])
    >>> nodes, succ, pred = adjacency(G)
    >>> list(succ["a"]), list(pred["b"])
    (['b'], ['a'])
    """
    return G._node, G._succ, G._pred


def is_link(data: Mapping[str, Any]) -> bool:
    """Whether an edge's data is a link between concepts (not a keyword edge)."""
    return data.get("kind") == LINK


def count_links(neighbours: Mapping[str, Mapping[str, Any]]) -> int:
    """How many of a node's edges (its ``succ`` or ``pred`` entry) are links.

    Examples
    --------
    >>> count_links({"b": {"kind": "link"}, "keyword:X": {"kind": "keyword"}})
    1
    """
    return [d.get("kind") for d in neighbours.values()].count(LINK)


def links_out(G: nx.DiGraph, node: str) -> list[tuple[str, dict[str, Any]]]:
    """``(target, edge data)`` of the links ``node`` makes, sorted by target.

    Examples
    --------
    >>> G = nx.DiGraph(); G.add_edge("a", "b", kind="link"); G.add_edge("a", "k", kind="keyword")
    >>> [v for v, _ in links_out(G, "a")]
    ['b']
    """
    return sorted(((v, d) for v, d in G.succ[node].items() if d.get("kind") == LINK), key=_first)


def links_in(G: nx.DiGraph, node: str) -> list[tuple[str, dict[str, Any]]]:
    """``(source, edge data)`` of the links made to ``node``, sorted by source."""
    return sorted(((u, d) for u, d in G.pred[node].items() if d.get("kind") == LINK), key=_first)


def linked(G: nx.DiGraph, node: str, direction: str = "both") -> list[str]:
    """The concepts ``node`` links to (``"out"``), is linked from (``"in"``) or either
    (``"both"``), sorted; itself included when it links to itself.

    Examples
    --------
    >>> G = nx.DiGraph([("a", "b"), ("c", "a")]); nx.set_edge_attributes(G, "link", "kind")
    >>> linked(G, "a", "out"), linked(G, "a", "in"), linked(G, "a")
    (['b'], ['c'], ['b', 'c'])
    """
    found: set[str] = set()
    if direction in ("out", "both"):
        found.update(v for v, d in G.succ[node].items() if d.get("kind") == LINK)
    if direction in ("in", "both"):
        found.update(u for u, d in G.pred[node].items() if d.get("kind") == LINK)
    return sorted(found)


def _first(pair: tuple[str, Any]) -> str:
    return pair[0]


def concepts(G: nx.DiGraph, exists: bool | None = None) -> list[str]:
    """Concept node ids, sorted; ``exists=True`` only those with an article, ``False`` missing.

    Examples
    --------
    >>> G = nx.DiGraph(); G.add_node("a", kind="concept", exists=True)
    >>> concepts(G)
    ['a']
    """
    return sorted(
        n
        for n, d in G.nodes(data=True)
        if d.get("kind") == "concept" and (exists is None or bool(d.get("exists")) == exists)
    )


def link_edges(G: nx.DiGraph) -> list[tuple[str, str, dict[str, Any]]]:
    """Concept → concept edges with their data, sorted."""
    return [
        (u, v, d)
        for u, nbrs in sorted(G.adj.items())
        for v, d in sorted(nbrs.items())
        if d.get("kind") == LINK
    ]


def link_graph(G: nx.DiGraph) -> nx.DiGraph:
    """A view of ``G`` with only concepts and the links between them (no keywords)."""
    return nx.subgraph_view(
        G,
        filter_node=lambda n: G.nodes[n].get("kind") == "concept",
        filter_edge=lambda u, v: G.edges[u, v].get("kind") == LINK,
    )


# --- helpers -----------------------------------------------------------------------------


def _concept(exists: bool, slug: str) -> dict[str, Any]:
    return {
        "kind": "concept",
        "exists": exists,
        "label": slug,
        "labels": {},
        "descriptions": {},
        "keywords": [],
        "paths": {},
        "alt_labels": {},
        "external_links": [],
        "unlinked_mentions": {},
    }


def _add_article(G: nx.DiGraph, article: Article) -> None:
    if article.slug not in G:
        G.add_node(article.slug, **_concept(True, article.slug))
    data = G.nodes[article.slug]
    data["labels"][article.lang] = article.title or article.slug
    if article.description:
        data["descriptions"][article.lang] = article.description
    data["paths"][article.lang] = article.path
    known = {k.casefold() for k in data["keywords"]}
    data["keywords"].extend(k for k in article.keywords if k.casefold() not in known)
    if article.external:
        data["external_links"] = sorted({*data["external_links"], *article.external})


def _resolver(G: nx.DiGraph):
    """Map a link target to a concept id: exact slug, else the one slug equal but for case."""
    existing = set(G)
    by_fold: dict[str, list[str]] = defaultdict(list)
    for node in existing:
        by_fold[node.casefold()].append(node)

    def resolve(target: str) -> str:
        if target in existing:
            return target
        same = by_fold.get(target.casefold(), [])
        return same[0] if len(same) == 1 else target

    return resolve


_Split = tuple[dict[str, Any], str, str, Link]
"""A split link waiting for :func:`_decide_split_anchors`: its edge's data, its target,
its language and the link."""


def _decide_split_anchors(
    G: nx.DiGraph, split: list[_Split], anchors_to: dict[str, dict[str, Counter[str]]]
) -> None:
    """Give each split link of ``split`` its anchor: the pieces glued (``link.glued``) when
    that is a title of the target, or the anchor of a link that is not split, in any
    language (the evidence that the pieces are one word), else the source's spacing.

    Each link has a place ``(index,)`` in its edge's ``anchors``, where its anchor goes.
    """
    known: dict[str, set[str]] = {}
    chosen: list[str] = []
    for _, target, _, link in split:
        names = known.get(target)
        if names is None:
            names = known[target] = {
                search_key(name)
                for name in (
                    *((G.nodes[target].get("labels") or {}).values() if target in G else ()),
                    *(a for counter in anchors_to.get(target, {}).values() for a in counter),
                )
            }
        anchor = link.glued if search_key(link.glued) in names else link.anchor
        chosen.append(anchor)
    for (_, target, lang, _), anchor in zip(split, chosen, strict=True):
        anchors_to[target][lang][anchor] += 1
    done: set[int] = set()
    for data, *_ in split:
        if id(data) not in done:
            done.add(id(data))
            anchors = data["anchors"]
            data["anchors"] = {
                (chosen[key[0]] if isinstance(key, tuple) else key): None for key in anchors
            }


def _set_alt_labels(G: nx.DiGraph, anchors_to: dict[str, dict[str, Counter[str]]]) -> None:
    for node, per_lang in named_anchors(anchors_to, G.nodes).items():
        G.nodes[node]["alt_labels"] = {lang: sorted(c) for lang, c in sorted(per_lang.items())}
        if not G.nodes[node]["exists"]:
            G.nodes[node]["label"] = _best_anchor(node, per_lang)


def _best_anchor(slug: str, per_lang: dict[str, Counter[str]]) -> str:
    """The label of a concept without an article, from the anchor texts that point to it.

    The first rule that tells them apart decides:

    1. one that spells the slug (``front office`` for ``frontoffice``);
    2. one that is not a sentence (:func:`anchor_kind`);
    3. the most used (so ``[COVID](/inflation)`` does not name ``inflation`` when other
       anchors say ``inflation``);
    4. the one used in most languages (they agree on it: ``ISDA``);
    5. an English one (as :func:`_set_labels` prefers English titles);
    6. one that reads as a term (a few words, no comma inside) before a longer name;
    7. the first in alphabetical order.

    A sentence is never a label: when every anchor is one, the slug is.

    Examples
    --------
    >>> anchors = {"tr": Counter({"Emlakçılar , sigorta acenteleri": 1}),
    ...            "zh": Counter({"滞纳金": 1}), "de": Counter({"Gebühren, die anfallen": 1})}
    >>> _best_anchor("late-fee", anchors)
    '滞纳金'
    >>> _best_anchor("x", {"de": Counter({"Das ist so. Und mehr": 2})})
    'x'
    """
    total: Counter[str] = Counter()
    languages: Counter[str] = Counter()
    for counter in per_lang.values():
        total.update(counter)
        languages.update(counter.keys())
    english = per_lang.get("en", {})
    name = _letters(slug)

    def rank(item: tuple[str, int]) -> tuple[Any, ...]:
        text, count = item
        kind = anchor_kind(text)
        return (
            _letters(text) != name,
            kind == SENTENCE,
            -count,
            -languages[text],
            text not in english,
            kind,
            text.casefold(),
            text,
        )

    best = min(total.items(), key=rank)[0]
    return slug if anchor_kind(best) == SENTENCE and _letters(best) != name else best


TERM, NAME, SENTENCE = 0, 1, 2
"""What an anchor reads as (:func:`anchor_kind`), best label first."""

_TERM_WORDS = 4
_NAME_WORDS = 10
_INNER_PAUSE = re.compile(r"[,;:،؛]\s|[，、；：]")
_INNER_END = re.compile(r"[.!?؟…][\"'”’»)]*\s+(\w)|[。！？]\s*\S")


def anchor_kind(text: str) -> int:
    """:data:`TERM` (at most four words, no comma, colon or semicolon inside), :data:`NAME`
    (at most ten words, no sentence inside: ``US Department of Housing and Urban
    Development``) or :data:`SENTENCE` (more words, or a sentence's end inside: a full
    stop, then a capital letter; ``。``, then anything; a Japanese clause,
    :func:`kg.scripts.reads_as_clause`).

    Words are counted by :func:`kg.scripts.label_words` (four characters of Chinese or
    Japanese count as a word).

    Examples
    --------
    >>> anchor_kind("Treuhandfonds"), anchor_kind("ETF:er"), anchor_kind("Emlakçılar , sigorta")
    (0, 0, 1)
    >>> anchor_kind("Stock Exchange of India Ltd. (NSE)"), anchor_kind("planering. Många drar")
    (1, 2)
    >>> anchor_kind("衍生品以及深奥的投资。另一个区别"), anchor_kind("a b c d e f g h i j k")
    (2, 2)
    """
    words = label_words(text)
    end = _INNER_END.search(text)
    if words > _NAME_WORDS or (end is not None and (end.group(1) or "A").isupper()):
        return SENTENCE
    if reads_as_clause(text):  # Japanese: hiragana particles and verb endings
        return SENTENCE
    if words > _TERM_WORDS or _INNER_PAUSE.search(text):
        return NAME
    return TERM


def _letters(text: str) -> str:
    """The letters and digits of ``text``, case folded: what a slug and a title share."""
    return "".join(c for c in text.casefold() if c.isalnum())


def _set_labels(G: nx.DiGraph, languages: list[str]) -> None:
    """``label``: the title in the first language of :func:`kg.labels.language_order`
    (English, else the first in alphabetical order)."""
    order = language_order(languages)
    for _, data in G.nodes(data=True):
        labels = data.get("labels")
        if labels:
            data["label"] = next(labels[lang] for lang in order if lang in labels)


def _add_keywords(G: nx.DiGraph, articles: list[Article]) -> None:
    """Keyword nodes, one per keyword ignoring case, named by its most used spelling."""
    spellings: dict[str, Counter[str]] = defaultdict(Counter)
    for article in articles:
        for keyword in article.keywords:
            spellings[keyword.casefold()][keyword] += 1
    canonical = {
        fold: min(c.items(), key=lambda kv: (-kv[1], kv[0]))[0] for fold, c in spellings.items()
    }
    edges = []
    for node in concepts(G, exists=True):
        data = G.nodes[node]
        data["keywords"] = list(dict.fromkeys(canonical[k.casefold()] for k in data["keywords"]))
        for keyword in data["keywords"]:
            kid = keyword_id(keyword)
            if kid not in G:
                G.add_node(kid, kind="keyword", label=keyword)
            edges.append((node, kid))
    G.add_edges_from(edges, kind="keyword")


def _problem_dicts(problems: Iterable[Problem]) -> list[dict[str, Any]]:
    unique = {(p.path, p.line, p.message) for p in problems}
    return [{"path": p, "line": ln, "message": m} for p, ln, m in sorted(unique)]


def _version() -> str:
    from kg import __version__

    return __version__
