"""Article records → the knowledge graph (a ``networkx.DiGraph``), as DESIGN.md says.

Nodes
    concept with an article (id = slug): ``kind="concept"``, ``exists=True``, ``label``,
    ``labels`` {lang: title}, ``descriptions`` {lang: text}, ``keywords`` [str],
    ``paths`` {lang: relative path}, ``alt_labels`` {lang: [anchor texts]},
    ``external_links`` [url], ``unlinked_mentions`` {lang: [concepts named, not linked]};
    concept linked to but without an article: the same keys, ``exists=False`` and
    ``label`` the anchor text that spells the slug, else the most used one (else the slug);
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

from collections import Counter, defaultdict
from collections.abc import Iterable
from typing import Any

import networkx as nx

from kg.articles import Article, Problem
from kg.mentions import scan_mentions

KEYWORD_PREFIX = "keyword:"


def keyword_id(keyword: str) -> str:
    """Node id of a keyword.

    Examples
    --------
    >>> keyword_id("Stock Brokers")
    'keyword:Stock Brokers'
    """
    return KEYWORD_PREFIX + keyword


def build_graph(
    articles: Iterable[Article],
    *,
    errors: Iterable[Problem] = (),
    warnings: Iterable[Problem] = (),
    site_url: str | None = None,
    mentions: bool = True,
    mention_cache: dict[str, Any] | None = None,
    release_texts: bool = False,
) -> nx.DiGraph:
    """Build the concept graph from parsed articles.

    Parameters
    ----------
    articles : iterable of Article
        One record per (language, slug); the same slug in several languages is one concept.
    errors, warnings : iterable of Problem
        Problems met while reading files (not parsing them); kept in ``G.graph``.
    site_url : str, optional
        Recorded in ``G.graph`` for the exports.
    mentions : bool
        Look for unlinked mentions (``unlinked_mentions`` on each node).
    mention_cache : dict, optional
        What the last scan found per article text (see
        :func:`kg.mentions.scan_mentions`); updated in place.
    release_texts : bool
        Empty each article's ``text`` (its prose) once it is scanned: for a caller that
        has no other use for the articles' texts, which are half their memory.

    Examples
    --------
    >>> from kg.articles import parse_article
    >>> a = parse_article("# back office\\nSee [front office](/frontoffice).", slug="backoffice",
    ...                   lang="sv")
    >>> G = build_graph([a])
    >>> G.nodes["frontoffice"]["exists"], G.edges["backoffice", "frontoffice"]["anchors"]
    (False, ['front office'])
    """
    arts = sorted(articles, key=lambda a: (a.slug, a.lang))
    # the scan needs only the articles: it runs (mostly in a helper process) while the graph
    # is built, and leaves out what the graph links once it is there
    finish_mentions = (
        scan_mentions(arts, mention_cache, release=release_texts) if mentions else None
    )
    G = nx.DiGraph()
    languages = sorted({a.lang for a in arts})
    for article in arts:
        _add_article(G, article)
    resolve = _resolver(G)
    edges: dict[tuple[str, str], dict[str, Any]] = {}
    anchors_to: dict[str, dict[str, Counter[str]]] = defaultdict(lambda: defaultdict(Counter))
    for article in arts:
        for link in article.links:
            target = resolve(link.target)
            data = edges.get((article.slug, target))
            if data is None:
                data = edges[(article.slug, target)] = {
                    "kind": "link",
                    "weight": 0,
                    "anchors": {},
                    "langs": set(),
                    "contexts": {},
                }
            data["weight"] += 1
            data["langs"].add(article.lang)
            if link.is_label:
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
    missing = sorted({target for _, target in edges} - set(G))
    G.add_nodes_from((slug, _concept(False, slug)) for slug in missing)
    succ, pred = G._succ, G._pred  # set as networkx's add_edge does, without copying the dict
    for (source, target), data in edges.items():
        succ[source][target] = pred[target][source] = {
            "kind": "link",
            "weight": data["weight"],
            "anchors": list(data["anchors"]),
            "langs": sorted(data["langs"]),
            "contexts": list(data["contexts"].values()),
        }
    _set_alt_labels(G, anchors_to)
    _set_labels(G, languages)
    _add_keywords(G, arts)
    if finish_mentions is not None:
        for node, found in finish_mentions(G).items():
            G.nodes[node]["unlinked_mentions"] = found
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
        if d.get("kind") == "link"
    ]


def link_graph(G: nx.DiGraph) -> nx.DiGraph:
    """A view of ``G`` with only concepts and the links between them (no keywords)."""
    return nx.subgraph_view(
        G,
        filter_node=lambda n: G.nodes[n].get("kind") == "concept",
        filter_edge=lambda u, v: G.edges[u, v].get("kind") == "link",
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


def _set_alt_labels(G: nx.DiGraph, anchors_to: dict[str, dict[str, Counter[str]]]) -> None:
    for node, per_lang in anchors_to.items():
        G.nodes[node]["alt_labels"] = {lang: sorted(c) for lang, c in sorted(per_lang.items())}
        if not G.nodes[node]["exists"]:
            G.nodes[node]["label"] = _best_anchor(node, per_lang)


def _best_anchor(slug: str, per_lang: dict[str, Counter[str]]) -> str:
    """The label of a concept without an article, from the anchor texts that point to it:
    one that spells the slug (``front office`` for ``frontoffice``) first, then the most
    used, then an English one (as :func:`_set_labels` prefers English titles), then the
    first in alphabetical order. So a link ``[COVID](/inflation)`` does not name
    ``inflation`` when another anchor says ``inflation``.
    """
    total: Counter[str] = Counter()
    for counter in per_lang.values():
        total.update(counter)
    english = per_lang.get("en", {})
    name = _letters(slug)

    def rank(item: tuple[str, int]) -> tuple[bool, int, bool, str, str]:
        text, count = item
        return (_letters(text) != name, -count, text not in english, text.casefold(), text)

    return min(total.items(), key=rank)[0]


def _letters(text: str) -> str:
    """The letters and digits of ``text``, case folded: what a slug and a title share."""
    return "".join(c for c in text.casefold() if c.isalnum())


def _set_labels(G: nx.DiGraph, languages: list[str]) -> None:
    """``label``: the English title if there is one, else the title in the first language."""
    order = sorted(languages, key=lambda lang: (lang != "en", lang))
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
