"""Graph → an interactive HTML view: one self-contained, offline, safe page.

The page draws the concepts of a :func:`kg.build_graph` graph with vis-network, the
JavaScript library behind pyvis, and keeps pyvis's page contract: a page-level global
``network`` (the ``vis.Network``), globals ``nodes`` and ``edges`` (its ``vis.DataSet``\\ s)
and the graph's node ids as vis node ids, so scripts written against pyvis pages work.

How pyvis is used
-----------------
pyvis is the project's chosen library and the source of the vis-network build the page
runs: the page inlines the ``vis-network.min.js`` and ``vis-network.css`` that the
installed pyvis ships (``pyvis/lib/vis-9.1.2``: vis-network 9.1.2, dual Apache-2.0/MIT;
its licence header stays in the page). Its ``Network`` class and Jinja template are not
used to write the page, because their defaults fail the requirements: the template loads
vis-network and Bootstrap from CDNs even with ``cdn_resources="in_line"`` (pyvis #228,
#229), its tooltip code puts node titles into ``innerHTML``, ``add_node``/``add_edge``
scan every node and edge already added (quadratic: minutes for 5,000 articles), and its
physics never settles on thousands of nodes. Instead :func:`render_html` fills a small
string template of its own (no Jinja) with:

* vis-network's script and style, inlined (no ``src=``/``href=`` at all, and a
  Content-Security-Policy that forbids every request, so nothing leaves the file);
* the view's data as one JSON block (``<script type="application/json">``) in which
  ``<``, ``>``, ``&``, U+2028 and U+2029 are escaped, so ``</script>`` in a title cannot
  end the block; the page script reads it with ``JSON.parse`` and builds tooltips, the
  details panel, legend and search results as DOM elements with ``textContent``:
  article text is always text, never HTML;
* ``kg/static/viz.js`` and ``viz.css`` (legend that filters, search over every label and
  anchor text in any language, neighbourhood highlight, toggles).

Layout and scale
----------------
Positions are computed in Python, deterministically (fixed seeds, sorted nodes): the
concepts with an article are laid out over their links (:func:`kg.positions.layout`:
``networkx.spring_layout`` for small views, :func:`kg.positions.fast_layout` above),
spread out of the crowded middle, and stretched to the screen's shape; each concept
without an article sits beside those it is linked with. Physics stays off past
:data:`PHYSICS_MAX_NODES` nodes, so the browser draws once and the view is steady.

What people read
----------------
Labels are in the display language (``lang``, :mod:`kg.labels`). The page draws them
itself, in screen pixels, in order of importance (the focus, then articles by PageRank,
then concepts without an article): a label is drawn only where it overlaps no label
already drawn, so the most central concepts are always named, at every zoom. Articles
are larger than concepts without one, and the focus largest; keyword colours are fixed
over the whole graph (:func:`keyword_colours`). One card at a time: a hover shows a
small tip while nothing is selected; a click opens the card with the concept's links,
the sentence each stands in, and its source files.

Examples
--------
>>> from kg.articles import parse_article
>>> from kg.graph import build_graph
>>> G = build_graph([parse_article("# back office\\nSee [front office](/frontoffice).",
...                                slug="backoffice", lang="en")])
>>> page = render_html(G)
>>> page.startswith("<!DOCTYPE html>") and " src=" not in page and " href=" not in page
True
"""

from __future__ import annotations

import html
import importlib.util
import json
import math
import os
import unicodedata
from collections import Counter
from collections.abc import Iterable
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import networkx as nx

from kg.atomic import write_atomic
from kg.centrality import pagerank
from kg.communities import link_communities
from kg.errors import InvalidArgument
from kg.explore import link_distances, resolve
from kg.graph import concepts as concept_ids
from kg.graph import links_in, links_out
from kg.labels import display_label, is_fallback, language_order, ordered, pick, valid_lang
from kg.positions import SEED, layout

FULL_VIEW_MAX = 2000
"""Up to this many concepts the default view (``top=None``) draws them all."""
DEFAULT_TOP = 500
"""Past :data:`FULL_VIEW_MAX` concepts the default view keeps this many, the most central."""
PHYSICS_MAX_NODES = 300
"""Views with more nodes than this are drawn with physics off (positions from Python)."""
ASPECT = 1.4
"""Positions are stretched this much across: screens are wider than high."""
MISSING_SHOWN_MAX = 300
"""Views of more concepts than this hide the concepts without an article at first."""
EVIDENCE_PER_LINK = 2
"""How many sentences of each link the view keeps for its cards (display language first)."""
RTL_LANGUAGES = frozenset(
    {"ar", "arc", "ckb", "dv", "fa", "he", "ks", "ps", "sd", "ug", "ur", "yi"}
)
"""Languages written right to left: their labels are drawn with that direction."""
COLOR_BY = ("keyword", "community")
SIZE_BY = ("pagerank", "in-links")

# 11 colours (Tableau 10 + one) for the largest groups; the rest share OTHER_COLOR
PALETTE = (
    "#4e79a7",
    "#f28e2b",
    "#59a14f",
    "#e15759",
    "#76b7b2",
    "#edc948",
    "#b07aa1",
    "#ff9da7",
    "#9c755f",
    "#86bcb6",
    "#d37295",
)
OTHER_COLOR = "#a0a9b8"
MISSING_GROUP = "no article yet"
NO_KEYWORD = "(no keyword)"
NO_KEYWORD_COLOR = "#c8ccd2"
_DESCRIPTION_MAX = 400
_ALT_MAX = 20
_SENTENCE_MAX = 300
_JSON_ESCAPES = {
    ord("<"): "\\u003c",
    ord(">"): "\\u003e",
    ord("&"): "\\u0026",
    0x2028: "\\u2028",
    0x2029: "\\u2029",
}
_CSP = (
    "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; "
    "img-src data:; font-src data:; connect-src 'none'; form-action 'none'; base-uri 'none'"
)


# --- public API --------------------------------------------------------------------------


def render_html(
    G: nx.DiGraph,
    *,
    focus: str | None = None,
    depth: int = 1,
    top: int | None = None,
    color_by: str = "keyword",
    size_by: str = "pagerank",
    show_keywords: bool = False,
    show_missing: bool | None = None,
    title: str | None = None,
    lang: str | None = None,
    sources: str | None = None,
) -> str:
    """Return a complete, self-contained, offline HTML page that draws ``G``.

    Parameters
    ----------
    G : networkx.DiGraph
        A graph as :func:`kg.build_graph` makes it (or :func:`kg.read_graph` reads it).
    focus : str, optional
        Draw only the ego view of this concept: the concepts within ``depth`` links of it,
        following links in either direction (see :func:`ego_graph`).
    depth : int
        Radius of the ego view, in links (default 1).
    top : int, optional
        Keep the ``top`` most central concepts (PageRank over the links, see
        :func:`top_concepts`); ``0`` keeps all. The default ``None`` draws the whole graph
        up to :data:`FULL_VIEW_MAX` (2,000) concepts and the :data:`DEFAULT_TOP` (500) most
        central past that: vis-network stays fluid with a few thousand nodes and their links
        on a laptop, while the whole investors.wiki (14,000 concepts a language) would be a
        slow, unreadable hairball of several megabytes; 500 hubs give the overview, and
        ``focus`` gives the detail. The focus concept is always kept.
    color_by : {"keyword", "community"}
        Colour a concept by its first keyword (the wiki's top-level section, e.g.
        "Investing") or by its Louvain community in the drawn links (seed 0).
    size_by : {"pagerank", "in-links"}
        Size a concept by its PageRank or by how many concepts link to it (whole graph).
    show_keywords : bool
        Draw keywords as nodes at first (the page has a toggle).
    show_missing : bool, optional
        Draw concepts that have no article yet (small, grey, dashed) at first (the page has
        a toggle); by default they are drawn in views of up to :data:`MISSING_SHOWN_MAX`
        concepts and hidden in larger ones.
    title : str, optional
        The page title; default ``"kg — N concepts"`` or ``"kg — SLUG and its neighbours"``.
    lang : str, optional
        The display language: labels, descriptions and evidence in that language, else
        English, else any (:mod:`kg.labels`); the card marks a fall-back with its language.
    sources : str, optional
        Where the articles' files are, as seen from the page: a folder relative to the page
        or a URL; the card links each language's file as ``sources + "/" + path``. Default:
        the graph's ``site_url`` when it has one, else no link (the path is shown).

    Returns
    -------
    str
        The page. Its global ``network`` is the ``vis.Network``; vis node ids are the
        graph's ids; ``window.kgReady`` turns true once the view is drawn and steady.

    Raises
    ------
    ConceptNotFound
        ``focus`` is no concept of ``G`` (the message suggests close matches).
    InvalidArgument
        An option is out of range.

    Examples
    --------
    >>> from kg.articles import parse_article
    >>> from kg.graph import build_graph
    >>> G = build_graph([parse_article("# a\\n[b](/b)", slug="a", lang="en")])
    >>> '"id":"b"' in render_html(G, focus="a", depth=1)
    True
    """
    try:
        lang = valid_lang(lang)
    except ValueError as exc:
        raise InvalidArgument("lang", str(exc)) from None
    view = _view(G, focus=focus, depth=depth, top=top, color_by=color_by, size_by=size_by)
    payload = _payload(
        G,
        view,
        show_keywords=show_keywords,
        show_missing=show_missing,
        title=title,
        lang=lang,
        sources=sources,
    )
    return _page(payload)


def write_html(G: nx.DiGraph, path: str | os.PathLike, **options: Any) -> Path:
    """Write the view of ``G`` (:func:`render_html` with ``options``) to ``path``, atomically.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from kg.articles import parse_article
    >>> from kg.graph import build_graph
    >>> G = build_graph([parse_article("# a\\n[b](/b)", slug="a", lang="en")])
    >>> write_html(G, pathlib.Path(tempfile.mkdtemp()) / "graph.html").read_text()[:15]
    '<!DOCTYPE html>'
    """
    return write_atomic(Path(path), render_html(G, **options))


def visualize(
    G: nx.DiGraph,
    *,
    out: str | os.PathLike | None = None,
    focus: str | None = None,
    depth: int = 1,
    top: int | None = None,
    color_by: str = "keyword",
    size_by: str = "pagerank",
    show_keywords: bool = False,
    show_missing: bool | None = None,
    title: str | None = None,
    lang: str | None = None,
    sources: str | os.PathLike | None = None,
) -> Path | Viz:
    """Draw ``G`` as an interactive HTML view: write it to ``out``, or show it in a notebook.

    Takes the options of :func:`render_html`. With ``out`` the page is written there
    atomically (temporary file, then rename) and the path is returned; a ``sources``
    folder is then given to the page relative to ``out``'s folder. Without ``out`` a
    :class:`Viz` is returned: the last expression of a Jupyter, JupyterLab or VS Code
    notebook cell displays it inline (a sandboxed ``<iframe srcdoc>`` holding the page,
    which needs no network); ``.save(path)`` writes it, ``.html`` is the page.

    Examples
    --------
    >>> import kg
    >>> G = kg.load("articles")                                  # doctest: +SKIP
    >>> kg.visualize(G, focus="backoffice", depth=2)             # doctest: +SKIP
    >>> kg.visualize(G, top=300, out="overview.html")            # doctest: +SKIP
    PosixPath('overview.html')
    """
    page = render_html(
        G,
        focus=focus,
        depth=depth,
        top=top,
        color_by=color_by,
        size_by=size_by,
        show_keywords=show_keywords,
        show_missing=show_missing,
        title=title,
        lang=lang,
        sources=_relative_sources(sources, out),
    )
    view = Viz(page)
    return view if out is None else view.save(out)


def _relative_sources(sources: str | os.PathLike | None, out: Any) -> str | None:
    """``sources`` as the page at ``out`` reaches it: a URL as it is, a folder relative."""
    if sources is None:
        return None
    text = os.fspath(sources)
    if "://" in text:
        return text
    if out is None:
        return Path(text).resolve().as_uri()
    return Path(os.path.relpath(Path(text).resolve(), Path(out).resolve().parent)).as_posix()


class Viz:
    """A rendered view. Displays inline in notebooks; ``save(path)`` writes the page.

    Parameters
    ----------
    html : str
        The page from :func:`render_html`.
    height : int
        Height in pixels of the inline frame in a notebook.

    Examples
    --------
    >>> v = Viz("<!DOCTYPE html><title>t</title>")
    >>> v._repr_html_().startswith("<iframe")
    True
    """

    def __init__(self, html: str, height: int = 640) -> None:
        self.html = html
        self.height = height

    def _repr_html_(self) -> str:
        # srcdoc keeps the page self-contained (no file, no server); sandbox without
        # allow-same-origin isolates it from the notebook page.
        return (
            f'<iframe srcdoc="{html.escape(self.html, quote=True)}" '
            f'style="width:100%;height:{int(self.height)}px;border:1px solid #ddd" '
            'sandbox="allow-scripts" title="kg graph view"></iframe>'
        )

    def save(self, path: str | os.PathLike) -> Path:
        """Write the page to ``path`` atomically and return the path."""
        return write_atomic(Path(path), self.html.encode("utf-8"))

    def __repr__(self) -> str:
        return f"<kg.viz.Viz: {len(self.html):,} characters of HTML>"


def ego_graph(G: nx.DiGraph, focus: str, depth: int = 1) -> nx.DiGraph:
    """The concepts within ``depth`` links of ``focus``, following links either way.

    Only ``kind="link"`` edges count as steps (keywords do not connect concepts here).

    Parameters
    ----------
    G : networkx.DiGraph
    focus : str
        A concept id (slug).
    depth : int
        How many links away, at most (0 gives ``focus`` alone).

    Returns
    -------
    networkx.DiGraph
        The subgraph of ``G`` induced by those concepts and their keyword nodes (a copy).

    Raises
    ------
    ConceptNotFound
        ``focus`` is no concept of ``G``; the message suggests close matches.

    Examples
    --------
    >>> G = nx.DiGraph()
    >>> for n in "abcd":
    ...     G.add_node(n, kind="concept", exists=True, label=n)
    >>> G.add_edge("a", "b", kind="link"); G.add_edge("c", "b", kind="link")
    >>> G.add_edge("c", "d", kind="link")
    >>> sorted(ego_graph(G, "a", 2))
    ['a', 'b', 'c']
    """
    found = ego_concepts(G, focus, depth)
    keep = set(found)
    for node in found:
        keep.update(v for v in G.succ[node] if G.nodes[v].get("kind") == "keyword")
    return G.subgraph(keep).copy()


def ego_concepts(G: nx.DiGraph, focus: str, depth: int = 1) -> dict[str, int]:
    """``{concept: distance}`` for the concepts within ``depth`` links of ``focus`` (either way).

    Examples
    --------
    >>> G = nx.DiGraph([("a", "b"), ("c", "b")])
    >>> nx.set_node_attributes(G, "concept", "kind")
    >>> nx.set_edge_attributes(G, "link", "kind")
    >>> ego_concepts(G, "a", 2)
    {'a': 0, 'b': 1, 'c': 2}
    """
    if depth < 0:
        raise InvalidArgument("depth", f"must be 0 or more, not {depth}")
    return link_distances(G, resolve(G, focus), depth)


def top_concepts(
    G: nx.DiGraph,
    n: int,
    candidates: Iterable[str] | None = None,
    scores: dict[str, float] | None = None,
) -> list[str]:
    """The ``n`` most central concepts: highest PageRank over the links, ties by id.

    PageRank (damping 0.85, edges weighted by mentions) rewards concepts that many
    central concepts link to, so hubs of the wiki come first, including concepts that
    have no article yet but are linked from everywhere.

    Parameters
    ----------
    G : networkx.DiGraph
    n : int
        How many to keep (all when ``n`` is larger than the number of concepts).
    candidates : iterable of str, optional
        Rank only these concepts (default: every concept of ``G``).
    scores : dict, optional
        :func:`kg.centrality.pagerank` of ``G`` when the caller has it already.

    Examples
    --------
    >>> G = nx.DiGraph()
    >>> G.add_nodes_from("abc", kind="concept")
    >>> G.add_edges_from([("a", "c"), ("b", "c"), ("c", "a")], kind="link")
    >>> top_concepts(G, 2)
    ['c', 'a']
    """
    if n < 0:
        raise InvalidArgument("top", f"must be 0 or more, not {n}")
    scores = pagerank(G) if scores is None else scores
    pool = scores if candidates is None else [c for c in candidates if c in scores]
    return sorted(pool, key=lambda c: (-scores[c], c))[:n]


# --- building the view -------------------------------------------------------------------


def _view(G: nx.DiGraph, *, focus, depth, top, color_by, size_by) -> dict[str, Any]:
    if color_by not in COLOR_BY:
        raise InvalidArgument("color_by", f"must be one of {', '.join(COLOR_BY)}, not {color_by!r}")
    if size_by not in SIZE_BY:
        raise InvalidArgument("size_by", f"must be one of {', '.join(SIZE_BY)}, not {size_by!r}")
    if top is not None and top < 0:
        raise InvalidArgument("top", f"must be 0 or more, not {top}")
    all_concepts = sorted(n for n, d in G.nodes(data=True) if d.get("kind") == "concept")
    if focus is not None:
        focus = resolve(G, focus)
    candidates = list(ego_concepts(G, focus, depth)) if focus is not None else all_concepts
    limit = _resolve_top(top, len(candidates))
    ranks = pagerank(G)
    if limit < len(candidates):
        kept = top_concepts(G, limit, candidates, ranks)
        if focus is not None and focus not in kept:
            kept = [focus, *kept[: max(limit - 1, 0)]]
        chosen = sorted(kept)
    else:
        chosen = sorted(candidates)
    chosen_set = set(chosen)
    links = [(u, v, d) for u in chosen for v, d in links_out(G, u) if v in chosen_set]
    if size_by == "pagerank":
        raw = {c: ranks.get(c, 0.0) for c in chosen}
    else:
        raw = {c: float(_in_links(G, c)) for c in chosen}
    return {
        "concepts": chosen,
        "links": links,
        "total": len(all_concepts),
        "candidates": len(candidates),
        "focus": focus,
        "depth": depth,
        "top": limit if limit < len(candidates) else None,
        "ranks": ranks,
        "sizes": _size_values(raw),
        "groups": _groups(G, chosen, ranks, color_by),
        "color_by": color_by,
        "size_by": size_by,
        "positions": _positions(G, chosen, links, focus),
    }


def _positions(G, chosen: list[str], links, focus) -> dict[str, tuple[float, float]]:
    """Where each drawn concept goes, in [-1, 1] (a little beyond for satellites).

    The concepts with an article are laid out over the links between them (the focus
    counts as one even without an article); each concept without an article is then put
    beside the concepts it is linked with, as a satellite: so the articles spread over
    the page whether the missing concepts are shown or hidden.
    """
    placed = [c for c in chosen if G.nodes[c].get("exists") or c == focus]
    if not placed:
        return layout(chosen, [(u, v) for u, v, _ in links])
    core = set(placed)
    pos = _spread(layout(placed, [(u, v) for u, v, _ in links if u in core and v in core]))
    around: dict[str, list[str]] = {c: [] for c in chosen if c not in core}
    for u, v, _ in links:
        if v in around and u in core:
            around[v].append(u)
        if u in around and v in core:
            around[u].append(v)
    step = 0.55 / math.sqrt(len(placed) + 1)
    golden = math.pi * (3 - math.sqrt(5))
    count: Counter[str] = Counter()
    for i, c in enumerate(sorted(around)):
        anchors = sorted(around[c])
        if anchors:
            x = sum(pos[a][0] for a in anchors) / len(anchors)
            y = sum(pos[a][1] for a in anchors) / len(anchors)
            key = anchors[0] if len(anchors) == 1 else c
        else:
            x, y, key = 1.1 * math.cos(i * golden), 1.1 * math.sin(i * golden), ""
        k = count[key]
        count[key] += 1
        distance = step * (0.6 + 0.25 * math.sqrt(k))
        pos[c] = (x + distance * math.cos(k * golden), y + distance * math.sin(k * golden))
    return pos


def _spread(
    pos: dict[str, tuple[float, float]], power: float = 0.45
) -> dict[str, tuple[float, float]]:
    """Positions moved away from the centre, the crowded middle most (distance d → d**power):
    force layouts pack the hubs of a wiki into a knot where no label fits.

    Examples
    --------
    >>> _spread({"a": (0.25, 0.0), "b": (1.0, 0.0)}, power=0.5)
    {'a': (0.5, 0.0), 'b': (1.0, 0.0)}
    """
    out = {}
    for node, (x, y) in pos.items():
        d = math.hypot(x, y)
        f = d ** (power - 1) if d > 0 else 1.0
        out[node] = (x * f, y * f)
    return out


def _resolve_top(top: int | None, count: int) -> int:
    if top is None:
        return count if count <= FULL_VIEW_MAX else DEFAULT_TOP
    return count if top == 0 else min(top, count)


def _size_values(raw: dict[str, float]) -> dict[str, float]:
    """Square-root scaled to [0, 1] (heavy-tailed scores would otherwise leave dots only)."""
    top = max(raw.values(), default=0.0)
    low = min(raw.values(), default=0.0)
    if top <= low:
        return dict.fromkeys(raw, 0.5)
    span = math.sqrt(top - low)
    return {c: round(math.sqrt(v - low) / span, 4) for c, v in raw.items()}


def _groups(G, chosen, ranks, color_by) -> dict[str, Any]:
    """Group of each drawn concept, and the legend.

    By keyword, a keyword's colour is fixed by its rank over the whole graph (the
    concepts whose first keyword it is): the same keyword has the same colour in every
    view of a build. By community, the communities are those of the drawn links.
    """
    key: dict[str, str] = {}
    existing = [c for c in chosen if G.nodes[c].get("exists")]
    if color_by == "keyword":
        for c in existing:
            keywords = G.nodes[c].get("keywords") or []
            key[c] = keywords[0] if keywords else NO_KEYWORD
        colour_of = keyword_colours(G)
    else:
        for members in link_communities(G, existing, seed=SEED):
            hub = min(members, key=lambda c: (-ranks.get(c, 0.0), c))
            name = f"around “{G.nodes[hub].get('label') or hub}”"
            for c in members:
                key[c] = name
        by_size = Counter(key.values())
        ranked = sorted(by_size, key=lambda g: (-by_size[g], g))
        colour_of = dict(zip(ranked, PALETTE, strict=False))
    counts = Counter(key.values())
    coloured = sorted(
        (g for g in counts if g in colour_of),
        key=lambda g: (list(colour_of).index(g), g),
    )
    legend = [{"name": g, "color": colour_of[g], "count": counts[g]} for g in coloured]
    index = {g: i for i, g in enumerate(coloured)}
    rest = sorted(g for g in counts if g not in colour_of)
    if rest:
        legend.append(
            {
                "name": f"other ({len(rest)} group{'s' * (len(rest) != 1)})",
                "color": OTHER_COLOR,
                "count": sum(counts[g] for g in rest),
            }
        )
    other = len(legend) - 1
    of = {c: index.get(g, other) for c, g in key.items()}
    return {"legend": legend, "of": of}


def keyword_colours(G: nx.DiGraph) -> dict[str, str]:
    """``{keyword: colour}`` for the most used first keywords of the whole graph.

    The keywords that are the first of most concepts get the :data:`PALETTE` in that
    order (ties by name); concepts without a keyword are :data:`NO_KEYWORD` in a light
    grey; the other keywords share :data:`OTHER_COLOR` in a view. Computed from the whole
    graph, not a view, so a keyword keeps its colour in every view of one build.

    Examples
    --------
    >>> G = nx.DiGraph()
    >>> G.add_node("a", kind="concept", exists=True, keywords=["Tax"])
    >>> G.add_node("b", kind="concept", exists=True, keywords=["Tax", "Law"])
    >>> G.add_node("c", kind="concept", exists=True, keywords=[])
    >>> keyword_colours(G)
    {'Tax': '#4e79a7', '(no keyword)': '#c8ccd2'}
    """
    counts: Counter[str] = Counter()
    for node in concept_ids(G, exists=True):
        keywords = G.nodes[node].get("keywords") or []
        counts[str(keywords[0]) if keywords else NO_KEYWORD] += 1
    colours: dict[str, str] = {}
    palette = iter(PALETTE)
    for group in sorted(counts, key=lambda g: (-counts[g], g)):
        if group == NO_KEYWORD:
            colours[group] = NO_KEYWORD_COLOR
            continue
        colour = next(palette, None)
        if colour is None:
            break
        colours[group] = colour
    return colours


def _payload(G, view, *, show_keywords, show_missing, title, lang, sources) -> dict[str, Any]:
    concepts = view["concepts"]
    n = len(concepts)
    radius = 60.0 * math.sqrt(max(sum(1 for c in concepts if G.nodes[c].get("exists")), 1)) + 120.0
    pos = view["positions"]
    groups = view["groups"]
    missing_index = len(groups["legend"])
    importance = _importance(G, concepts, view["ranks"], view["focus"])
    sizes = _node_sizes(G, concepts, view["sizes"], view["focus"])
    records = []
    for c in concepts:
        data = G.nodes[c]
        x, y = pos[c]
        label, label_lang = display_label(data, lang)
        rec: dict[str, Any] = {
            "id": c,
            "label": label or c,
            "x": round(x * radius * ASPECT, 1),
            "y": round(y * radius, 1),
            "size": sizes[c],
            "rank": importance[c],
            "in": _in_links(G, c),
            "out": _out_links(G, c),
        }
        if label_lang:
            rec["lang"] = label_lang
            if is_fallback(label_lang, lang):
                rec["fallback"] = True
        if _is_rtl(rec["label"], label_lang):
            rec["rtl"] = True
        labels = data.get("labels") or {}
        if labels:
            rec["labels"] = [[code, str(text)] for code, text in ordered(labels, lang).items()]
        desc_lang, description = _description(data.get("descriptions") or {}, lang)
        if description:
            rec["desc"] = description
            rec["descLang"] = desc_lang
        if data.get("keywords"):
            rec["keywords"] = [str(k) for k in data["keywords"]]
        paths = data.get("paths") or {}
        if paths:
            rec["paths"] = [[code, str(path)] for code, path in ordered(paths, lang).items()]
        alt = _alt_labels(data)
        if alt:
            rec["alt"] = alt
        if data.get("exists"):
            rec["group"] = groups["of"][c]
        else:
            rec["missing"] = True
            rec["group"] = missing_index
        if c == view["focus"]:
            rec["focus"] = True
        records.append(rec)
    keyword_records, keyword_edges = _keyword_nodes(G, concepts, pos, radius)
    edges = [[u, v, _edge_width(d.get("weight", 1))] for u, v, d in view["links"]]
    legend = [*groups["legend"]]
    missing_count = sum(1 for r in records if r.get("missing"))
    legend.append(
        {"name": MISSING_GROUP, "color": "#e6e6e6", "count": missing_count, "missing": True}
    )
    if show_missing is None:
        show_missing = n <= MISSING_SHOWN_MAX
    if title is None:
        if view["focus"] is not None:
            title = f"kg — {view['focus']} and its neighbours"
        else:
            title = f"kg — {n:,} concepts"
    site = str(G.graph.get("site_url") or "")
    return {
        "title": str(title),
        "subtitle": _subtitle(view, n, len(edges), lang),
        "lang": lang or "",
        "sources": str(sources if sources is not None else site).rstrip("/"),
        "focus": view["focus"],
        "depth": view["depth"],
        "colorBy": view["color_by"],
        "sizeBy": view["size_by"],
        "showKeywords": bool(show_keywords),
        "showMissing": bool(show_missing),
        "physics": n + (len(keyword_records) if show_keywords else 0) <= PHYSICS_MAX_NODES,
        "large": n > 1000,
        "legend": legend,
        "nodes": records,
        "edges": edges,
        "evidence": _all_evidence(G, view["links"], lang, n),
        "keywords": keyword_records,
        "keywordEdges": keyword_edges,
    }


def _importance(G, concepts: list[str], ranks: dict[str, float], focus) -> dict[str, int]:
    """Rank of each drawn concept for its label (0 first): the focus, then the concepts
    with an article, then the others, each by PageRank, then id."""
    order = sorted(
        concepts,
        key=lambda c: (c != focus, not G.nodes[c].get("exists"), -ranks.get(c, 0.0), c),
    )
    return {c: i for i, c in enumerate(order)}


def _node_sizes(G, concepts: list[str], scaled: dict[str, float], focus) -> dict[str, float]:
    """Radius in pixels at zoom 1: a concept with an article 9 to 27 by its score, one
    without 3 to 7 (always smaller), the focus larger than all."""
    sizes = {}
    for c in concepts:
        s = scaled.get(c, 0.5)
        sizes[c] = round(9 + 18 * s, 1) if G.nodes[c].get("exists") else round(3 + 4 * s, 1)
    if focus is not None and focus in sizes:
        sizes[focus] = round(max(sizes.values()) + 8, 1)
    return sizes


def _evidence(data: dict, rank: dict[str, int], per_link: int, limit: int) -> list[list[str]]:
    """A link's evidence for the view: ``[lang, anchor, section, sentence]``, at most
    ``per_link``, one per language in display order (``rank``: language → place), then
    more of the first; sentences cut at ``limit`` characters. As
    :func:`kg.explore.evidence`, made for every link of a view at once."""
    contexts = data.get("contexts") or ()
    if not contexts:
        return []
    anchors = [str(a) for a in data.get("anchors") or ()]
    ordered = sorted(contexts, key=lambda c: rank.get(c.get("lang", ""), len(rank)))
    seen: set[str] = set()
    chosen = []
    for c in ordered:  # one per language first
        if c.get("lang", "") not in seen:
            seen.add(c.get("lang", ""))
            chosen.append(c)
    chosen.extend(c for c in ordered if c not in chosen)
    out = []
    for c in chosen[:per_link]:
        sentence = " ".join(str(c.get("sentence", "")).split())
        folded = sentence.casefold()
        found = [a for a in anchors if a.casefold() in folded]
        anchor = max(found, key=len) if found else (anchors[0] if anchors else "")
        if len(sentence) > limit:
            sentence = sentence[: limit - 1].rstrip() + "…"
        out.append([str(c.get("lang", "")), anchor, str(c.get("section", "")), sentence])
    return out


def _all_evidence(G, links, lang: str | None, n: int) -> list[list[list[str]]] | None:
    """The evidence of every drawn link, :data:`EVIDENCE_PER_LINK` sentences each; None in
    views of more than :data:`FULL_VIEW_MAX` concepts (their sentences would double the
    page and its time to open; a smaller view or ``kg path`` shows them)."""
    if n > FULL_VIEW_MAX:
        return None
    langs = {c.get("lang", "") for _, _, d in links for c in d.get("contexts") or ()}
    rank = {code: i for i, code in enumerate(language_order(langs, lang))}
    return [_evidence(d, rank, EVIDENCE_PER_LINK, _SENTENCE_MAX) for _, _, d in links]


def _is_rtl(text: str, lang: str) -> bool:
    """Whether a label is drawn right to left: by its language, else by its letters."""
    if lang:
        return lang.casefold().split("-")[0] in RTL_LANGUAGES
    for char in text:
        kind = unicodedata.bidirectional(char)
        if kind in ("R", "AL"):
            return True
        if kind == "L":
            return False
    return False


def _subtitle(view, n: int, links: int, lang: str | None = None) -> str:
    parts = [f"{n:,} concepts · {links:,} links"]
    if view["focus"] is not None:
        parts.append(
            f"within {view['depth']} link{'s' if view['depth'] != 1 else ''} of {view['focus']}"
        )
    if view["top"] is not None:
        parts.append(
            f"the {view['top']:,} most central of {view['candidates']:,} "
            "(PageRank; top=0 shows all)"
        )
    colour = "keyword" if view["color_by"] == "keyword" else "link community"
    size = "PageRank" if view["size_by"] == "pagerank" else "in-links"
    parts.append(f"colour: {colour} · size: {size}")
    if lang:
        parts.append(f"labels in {lang}, else English, else any")
    return " · ".join(parts)


def _keyword_nodes(G, concepts, pos, radius) -> tuple[list[dict], list[list[str]]]:
    members: dict[str, list[str]] = {}
    for c in concepts:
        for v in G.succ[c]:
            if G.nodes[v].get("kind") == "keyword":
                members.setdefault(v, []).append(c)
    records, edges = [], []
    golden = math.pi * (3 - math.sqrt(5))
    for i, kid in enumerate(sorted(members)):
        group = members[kid]
        mx = sum(pos[c][0] for c in group) / len(group)
        my = sum(pos[c][1] for c in group) / len(group)
        records.append(
            {
                "id": kid,
                "label": str(G.nodes[kid].get("label") or kid),
                "kind": "keyword",
                "x": round(mx * radius * ASPECT + 40 * math.cos(i * golden), 1),
                "y": round(my * radius + 40 * math.sin(i * golden), 1),
                "count": len(group),
            }
        )
        edges.extend([c, kid] for c in sorted(group))
    edges.sort()
    return records, edges


def _description(descriptions: dict[str, str], lang: str | None = None) -> tuple[str, str]:
    found = pick({code: str(text) for code, text in descriptions.items()}, lang)
    if found is None:
        return "", ""
    code, text = found
    text = " ".join(text.split())
    if len(text) > _DESCRIPTION_MAX:
        text = text[: _DESCRIPTION_MAX - 1].rstrip() + "…"
    return code, text


def _alt_labels(data: dict) -> list[str]:
    known = {str(t).casefold() for t in (data.get("labels") or {}).values()}
    known.add(str(data.get("label") or "").casefold())
    seen: dict[str, None] = {}
    for lang in sorted(data.get("alt_labels") or {}):
        for text in data["alt_labels"][lang]:
            text = str(text)
            if text.casefold() not in known and text not in seen:
                seen[text] = None
    return list(seen)[:_ALT_MAX]


def _edge_width(weight: int) -> float:
    return round(1.0 + min(3.0, math.log2(max(int(weight or 1), 1))), 2)


# --- graph helpers -----------------------------------------------------------------------


def _in_links(G: nx.DiGraph, node: str) -> int:
    return sum(1 for u, _ in links_in(G, node) if u != node)


def _out_links(G: nx.DiGraph, node: str) -> int:
    return sum(1 for v, _ in links_out(G, node) if v != node)


# --- the page ----------------------------------------------------------------------------


def script_json(data: Any) -> str:
    """JSON that is safe inside ``<script type="application/json">`` (and as JS).

    Examples
    --------
    >>> script_json({"t": "</script><b>&"})
    '{"t":"\\\\u003c/script\\\\u003e\\\\u003cb\\\\u003e\\\\u0026"}'
    """
    text = json.dumps(
        data, ensure_ascii=False, sort_keys=True, separators=(",", ":"), allow_nan=False
    )
    return text.translate(_JSON_ESCAPES)


def _package_folder(package: str) -> Path:
    """The folder of an installed package, found without importing it.

    ``importlib.resources.files("pyvis")`` imports pyvis, and with it jinja2 and more:
    0.6 s in a fresh process, for a file kg only reads.
    """
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError(f"the {package} package is not installed")
    return Path(next(iter(spec.submodule_search_locations)))


@cache
def _static(name: str) -> str:
    """A script or style to inline: vis-network's from the installed pyvis, kg's own else."""
    if name.startswith("vis-network"):
        folders = sorted(
            (
                p
                for p in (_package_folder("pyvis") / "lib").iterdir()
                if p.name.startswith("vis-9.")
            ),
            key=lambda p: [int(x) for x in p.name[4:].split(".") if x.isdigit()],
        )
        if not folders:
            raise RuntimeError("pyvis ships no vis-network build (pyvis/lib/vis-9.*)")
        text = folders[-1].joinpath(name).read_text(encoding="utf-8")
    else:
        text = resources.files("kg").joinpath("static", name).read_text(encoding="utf-8")
    if name.endswith(".js"):
        lines = text.rstrip("\n").split("\n")
        if lines and lines[-1].startswith("//# sourceMappingURL="):
            lines.pop()
        text = "\n".join(lines) + "\n"
        bad = ("</script", "<!--")
    else:
        bad = ("</style",)
    lowered = text.lower()
    for marker in bad:
        if marker in lowered:  # would end the inline block early
            raise RuntimeError(f"kg/static/{name} holds {marker!r} and cannot be inlined")
    return text


_TEMPLATE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="@CSP@">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="kg">
<title>@TITLE@</title>
<style>
@VIS_CSS@</style>
<style>
@KG_CSS@</style>
</head>
<body>
<div id="mynetwork" aria-label="graph"></div>
<div id="kg-panel">
<h1 id="kg-title"></h1>
<div id="kg-subtitle"></div>
<div id="kg-search-box">
<input id="kg-search" type="search" autocomplete="off" spellcheck="false"
 placeholder="Find a concept (any language)" aria-label="Find a concept">
<ul id="kg-results" role="listbox"></ul>
</div>
<div id="kg-toggles">
<label><input type="checkbox" id="kg-show-keywords"> keywords as nodes</label>
<label><input type="checkbox" id="kg-show-missing"> concepts without an article</label>
</div>
<div id="kg-legend-title">Legend <span class="kg-hint">(click to hide or show)</span></div>
<ul id="kg-legend"></ul>
<div class="kg-hint">Hover a concept for its name; click it for its links, their sentences
and its source files; click the background to reset.</div>
</div>
<div id="kg-details" hidden></div>
<div id="kg-tooltip" role="tooltip" hidden></div>
<script id="kg-data" type="application/json">@DATA@</script>
<script>
@VIS_JS@</script>
<script>
@KG_JS@</script>
</body>
</html>
"""


def _page(payload: dict[str, Any]) -> str:
    parts = {
        "@CSP@": _CSP,
        "@TITLE@": html.escape(payload["title"]),
        "@VIS_CSS@": _static("vis-network.css"),
        "@KG_CSS@": _static("viz.css"),
        "@DATA@": script_json(payload),
        "@VIS_JS@": _static("vis-network.min.js"),
        "@KG_JS@": _static("viz.js"),
    }
    out = _TEMPLATE
    # one pass, in template order, so a marker inside inserted text is never replaced
    pieces = []
    pos = 0
    while True:
        starts = [(out.find(k, pos), k) for k in parts if out.find(k, pos) >= 0]
        if not starts:
            pieces.append(out[pos:])
            break
        start, key = min(starts)
        pieces.append(out[pos:start])
        pieces.append(parts[key])
        pos = start + len(key)
    return "".join(pieces)
